"""The year-end self-review (bản kiểm điểm cá nhân).

Revision ID: 0012_self_review
Revises: 0010_year (re-chained to 0011_study_checks when the study checks branch is merged)
Create Date: 2026-12-04 11:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0012_self_review"
down_revision: str | tuple[str, ...] | None = "0011_study_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, server.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "self_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("shortcomings", sa.Text(), nullable=True),
        sa.Column("causes", sa.Text(), nullable=True),
        sa.Column("direction", sa.Text(), nullable=True),
        sa.Column("self_level", sa.String(length=12), nullable=True),
        sa.Column("proposed_level", sa.String(length=12), nullable=True),
        sa.Column("proposed_note", sa.String(length=1000), nullable=True),
        _utc("proposed_at", True),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_level", sa.String(length=12), nullable=True),
        sa.Column("confirmed_note", sa.String(length=1000), nullable=True),
        _utc("confirmed_at", True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_org_id", sa.Integer(), nullable=True),
        sa.Column("exempt_reason", sa.String(length=1000), nullable=True),
        _utc("edited_at", False),
        _utc("submitted_at", True),
        _utc("created_at", False),
        _utc("updated_at", False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["confirmed_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["confirmed_org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "year", name="uq_self_review_member_year"),
    )
    with op.batch_alter_table("self_review") as batch:
        batch.create_index("ix_self_review_org_year", ["org_id", "year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("self_review") as batch:
        batch.drop_index("ix_self_review_org_year")
    op.drop_table("self_review")
