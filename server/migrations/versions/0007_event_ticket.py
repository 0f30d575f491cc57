"""Single-use tickets of the live event stream.

Revision ID: 0007_event_ticket
Revises: 0006_file_chunk
Create Date: 2026-12-04 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision: str = "0007_event_ticket"
down_revision: str | tuple[str, ...] | None = "0006_file_chunk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_ticket",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["device_session.id"]),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_event_ticket_session_id", "event_ticket", ["session_id"])
    op.create_index("ix_event_ticket_expires_at", "event_ticket", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_event_ticket_expires_at", table_name="event_ticket")
    op.drop_index("ix_event_ticket_session_id", table_name="event_ticket")
    op.drop_table("event_ticket")
