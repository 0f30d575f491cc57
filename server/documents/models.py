"""Documents with their audience, files, read marks, bookmarks and draft comments."""

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (
        Index("ix_document_status_published", "status", "published_at"),
        Index("ix_document_category_year", "category", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    doc_type: str = Field(max_length=20, index=True)
    number: str | None = Field(default=None, max_length=120)
    number_key: str | None = Field(default=None, max_length=40, index=True)  # "21nq": exact lookups
    type_code: str | None = Field(default=None, max_length=8)
    issuer: str | None = Field(default=None, max_length=20)
    issuer_key: str | None = Field(default=None, max_length=20, index=True)  # folded, for the filter
    issued_on: date | None = None
    effective_on: date | None = None
    year: int | None = None  # of issue (or publication when the date of issue is unknown)
    category: str = Field(max_length=20)
    topic: str | None = Field(default=None, max_length=300)
    study_due_on: date | None = None  # hạn học tập (tài liệu học tập)
    status: str = Field(max_length=20)
    publish_at: datetime | None = utc_field(nullable=True)
    published_at: datetime | None = utc_field(nullable=True)
    withdrawn_at: datetime | None = utc_field(nullable=True)
    offline_allowed: bool = True
    comments_until: datetime | None = utc_field(nullable=True)
    replaces_id: int | None = Field(default=None, foreign_key="document.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="document.id")
    version: int = 1
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    # Long texts last: SQLite reads a row's columns in order, so status and dates stay on the first page
    # and filtering never walks a long body's overflow pages.
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class DocumentAudience(SQLModel, table=True):
    """One organisation the document is addressed to; its whole subtree sees it."""

    __tablename__ = "document_audience"
    __table_args__ = (Index("ix_document_audience_org", "org_id", "document_id"),)

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    org_id: int = Field(foreign_key="organization.id", primary_key=True)


class FileBlob(SQLModel, table=True):
    """A stored file, once per content (SHA-256), whatever the number of attachments using it."""

    __tablename__ = "file_blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content_type: str = Field(max_length=100)
    created_at: datetime = utc_field(default_now=True)


class FileChunk(SQLModel, table=True):
    """A stored file's bytes in the database, in 1 MiB pieces, when every host must reach the files."""

    __tablename__ = "file_chunk"

    sha256: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class Attachment(SQLModel, table=True):
    __tablename__ = "document_attachment"
    __table_args__ = (UniqueConstraint("document_id", "sha256", name="uq_attachment_document_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    sha256: str = Field(foreign_key="file_blob.sha256", max_length=64)
    filename: str = Field(max_length=200)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)


class ReadMark(SQLModel, table=True):
    """A member opened the document (once); studied_at for study materials."""

    __tablename__ = "document_read"
    __table_args__ = (
        UniqueConstraint("document_id", "user_id", name="uq_read_document_user"),
        Index("ix_document_read_document_member", "document_id", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    read_at: datetime = utc_field()
    studied_at: datetime | None = utc_field(nullable=True)
    received_at: datetime = utc_field(default_now=True)


class Bookmark(SQLModel, table=True):
    __tablename__ = "document_bookmark"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    document_id: int = Field(foreign_key="document.id", primary_key=True, index=True)
    created_at: datetime = utc_field(default_now=True)


class DocumentComment(SQLModel, table=True):
    """Góp ý dự thảo: a member's comment on a draft open for comments."""

    __tablename__ = "document_comment"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    user_id: int = Field(foreign_key="user_account.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    org_id: int | None = Field(default=None, foreign_key="organization.id")  # the member's cell then
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = utc_field(default_now=True)
