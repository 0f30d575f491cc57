"""Documents, resolutions and study materials: what travels between the server and the client."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from shared.docnumber import DOC_TYPE_LABELS, DocType
from shared.schemas.common import Day, Moment, RequestSchema, Schema
from shared.secrecy import Secrecy
from shared.text import nfc

__all__ = [
    "DOC_TYPE_LABELS",
    "DocType",
    "DocCategory",
    "DocStatus",
    "Secrecy",
    "DocumentCreate",
    "DocumentUpdate",
    "DocumentPublic",
    "DocumentSummary",
    "AttachmentPublic",
    "ReadRequest",
    "ReadMarkPublic",
    "ReadStats",
    "CellReadStats",
    "ReaderPublic",
    "DocumentReadRatesMemberPublic",
    "DocumentReadRatesItemPublic",
    "DocumentReadRatesPublic",
    "CellStudyRate",
    "StudyRatesPublic",
    "CommentCreate",
    "CommentPublic",
    "OrgRef",
]


class DocCategory(StrEnum):
    documents = "documents"  # văn bản chỉ đạo, nghị quyết
    study = "study"  # tài liệu học tập theo chuyên đề
    meeting = "meeting"  # tài liệu sinh hoạt chi bộ


DOC_CATEGORY_LABELS: dict[DocCategory, str] = {
    DocCategory.documents: "Văn bản",
    DocCategory.study: "Tài liệu học tập",
    DocCategory.meeting: "Tài liệu sinh hoạt",
}


class DocStatus(StrEnum):
    draft = "draft"  # dự thảo: only publishers, and the audience when opened for comments
    scheduled = "scheduled"  # published at publish_at
    published = "published"
    withdrawn = "withdrawn"  # thu hồi: gone from members' devices
    superseded = "superseded"  # replaced by a newer version (superseded_by_id)


DOC_STATUS_LABELS: dict[DocStatus, str] = {
    DocStatus.draft: "Dự thảo",
    DocStatus.scheduled: "Hẹn giờ phát hành",
    DocStatus.published: "Đã phát hành",
    DocStatus.withdrawn: "Đã thu hồi",
    DocStatus.superseded: "Đã được thay thế",
}

BODY_MAX = 1_000_000
ID_MAX = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


class _DocFields(RequestSchema):
    @field_validator("title", "summary", "body", "number", "topic", check_fields=False)
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() if "\n" in value else nfc(value)


class DocumentCreate(_DocFields):
    title: str = Field(min_length=3, max_length=500)
    doc_type: DocType
    number: str | None = Field(
        default=None,
        max_length=120,
        description='Số hiệu, ví dụ "96-QĐ/TW" hoặc "Quy định số 96-QĐ/TW ngày 2-2-2023"',
    )
    issued_on: Day | None = Field(default=None, description="Ngày ban hành")
    effective_on: Day | None = Field(default=None, description="Ngày có hiệu lực")
    summary: str | None = Field(default=None, max_length=20_000)
    body: str | None = Field(default=None, max_length=BODY_MAX, description="Toàn văn, dùng để tìm kiếm")
    category: DocCategory
    topic: str | None = Field(default=None, max_length=300, description="Chuyên đề (tài liệu học tập)")
    study_due_on: Day | None = Field(default=None, description="Hạn học xong (chỉ với tài liệu học tập)")
    audience_org_ids: list[Id] = Field(
        min_length=1, max_length=200, description="Tổ chức nhận: cả cây tổ chức bên dưới mỗi tổ chức"
    )
    publish_at: Moment | None = Field(default=None, description="Hẹn giờ phát hành")
    status: DocStatus | None = Field(default=None, description='"draft" để lưu dự thảo')
    secrecy: Secrecy = Field(default=Secrecy.none, description="Độ mật: tài liệu mật bị từ chối")
    offline_allowed: bool = Field(default=True, description="Cho phép lưu trên thiết bị để đọc khi mất mạng")
    replaces_id: Id | None = Field(default=None, description="Văn bản này thay thế văn bản số id")
    comments_until: Moment | None = Field(default=None, description="Hạn góp ý dự thảo")


class DocumentUpdate(_DocFields):
    title: str | None = Field(default=None, min_length=3, max_length=500)
    doc_type: DocType | None = None
    number: str | None = Field(default=None, max_length=120)
    issued_on: Day | None = None
    effective_on: Day | None = None
    summary: str | None = Field(default=None, max_length=20_000)
    body: str | None = Field(default=None, max_length=BODY_MAX)
    category: DocCategory | None = None
    topic: str | None = Field(default=None, max_length=300)
    study_due_on: Day | None = None
    audience_org_ids: list[Id] | None = Field(default=None, min_length=1, max_length=200)
    publish_at: Moment | None = None
    status: DocStatus | None = Field(default=None, description="published: phát hành; withdrawn: thu hồi")
    secrecy: Secrecy | None = None
    offline_allowed: bool | None = None
    comments_until: Moment | None = None


class OrgRef(Schema):
    id: int
    name: str


class AttachmentPublic(Schema):
    id: int
    sha256: str
    size: int
    content_type: str
    filename: str


class DocumentSummary(Schema):
    """A row of the list: everything but the full text."""

    id: int
    title: str
    doc_type: DocType
    number: str | None
    type_code: str | None
    issuer: str | None
    issued_on: date | None
    effective_on: date | None
    summary: str | None
    category: DocCategory
    topic: str | None
    study_due_on: date | None = None
    status: DocStatus
    publish_at: datetime | None
    published_at: datetime | None
    version: int
    offline_allowed: bool
    comments_until: datetime | None
    superseded_by_id: int | None
    replaces_id: int | None
    audience: list[OrgRef] = []
    attachments: list[AttachmentPublic] = []
    read_at: datetime | None = None
    studied_at: datetime | None = None
    bookmarked: bool = False
    can_manage: bool = False
    updated_at: datetime


class DocumentPublic(DocumentSummary):
    body: str | None = None


class ReadRequest(RequestSchema):
    read_at: Moment | None = Field(
        default=None, description="Lúc mở đọc trên thiết bị (có thể gửi muộn)"
    )


class ReadMarkPublic(Schema):
    document_id: int
    read_at: datetime
    studied_at: datetime | None = None
    created: bool = False


class CellReadStats(Schema):
    org_id: int
    name: str
    members: int
    read: int


class ReadStats(Schema):
    document_id: int
    members: int
    read: int
    by_cell: list[CellReadStats]


class DocumentReadRatesMemberPublic(Schema):
    member_id: int
    full_name: str


class DocumentReadRatesItemPublic(Schema):
    """One document's reading rate in one cell: `read` of `members`, and who has not read it yet."""

    document_id: int
    members: int
    read: int
    unread: list[DocumentReadRatesMemberPublic]


