"""Meetings: who reads and leads them, create and edit, the status machine (queries in repository.py, the
public shape in public.py, the monthly rule in regular.py)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience
from server.errors import Conflict, NotFound, Unprocessable
from server.meetings import policy, repository
from server.meetings.models import AgendaItem, Meeting
from server.meetings.repository import leader_user_ids
from server.notifications import events
from server.orgs import service as orgs
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.enums import MemberKind, OrgKind
from shared.schemas.meetings import (
    AgendaItemIn,
    MeetingCreate,
    MeetingKind,
    MeetingStatus,
    MeetingUpdate,
)
from shared.timefmt import VN_TZ

S = MeetingStatus
EDITABLE = {S.draft.value, S.scheduled.value, S.in_progress.value}


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy cuộc họp.", code="meeting_not_found")


# ---- visibility ----


def get_readable(session: Session, principal: Principal, meeting_id: int, *, lock: bool = False) -> Meeting:
    q = repository.visible_meetings(principal).where(col(Meeting.id) == meeting_id)
    if lock:
        q = q.with_for_update()
    meeting = session.execute(q).scalar_one_or_none()
    if meeting is None:
        raise _not_found()
    return meeting


def get_led(session: Session, principal: Principal, meeting_id: int, *, lock: bool = False) -> Meeting:
    """A meeting the caller runs: 404 when they cannot see it, 403 when they only read it."""
    meeting = get_readable(session, principal, meeting_id, lock=lock)
    principal.require_leads_cell(meeting.org_id)
    return meeting


def can_lead(principal: Principal, meeting: Meeting) -> bool:
    return principal.is_admin or principal.leads_cell(meeting.org_id)


def require_leader_or_staff(session: Session, principal: Principal, meeting: Meeting) -> None:
    """Who reads a meeting's sheets (attendance, who has not read the agenda): the cell's leaders, admins
    and staff above the cell; a plain member of the cell gets 403."""
    if can_lead(principal, meeting):
        return
    if principal.staff_org_ids and principal.manages(session, meeting.org_id):
        return
    principal.require_leads_cell(meeting.org_id)  # raises 403 for plain members of the cell


def require_cell_org(session: Session, principal: Principal, org_id: int) -> Organization:
    """A cell the caller may read the meetings of (member, leader, staff above it): else 404."""
    org = session.get(Organization, org_id)
    ok = org is not None and (
        principal.is_admin
        or principal.leads_cell(org_id)
        or principal.cell_id == org_id
        or (bool(principal.staff_org_ids) and principal.manages(session, org_id))
    )
    if not ok or org is None:
        raise NotFound("Không tìm thấy chi bộ.", code="org_not_found")
    if org.kind != OrgKind.cell.value:
        raise Unprocessable("Chỉ chi bộ mới tổ chức sinh hoạt chi bộ.", code="not_a_cell")
    return org


# ---- who is expected, telling devices ----


def is_expected(member: Member) -> bool:
    """Everyone in the cell is expected except members exempt from meetings (miễn sinh hoạt)."""
    return expected_kind(member.kind)


def expected_kind(kind: str) -> bool:
    return kind != MemberKind.exempt.value


def touch(session: Session, meeting: Meeting) -> None:
    """The meeting (with agenda, minutes, resolutions) changed: bump it and tell the devices that hold it.

    A draft reaches only the cell's leaders; from `scheduled` on the whole cell (and staff above it).
    """
    meeting.updated_at = utcnow()
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    if meeting.status == S.draft.value:
        record_change(session, "meeting", meeting.id, user_ids=leader_user_ids(session, meeting.org_id))
    else:
        record_change(session, "meeting", meeting.id, org_ids=[meeting.org_id])


# ---- windows ----


def checkin_window(meeting: Meeting) -> tuple[datetime, datetime]:
    return (
        meeting.starts_at - timedelta(minutes=meeting.checkin_before_minutes),
        meeting.starts_at + timedelta(minutes=meeting.checkin_after_minutes),
    )


def effective_end(meeting: Meeting) -> datetime:
    end = meeting.ends_at or meeting.starts_at + policy.DEFAULT_DURATION
    return max(end, checkin_window(meeting)[1])


# ---- create / edit ----


def _leader_cell(session: Session, principal: Principal, org_id: int | None) -> Organization:
    if org_id is None:
        led = principal.led_cell_ids
        if principal.cell_id is not None and principal.cell_id in led:
            org_id = principal.cell_id
        elif len(led) == 1:
            org_id = led[0]
        else:
            raise Unprocessable("Hãy chọn chi bộ (org_id).", code="org_required")
    org = require_cell_org(session, principal, org_id)
    principal.require_leads_cell(org_id)
    return org


def _refuse_invisible_documents(session: Session, org_id: int, agenda: list[AgendaItemIn]) -> None:
    """Every document on the agenda must be one the cell's members see (the documents' own rule, in
    `audience.visible_to_cell`): else 422 naming the first item that attaches one they cannot."""
    wanted = {d for item in agenda for d in item.document_ids}
    visible = audience.visible_to_cell(session, org_id, wanted)
    for position, item in enumerate(agenda, start=1):
        hidden = [d for d in dict.fromkeys(item.document_ids) if d not in visible]
        if hidden:
            raise Unprocessable(
                f"Mục {position} \"{item.title}\" kèm tài liệu mà đảng viên của chi bộ không xem được "
                "(không có, chưa ban hành hoặc không gửi tới chi bộ). "
                "Hãy bỏ tài liệu đó hoặc chọn tài liệu khác.",
                code="agenda_document_not_visible",
                position=position,
                document_ids=hidden,
            )


def _replace_agenda(session: Session, meeting: Meeting, agenda: list[AgendaItemIn]) -> None:
    assert meeting.id is not None
    _refuse_invisible_documents(session, meeting.org_id, agenda)
    # An item keeps its row (and id) while its title stays: the one reading reminder sent for it is
    # found by that id (server/meetings/agenda_docs.py), so editing the meeting does not resend it.
    existing = list(session.execute(
        select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id).order_by(col(AgendaItem.position))
    ).scalars())
    by_title: dict[str, list[AgendaItem]] = {}
    for row in existing:
        by_title.setdefault(row.title, []).append(row)
    kept: set[int] = set()
    for position, item in enumerate(agenda, start=1):
        same = by_title.get(item.title)
        row = same.pop(0) if same else AgendaItem(meeting_id=meeting.id, title=item.title)
        row.position = position
        row.presenter = item.presenter
        row.notes = item.notes
        row.document_ids = list(dict.fromkeys(item.document_ids))
        session.add(row)
        if row.id is not None:
            kept.add(row.id)
    for row in existing:
        if row.id not in kept:
            session.delete(row)
    session.flush()


def _refuse_second_regular(
    session: Session, org_id: int, starts_at: datetime, exclude_id: int | None = None
) -> None:
    """A cell holds one regular meeting a month (Hướng dẫn 12-HD/BTCTW): a second one is a mistake to name,
    not to store; the secretary edits or reschedules the one that exists instead."""
    local = starts_at.astimezone(VN_TZ)
    start, end = repository.local_month_bounds(local.year, local.month)
    query = select(Meeting).where(
        col(Meeting.org_id) == org_id,
        col(Meeting.kind) == MeetingKind.regular.value,
        col(Meeting.status) != S.cancelled.value,
        col(Meeting.starts_at) >= start,
        col(Meeting.starts_at) < end,
    )
    if exclude_id is not None:
        query = query.where(col(Meeting.id) != exclude_id)
    existing = session.execute(query.order_by(col(Meeting.starts_at)).limit(1)).scalar_one_or_none()
    if existing is not None:
        when = existing.starts_at.astimezone(VN_TZ)
        raise Conflict(
            f"Chi bộ đã có cuộc sinh hoạt thường kỳ tháng {local.month:02d}/{local.year} "
            f"(ngày {when:%d/%m/%Y}). Hãy sửa hoặc dời cuộc họp đó, hoặc chọn loại chuyên đề hay bất thường.",
            code="regular_meeting_exists",
            meeting_id=existing.id,
        )


def create(session: Session, principal: Principal, data: MeetingCreate) -> Meeting:
    org = _leader_cell(session, principal, data.org_id)
    assert org.id is not None
    if data.kind == MeetingKind.regular:
        _refuse_second_regular(session, org.id, data.starts_at)
    now = utcnow()
    meeting = Meeting(
        org_id=org.id,
        kind=data.kind.value,
        status=data.status.value,
        title=data.title,
        starts_at=data.starts_at.astimezone(UTC),
        ends_at=data.ends_at.astimezone(UTC) if data.ends_at else None,
        location=data.location,
        online_link=data.online_link,
        description=data.description,
        checkin_before_minutes=_or(data.checkin_before_minutes, policy.CHECKIN_BEFORE_MINUTES),
        checkin_after_minutes=_or(data.checkin_after_minutes, policy.CHECKIN_AFTER_MINUTES),
        grace_minutes=_or(data.grace_minutes, policy.GRACE_MINUTES),
        checkin_interval=policy.CODE_INTERVAL_SECONDS,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    _replace_agenda(session, meeting, data.agenda)
    audit.record(
        session,
        "meeting.create",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=org.id,
        detail={
            "title": meeting.title,
            "kind": meeting.kind,
            "starts_at": meeting.starts_at.isoformat(),
            "status": meeting.status,
        },
    )
    touch(session, meeting)
    if meeting.status == S.scheduled.value:
        events.meeting_scheduled(session, meeting)
    return meeting


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def update(session: Session, principal: Principal, meeting_id: int, data: MeetingUpdate) -> Meeting:
    meeting = get_led(session, principal, meeting_id, lock=True)
    if meeting.status not in EDITABLE:
        raise Conflict("Cuộc họp đã kết thúc hoặc đã hủy, không thể sửa.", code="meeting_locked")
    changes = data.model_dump(exclude_unset=True)
    started = meeting.status == S.in_progress.value
    if started and (
        {"starts_at", "kind", "checkin_before_minutes", "checkin_after_minutes", "grace_minutes"}
        & changes.keys()
    ):
        raise Conflict(
            "Cuộc họp đã bắt đầu: không đổi được giờ họp, loại và thời gian điểm danh.",
            code="meeting_started",
        )
    before = {"starts_at": meeting.starts_at.isoformat(), "title": meeting.title}
    for key in ("title", "location", "online_link", "description"):
        if key in changes:
            setattr(meeting, key, changes[key])
    if changes.get("kind") is not None:
        meeting.kind = MeetingKind(changes["kind"]).value
    if data.starts_at is not None:
        shift = data.starts_at.astimezone(UTC) - meeting.starts_at
        meeting.starts_at = data.starts_at.astimezone(UTC)
        if meeting.ends_at is not None and "ends_at" not in changes:
            meeting.ends_at = meeting.ends_at + shift  # rescheduling keeps the planned duration
    if "ends_at" in changes:
        meeting.ends_at = data.ends_at.astimezone(UTC) if data.ends_at else None
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise Unprocessable("Giờ kết thúc phải sau giờ bắt đầu.", code="invalid_times")
    if meeting.kind == MeetingKind.regular.value and ({"kind", "starts_at"} & changes.keys()):
        _refuse_second_regular(session, meeting.org_id, meeting.starts_at, exclude_id=meeting.id)
    for key in ("checkin_before_minutes", "checkin_after_minutes", "grace_minutes"):
        if changes.get(key) is not None:
            setattr(meeting, key, changes[key])
    if data.agenda is not None:
        _replace_agenda(session, meeting, data.agenda)
    action = (
        "meeting.reschedule" if before["starts_at"] != meeting.starts_at.isoformat() else "meeting.update"
    )
    audit.record(
        session,
        action,
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"before": before, "fields": sorted(changes)},
    )
    touch(session, meeting)
    if meeting.status != S.draft.value:
        events.meeting_changed(session, meeting)
    return meeting


def schedule(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    """Confirm a draft (e.g. the one drafted from the monthly rule): members now see it."""
    meeting = get_led(session, principal, meeting_id, lock=True)
    if meeting.status != S.draft.value:
        raise Conflict("Chỉ xác nhận được cuộc họp đang ở dạng nháp.", code="invalid_transition")
    meeting.status = S.scheduled.value
    audit.record(
        session,
        "meeting.schedule",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
    )
    touch(session, meeting)
    events.meeting_scheduled(session, meeting)
    return meeting


def cancel(session: Session, principal: Principal, meeting_id: int, reason: str) -> Meeting:
    meeting = get_led(session, principal, meeting_id, lock=True)
    if meeting.status not in (S.draft.value, S.scheduled.value):
        raise Conflict("Chỉ hủy được cuộc họp chưa bắt đầu.", code="invalid_transition")
    was_announced = meeting.status == S.scheduled.value
    meeting.status = S.cancelled.value
    meeting.cancel_reason = reason
    meeting.cancelled_at = utcnow()
    audit.record(
        session,
        "meeting.cancel",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"reason": reason},
    )
    touch(session, meeting)
    if was_announced:
        events.meeting_cancelled(session, meeting)
    return meeting


def delete_draft(session: Session, principal: Principal, meeting_id: int) -> None:
    meeting = get_led(session, principal, meeting_id, lock=True)
    if meeting.status != S.draft.value:
        raise Conflict("Chỉ xóa được bản nháp; cuộc họp đã lên lịch thì hủy.", code="invalid_transition")
    assert meeting.id is not None
    session.execute(delete(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id))
    audit.record(
        session,
        "meeting.delete",
        actor=principal,
        target_type="meeting",
        target_id=meeting.id,
        org_id=meeting.org_id,
        detail={"title": meeting.title},
    )
    record_change(
        session, "meeting", meeting.id, op="delete", user_ids=leader_user_ids(session, meeting.org_id)
    )
    session.delete(meeting)
    session.flush()


def list_meetings(
    session: Session,
    principal: Principal,
    *,
    org_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    ascending: bool = False,
) -> tuple[list[Meeting], int]:
    q = repository.visible_meetings(principal)
    if org_id is not None:
        org = session.get(Organization, org_id)
        above_cells = org is not None and org.kind != OrgKind.cell.value
        if above_cells and (
            principal.is_admin or (bool(principal.staff_org_ids) and principal.manages(session, org_id))
        ):
            q = q.where(col(Meeting.org_id).in_(orgs.subtree_ids(org_id)))  # staff: a whole subtree
        else:
            require_cell_org(session, principal, org_id)
            q = q.where(col(Meeting.org_id) == org_id)
    elif not principal.is_admin and not principal.staff_org_ids:
        own = set(principal.led_cell_ids) | ({principal.cell_id} if principal.cell_id else set())
        q = q.where(col(Meeting.org_id).in_(own))
    if status:
        q = q.where(col(Meeting.status) == status)
    if kind:
        q = q.where(col(Meeting.kind) == kind)
    if since:
        q = q.where(col(Meeting.starts_at) >= since)
    if until:
        q = q.where(col(Meeting.starts_at) < until)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = list(
        session.execute(
            q.order_by(
                *(
                    (col(Meeting.starts_at), col(Meeting.id))
                    if ascending
                    else (col(Meeting.starts_at).desc(), col(Meeting.id).desc())
                )
            )
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    return rows, int(total)


