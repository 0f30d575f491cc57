"""Commitments arranged straight in the database (the API's own flows are what the tests exercise)."""

from datetime import datetime

from sqlmodel import Session

from server.timeutil import utcnow
from server.year.models import Commitment, CommitmentItem, SelfReview
from shared.timefmt import VN_TZ
from tests.factories import Person

ITEMS = [
    {"text": "Gương mẫu học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
     "category": "study_follow"},
    {"text": "Tham gia hiến máu tình nguyện và dọn vệ sinh đường làng mỗi tháng", "category": "volunteer"},
    {"text": "Hoàn thành tốt nhiệm vụ chuyên môn được giao"},
]


def make_commitment(session: Session, person: Person, year: int, status: str = "submitted",
                    texts: tuple[str, ...] = ("Nội dung cam kết 1", "Nội dung cam kết 2"),
                    at: datetime | None = None) -> Commitment:
    assert person.member is not None
    at = at or utcnow()
    commitment = Commitment(member_id=person.member.id, org_id=person.member.org_id, year=year, status=status,
                            edited_at=at, created_at=at, updated_at=at,
                            submitted_at=None if status == "draft" else at,
                            decided_at=at if status in ("approved", "returned") else None)
    session.add(commitment)
    session.flush()
    for position, text in enumerate(texts, start=1):
        session.add(CommitmentItem(commitment_id=commitment.id, position=position, text=text))
    session.flush()
    return commitment


def first_item(session: Session, commitment: Commitment) -> int:
    from sqlalchemy import select

    return int(session.execute(select(CommitmentItem.id).where(
        CommitmentItem.commitment_id == commitment.id).order_by(CommitmentItem.position)).scalars().first())


def for_matrix(session: Session, member: Person) -> dict[str, int]:
    """The authorisation matrix's commitments, all member_a's: one awaiting a decision this year, one
    approved last year (results and remarks), a draft for next year."""
    year = utcnow().astimezone(VN_TZ).year
    submitted = make_commitment(session, member, year, "submitted")
    approved = make_commitment(session, member, year - 1, "approved")
    draft = make_commitment(session, member, year + 1, "draft")
    return {"commitment": submitted.id or 0, "approved_commitment": approved.id or 0,
            "approved_item": first_item(session, approved), "draft_commitment": draft.id or 0,
            "this_year": year}


def make_review(session: Session, person: Person, year: int, status: str = "submitted", *,
                self_level: str | None = "good", proposed: str | None = None, confirmed: str | None = None,
                at: datetime | None = None, org_id: int | None = None) -> SelfReview:
    """A self-review arranged straight in the database (status follows the levels given)."""
    assert person.member is not None
    at = at or utcnow()
    review = SelfReview(member_id=person.member.id, org_id=org_id or person.member.org_id, year=year,
                        status=status, strengths="Gương mẫu, hoàn thành nhiệm vụ được giao",
                        shortcomings="Còn chậm trong nghiên cứu tài liệu", self_level=self_level,
                        proposed_level=proposed, proposed_at=at if proposed else None,
                        confirmed_level=confirmed, confirmed_at=at if confirmed else None,
                        edited_at=at, created_at=at, updated_at=at,
                        submitted_at=None if status == "draft" else at)
    session.add(review)
    session.flush()
    return review


def reviews_for_matrix(session: Session, member: Person, member2: Person) -> dict[str, int]:
    """The matrix's self-reviews: member_a's submitted one this year and draft of last year; member2's
    (same cell) proposed one this year, which member_a must not see."""
    year = utcnow().astimezone(VN_TZ).year
    return {"review": make_review(session, member, year).id or 0,
            "draft_review": make_review(session, member, year - 1, "draft").id or 0,
            "proposed_review": make_review(session, member2, year, "proposed", proposed="good").id or 0}
