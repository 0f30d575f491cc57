"""The notification inbox."""

from datetime import datetime

from pydantic import BaseModel, Field

from shared.schemas.common import RequestSchema, Schema
from shared.schemas.sync import NotificationData


class NotificationKind:
    """Stable `kind` strings (not an enum on the wire: new kinds must not break old clients)."""

    document_published = "document_published"
    meeting_scheduled = "meeting_scheduled"
    meeting_changed = "meeting_changed"
    meeting_cancelled = "meeting_cancelled"
    checkin_opened = "checkin_opened"
    meeting_reminder = "meeting_reminder"
    absence_answered = "absence_answered"
    absence_flag = "absence_flag"
    meeting_draft = "meeting_draft"
    agenda_reminder = "agenda_reminder"  # ref_type "agenda_item": once per item (nhắc đọc tài liệu)
    commitment_answered = "commitment_answered"
    review_confirmed = "review_confirmed"  # the committee's final level of one's year-end self-review
    welcome = "welcome"


class NotificationPublic(NotificationData):
    pass


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    unread: int
    total: int
    limit: int
    offset: int


class MarkRead(RequestSchema):
    ids: list[int] = Field(default_factory=list, max_length=500)
    all: bool = False


class MarkReadResult(Schema):
    marked: int
    unread: int


__all__ = ["MarkRead", "MarkReadResult", "NotificationKind", "NotificationPage", "NotificationPublic",
           "datetime"]
