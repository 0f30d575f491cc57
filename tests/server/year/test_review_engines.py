"""The self-review levels by cell on SQLite and on PostgreSQL (the grouped query over the closure table, the
migration's table, aware times)."""

from fastapi.testclient import TestClient

from server.app import create_app
from tests.factories import make_world
from tests.server.year.factories import make_review
from tests.signin import bearer

BASE = "/api/v1/year"


def test_levels_by_cell_on_both_engines(any_settings):
    app = create_app(any_settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as s:
            w = make_world(s)
            ids = [make_review(s, p, 2026, self_level=level).id for p, level in (
                (w.member, "excellent"), (w.member2, "good"), (w.sibling_member, "done"),
                (w.other_member, "good"))]
            make_review(s, w.secretary, 2026, "draft")
        sec, staff, province = (bearer(client, p) for p in (w.secretary, w.staff, w.province_staff))
        over = client.put(f"{BASE}/reviews/{ids[0]}/proposal", json={"level": "excellent"},
                          headers=sec).json()
        assert [x["stage"] for x in over["warnings"]] == ["proposed"]
        client.put(f"{BASE}/reviews/{ids[1]}/proposal", json={"level": "good"}, headers=sec)
        done = client.put(f"{BASE}/reviews/{ids[1]}/confirmation", json={"level": "good"}, headers=staff)
        assert done.status_code == 200 and done.json()["warnings"] == []
        body = client.get(f"{BASE}/orgs/{w.province.id}/reviews/summary", params={"year": 2026},
                          headers=province).json()
        cells = {c["cell_id"]: c for c in body["cells"]}
        assert set(cells) == {w.cell.id, w.sibling_cell.id, w.other_cell.id}
        cell = cells[w.cell.id]
        assert cell["submitted"] == 2
        assert cell["self_levels"] == {"excellent": 1, "good": 1, "done": 0, "failed": 0}
        assert cell["proposed"] == {"excellent": 1, "good": 1, "done": 0, "failed": 0}
        assert cell["confirmed"]["good"] == 1 and [x["stage"] for x in cell["warnings"]] == ["proposed"]
        assert cells[w.sibling_cell.id]["self_levels"]["done"] == 1
        assert body["totals"]["submitted"] == 4 and body["totals"]["self_levels"]["good"] == 2
        listed = client.get(f"{BASE}/reviews", params={"org_id": w.district.id, "year": 2026}, headers=staff)
        assert {r["id"] for r in listed.json()["items"]} == set(ids[:3])
        assert client.get(f"{BASE}/reviews/{ids[3]}", headers=staff).status_code == 404
