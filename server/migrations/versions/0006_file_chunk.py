"""Stored files in the database (file_chunk), for installations whose hosts share no disk.

Revision ID: 0006_file_chunk
Revises: 0005
Create Date: 2026-12-03 07:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_file_chunk"
down_revision: str | tuple[str, ...] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_chunk",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "seq"),
    )


def downgrade() -> None:
    op.drop_table("file_chunk")
