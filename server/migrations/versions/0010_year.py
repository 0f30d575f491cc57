"""The member's year: yearly commitments (bản đăng ký cam kết) and their items.

Revision ID: 0010_year
Revises: 0009_study_due
Create Date: 2026-12-06 08:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0010_year"
down_revision: str | tuple[str, ...] | None = "0009_study_due"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, server.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("return_comment", sa.String(length=1000), nullable=True),
        _utc("edited_at", False),
        _utc("submitted_at", True),
        _utc("decided_at", True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _utc("created_at", False),
        _utc("updated_at", False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "year", name="uq_commitment_member_year"),
    )
    with op.batch_alter_table("commitment") as batch:
        batch.create_index("ix_commitment_org_year", ["org_id", "year"], unique=False)

    op.create_table(
        "commitment_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        _utc("result_at", True),
        sa.Column("remark", sa.Text(), nullable=True),
        _utc("remark_at", True),
        sa.Column("remark_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["commitment_id"], ["commitment.id"]),
        sa.ForeignKeyConstraint(["remark_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commitment_item") as batch:
        batch.create_index("ix_commitment_item_commitment_id", ["commitment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commitment_item") as batch:
        batch.drop_index("ix_commitment_item_commitment_id")
    op.drop_table("commitment_item")
    with op.batch_alter_table("commitment") as batch:
        batch.drop_index("ix_commitment_org_year")
    op.drop_table("commitment")
