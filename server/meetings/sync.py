"""Meetings on devices: providers (meeting, minutes, attendance, absence_request) and offline actions."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.meetings import absence, checkin, minutes
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting
from server.meetings.public import to_public
from server.records.members import Member
from server.sync import actions, registry
from server.sync.registry import Provider, SimpleProvider, View
from server.timeutil import utcnow
from shared.schemas.common import RequestSchema
from shared.schemas.meetings import AbsenceRequestPublic, CheckinRequest, MeetingStatus
from shared.schemas.sync import AttendanceData, OfflineAction
from shared.timefmt import VN_TZ

DRAFT = MeetingStatus.draft.value


def _meetings_clause(view: View) -> Any:
    """Own cell's meetings except drafts; every meeting of the cells the caller leads."""
    parts = []
    if view.cell_id is not None:
        parts.append(and_(col(Meeting.org_id) == view.cell_id, col(Meeting.status) != DRAFT))
    if view.led_cell_ids:
        parts.append(col(Meeting.org_id).in_(view.led_cell_ids))
    return or_(*parts) if parts else None


def _meeting_visible(view: View) -> Any:
    clause = _meetings_clause(view)
    return None if clause is None else select(col(Meeting.id)).where(clause)


def _meeting_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = list(session.execute(select(Meeting).where(col(Meeting.id).in_(ids))).scalars())
    out = {}
    for public in to_public(session, None, rows):
        data = public.model_dump(mode="json")
        # Per-member state lives in the attendance and absence_request entities, which change on their own.
        data.pop("my_status", None)
        data.pop("my_absence_request", None)
        data.pop("org_name", None)  # the cell is an organization entity: a rename must not go stale here
        # Depends on the clock, not on a change: the device computes it (status in_progress and now within
        # checkin_opens_at..checkin_closes_at).
        data.pop("checkin_open", None)
        out[public.id] = data
    return out


def _minutes_visible(view: View) -> Any:
    """Published minutes of visible meetings; leaders also hold drafts of their cells' minutes."""
    clause = _meetings_clause(view)
    if clause is None:
        return None
    published = col(Meeting.minutes_published_at).is_not(None)
    readable = or_(published, col(Meeting.org_id).in_(view.led_cell_ids)) if view.led_cell_ids else published
    has_text = or_(col(Meeting.minutes_text).is_not(None), published)
    return select(col(Meeting.id)).where(clause, readable, has_text)


def _minutes_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Meeting).where(col(Meeting.id).in_(ids))).scalars()
    return {m.id or 0: minutes._minutes_public(session, m).model_dump(mode="json") for m in rows}


def _own_or_led(view: View, member_col: Any, meeting_col: Any) -> Any:
    parts = []
    if view.member_id is not None:
        parts.append(member_col == view.member_id)
    if view.led_cell_ids:
        parts.append(meeting_col.in_(select(col(Meeting.id)).where(col(Meeting.org_id).in_(view.led_cell_ids))))
    return or_(*parts) if parts else None


def _attendance_visible(view: View) -> Any:
    clause = _own_or_led(view, col(Attendance.member_id), col(Attendance.meeting_id))
    return None if clause is None else select(col(Attendance.id)).where(clause)


def _attendance_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Attendance).where(col(Attendance.id).in_(ids))).scalars()
    return {a.id or 0: AttendanceData.model_validate(a).model_dump(mode="json") for a in rows}


def _absence_visible(view: View) -> Any:
    clause = _own_or_led(view, col(AbsenceRequest.member_id), col(AbsenceRequest.meeting_id))
    return None if clause is None else select(col(AbsenceRequest.id)).where(clause)


def _absence_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(AbsenceRequest, Member.full_name).join(Member, col(Member.id) == col(AbsenceRequest.member_id))
        .where(col(AbsenceRequest.id).in_(ids))
    ).all()
    return {r.id or 0: AbsenceRequestPublic.model_validate(r).model_copy(update={"full_name": name})
            .model_dump(mode="json") for r, name in rows}


AHEAD = (DRAFT, MeetingStatus.scheduled.value, MeetingStatus.in_progress.value)


def _agenda_document_ids(session: Session, *where: Any) -> set[int]:
    rows = session.execute(
        select(col(AgendaItem.document_ids)).join(Meeting, col(Meeting.id) == col(AgendaItem.meeting_id))
        .where(*where)
    ).scalars()
    return {int(d) for ids in rows for d in (ids or [])}


