"""Minutes (biên bản) and resolutions with their vote; the voting base follows the Party rule."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Conflict, NotFound, Unprocessable
from server.meetings import attendance, service
from server.meetings.models import Meeting, Resolution
from server.records import audit
from server.timeutil import utcnow
from shared.schemas.meetings import (
    AttendanceStatus,
    MeetingStatus,
    MinutesPublic,
    MinutesUpdate,
    ResolutionIn,
    ResolutionPublic,
)

S = MeetingStatus
WRITABLE = {S.in_progress.value, S.closed.value}


@dataclass
class VotingBase:
    roster: int  # members of the cell on the meeting's record (exempt included)
    exempt_absent: int  # exempt members who did not attend
    excused: int  # members absent with an approved reason
    attending: int  # members present or late (who may vote)

    @property
    def base(self) -> int:
        return self.roster - self.exempt_absent - self.excused


def passed(votes_for: int, base: int) -> bool:
    """Valid when more than half of the base approve (strictly: 5 of 10 is not enough)."""
    return base > 0 and 2 * votes_for > base


def voting_base(session: Session, meeting: Meeting) -> VotingBase:
    """Base of a vote: every member on the record, minus exempt members who are absent and members
    excused with an approved reason. (Members temporarily working elsewhere are not modelled.)"""
    rows = attendance.rows(session, meeting)
    exempt_absent = sum(1 for r in rows if r.member_kind == "exempt" and r.status not in attendance.ATTENDED)
    excused = sum(1 for r in rows if r.member_kind != "exempt" and r.status == AttendanceStatus.excused)
    attending = sum(1 for r in rows if r.status in attendance.ATTENDED)
    return VotingBase(roster=len(rows), exempt_absent=exempt_absent, excused=excused, attending=attending)


def resolution_public(res: Resolution) -> ResolutionPublic:
    data = {name: getattr(res, name) for name in ResolutionPublic.model_fields if name != "passed"}
    return ResolutionPublic(**data, passed=passed(res.votes_for, res.base))


def _minutes_public(session: Session, meeting: Meeting) -> MinutesPublic:
    assert meeting.id is not None
    resolutions = (
        session.execute(
            select(Resolution).where(col(Resolution.meeting_id) == meeting.id).order_by(col(Resolution.id))
        )
        .scalars()
        .all()
    )
    return MinutesPublic(
        meeting_id=meeting.id,
        text=meeting.minutes_text,
        published=meeting.minutes_published_at is not None,
        published_at=meeting.minutes_published_at,
        resolutions=[resolution_public(r) for r in resolutions],
    )


def read_minutes(session: Session, principal: Principal, meeting_id: int) -> MinutesPublic:
    """Leaders and staff read drafts; members read minutes (and resolutions) once published."""
    meeting = service.get_readable(session, principal, meeting_id)
    privileged = service.can_lead(principal, meeting) or (
        bool(principal.staff_org_ids) and principal.manages(session, meeting.org_id)
    )
    if not privileged and meeting.minutes_published_at is None:
        raise NotFound("Biên bản chưa được công bố.", code="minutes_not_published")
    return _minutes_public(session, meeting)


def write_minutes(
    session: Session, principal: Principal, meeting_id: int, data: MinutesUpdate
) -> MinutesPublic:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    if meeting.status not in WRITABLE:
        raise Conflict(
            "Biên bản chỉ ghi cho cuộc họp đang diễn ra hoặc đã kết thúc.", code="minutes_not_allowed"
        )
    if data.publish and meeting.status != S.closed.value:
        raise Conflict("Kết thúc cuộc họp trước khi công bố biên bản.", code="meeting_not_closed")
    meeting.minutes_text = data.text
    meeting.minutes_updated_by = principal.user_id
    if data.publish and meeting.minutes_published_at is None:
        meeting.minutes_published_at = utcnow()
    audit.record(
        session,
        "meeting.minutes",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"publish": data.publish, "length": len(data.text)},
    )
    service.touch(session, meeting)
    return _minutes_public(session, meeting)


def _apply(session: Session, meeting: Meeting, res: Resolution, data: ResolutionIn) -> None:
    vb = voting_base(session, meeting)
    total = data.votes_for + data.votes_against + data.votes_abstain
    if total > vb.attending:
        raise Unprocessable(
            f"Tổng số phiếu ({total}) nhiều hơn số đảng viên dự họp ({vb.attending}). "
            "Hãy hoàn tất điểm danh trước khi ghi biểu quyết.",
            code="votes_exceed_attending",
        )
    res.title = data.title
    res.text = data.text
    res.votes_for, res.votes_against, res.votes_abstain = (
        data.votes_for,
        data.votes_against,
        data.votes_abstain,
    )
    res.base, res.base_roster = vb.base, vb.roster
    res.base_exempt_absent, res.base_excused = vb.exempt_absent, vb.excused
    res.updated_at = utcnow()


def add_resolution(
    session: Session, principal: Principal, meeting_id: int, data: ResolutionIn
) -> ResolutionPublic:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    if meeting.status not in WRITABLE:
        raise Conflict(
            "Nghị quyết chỉ ghi cho cuộc họp đang diễn ra hoặc đã kết thúc.", code="minutes_not_allowed"
        )
    assert meeting.id is not None
    res = Resolution(meeting_id=meeting.id, title=data.title, created_by=principal.user_id)
    _apply(session, meeting, res, data)
    session.add(res)
    session.flush()
    out = resolution_public(res)
    audit.record(
        session,
        "meeting.resolution",
        actor=principal,
        target_type="resolution",
        target_id=res.id,
        org_id=meeting.org_id,
        detail={
            "meeting_id": meeting.id,
            "title": res.title,
            "for": res.votes_for,
            "against": res.votes_against,
            "abstain": res.votes_abstain,
            "base": res.base,
            "passed": out.passed,
        },
    )
    service.touch(session, meeting)
    return out


def _resolution(session: Session, meeting: Meeting, resolution_id: int) -> Resolution:
    res = session.get(Resolution, resolution_id)
    if res is None or res.meeting_id != meeting.id:
        raise NotFound("Không tìm thấy nghị quyết.", code="resolution_not_found")
    return res


def update_resolution(
    session: Session, principal: Principal, meeting_id: int, resolution_id: int, data: ResolutionIn
) -> ResolutionPublic:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    res = _resolution(session, meeting, resolution_id)
    before = {
        "for": res.votes_for,
        "against": res.votes_against,
        "abstain": res.votes_abstain,
        "base": res.base,
    }
    _apply(session, meeting, res, data)
    session.add(res)
    audit.record(
        session,
        "meeting.resolution_update",
        actor=principal,
        target_type="resolution",
        target_id=res.id,
        org_id=meeting.org_id,
        detail={
            "before": before,
            "for": res.votes_for,
            "against": res.votes_against,
            "abstain": res.votes_abstain,
        },
    )
    service.touch(session, meeting)
    return resolution_public(res)


def delete_resolution(session: Session, principal: Principal, meeting_id: int, resolution_id: int) -> None:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    res = _resolution(session, meeting, resolution_id)
    audit.record(
        session,
        "meeting.resolution_delete",
        actor=principal,
        target_type="resolution",
        target_id=res.id,
        org_id=meeting.org_id,
        detail={"title": res.title},
    )
    session.delete(res)
    service.touch(session, meeting)
