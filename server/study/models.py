"""Tables of study checks, their audiences and attempts, and bài thu hoạch."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class StudyCheck(SQLModel, table=True):
    """A timed quiz on a document for organisations of the creator's subtree.

    `questions`: [{"text", "multiple", "options": [...], "correct": [indexes]}]; the key never leaves the
    server for a member before they have answered (server/study/service.py `to_public`)."""

    __tablename__ = "study_check"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    title: str = Field(max_length=300)
    time_limit_minutes: int
    opens_at: datetime = utc_field()
    closes_at: datetime = utc_field()
    show_score: bool = True
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    # When the minute job told the audience's devices that the check opened (its questions are theirs now)
    # and that it closed (the key of a check hiding scores): server/study/jobs.py. An earlier moment than
    # opens_at / closes_at (a close pushed back) means not told of the current one yet.
    opened_announced_at: datetime | None = utc_field(nullable=True)
    closed_announced_at: datetime | None = utc_field(nullable=True)
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StudyCheckAudience(SQLModel, table=True):
    __tablename__ = "study_check_audience"
    __table_args__ = (Index("ix_study_check_audience_org", "org_id", "check_id"),)

    check_id: int = Field(foreign_key="study_check.id", primary_key=True)
    org_id: int = Field(foreign_key="organization.id", primary_key=True)


class StudyAttempt(SQLModel, table=True):
    """A member's one attempt; `org_id` is the cell they were in when they answered (the figures' cell)."""

    __tablename__ = "study_attempt"
    __table_args__ = (
        UniqueConstraint("check_id", "member_id", name="uq_study_attempt_check_member"),
        Index("ix_study_attempt_check_org", "check_id", "org_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="study_check.id")
    member_id: int = Field(foreign_key="member.id")
    org_id: int = Field(foreign_key="organization.id")
    started_at: datetime = utc_field()
    answered_at: datetime = utc_field()
    submitted_at: datetime = utc_field(default_now=True)
    score: int
    total: int
    answers: list[list[int]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StudyEssay(SQLModel, table=True):
    """A bài thu hoạch: one per member and document, handed to the member's cell."""

    __tablename__ = "study_essay"
    __table_args__ = (
        UniqueConstraint("document_id", "member_id", name="uq_study_essay_document_member"),
        Index("ix_study_essay_org_document", "org_id", "document_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    member_id: int = Field(foreign_key="member.id")
    org_id: int = Field(foreign_key="organization.id")
    written_at: datetime = utc_field()
    received_at: datetime | None = utc_field(nullable=True)
    received_by: int | None = Field(default=None, foreign_key="user_account.id")
    remark: str | None = Field(default=None, max_length=2000)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
