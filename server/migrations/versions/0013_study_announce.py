"""When the audience's devices were told that a study check opened and closed (server/study/jobs.py).

Checks already open or closed when this runs are announced once by the first run of the job: one change
each, which also brings the key to devices that missed it at a close.

Revision ID: 0013_study_announce
Revises: 0012_self_review
Create Date: 2026-12-04 13:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0013_study_announce"
down_revision: str | tuple[str, ...] | None = "0012_self_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "study_check", sa.Column("opened_announced_at", server.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "study_check", sa.Column("closed_announced_at", server.db.UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("study_check") as batch:
        batch.drop_column("closed_announced_at")
        batch.drop_column("opened_announced_at")
