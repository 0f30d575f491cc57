"""Wire shapes of the delta sync feed, the offline action batch and the live event stream.

See docs/protocol.md. `data` of each change is one of the `*Data` models below, chosen by `type`.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shared.schemas.common import RequestSchema, Schema


class EntityType(StrEnum):
    organization = "organization"
    member = "member"
    meeting = "meeting"
    attendance = "attendance"
    absence_request = "absence_request"
    minutes = "minutes"
    document = "document"
    attachment = "attachment"
    read_mark = "read_mark"
    bookmark = "bookmark"
    notification = "notification"
    commitment = "commitment"  # data: shared.schemas.year.CommitmentPublic


class ChangeOp(StrEnum):
    upsert = "upsert"
    delete = "delete"


class Change(BaseModel):
    """One entity as it is now for the caller: `upsert` with `data`, or `delete` (gone or out of view)."""

    type: str
    op: ChangeOp
    id: int
    version: int
    data: dict[str, Any] | None = None


class SyncPage(BaseModel):
    changes: list[Change]
    cursor: str = Field(description="Opaque; send it back as ?cursor= for the next page")
    has_more: bool = Field(description="True: ask again at once with the new cursor")
    reset: bool = Field(default=False, description="True: drop every entity held locally, then apply")


# Data of each entity type -------------------------------------------------------------------------------


class OrganizationData(Schema):
    id: int
    name: str
    kind: str
    code: str
    parent_id: int | None
    depth: int
    meeting_day: int | None = None
    meeting_time: str | None = None


class RoleData(Schema):
    """Names are not copied here: the organisation is an `organization` entity on the device."""

    role: str
    org_id: int | None


class MemberData(Schema):
    """The caller's own profile (other members are not held on devices)."""

    id: int
    user_id: int
    username: str
    full_name: str
    birth_date: date | None
    card_number: str | None
    admitted_on: date | None
    official_on: date | None
    kind: str
    org_id: int  # the chi bộ; its name is in the `organization` entity of that id
    position: str | None = None
    phone: str | None = None
    roles: list[RoleData] = []


class NotificationData(Schema):
    id: int
    kind: str
    title: str
    body: str | None = None
    ref_type: str | None = None
    ref_id: int | None = None
    created_at: datetime
    read_at: datetime | None = None


class AttendanceData(Schema):
    """One member's attendance at a meeting: the member's own rows; a cell leader holds the whole cell's."""

    id: int
    meeting_id: int
    member_id: int
    status: str  # present | late | excused | absent
    expected: bool
    source: str
    note: str | None = None
    checked_in_at: datetime | None = None
    updated_at: datetime


class AttachmentData(Schema):
    """File metadata only: the bytes come from `url` (ETag = sha256, Range supported)."""

    id: int
    document_id: int
    filename: str
    sha256: str
    size: int
    content_type: str
    url: str


class ReadMarkData(Schema):
    id: int
    document_id: int
    read_at: datetime
    studied_at: datetime | None = None


class BookmarkData(Schema):
    """A bookmark's id is the document's id (one bookmark per user and document)."""

    id: int
    document_id: int
    created_at: datetime


# Offline actions ---------------------------------------------------------------------------------------


class ActionStatus(StrEnum):
    applied = "applied"
    already_applied = "already_applied"
    refused = "refused"


class OfflineAction(RequestSchema):
    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                           description="Made by the device (a UUID); the same id is applied once")
    type: str = Field(min_length=1, max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict)
    made_at: datetime | None = Field(default=None, description="When the member acted (ISO 8601 with offset)")


# The most actions one /sync/push takes; a client with more queued sends them in batches of this size.
PUSH_BATCH_MAX = 200


class PushRequest(RequestSchema):
    actions: list[OfflineAction] = Field(max_length=PUSH_BATCH_MAX)


class ActionResult(BaseModel):
    client_id: str
    status: ActionStatus
    code: str | None = None
    message: str | None = None
    result: dict[str, Any] | None = None


class PushResponse(BaseModel):
    results: list[ActionResult]
    cursor_hint: int | None = Field(default=None, description="Newest change version after the batch")


# Live events -------------------------------------------------------------------------------------------


class SyncEvent(BaseModel):
    """Data of an SSE `sync` event: something the device holds changed; pull the feed."""

    cursor: str
    version: int


class EventTicket(BaseModel):
    """A short-lived token for EventSource clients that cannot send an Authorization header."""

    ticket: str
    expires_in: int
