"""Check-in that proves presence: a rotating TOTP code the secretary shows, verifiable for past instants."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import BadRequest, Conflict, NotFound, RateLimited, Unprocessable
from server.meetings import attendance, policy, service
from server.meetings.models import Attendance, Meeting
from server.notifications import events
from server.records import audit
from server.records.audit import AuditEntry
from server.timeutil import utcnow
from shared.schemas.meetings import (
    AttendanceStatus,
    CheckinCode,
    CheckinCodeSchedule,
    CheckinCodeStep,
    CheckinPublic,
    CheckinRequest,
    MeetingStatus,
)
from shared.timefmt import fmt_datetime

S = MeetingStatus
FAILED = "attendance.checkin_failed"
MAX_FAILURES = 10  # wrong codes per member and meeting within FAILURE_WINDOW
FAILURE_WINDOW = timedelta(minutes=15)


class CheckinRejected(BadRequest):
    """A refused check-in; the route records it (for throttling) before answering."""

NOT_OPEN = "Điểm danh chưa được mở. Hãy chờ bí thư mở điểm danh rồi thử lại."


def totp(meeting: Meeting) -> pyotp.TOTP:
    assert meeting.checkin_secret
    return pyotp.TOTP(meeting.checkin_secret, digits=6, interval=meeting.checkin_interval)


def qr_payload(meeting: Meeting, code: str) -> str:
    return f"{policy.APP_LINK}?meeting={meeting.id}&code={code}"


def code_at(meeting: Meeting, now: datetime) -> CheckinCode:
    step = int(now.timestamp()) // meeting.checkin_interval
    code = totp(meeting).at(now)
    opens, closes = service.checkin_window(meeting)
    return CheckinCode(
        code=code,
        interval=meeting.checkin_interval,
        qr_payload=qr_payload(meeting, code),
        expires_at=datetime.fromtimestamp((step + 1) * meeting.checkin_interval, UTC),
        window_opens_at=opens,
        window_closes_at=closes,
    )


def _check_window_now(meeting: Meeting, now: datetime) -> None:
    opens, closes = service.checkin_window(meeting)
    if now < opens:
        raise Conflict(f"Chưa đến giờ điểm danh (mở lúc {fmt_datetime(opens)}).", code="checkin_not_yet")
    if now > closes:
        raise Conflict("Đã hết thời gian điểm danh.", code="checkin_window_closed")


def open_checkin(
    session: Session, principal: Principal, meeting_id: int, now: datetime | None = None
) -> CheckinCode:
    """The secretary opens check-in: the meeting is in progress and its code starts rotating."""
    now = now or utcnow()
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    if meeting.status not in (S.scheduled.value, S.in_progress.value):
        raise Conflict(
            "Chỉ mở điểm danh cho cuộc họp đã lên lịch hoặc đang diễn ra.", code="invalid_transition"
        )
    _check_window_now(meeting, now)
    if not meeting.checkin_secret:
        meeting.checkin_secret = pyotp.random_base32()
        meeting.checkin_opened_at = now
    if meeting.status != S.in_progress.value:
        meeting.status = S.in_progress.value
        audit.record(
            session,
            "meeting.checkin_open",
            actor=principal,
            target_type="meeting",
            target_id=meeting.id,
            org_id=meeting.org_id,
        )
        service.touch(session, meeting)
        events.checkin_opened(session, meeting)
    session.flush()
    return code_at(meeting, now)


def current_code(
    session: Session, principal: Principal, meeting_id: int, now: datetime | None = None
) -> tuple[Meeting, CheckinCode]:
    now = now or utcnow()
    meeting = service.get_led(session, principal, meeting_id)
    if meeting.status != S.in_progress.value or not meeting.checkin_secret:
        raise Conflict(NOT_OPEN, code="checkin_not_open")
    _check_window_now(meeting, now)
    return meeting, code_at(meeting, now)


def code_schedule(
    session: Session, principal: Principal, meeting_id: int, now: datetime | None = None
) -> CheckinCodeSchedule:
    """Every code from now to the end of the window, so the secretary's device can keep showing codes in
    a dead zone; members' check-ins then arrive later as offline check-ins. Leaders only, like the code."""
    now = now or utcnow()
    meeting, _ = current_code(session, principal, meeting_id, now)
    assert meeting.id is not None
    step = meeting.checkin_interval
    _, closes = service.checkin_window(meeting)
    generator = totp(meeting)
    steps = []
    first = int(now.timestamp()) // step
    last = int(closes.timestamp()) // step
    for n in range(first, last + 1):
        start = datetime.fromtimestamp(n * step, UTC)
        code = generator.at(start)
        steps.append(
            CheckinCodeStep(
                code=code,
                valid_from=start,
                valid_until=start + timedelta(seconds=step),
                qr_payload=qr_payload(meeting, code),
            )
        )
    audit.record(
        session,
        "meeting.checkin_codes",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"steps": len(steps)},
    )
    return CheckinCodeSchedule(meeting_id=meeting.id, interval=step, steps=steps)