def _agenda_documents(session: Session, meeting_ids: list[int]) -> list[tuple[str, int]]:
    """The documents on these meetings' agendas while the meetings are ahead or under way (the documents
    bring their attachments): a meeting's change (agenda edited, scheduled) re-evaluates them for the devices
    of its scope, so a document older than a fresh snapshot's horizon (server/documents/sync.py) reaches the
    cell's devices when it is put on an agenda. The documents' own audience rule still decides each device."""
    ids = _agenda_document_ids(session, col(AgendaItem.meeting_id).in_(meeting_ids),
                               col(Meeting.status).in_(AHEAD),
                               col(Meeting.starts_at) >= utcnow() - timedelta(days=1))
    return [("document", d) for d in sorted(ids)]


UPCOMING = (MeetingStatus.scheduled.value, MeetingStatus.in_progress.value)


def agenda_document_ids(session: Session, view: View, now: datetime) -> set[int]:
    """Documents on the agenda of the member's upcoming meetings: the own cell's scheduled from today on (or
    under way), and for its leaders also the drafts of the cells they lead."""
    today = datetime.combine(now.astimezone(VN_TZ).date(), datetime.min.time(), tzinfo=VN_TZ)
    ahead = or_(col(Meeting.status) == MeetingStatus.in_progress.value,
                and_(col(Meeting.status).in_((MeetingStatus.scheduled.value, MeetingStatus.draft.value)),
                     col(Meeting.starts_at) >= today.astimezone(UTC)))
    parts = []
    if view.cell_id is not None:
        parts.append(and_(col(Meeting.org_id) == view.cell_id, col(Meeting.status).in_(UPCOMING)))
    if view.led_cell_ids:
        parts.append(col(Meeting.org_id).in_(view.led_cell_ids))
    if not parts:
        return set()
    return _agenda_document_ids(session, or_(*parts), ahead)


# What else makes a document worth a fresh device's snapshot (server/documents/sync.py asks through the
# registry, so documents never import meetings).
RELEVANCE: dict[str, registry.Relevance] = {"document": agenda_document_ids}

# Registered by the app factory (server/wiring.py), snapshot order as listed.
PROVIDERS: list[Provider] = [
    SimpleProvider("meeting", _meeting_visible, _meeting_data, col(Meeting.id), companions=("minutes",),
                   dependents=_agenda_documents),
    SimpleProvider("minutes", _minutes_visible, _minutes_data, col(Meeting.id)),
    SimpleProvider("attendance", _attendance_visible, _attendance_data, col(Attendance.id)),
    SimpleProvider("absence_request", _absence_visible, _absence_data, col(AbsenceRequest.id)),
]


# ---- offline actions ----


class CheckInPayload(RequestSchema):
    meeting_id: int
    code: str = Field(pattern=r"^\d{6}$")


def check_in(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CheckInPayload, action.payload)
    request = CheckinRequest(code=body.code, client_id=action.client_id, checked_in_at=action.made_at)
    try:
        out, _created = checkin.check_in(session, principal, body.meeting_id, request)
    except checkin.CheckinRejected as exc:
        # As on the REST route: a wrong code counts towards the limit, so batches cannot guess codes.
        def keep(s: Session, error: checkin.CheckinRejected = exc) -> None:
            checkin.record_failure(s, principal, body.meeting_id, error)

        exc.after_rollback = keep  # type: ignore[attr-defined]
        raise
    return out.model_dump(mode="json")


class AbsencePayload(RequestSchema):
    meeting_id: int
    reason: str = Field(min_length=2, max_length=1000)


def request_absence(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(AbsencePayload, action.payload)
    out, _created = absence.request_absence(session, principal, body.meeting_id, body.reason)
    return out.model_dump(mode="json")


class MeetingRef(RequestSchema):
    meeting_id: int


def withdraw_absence(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(MeetingRef, action.payload)
    absence.withdraw_absence(session, principal, body.meeting_id)
    return {"meeting_id": body.meeting_id}


# Registered by the app factory (server/wiring.py).
HANDLERS: dict[str, actions.Handler] = {
    "meeting.check_in": check_in,
    "meeting.absence_request": request_absence,
    "meeting.absence_withdraw": withdraw_absence,
}
