"""The monthly rule: each cell's regular meeting drafted from its day and time (Hướng dẫn 12-HD/BTCTW)."""

import calendar as _calendar
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import NotFound, Unprocessable
from server.meetings import policy
from server.meetings.models import Meeting
from server.meetings.repository import existing_regular, local_month_bounds
from server.meetings.service import touch
from server.records import audit
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.enums import OrgKind
from shared.schemas.meetings import MeetingKind, MeetingStatus
from shared.timefmt import VN_TZ

S = MeetingStatus


def parse_month(month: str | date) -> tuple[int, int]:
    if isinstance(month, date):
        return month.year, month.month
    try:
        year, mon = (int(p) for p in month.split("-"))
        date(year, mon, 1)
    except ValueError as exc:
        raise Unprocessable("Tháng phải có dạng YYYY-MM.", code="invalid_month") from exc
    return year, mon


def next_month(now: datetime | None = None) -> str:
    local = (now or utcnow()).astimezone(VN_TZ)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return f"{year:04d}-{month:02d}"


def draft_next_regular(
    session: Session, cell_id: int, month: str | date, actor: Principal | None = None
) -> tuple[Meeting, bool]:
    """Draft the cell's regular meeting of `month` from its rule (meeting_day, meeting_time).

    Idempotent: when the month already has a regular meeting (drafted, confirmed, entered by hand, or
    drafted and then cancelled on purpose) that one is returned with created=False. Safe to call from
    several schedulers at once (unique (org_id, regular_month)).
    """
    org = session.get(Organization, cell_id)
    if org is None or org.kind != OrgKind.cell.value:
        raise NotFound("Không tìm thấy chi bộ.", code="org_not_found")
    if not org.meeting_day:
        raise Unprocessable("Chi bộ chưa đặt lịch sinh hoạt hằng tháng (ngày, giờ).", code="no_meeting_rule")
    year, mon = parse_month(month)
    ym = f"{year:04d}-{mon:02d}"
    start, end = local_month_bounds(year, mon)
    existing = existing_regular(session, cell_id, ym, start, end)
    if existing is not None:
        return existing, False
    day = min(org.meeting_day, _calendar.monthrange(year, mon)[1])
    hh, mm = (int(p) for p in (org.meeting_time or policy.DEFAULT_MEETING_TIME).split(":"))
    starts = datetime(year, mon, day, hh, mm, tzinfo=VN_TZ).astimezone(UTC)
    now = utcnow()
    meeting = Meeting(
        org_id=cell_id,
        kind=MeetingKind.regular.value,
        status=S.draft.value,
        title=f"Sinh hoạt chi bộ thường kỳ tháng {mon:02d}/{year}",
        starts_at=starts,
        ends_at=starts + policy.DEFAULT_DURATION,
        regular_month=ym,
        checkin_before_minutes=policy.CHECKIN_BEFORE_MINUTES,
        checkin_after_minutes=policy.CHECKIN_AFTER_MINUTES,
        grace_minutes=policy.GRACE_MINUTES,
        checkin_interval=policy.CODE_INTERVAL_SECONDS,
        created_by=actor.user_id if actor else None,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(meeting)
            session.flush()
    except IntegrityError:
        raced = existing_regular(session, cell_id, ym, start, end)
        if raced is None:
            raise
        return raced, False
    assert meeting.id is not None
    audit.record(
        session,
        "meeting.draft_regular",
        actor=actor,
        target_type="meeting",
        target_id=meeting.id,
        org_id=cell_id,
        detail={"month": ym, "starts_at": starts.isoformat()},
    )
    touch(session, meeting)
    return meeting, True


def draft_regular_for_all(session: Session, month: str | date) -> list[Meeting]:
    """Scheduler entry (around the 20th): draft next month's regular meeting of every cell with a rule."""
    cells = (
        session.execute(
            select(col(Organization.id)).where(
                col(Organization.kind) == OrgKind.cell.value, col(Organization.meeting_day).is_not(None)
            )
        )
        .scalars()
        .all()
    )
    created = []
    for cell_id in cells:
        meeting, was_created = draft_next_regular(session, int(cell_id), month)
        if was_created:
            created.append(meeting)
    return created
