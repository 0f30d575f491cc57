"""What study checks add to a member's year-end self-review: checks taken (with the average score) and
bài thu hoạch handed in (with how many the cell received).

Registered with the year domain's fact registry in server/wiring.py (study does not import year).
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.study.models import StudyAttempt, StudyEssay
from shared.schemas.review import ReviewFact


def taken(session: Session, member_id: int, start: datetime, end: datetime) -> list[ReviewFact]:
    """Study checks answered within [start, end), and bài thu hoạch written within it."""
    count, scored, total = session.execute(
        select(func.count(), func.coalesce(func.sum(col(StudyAttempt.score)), 0),
               func.coalesce(func.sum(col(StudyAttempt.total)), 0)).where(
            col(StudyAttempt.member_id) == member_id, col(StudyAttempt.answered_at) >= start,
            col(StudyAttempt.answered_at) < end)).one()
    written, received = session.execute(
        select(func.count(), func.count(col(StudyEssay.received_at))).where(
            col(StudyEssay.member_id) == member_id, col(StudyEssay.written_at) >= start,
            col(StudyEssay.written_at) < end)).one()
    average = f"điểm trung bình {10 * scored / total:.1f}/10".replace(".", ",") if total else None
    return [
        ReviewFact(key="study_checks", label="Bài kiểm tra nhận thức đã làm", value=int(count),
                   detail=average),
        ReviewFact(key="study_essays", label="Bài thu hoạch đã nộp", value=int(written),
                   detail=f"chi bộ đã nhận {received}" if written else None),
    ]
