"""Study checks (timed quizzes on a document), their audiences and attempts; bài thu hoạch.

Revision ID: 0011_study_checks
Revises: 0010_year
Create Date: 2026-12-04 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0011_study_checks"
down_revision: str | tuple[str, ...] | None = "0010_year"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, server.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "study_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=False),
        _utc("opens_at", False),
        _utc("closes_at", False),
        sa.Column("show_score", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _utc("created_at", False),
        _utc("updated_at", False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("study_check") as batch:
        batch.create_index("ix_study_check_document_id", ["document_id"], unique=False)
    op.create_table(
        "study_check_audience",
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["study_check.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("check_id", "org_id"),
    )
    with op.batch_alter_table("study_check_audience") as batch:
        batch.create_index("ix_study_check_audience_org", ["org_id", "check_id"], unique=False)
    op.create_table(
        "study_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        _utc("started_at", False),
        _utc("answered_at", False),
        _utc("submitted_at", False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["study_check.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("check_id", "member_id", name="uq_study_attempt_check_member"),
    )
    with op.batch_alter_table("study_attempt") as batch:
        batch.create_index("ix_study_attempt_check_org", ["check_id", "org_id"], unique=False)
    op.create_table(
        "study_essay",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        _utc("written_at", False),
        _utc("received_at", True),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.Column("remark", sa.String(length=2000), nullable=True),
        _utc("created_at", False),
        _utc("updated_at", False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["received_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "member_id", name="uq_study_essay_document_member"),
    )
    with op.batch_alter_table("study_essay") as batch:
        batch.create_index("ix_study_essay_org_document", ["org_id", "document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("study_essay") as batch:
        batch.drop_index("ix_study_essay_org_document")
    op.drop_table("study_essay")
    with op.batch_alter_table("study_attempt") as batch:
        batch.drop_index("ix_study_attempt_check_org")
    op.drop_table("study_attempt")
    with op.batch_alter_table("study_check_audience") as batch:
        batch.drop_index("ix_study_check_audience_org")
    op.drop_table("study_check_audience")
    with op.batch_alter_table("study_check") as batch:
        batch.drop_index("ix_study_check_document_id")
    op.drop_table("study_check")
