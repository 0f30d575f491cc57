"""The date by which a study material should be studied (hạn học tập), optional, set by staff.

Revision ID: 0009_study_due
Revises: 0008_device_key
Create Date: 2026-12-05 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_study_due"
down_revision: str | tuple[str, ...] | None = "0008_device_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("document", sa.Column("study_due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("study_due_on")