def fingerprint(data: CheckinRequest) -> str:
    at = data.checked_in_at.astimezone(UTC).isoformat() if data.checked_in_at else ""
    return hashlib.sha256(f"{data.code}|{at}".encode()).hexdigest()


def _public(row: Attendance) -> CheckinPublic:
    assert row.checkin_status and row.checked_in_at and row.checkin_recorded_at
    return CheckinPublic(
        meeting_id=row.meeting_id,
        member_id=row.member_id,
        client_id=row.client_id,
        status=AttendanceStatus(row.checkin_status),
        checked_in_at=row.checked_in_at,
        recorded_at=row.checkin_recorded_at,
        offline=row.checkin_offline,
    )


def _replay(row: Attendance | None, data: CheckinRequest) -> CheckinPublic | None:
    """The answer to a check-in already made: same client_id -> same body; another client_id -> the record."""
    if row is None or row.checkin_status is None:
        return None
    if row.client_id == data.client_id and row.checkin_fingerprint != fingerprint(data):
        raise Conflict("Mã yêu cầu (client_id) đã được dùng với nội dung khác.", code="client_id_reused")
    return _public(row)


def _throttle(session: Session, principal: Principal, meeting_id: int, now: datetime) -> None:
    failures = session.execute(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            col(AuditEntry.action) == FAILED,
            col(AuditEntry.target_id) == str(meeting_id),
            col(AuditEntry.actor_user_id) == principal.user_id,
            col(AuditEntry.at) >= now - FAILURE_WINDOW,
        )
    ).scalar_one()
    if failures >= MAX_FAILURES:
        raise RateLimited(
            int(FAILURE_WINDOW.total_seconds()),
            "Nhập sai mã quá nhiều lần. Vui lòng thử lại sau.",
            code="checkin_rate_limited",
        )


def record_failure(session: Session, principal: Principal, meeting_id: int, error: CheckinRejected) -> None:
    member = principal.member
    audit.record(
        session,
        FAILED,
        actor=principal,
        target_type="meeting",
        target_id=meeting_id,
        org_id=member.org_id if member else None,
        detail={"code": error.code},
    )


def _verify(meeting: Meeting, code: str, at: datetime, offline: bool) -> None:
    generator = totp(meeting)
    if generator.verify(code, for_time=at, valid_window=policy.CODE_VALID_WINDOW):
        return
    step = meeting.checkin_interval
    recent = any(
        generator.at(at - timedelta(seconds=step * k)) == code
        for k in range(policy.CODE_VALID_WINDOW + 1, policy.EXPIRED_LOOKBACK_STEPS + 1)
    )
    if offline:
        raise CheckinRejected(
            "Mã điểm danh không khớp với thời điểm điểm danh đã ghi trên máy.",
            code="checkin_offline_mismatch",
        )
    if recent:
        raise CheckinRejected(
            "Mã điểm danh đã hết hạn. Hãy nhập mã đang hiển thị.", code="checkin_code_expired"
        )
    raise CheckinRejected("Mã điểm danh không đúng.", code="checkin_code_invalid")


def status_at(meeting: Meeting, at: datetime) -> str:
    """Present up to the grace minutes after the start, late after."""
    late = at > meeting.starts_at + timedelta(minutes=meeting.grace_minutes)
    return (AttendanceStatus.late if late else AttendanceStatus.present).value