class DocumentReadRatesPublic(Schema):
    """Reading rates of several documents in one cell (GET /documents/read-rates): documents the caller
    cannot see are left out; a visible document not addressed to the cell counts 0 members."""

    org_id: int
    items: list[DocumentReadRatesItemPublic]


class CellStudyRate(Schema):
    """One cell's study of one study material: `studied` of `members`, rate = studied / members (0..1)."""

    org_id: int
    name: str
    members: int
    studied: int
    rate: float


class StudyRatesPublic(Schema):
    """Study rates of one study material by cell (GET /documents/study-rates), in the caller's statistics
    scope under org_id. `not_studied` names who has not studied it yet when org_id is one cell."""

    document_id: int
    org_id: int | None
    study_due_on: date | None = None
    members: int
    studied: int
    rate: float
    cells: list[CellStudyRate]
    not_studied: list[DocumentReadRatesMemberPublic] = []


class ReaderPublic(Schema):
    member_id: int
    full_name: str
    org_id: int
    org_name: str
    read_at: datetime | None
    studied_at: datetime | None = None


class CommentCreate(RequestSchema):
    body: str = Field(min_length=1, max_length=5000)

    @field_validator("body")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty")
        return value


class CommentPublic(Schema):
    id: int
    document_id: int
    author_name: str | None
    org_id: int | None
    org_name: str | None = None
    body: str
    created_at: datetime
