"""Attendance records: marking and correcting (audited), a member's own check-in written, the sheet, closing
a meeting (absence requests are in absence.py)."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Conflict, Unprocessable
from server.meetings import repository, service
from server.meetings.models import AbsenceRequest, Attendance, AttendanceChange, Meeting
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member, User
from server.timeutil import utcnow
from shared.schemas.meetings import (
    ATTENDANCE_TARGET,
    AttendanceBulkItem,
    AttendanceChangePublic,
    AttendanceRow,
    AttendanceSheet,
    AttendanceStatus,
    MeetingCounts,
    MeetingStatus,
)

S = MeetingStatus
A = AttendanceStatus
ATTENDED = {A.present.value, A.late.value}
MARKABLE = {S.scheduled.value, S.in_progress.value, S.closed.value}


def audience(session: Session, meeting: Meeting, member_id: int) -> list[int]:
    """Users whose devices hold this attendance row: the member and the cell's leaders."""
    return repository.user_ids_of_members(session, [member_id]) + repository.leader_user_ids(
        session, meeting.org_id
    )


def row_for(session: Session, meeting_id: int, member_id: int, *, lock: bool = False) -> Attendance | None:
    q = select(Attendance).where(
        col(Attendance.meeting_id) == meeting_id, col(Attendance.member_id) == member_id
    )
    if lock:
        q = q.with_for_update()
    return session.execute(q).scalar_one_or_none()