def judge_online(meeting: Meeting, code: str, at: datetime) -> str:
    """The status an online check-in with `code` that arrived `at` earns; raises when it is refused.

    The one rule for an online check-in, used by the full route and by the evening's batches
    (server/meetings/checkin_batch.py).
    """
    if meeting.status == S.cancelled.value:
        raise Conflict("Cuộc họp đã hủy.", code="meeting_cancelled")
    if not meeting.checkin_secret or meeting.checkin_opened_at is None:
        raise Conflict(NOT_OPEN, code="checkin_not_open")
    if meeting.status != S.in_progress.value:
        raise Conflict("Cuộc họp không còn nhận điểm danh.", code="checkin_not_open")
    _check_window_now(meeting, at)
    _verify(meeting, code, at, offline=False)
    return status_at(meeting, at)


def audit_detail(member_id: int, status: str, offline: bool, at: datetime) -> str:
    """The JSON detail of an `attendance.checkin` audit entry."""
    return json.dumps({"member_id": member_id, "status": status, "offline": offline,
                       "checked_in_at": at.isoformat()})


def check_in(
    session: Session, principal: Principal, meeting_id: int, data: CheckinRequest,
    now: datetime | None = None, *, arrived_at: datetime | None = None,
) -> tuple[CheckinPublic, bool]:
    """Record the caller's presence. Returns (answer, created); replays return created=False.

    An online check-in is judged at `arrived_at`, when the request reached the server: on a busy evening
    it may wait seconds for the writer, and the code the member typed was right when they sent it.
    """
    now = now or utcnow()
    meeting = service.get_readable(session, principal, meeting_id)
    member = principal.member
    if member is None or member.id is None or member.org_id != meeting.org_id:
        raise NotFound("Không tìm thấy cuộc họp.", code="meeting_not_found")
    existing = attendance.row_for(session, meeting_id, member.id, lock=True)
    replay = _replay(existing, data)
    if replay is not None:
        return replay, False
    if meeting.status == S.cancelled.value:
        raise Conflict("Cuộc họp đã hủy.", code="meeting_cancelled")
    if not meeting.checkin_secret or meeting.checkin_opened_at is None:
        raise Conflict(NOT_OPEN, code="checkin_not_open")
    _throttle(session, principal, meeting_id, now)
    offline = data.checked_in_at is not None
    if data.checked_in_at:
        at = data.checked_in_at.astimezone(UTC)
    else:
        at = min(arrived_at, now) if arrived_at else now
    opens, closes = service.checkin_window(meeting)
    if offline:
        if at > now + policy.CLOCK_SKEW:
            raise Unprocessable("Thời điểm điểm danh ở tương lai.", code="checkin_time_in_future")
        at = min(at, now)
        earliest = meeting.checkin_opened_at - timedelta(
            seconds=meeting.checkin_interval * policy.CODE_VALID_WINDOW
        )
        if at < opens or at > closes or at < earliest:
            raise CheckinRejected(
                "Thời điểm điểm danh nằm ngoài thời gian điểm danh của cuộc họp.",
                code="checkin_time_outside_window",
            )
        if now > closes + policy.OFFLINE_ACCEPT:
            raise Conflict("Điểm danh ngoại tuyến gửi quá muộn.", code="checkin_offline_too_late")
        _verify(meeting, data.code, at, offline)
        status = status_at(meeting, at)
    else:
        status = judge_online(meeting, data.code, at)

    def fill(row: Attendance) -> Attendance:
        row.client_id = data.client_id
        row.checkin_fingerprint = fingerprint(data)
        row.checkin_status = status
        row.checked_in_at = at
        row.checkin_recorded_at = now
        row.checkin_offline = offline
        return row

    row, created = attendance.record_checkin(
        session, meeting, member, status, existing=existing, fill=fill, by_user_id=principal.user_id, now=now
    )
    if not created:
        # Another request of the same member won the race: answer as a replay of it.
        replay = _replay(row, data)
        assert replay is not None  # record_checkin returns only a row with a check-in on it
        return replay, False
    audit.record(
        session,
        "attendance.checkin",
        actor=principal,
        target_type="meeting",
        target_id=meeting_id,
        org_id=meeting.org_id,
        detail={
            "member_id": member.id,
            "status": status,
            "offline": offline,
            "checked_in_at": at.isoformat(),
        },
    )
    return _public(row), True
