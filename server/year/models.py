"""Tables of the member's year: yearly commitments and their items, the year-end self-review."""

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


class SelfReview(SQLModel, table=True):
    """A member's year-end self-review (bản kiểm điểm cá nhân): one per member and year.

    `org_id` is the cell the member wrote it in (its leaders propose a level; staff above it confirm).
    The year's facts on the form are computed when asked (server/year/review_facts.py), never stored.
    """

    __tablename__ = "self_review"
    __table_args__ = (
        UniqueConstraint("member_id", "year", name="uq_self_review_member_year"),
        Index("ix_self_review_org_year", "org_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    org_id: int = Field(foreign_key="organization.id")
    year: int
    status: str = Field(default="draft", max_length=12)
    strengths: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    shortcomings: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    causes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    direction: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    self_level: str | None = Field(default=None, max_length=12)
    proposed_level: str | None = Field(default=None, max_length=12)
    proposed_note: str | None = Field(default=None, max_length=1000)
    proposed_at: datetime | None = utc_field(nullable=True)
    proposed_by: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_level: str | None = Field(default=None, max_length=12)
    confirmed_note: str | None = Field(default=None, max_length=1000)
    confirmed_at: datetime | None = utc_field(nullable=True)
    confirmed_by: int | None = Field(default=None, foreign_key="user_account.id")
    # The committee (staff organisation) that confirmed: the unit the cap on the top level is counted in.
    confirmed_org_id: int | None = Field(default=None, foreign_key="organization.id")
    exempt_reason: str | None = Field(default=None, max_length=1000)
    edited_at: datetime = utc_field(default_now=True)
    submitted_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
