"""Meetings in their public shape (MeetingPublic): the agenda, the cell's name, the caller's own attendance
and absence request, whether check-in is open now."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting
from server.meetings.service import checkin_window
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.schemas.meetings import (
    AbsenceStatus,
    AgendaItemPublic,
    AttendanceStatus,
    MeetingPublic,
    MeetingStatus,
)

S = MeetingStatus


def to_public(
    session: Session, principal: Principal | None, meetings: Sequence[Meeting]
) -> list[MeetingPublic]:
    ids = [m.id for m in meetings if m.id is not None]
    if not ids:
        return []
    items: dict[int, list[AgendaItemPublic]] = {}
    for item in session.execute(
        select(AgendaItem)
        .where(col(AgendaItem.meeting_id).in_(ids))
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).scalars():
        items.setdefault(item.meeting_id, []).append(AgendaItemPublic.model_validate(item))
    org_names = dict(
        session.execute(
            select(col(Organization.id), col(Organization.name)).where(
                col(Organization.id).in_({m.org_id for m in meetings})
            )
        ).all()
    )
    mine: dict[int, str] = {}
    requests: dict[int, str] = {}
    if principal is not None and principal.member is not None:
        mid = principal.member.id
        mine = dict(
            session.execute(
                select(col(Attendance.meeting_id), col(Attendance.status)).where(
                    col(Attendance.meeting_id).in_(ids), col(Attendance.member_id) == mid
                )
            ).all()
        )
        requests = dict(
            session.execute(
                select(col(AbsenceRequest.meeting_id), col(AbsenceRequest.status)).where(
                    col(AbsenceRequest.meeting_id).in_(ids), col(AbsenceRequest.member_id) == mid
                )
            ).all()
        )
    now = utcnow()
    out = []
    for m in meetings:
        assert m.id is not None
        opens, closes = checkin_window(m)
        out.append(
            MeetingPublic.model_validate(m).model_copy(
                update={
                    "org_name": org_names.get(m.org_id),
                    "agenda": items.get(m.id, []),
                    "checkin_open": bool(m.checkin_secret)
                    and m.status == S.in_progress.value
                    and opens <= now <= closes,
                    "checkin_opens_at": opens,
                    "checkin_closes_at": closes,
                    "minutes_published": m.minutes_published_at is not None,
                    "my_status": AttendanceStatus(mine[m.id]) if m.id in mine else None,
                    "my_absence_request": AbsenceStatus(requests[m.id]) if m.id in requests else None,
                }
            )
        )
    return out


def one_public(session: Session, principal: Principal | None, meeting: Meeting) -> MeetingPublic:
    return to_public(session, principal, [meeting])[0]
