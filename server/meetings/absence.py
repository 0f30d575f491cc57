"""Absence requests: a member reports ahead that they will be absent; the cell's leaders approve or refuse
(an approved request marks the member excused on the attendance sheet)."""

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Conflict, NotFound
from server.meetings import service
from server.meetings.attendance import ATTENDED, A, audience, row_for, write
from server.meetings.models import AbsenceRequest, Meeting
from server.meetings.repository import user_ids_of_members
from server.notifications import events
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member
from server.timeutil import utcnow
from shared.schemas.meetings import AbsenceRequestPublic, AbsenceStatus, MeetingStatus

S = MeetingStatus


def _request_public(req: AbsenceRequest, name: str | None) -> AbsenceRequestPublic:
    return AbsenceRequestPublic.model_validate(req).model_copy(update={"full_name": name})


def _own_cell_meeting(session: Session, principal: Principal, meeting_id: int) -> tuple[Meeting, Member]:
    meeting = service.get_readable(session, principal, meeting_id, lock=True)
    member = principal.member
    if member is None or member.org_id != meeting.org_id:
        raise NotFound("Không tìm thấy cuộc họp.", code="meeting_not_found")
    return meeting, member


def _req_audience(session: Session, meeting: Meeting, member_id: int) -> list[int]:
    return audience(session, meeting, member_id)


def request_absence(
    session: Session, principal: Principal, meeting_id: int, reason: str
) -> tuple[AbsenceRequestPublic, bool]:
    """A member reports they will be absent, before the meeting starts. Resubmitting updates the request."""
    meeting, member = _own_cell_meeting(session, principal, meeting_id)
    if meeting.status != S.scheduled.value:
        raise Conflict("Chỉ báo vắng được cho cuộc họp sắp diễn ra.", code="absence_closed")
    if utcnow() >= meeting.starts_at:
        raise Conflict("Cuộc họp đã bắt đầu: hãy liên hệ trực tiếp bí thư chi bộ.", code="absence_too_late")
    assert member.id is not None and meeting.id is not None
    req = session.execute(
        select(AbsenceRequest)
        .where(col(AbsenceRequest.meeting_id) == meeting.id, col(AbsenceRequest.member_id) == member.id)
        .with_for_update()
    ).scalar_one_or_none()
    created = req is None
    now = utcnow()
    if req is None:
        req = AbsenceRequest(meeting_id=meeting.id, member_id=member.id, reason=reason, created_at=now)
    elif req.status == AbsenceStatus.approved.value:
        raise Conflict("Đơn báo vắng đã được chấp thuận.", code="absence_already_approved")
    req.reason = reason
    req.status = AbsenceStatus.pending.value
    req.decided_at = None
    req.decided_by = None
    req.decision_note = None
    req.updated_at = now
    session.add(req)
    session.flush()
    assert req.id is not None
    audit.record(
        session,
        "absence.request",
        actor=principal,
        target_type="absence_request",
        target_id=req.id,
        org_id=meeting.org_id,
        detail={"meeting_id": meeting.id, "reason": reason},
    )
    record_change(session, "absence_request", req.id, user_ids=_req_audience(session, meeting, member.id))
    return _request_public(req, member.full_name), created


def withdraw_absence(session: Session, principal: Principal, meeting_id: int) -> None:
    meeting, member = _own_cell_meeting(session, principal, meeting_id)
    req = session.execute(
        select(AbsenceRequest).where(
            col(AbsenceRequest.meeting_id) == meeting.id, col(AbsenceRequest.member_id) == member.id
        )
    ).scalar_one_or_none()
    if req is None:
        raise NotFound("Không có đơn báo vắng.", code="absence_not_found")
    if req.status != AbsenceStatus.pending.value:
        raise Conflict("Đơn đã được xét, không rút được.", code="absence_decided")
    assert req.id is not None and member.id is not None
    audit.record(
        session,
        "absence.withdraw",
        actor=principal,
        target_type="absence_request",
        target_id=req.id,
        org_id=meeting.org_id,
    )
    record_change(
        session, "absence_request", req.id, op="delete", user_ids=_req_audience(session, meeting, member.id)
    )
    session.delete(req)
    session.flush()


def list_requests(session: Session, principal: Principal, meeting_id: int) -> list[AbsenceRequestPublic]:
    meeting = service.get_readable(session, principal, meeting_id)
    q = (
        select(AbsenceRequest, col(Member.full_name))
        .join(Member, col(Member.id) == col(AbsenceRequest.member_id))
        .where(col(AbsenceRequest.meeting_id) == meeting.id)
        .order_by(col(AbsenceRequest.created_at))
    )
    sees_all = service.can_lead(principal, meeting) or (
        bool(principal.staff_org_ids) and principal.manages(session, meeting.org_id)
    )
    if not sees_all:
        q = q.where(col(AbsenceRequest.member_id) == (principal.member.id if principal.member else -1))
    return [_request_public(r, n) for r, n in session.execute(q).all()]


def decide(
    session: Session, principal: Principal, meeting_id: int, request_id: int, approve: bool, note: str | None
) -> AbsenceRequestPublic:
    """Approve (the member becomes excused) or reject; a decision may be changed later, also after closing."""
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    req = session.execute(
        select(AbsenceRequest)
        .where(col(AbsenceRequest.id) == request_id, col(AbsenceRequest.meeting_id) == meeting.id)
        .with_for_update()
    ).scalar_one_or_none()
    if req is None:
        raise NotFound("Không tìm thấy đơn báo vắng.", code="absence_not_found")
    if meeting.status == S.cancelled.value:
        raise Conflict("Cuộc họp đã hủy.", code="meeting_cancelled")
    member = session.get(Member, req.member_id)
    assert member is not None and member.id is not None and req.id is not None
    new = AbsenceStatus.approved.value if approve else AbsenceStatus.rejected.value
    old = req.status
    req.status = new
    req.decided_by = principal.user_id
    req.decided_at = utcnow()
    req.decision_note = note
    req.updated_at = req.decided_at
    session.add(req)
    row = row_for(session, meeting_id, member.id, lock=True)
    if approve:
        if row is None or row.status not in ATTENDED:
            write(
                session,
                meeting,
                member,
                A.excused.value,
                source="absence_request",
                by_user_id=principal.user_id,
                note=req.reason,
                row=row,
                lookup=False,
            )
    elif row is not None and row.source == "absence_request" and row.status == A.excused.value:
        back = A.absent.value if meeting.status == S.closed.value and row.expected else None
        write(
            session,
            meeting,
            member,
            back,
            source="absence_request",
            by_user_id=principal.user_id,
            note=note,
            row=row,
            lookup=False,
        )
    audit.record(
        session,
        "absence.decide",
        actor=principal,
        target_type="absence_request",
        target_id=req.id,
        org_id=meeting.org_id,
        detail={"member_id": member.id, "from": old, "to": new, "note": note},
    )
    record_change(session, "absence_request", req.id, user_ids=_req_audience(session, meeting, member.id))
    if old != new:
        users = user_ids_of_members(session, [member.id])
        events.absence_answered(session, users, meeting, approve, note)
    return _request_public(req, member.full_name)
