"""The notifications other domains send: one function per event, called inside the writer's transaction."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from server.notifications.service import notify
from shared.schemas.notifications import NotificationKind as K
from shared.timefmt import fmt_datetime

_DOC_LABELS = {"documents": "Văn bản mới", "study": "Tài liệu học tập mới", "meeting": "Tài liệu họp chi bộ"}


def _when(value: datetime) -> str:
    return fmt_datetime(value)


def meeting_scheduled(session: Session, meeting: Any) -> None:
    notify(session, org_ids=[meeting.org_id], kind=K.meeting_scheduled, ref_type="meeting", ref_id=meeting.id,
           title=f"Lịch sinh hoạt: {meeting.title}",
           body=f"Thời gian: {_when(meeting.starts_at)}" + (f". Địa điểm: {meeting.location}"
                                                            if meeting.location else ""))


def meeting_changed(session: Session, meeting: Any) -> None:
    notify(session, org_ids=[meeting.org_id], kind=K.meeting_changed, ref_type="meeting", ref_id=meeting.id,
           title=f"Thay đổi lịch sinh hoạt: {meeting.title}",
           body=f"Thời gian: {_when(meeting.starts_at)}" + (f". Địa điểm: {meeting.location}"
                                                            if meeting.location else ""))


def meeting_cancelled(session: Session, meeting: Any) -> None:
    notify(session, org_ids=[meeting.org_id], kind=K.meeting_cancelled, ref_type="meeting", ref_id=meeting.id,
           title=f"Hủy buổi sinh hoạt: {meeting.title}", body=meeting.cancel_reason)


def checkin_opened(session: Session, meeting: Any) -> None:
    notify(session, org_ids=[meeting.org_id], kind=K.checkin_opened, ref_type="meeting", ref_id=meeting.id,
           title=f"Đã mở điểm danh: {meeting.title}",
           body="Nhập mã 6 số hoặc quét mã QR trên màn hình của bí thư chi bộ.")


def meeting_reminder(session: Session, meeting_id: int, title: str, starts_at: datetime, user_ids: list[int],
                     lead: str) -> None:
    notify(session, user_ids=user_ids, kind=K.meeting_reminder, ref_type="meeting", ref_id=meeting_id,
           title=f"Nhắc lịch ({lead}): {title}", body=f"Bắt đầu lúc {_when(starts_at)}.")


def meeting_draft(session: Session, meeting_id: int, title: str, starts_at: datetime, user_ids: list[int]
                  ) -> None:
    notify(session, user_ids=user_ids, kind=K.meeting_draft, ref_type="meeting", ref_id=meeting_id,
           title=f"Cần xác nhận lịch: {title}",
           body=f"Dự kiến {_when(starts_at)}. Đồng chí hãy xác nhận ngày giờ và nội dung sinh hoạt.")


def absence_answered(session: Session, user_ids: list[int], meeting: Any, approved: bool,
                     note: str | None) -> None:
    verdict = "được chấp thuận" if approved else "không được chấp thuận"
    notify(session, user_ids=user_ids, kind=K.absence_answered, ref_type="meeting", ref_id=meeting.id,
           title=f"Đơn báo vắng {verdict}: {meeting.title}", body=note)


def absence_flag(session: Session, user_ids: list[int], member_name: str, count: int, year: int,
                 member_id: int) -> None:
    notify(session, user_ids=user_ids, kind=K.absence_flag, ref_type="member", ref_id=member_id,
           title=f"Vắng {count} lần liên tiếp: {member_name}",
           body=f"Năm {year}: đảng viên vắng sinh hoạt {count} lần liên tiếp (Hướng dẫn 12-HD/BTCTW).")


def document_published(session: Session, document: Any, org_ids: list[int]) -> None:
    label = _DOC_LABELS.get(document.category, "Văn bản mới")
    notify(session, org_ids=org_ids, kind=K.document_published, ref_type="document", ref_id=document.id,
           title=f"{label}: {document.title}"[:200],
           body=document.summary[:500] if document.summary else None)
