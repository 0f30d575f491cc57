"""Meetings' queries: what the caller may see, the people of a cell, regular meetings of a month, what the
scheduler reminds of. No rule is decided here (those are in service.py)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.meetings.models import Meeting
from server.orgs import service as orgs
from server.records.members import Member, RoleAssignment, User
from shared.enums import CELL_ROLES
from shared.schemas.meetings import MeetingKind, MeetingStatus
from shared.timefmt import VN_TZ

S = MeetingStatus


def visible_meetings(principal: Principal) -> Select:
    """SELECT of the meetings the caller may read.

    Leaders of a cell see all of its meetings; members see them except drafts; staff see their subtrees.
    """
    q = select(Meeting)
    if principal.is_admin:
        return q
    conditions: list[ColumnElement[bool]] = []
    if principal.led_cell_ids:
        conditions.append(col(Meeting.org_id).in_(principal.led_cell_ids))
    if principal.cell_id is not None:
        conditions.append((col(Meeting.org_id) == principal.cell_id) & (col(Meeting.status) != S.draft.value))
    if principal.staff_org_ids:
        conditions.append(col(Meeting.org_id).in_(orgs.subtrees_ids(principal.staff_org_ids)))
    return q.where(or_(*conditions)) if conditions else q.where(col(Meeting.id) == -1)


def cell_members(session: Session, cell_id: int) -> list[Member]:
    return list(
        session.execute(
            select(Member)
            .where(col(Member.org_id) == cell_id)
            .order_by(col(Member.name_folded), col(Member.id))
        ).scalars()
    )


def user_ids_of_members(session: Session, member_ids: Iterable[int]) -> list[int]:
    ids = list(set(member_ids))
    if not ids:
        return []
    return [
        int(u) for u in session.execute(select(col(User.id)).where(col(User.member_id).in_(ids))).scalars()
    ]


def leader_user_ids(session: Session, cell_id: int) -> list[int]:
    return [
        int(u)
        for u in session.execute(
            select(col(RoleAssignment.user_id)).where(
                col(RoleAssignment.org_id) == cell_id,
                col(RoleAssignment.role).in_([r.value for r in CELL_ROLES]),
            )
        ).scalars()
    ]


def local_month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of next month) of a month in Asia/Ho_Chi_Minh, as UTC."""
    start = datetime(year, month, 1, tzinfo=VN_TZ)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=VN_TZ)
    return start.astimezone(UTC), nxt.astimezone(UTC)


def existing_regular(
    session: Session, cell_id: int, ym: str, start: datetime, end: datetime
) -> Meeting | None:
    return session.execute(
        select(Meeting)
        .where(
            col(Meeting.org_id) == cell_id,
            or_(
                col(Meeting.regular_month) == ym,
                (col(Meeting.kind) == MeetingKind.regular.value)
                & (col(Meeting.status) != S.cancelled.value)
                & (col(Meeting.starts_at) >= start)
                & (col(Meeting.starts_at) < end),
            ),
        )
        .order_by(col(Meeting.id))
        .limit(1)
    ).scalar_one_or_none()


@dataclass
class Reminder:
    meeting_id: int
    org_id: int
    title: str
    starts_at: datetime
    status: str
    user_ids: list[int]


def upcoming_reminders(session: Session, start: datetime, end: datetime) -> list[Reminder]:
    """Scheduled meetings starting in [start, end) and the user accounts of the cell's members to remind."""
    meetings = (
        session.execute(
            select(Meeting).where(
                col(Meeting.status) == S.scheduled.value,
                col(Meeting.starts_at) >= start,
                col(Meeting.starts_at) < end,
            )
        )
        .scalars()
        .all()
    )
    out = []
    for m in meetings:
        assert m.id is not None
        members = [mb.id for mb in cell_members(session, m.org_id) if mb.id is not None]
        out.append(
            Reminder(
                m.id, m.org_id, m.title, m.starts_at, m.status, sorted(user_ids_of_members(session, members))
            )
        )
    return out


def pending_confirmations(
    session: Session, now: datetime, horizon: timedelta = timedelta(days=20)
) -> list[Reminder]:
    """Drafts starting within `horizon` that the cell's leaders still have to confirm (date and topics)."""
    meetings = (
        session.execute(
            select(Meeting).where(
                col(Meeting.status) == S.draft.value,
                col(Meeting.starts_at) >= now,
                col(Meeting.starts_at) < now + horizon,
            )
        )
        .scalars()
        .all()
    )
    out = []
    for m in meetings:
        assert m.id is not None
        out.append(
            Reminder(
                m.id, m.org_id, m.title, m.starts_at, m.status, sorted(leader_user_ids(session, m.org_id))
            )
        )
    return out