def log_change(
    session: Session,
    meeting: Meeting,
    member_id: int,
    old: str | None,
    new: str | None,
    source: str,
    by_user_id: int | None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    assert meeting.id is not None
    session.add(
        AttendanceChange(
            meeting_id=meeting.id,
            member_id=member_id,
            old_status=old,
            new_status=new,
            source=source,
            note=note,
            by_user_id=by_user_id,
            at=at or utcnow(),
        )
    )


def write(
    session: Session,
    meeting: Meeting,
    member: Member,
    status: str | None,
    *,
    source: str,
    by_user_id: int | None,
    note: str | None = None,
    row: Attendance | None = None,
    lookup: bool = True,
) -> Attendance | None:
    """Set (or with None remove) a member's status at a meeting, keeping the change history."""
    assert meeting.id is not None and member.id is not None
    if row is None and lookup:
        row = row_for(session, meeting.id, member.id, lock=True)
    old = row.status if row else None
    now = utcnow()
    if status is None:
        if row is None:
            return None
        log_change(session, meeting, member.id, old, None, source, by_user_id, note, now)
        assert row.id is not None
        record_change(
            session, "attendance", row.id, op="delete", user_ids=audience(session, meeting, member.id)
        )
        session.delete(row)
        session.flush()
        return None
    if row is None:
        row = Attendance(
            meeting_id=meeting.id,
            member_id=member.id,
            status=status,
            expected=service.is_expected(member),
            source=source,
        )
    elif old == status and note == row.note:
        return row
    row.status = status
    row.source = source
    row.note = note
    row.updated_by = by_user_id
    row.updated_at = now
    session.add(row)
    session.flush()
    assert row.id is not None
    if old != status:
        log_change(session, meeting, member.id, old, status, source, by_user_id, note, now)
    record_change(session, "attendance", row.id, user_ids=audience(session, meeting, member.id))
    return row


def record_checkin(
    session: Session,
    meeting: Meeting,
    member: Member,
    status: str,
    *,
    existing: Attendance | None,
    fill: Callable[[Attendance], Attendance],
    by_user_id: int,
    now: datetime,
) -> tuple[Attendance, bool]:
    """Write a member's own check-in (the one entry of `checkin.check_in` here): a new row, or the member's
    existing row (`existing`, read locked) updated. `fill` stamps the check-in fields on the row.

    Returns (row, created); created=False when another request of the same member inserted the row first
    (the row returned is theirs, with its check-in). `by_user_id` is the member's own account.
    """
    assert meeting.id is not None and member.id is not None
    if existing is not None:
        fill(existing)
        write(
            session,
            meeting,
            member,
            status,
            source="checkin",
            by_user_id=by_user_id,
            note=existing.note,
            row=existing,
            lookup=False,
        )
        return existing, True
    try:
        with session.begin_nested():
            row = fill(
                Attendance(
                    meeting_id=meeting.id,
                    member_id=member.id,
                    status=status,
                    expected=service.is_expected(member),
                    source="checkin",
                    updated_by=by_user_id,
                    updated_at=now,
                )
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = row_for(session, meeting.id, member.id)
        if raced is None or raced.checkin_status is None:
            raise
        return raced, False
    log_change(session, meeting, member.id, None, status, "checkin", by_user_id, at=now)
    assert row.id is not None
    # The caller is the member: their account is known, only the cell's leaders are looked up.
    leaders = repository.leader_user_ids(session, meeting.org_id)
    record_change(session, "attendance", row.id, user_ids=[by_user_id, *leaders])
    return row, True


# ---- secretary marks / corrects ----


def _markable(meeting: Meeting) -> None:
    if meeting.status not in MARKABLE:
        raise Conflict("Cuộc họp nháp hoặc đã hủy không có điểm danh.", code="attendance_not_allowed")


def _members_for(session: Session, meeting: Meeting, member_ids: Iterable[int]) -> dict[int, Member]:
    """Members whose status may be set: in the cell now, or already on this meeting's record."""
    ids = list(set(member_ids))
    on_record = set(
        session.execute(
            select(col(Attendance.member_id)).where(
                col(Attendance.meeting_id) == meeting.id, col(Attendance.member_id).in_(ids)
            )
        ).scalars()
    )
    found = {
        m.id: m
        for m in session.execute(select(Member).where(col(Member.id).in_(ids))).scalars()
        if m.org_id == meeting.org_id or m.id in on_record
    }
    missing = sorted(set(ids) - set(found))
    if missing:
        raise Unprocessable(
            "Đảng viên không thuộc chi bộ của cuộc họp.", code="member_not_in_cell", member_ids=missing
        )
    return {int(k): v for k, v in found.items() if k is not None}


def set_many(
    session: Session, principal: Principal, meeting_id: int, items: Sequence[AttendanceBulkItem]
) -> AttendanceSheet:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    _markable(meeting)
    if len({i.member_id for i in items}) != len(items):
        raise Unprocessable("Mỗi đảng viên chỉ xuất hiện một lần.", code="duplicate_member")
    members = _members_for(session, meeting, [i.member_id for i in items])
    for item in items:
        if item.status is None and meeting.status == S.closed.value:
            raise Conflict("Cuộc họp đã kết thúc: mỗi đảng viên phải có trạng thái.", code="status_required")
    changed = []
    for item in items:
        member = members[item.member_id]
        row = row_for(session, meeting_id, item.member_id, lock=True)
        old = row.status if row else None
        new = item.status.value if item.status else None
        write(
            session,
            meeting,
            member,
            new,
            source="manual",
            by_user_id=principal.user_id,
            note=item.note,
            row=row,
            lookup=False,
        )
        if old != new:
            changed.append({"member_id": item.member_id, "from": old, "to": new})
    if changed:
        audit.record(
            session,
            "attendance.set",
            actor=principal,
            target_type="meeting",
            target_id=meeting.id,
            org_id=meeting.org_id,
            detail={"changes": changed},
        )
    return sheet(session, meeting)


# ---- reading ----


def meets_target(attended: int, expected: int) -> bool | None:
    """Attendance must be ABOVE 85% (17 of 20 = exactly 85% does not meet it); integers, no rounding."""
    if expected <= 0:
        return None
    return attended * 100 > round(ATTENDANCE_TARGET * 100) * expected


def counts(rows: Sequence[AttendanceRow]) -> MeetingCounts:
    expected = [r for r in rows if r.expected]
    by = {s.value: sum(1 for r in expected if r.status == s) for s in A}
    attended = by["present"] + by["late"]
    rate = round(attended / len(expected), 4) if expected else None
    return MeetingCounts(
        expected=len(expected),
        present=by["present"],
        late=by["late"],
        excused=by["excused"],
        absent=by["absent"],
        unrecorded=sum(1 for r in expected if r.status is None),
        attended=attended,
        extra_attended=sum(1 for r in rows if not r.expected and r.status in ATTENDED),
        rate=rate,
        meets_target=meets_target(attended, len(expected)),
    )


def rows(session: Session, meeting: Meeting) -> list[AttendanceRow]:
    """Every member of the cell (exempt ones as not expected) plus anyone else on the record."""
    assert meeting.id is not None
    records = {
        r.member_id: r
        for r in session.execute(select(Attendance).where(col(Attendance.meeting_id) == meeting.id)).scalars()
    }
    requests = dict(
        session.execute(
            select(col(AbsenceRequest.member_id), col(AbsenceRequest.status)).where(
                col(AbsenceRequest.meeting_id) == meeting.id
            )
        ).all()
    )
    members = {m.id: m for m in repository.cell_members(session, meeting.org_id)}
    extra = set(records) - set(members)
    if extra:
        for m in session.execute(select(Member).where(col(Member.id).in_(extra))).scalars():
            members[m.id] = m
    closed = meeting.status == S.closed.value
    out = []
    for member in sorted(members.values(), key=lambda m: (m.name_folded, m.id or 0)):
        assert member.id is not None
        rec = records.get(member.id)
        in_cell = member.org_id == meeting.org_id
        if rec is not None and (closed or not in_cell):
            expected = rec.expected
        else:
            expected = in_cell and service.is_expected(member)
        out.append(
            AttendanceRow(
                member_id=member.id,
                full_name=member.full_name,
                card_number=member.card_number,
                member_kind=member.kind,
                expected=expected,
                status=rec.status if rec else None,
                source=rec.source if rec else None,
                note=rec.note if rec else None,
                checked_in_at=rec.checked_in_at if rec else None,
                updated_at=rec.updated_at if rec else None,
                updated_by=rec.updated_by if rec else None,
                absence_request=requests.get(member.id),
            )
        )
    return out


def sheet(session: Session, meeting: Meeting) -> AttendanceSheet:
    assert meeting.id is not None
    items = rows(session, meeting)
    return AttendanceSheet(meeting_id=meeting.id, status=S(meeting.status), items=items, counts=counts(items))


def read_sheet(session: Session, principal: Principal, meeting_id: int) -> AttendanceSheet:
    meeting = service.get_readable(session, principal, meeting_id)
    service.require_leader_or_staff(session, principal, meeting)
    return sheet(session, meeting)


def history(session: Session, principal: Principal, meeting_id: int) -> list[AttendanceChangePublic]:
    meeting = service.get_readable(session, principal, meeting_id)
    service.require_leader_or_staff(session, principal, meeting)
    result = session.execute(
        select(AttendanceChange, col(Member.full_name), col(User.display_name))
        .join(Member, col(Member.id) == col(AttendanceChange.member_id))
        .outerjoin(User, col(User.id) == col(AttendanceChange.by_user_id))
        .where(col(AttendanceChange.meeting_id) == meeting_id)
        .order_by(col(AttendanceChange.at), col(AttendanceChange.id))
    ).all()
    return [
        AttendanceChangePublic.model_validate(c).model_copy(update={"full_name": name, "by_name": by})
        for c, name, by in result
    ]


# ---- closing ----


def close_meeting(
    session: Session, meeting: Meeting, *, actor: Principal | None = None, now: datetime | None = None
) -> list[int]:
    """Close: every expected member of the cell without a record becomes absent; expected flags freeze."""
    now = now or utcnow()
    if meeting.status not in (S.scheduled.value, S.in_progress.value):
        raise Conflict("Chỉ kết thúc được cuộc họp đã lên lịch hoặc đang diễn ra.", code="invalid_transition")
    if now < meeting.starts_at:
        raise Conflict("Cuộc họp chưa đến giờ bắt đầu.", code="meeting_not_started")
    assert meeting.id is not None
    by = actor.user_id if actor else None
    records = {
        r.member_id: r
        for r in session.execute(
            select(Attendance).where(col(Attendance.meeting_id) == meeting.id).with_for_update()
        ).scalars()
    }
    marked = []
    for member in repository.cell_members(session, meeting.org_id):
        assert member.id is not None
        rec = records.get(member.id)
        if rec is not None:
            if rec.expected != service.is_expected(member):
                rec.expected = service.is_expected(member)
                session.add(rec)
            continue
        if service.is_expected(member):
            write(session, meeting, member, A.absent.value, source="close", by_user_id=by, lookup=False)
            marked.append(member.id)
    meeting.status = S.closed.value
    meeting.closed_at = now
    audit.record(
        session,
        "meeting.close",
        actor=actor,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"marked_absent": marked, "automatic": actor is None},
    )
    service.touch(session, meeting)
    return marked


def close(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    close_meeting(session, meeting, actor=principal)
    return meeting


def close_overdue(session: Session, now: datetime | None = None) -> list[int]:
    """Scheduler entry: close meetings still open 12 hours after their end (and check-in window)."""
    now = now or utcnow()
    candidates = (
        session.execute(
            select(Meeting)
            .where(
                col(Meeting.status).in_([S.scheduled.value, S.in_progress.value]),
                col(Meeting.starts_at) < now - timedelta(hours=12),
            )
            .with_for_update()
        )
        .scalars()
        .all()
    )
    closed = []
    for meeting in candidates:
        if service.effective_end(meeting) + timedelta(hours=12) <= now:
            close_meeting(session, meeting, now=now)
            assert meeting.id is not None
            closed.append(meeting.id)
    return closed
