"""The year's facts on a self-review form, computed when asked (never stored).

The year is the calendar year in Asia/Ho_Chi_Minh: a meeting at 23:59 on 31 December counts in that year,
one at 00:01 on 1 January in the next. The year domain counts what it knows itself (the member's meetings
and their commitment); other domains add their figures through a registry, wired in server/wiring.py like
the sync feed's relevance functions: documents studied today, the study checks (quizzes) when they come.
A fact provider is `fn(session, member_id, start, end) -> list[ReviewFact]` over [start, end) in UTC.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.meetings.models import Attendance, Meeting
from server.year.models import Commitment, CommitmentItem
from shared.schemas.meetings import MeetingStatus
from shared.schemas.review import CommitmentFacts, MeetingFacts, ReviewFact, ReviewFacts
from shared.schemas.year import CommitmentStatus
from shared.timefmt import VN_TZ

FactProvider = Callable[[Session, int, datetime, datetime], list[ReviewFact]]

_providers: dict[str, FactProvider] = {}


def add_provider(key: str, fn: FactProvider) -> None:
    """Register a domain's facts under a key (a second app registers the same again: replaced)."""
    _providers[key] = fn


def remove_provider(key: str) -> None:
    _providers.pop(key, None)


def provider_keys() -> list[str]:
    return sorted(_providers)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan 00:00, next 1 Jan 00:00) in Vietnam time, as aware datetimes."""
    return datetime(year, 1, 1, tzinfo=VN_TZ), datetime(year + 1, 1, 1, tzinfo=VN_TZ)


def meeting_facts(session: Session, member_id: int, cell_id: int, start: datetime, end: datetime
                  ) -> MeetingFacts:
    """Closed meetings of the cell in the year; the member's marks at closed meetings of the year (a member
    who moved cells keeps the marks of the old one)."""
    closed = MeetingStatus.closed.value
    in_year = (col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end)
    held = session.execute(select(func.count()).select_from(Meeting).where(
        col(Meeting.org_id) == cell_id, col(Meeting.status) == closed, *in_year)).scalar_one()
    marks = dict(session.execute(
        select(col(Attendance.status), func.count())
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(col(Attendance.member_id) == member_id, col(Meeting.status) == closed, *in_year)
        .group_by(col(Attendance.status))).all())
    return MeetingFacts(held=int(held), present=int(marks.get("present", 0)), late=int(marks.get("late", 0)),
                        excused=int(marks.get("excused", 0)), absent=int(marks.get("absent", 0)))


def commitment_facts(session: Session, member_id: int, year: int) -> CommitmentFacts | None:
    row = session.execute(
        select(col(Commitment.id), col(Commitment.status), func.count(col(CommitmentItem.id)),
               func.count(col(CommitmentItem.result)))
        .outerjoin(CommitmentItem, col(CommitmentItem.commitment_id) == col(Commitment.id))
        .where(col(Commitment.member_id) == member_id, col(Commitment.year) == year)
        .group_by(col(Commitment.id), col(Commitment.status))).first()
    if row is None or row[1] == CommitmentStatus.draft.value:
        return None
    return CommitmentFacts(commitment_id=int(row[0]), status=str(row[1]), items=int(row[2]),
                           with_results=int(row[3]))


def facts(session: Session, member_id: int, cell_id: int, year: int) -> ReviewFacts:
    start, end = year_bounds(year)
    others: list[ReviewFact] = []
    for key in provider_keys():
        others.extend(_providers[key](session, member_id, start, end))
    return ReviewFacts(year=year, meetings=meeting_facts(session, member_id, cell_id, start, end),
                       commitment=commitment_facts(session, member_id, year), others=others)
