"""Study checks and bài thu hoạch on the year-end self-review form: what the member did in the year (Vietnam
time), nothing of another year and nothing of another member."""

from datetime import timedelta

from tests.server.study.factories import make_attempt, make_check, make_essay, make_study_doc

MINE = "/api/v1/year/reviews/mine"


def _study(client, headers, year: int) -> dict[str, dict]:
    resp = client.get(f"{MINE}/{year}", headers=headers)
    assert resp.status_code == 200, resp.text
    return {f["key"]: f for f in resp.json()["facts"]["others"] if f["key"].startswith("study_")}


def test_checks_taken_and_essays_handed_in_count_in_their_year(client, world, login, db, clock):
    doc = make_study_doc(db, [world.cell])
    other_doc = make_study_doc(db, [world.cell], "Nghị quyết số 66-NQ/TW")
    make_attempt(db, make_check(db, doc, [world.cell]), world.member, score=4)
    make_attempt(db, make_check(db, other_doc, [world.cell]), world.member, score=3)
    make_essay(db, doc, world.member, received=True)
    make_attempt(db, make_check(db, doc, [world.cell]), world.member2, score=5)  # someone else's
    db.commit()
    clock.shift(timedelta(days=40))  # 11/01/2027: next year's check is not this year's
    make_attempt(db, make_check(db, other_doc, [world.cell]), world.member, score=0)
    db.commit()

    member = login(world.member)
    facts = _study(client, member, 2026)
    assert facts["study_checks"]["value"] == 2
    assert facts["study_checks"]["detail"] == "điểm trung bình 7,0/10"  # 7 right of 10 asked
    assert facts["study_essays"]["value"] == 1 and facts["study_essays"]["detail"] == "chi bộ đã nhận 1"

    facts = _study(client, member, 2027)
    assert facts["study_checks"]["value"] == 1 and facts["study_checks"]["detail"] == "điểm trung bình 0,0/10"
    assert facts["study_essays"]["value"] == 0 and facts["study_essays"]["detail"] is None
