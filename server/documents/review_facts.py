"""What documents add to a member's year-end self-review: the study materials they marked "Đã học".

Registered with the year domain's fact registry in server/wiring.py (documents does not import year).
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.documents.models import ReadMark
from shared.schemas.review import ReviewFact


def studied(session: Session, member_id: int, start: datetime, end: datetime) -> list[ReviewFact]:
    """Documents the member marked studied within [start, end)."""
    count = session.execute(select(func.count(func.distinct(col(ReadMark.document_id)))).where(
        col(ReadMark.member_id) == member_id, col(ReadMark.studied_at) >= start,
        col(ReadMark.studied_at) < end)).scalar_one()
    return [ReviewFact(key="documents_studied", label="Tài liệu đã học (đánh dấu \"Đã học\")",
                       value=int(count))]
