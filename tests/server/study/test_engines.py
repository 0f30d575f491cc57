"""A check taken and its by-cell figures on SQLite and on PostgreSQL (the grouped query with the closure
table, the JSON columns, aware times)."""

from datetime import timedelta

from fastapi.testclient import TestClient

from server.app import create_app
from server.timeutil import utcnow
from tests.factories import make_world
from tests.server.study.factories import answers_body, make_attempt, make_check, make_essay, make_study_doc
from tests.signin import bearer

BASE = "/api/v1/study/checks"


def test_take_and_figures_on_both_engines(any_settings):
    app = create_app(any_settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as s:
            w = make_world(s)
            doc = make_study_doc(s, [w.province])
            check = make_check(s, doc, [w.province])
            make_attempt(s, check, w.sibling_member, score=2)
            make_essay(s, doc, w.member2, received=True)
            check_id = check.id
        now = utcnow()
        taken = client.post(
            f"{BASE}/{check_id}/attempts",
            headers=bearer(client, w.member),
            json=answers_body(now - timedelta(minutes=6), now),
        )
        assert taken.status_code == 201 and taken.json()["score"] == 5, taken.text
        again = client.post(
            f"{BASE}/{check_id}/attempts",
            headers=bearer(client, w.member),
            json=answers_body(now - timedelta(minutes=6), now),
        )
        assert again.status_code == 409 and again.json()["code"] == "quiz_already_taken"
        body = client.get(
            f"{BASE}/{check_id}/figures",
            params={"org_id": w.province.id},
            headers=bearer(client, w.province_staff),
        ).json()
        cells = {c["name"]: c for c in body["cells"]}
        assert set(cells) == {"Chi bộ thôn A1-1", "Chi bộ thôn A1-2", "Chi bộ thôn B1-1"}
        assert (cells["Chi bộ thôn A1-1"]["taken"], cells["Chi bộ thôn A1-1"]["average_score"]) == (1, 10.0)
        assert cells["Chi bộ thôn A1-1"]["essays_received"] == 1
        assert cells["Chi bộ thôn A1-2"]["average_score"] == 4.0
        assert cells["Chi bộ thôn B1-1"]["taken"] == 0 and cells["Chi bộ thôn B1-1"]["average_score"] is None
        assert body["totals"]["taken"] == 2 and body["totals"]["average_score"] == 7.0
