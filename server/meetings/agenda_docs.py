"""Documents on the agenda: who has not read each item's documents yet, and the one reading reminder."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import reads
from server.errors import Conflict, NotFound, Unprocessable
from server.meetings import repository, service
from server.meetings.models import AgendaItem, Meeting
from server.notifications.models import Notification
from server.notifications.service import notify
from server.records import audit
from server.timeutil import utcnow
from shared.schemas.meetings import (
    AgendaItemUnread,
    AgendaReminderPublic,
    AgendaUnread,
    AgendaUnreadMember,
    MeetingStatus,
)
from shared.schemas.notifications import NotificationKind
from shared.timefmt import fmt_datetime

REF_TYPE = "agenda_item"
# Reminding makes sense while the meeting is ahead or under way; after it, the papers were discussed.
REMINDABLE = {MeetingStatus.scheduled.value, MeetingStatus.in_progress.value}


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.execute(
        select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting_id)
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).scalars())


def _reminded(session: Session, item_ids: list[int]) -> dict[int, datetime]:
    """When each item's reminder went out: the notification table is the record (one row per addressee)."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(col(Notification.ref_id), col(Notification.created_at)).where(
            col(Notification.kind) == NotificationKind.agenda_reminder,
            col(Notification.ref_type) == REF_TYPE,
            col(Notification.ref_id).in_(item_ids),
        )
    ).all()
    out: dict[int, datetime] = {}
    for ref_id, created_at in rows:
        if ref_id is not None and (ref_id not in out or created_at < out[ref_id]):
            out[int(ref_id)] = created_at
    return out


def _unread_by_item(session: Session, principal: Principal, meeting: Meeting, items: list[AgendaItem]
                    ) -> list[AgendaItemUnread]:
    """One read-rates query for the whole agenda (the statistics rule of the documents domain), split
    per item: a member is listed under an item while they have not opened one of its documents."""
    doc_ids = list(dict.fromkeys(d for item in items for d in item.document_ids))
    rates = reads.read_rates(session, principal, meeting.org_id, doc_ids) if doc_ids else None
    by_document = {rate.document_id: rate for rate in (rates.items if rates else [])}
    reminded = _reminded(session, [i.id for i in items if i.id is not None])
    out = []
    for item in items:
        members: dict[int, AgendaUnreadMember] = {}
        for document_id in item.document_ids:
            for m in by_document[document_id].unread if document_id in by_document else []:
                entry = members.setdefault(m.member_id, AgendaUnreadMember(member_id=m.member_id,
                                                                           full_name=m.full_name))
                entry.document_ids.append(document_id)
        out.append(AgendaItemUnread(
            position=item.position, title=item.title, document_ids=list(item.document_ids),
            documents=[by_document[d] for d in item.document_ids if d in by_document],
            unread=sorted(members.values(), key=lambda m: (m.full_name, m.member_id)),
            reminded_at=reminded.get(item.id or 0),
        ))
    return out


def unread(session: Session, principal: Principal, meeting_id: int) -> AgendaUnread:
    """The cell's leaders and the staff above it (who read attendance) see it; members do not (403)."""
    meeting = service.get_readable(session, principal, meeting_id)
    service.require_leader_or_staff(session, principal, meeting)
    assert meeting.id is not None
    return AgendaUnread(meeting_id=meeting.id,
                        items=_unread_by_item(session, principal, meeting, _items(session, meeting.id)))


def remind(session: Session, principal: Principal, meeting_id: int, position: int) -> AgendaReminderPublic:
    """Notify the members who have not read an item's documents, once per item (409 the second time)."""
    meeting = service.get_led(session, principal, meeting_id, lock=True)
    assert meeting.id is not None
    item = next((i for i in _items(session, meeting.id) if i.position == position), None)
    if item is None or item.id is None:
        raise NotFound(f"Cuộc họp không có mục {position} trong chương trình.", code="agenda_item_not_found")
    if meeting.status == MeetingStatus.draft.value:  # members do not see a draft yet
        raise Conflict("Cuộc họp còn là bản nháp: hãy xác nhận lịch rồi mới nhắc đọc tài liệu.",
                       code="meeting_not_scheduled")
    if meeting.status not in REMINDABLE:
        raise Conflict("Chỉ nhắc đọc tài liệu trước hoặc trong buổi họp.", code="meeting_locked")
    if not item.document_ids:
        raise Unprocessable(f"Mục {position} \"{item.title}\" không kèm tài liệu nào.",
                            code="agenda_item_no_documents")
    sent = _reminded(session, [item.id]).get(item.id)
    if sent is not None:
        raise Conflict(f"Đã nhắc đọc tài liệu của mục {position} lúc {fmt_datetime(sent)}; chỉ nhắc một lần.",
                       code="agenda_reminder_sent", reminded_at=sent.isoformat())
    view = _unread_by_item(session, principal, meeting, [item])[0]
    user_ids = repository.user_ids_of_members(session, [m.member_id for m in view.unread])
    if not user_ids:
        raise Conflict("Mọi đảng viên có tài khoản đã đọc tài liệu của mục này.", code="agenda_all_read")
    notify(session, user_ids=user_ids, kind=NotificationKind.agenda_reminder, ref_type=REF_TYPE,
           ref_id=item.id, title=f"Nhắc đọc tài liệu: {item.title}",
           body=f"Đồng chí hãy đọc tài liệu của mục \"{item.title}\" trước buổi {meeting.title} "
                f"({fmt_datetime(meeting.starts_at)}).")
    audit.record(session, "meeting.agenda_remind", actor=principal, target_type="meeting",
                 target_id=meeting.id, org_id=meeting.org_id,
                 detail={"position": position, "item_id": item.id, "users": len(user_ids)})
    return AgendaReminderPublic(meeting_id=meeting.id, position=position, notified=len(user_ids),
                                reminded_at=utcnow())
