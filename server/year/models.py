"""Tables of the member's year: yearly commitments and their items."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class Commitment(SQLModel, table=True):
    """A member's commitment of one year (bản đăng ký học tập và làm theo / cam kết): one per member and year.

    `org_id` is the cell the member registered in; that cell's leaders decide on it and remark on it,
    and staff above that cell read it (a later transfer does not move it).
    """

    __tablename__ = "commitment"
    __table_args__ = (
        UniqueConstraint("member_id", "year", name="uq_commitment_member_year"),
        Index("ix_commitment_org_year", "org_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    org_id: int = Field(foreign_key="organization.id")
    year: int
    status: str = Field(default="draft", max_length=12)
    return_comment: str | None = Field(default=None, max_length=1000)
    # When the member last changed the items (the time they acted, also when queued offline): a queued
    # edit made before it is refused rather than overwriting a newer one.
    edited_at: datetime = utc_field(default_now=True)
    submitted_at: datetime | None = utc_field(nullable=True)
    decided_at: datetime | None = utc_field(nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class CommitmentItem(SQLModel, table=True):
    __tablename__ = "commitment_item"

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    position: int = 0
    text: str = Field(sa_column=Column(Text, nullable=False))
    category: str | None = Field(default=None, max_length=20)
    # The member's own year-end result, and the cell's remark on it.
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    result_at: datetime | None = utc_field(nullable=True)
    remark: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    remark_at: datetime | None = utc_field(nullable=True)
    remark_by: int | None = Field(default=None, foreign_key="user_account.id")
