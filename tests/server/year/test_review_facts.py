"""The facts on a self-review form, and which year a meeting or a study mark counts in (Asia/Ho_Chi_Minh):
the clock injected at 31/12 23:59 and at 01/01 00:01. And the seam other domains plug their figures into."""

from datetime import datetime

from server.documents.models import ReadMark
from server.year import review_facts
from shared.schemas.review import ReviewFact
from shared.timefmt import VN_TZ
from tests.clock import INSTANTS
from tests.server.documents.factories import create_doc
from tests.server.meetings.factories import make_meeting, mark
from tests.server.year.factories import make_commitment

MINE = "/api/v1/year/reviews/mine"


def _vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def _studied(db, world, doc_id: int, at: datetime) -> None:
    db.add(ReadMark(document_id=doc_id, user_id=world.member.user.id, member_id=world.member.member.id,
                    read_at=at, studied_at=at))
    db.flush()


def _facts(client, headers, year: int) -> dict:
    resp = client.get(f"{MINE}/{year}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["facts"]


def _documents(facts: dict) -> int:
    return next(f["value"] for f in facts["others"] if f["key"] == "documents_studied")


def test_the_year_turns_at_midnight_in_vietnam(client, world, db, login, clock):
    staff = login(world.staff)
    docs = [create_doc(client, staff, f"Tài liệu học tập {n}", [world.cell.id], category="study")["id"]
            for n in range(3)]
    clock.move_to(INSTANTS["new-year-eve-2359"])  # 31/12/2026 23:59 (+07:00)
    closed = {"status": "closed"}
    last_year = make_meeting(db, world.cell, starts_at=_vn(2025, 12, 31, 23, 59), **closed)
    first = make_meeting(db, world.cell, starts_at=_vn(2026, 1, 1, 0, 0), **closed)
    eve = make_meeting(db, world.cell, starts_at=_vn(2026, 12, 31, 23, 30), **closed)
    make_meeting(db, world.cell, starts_at=_vn(2026, 6, 5, 19, 30), status="cancelled")
    elsewhere = make_meeting(db, world.sibling_cell, starts_at=_vn(2026, 6, 5, 19, 30), **closed)
    mark(db, last_year, world.member, "absent")
    mark(db, first, world.member, "late")
    mark(db, eve, world.member, "present")
    mark(db, elsewhere, world.member2, "present")
    _studied(db, world, docs[0], _vn(2026, 12, 31, 23, 58))
    commitment = make_commitment(db, world.member, 2026, "approved", texts=("Một", "Hai"))
    db.commit()
    headers = login(world.member)
    this = _facts(client, headers, 2026)
    assert this["meetings"] == {"held": 2, "present": 1, "late": 1, "excused": 0, "absent": 0}
    assert _documents(this) == 1
    assert this["commitment"] == {"commitment_id": commitment.id, "status": "approved", "items": 2,
                                  "with_results": 0}
    before = _facts(client, headers, 2025)
    assert before["meetings"] == {"held": 1, "present": 0, "late": 0, "excused": 0, "absent": 1}
    assert before["commitment"] is None
    early = client.get(f"{MINE}/2027", headers=headers)
    assert early.status_code == 422 and early.json()["code"] == "year_out_of_window"

    clock.move_to(INSTANTS["new-year-0001"])  # 01/01/2027 00:01 (+07:00)
    midnight = make_meeting(db, world.cell, starts_at=_vn(2027, 1, 1, 0, 0), **closed)
    mark(db, midnight, world.member, "excused")
    _studied(db, world, docs[1], _vn(2027, 1, 1, 0, 0, 30))
    db.commit()
    new = _facts(client, headers, 2027)
    assert new["meetings"] == {"held": 1, "present": 0, "late": 0, "excused": 1, "absent": 0}
    assert _documents(new) == 1 and new["commitment"] is None
    assert _facts(client, headers, 2026)["meetings"]["held"] == 2  # last year's, written late
    gone = client.get(f"{MINE}/2025", headers=headers)
    assert gone.status_code == 422


def test_other_domains_plug_their_figures_in(client, world, db, login):
    assert "documents" in review_facts.provider_keys()  # wired in server/wiring.py
    seen: list[tuple[int, datetime, datetime]] = []

    def quizzes(session, member_id, start, end):
        seen.append((member_id, start, end))
        return [ReviewFact(key="quizzes_taken", label="Bài kiểm tra nhận thức đã làm", value=2,
                           detail="điểm trung bình 8,5")]

    review_facts.add_provider("quizzes", quizzes)
    try:
        facts = _facts(client, login(world.member), 2026)
    finally:
        review_facts.remove_provider("quizzes")
    assert {"key": "quizzes_taken", "label": "Bài kiểm tra nhận thức đã làm", "value": 2,
            "detail": "điểm trung bình 8,5"} in facts["others"]
    assert seen == [(world.member.member.id, _vn(2026, 1, 1), _vn(2027, 1, 1))]
    assert "quizzes" not in review_facts.provider_keys()
