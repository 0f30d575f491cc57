"""The device a session was signed in from (device token nonce), so a new sign-in replaces its old session.

Revision ID: 0008_device_key
Revises: 0007_event_ticket
Create Date: 2026-12-05 01:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_device_key"
down_revision: str | tuple[str, ...] | None = "0007_event_ticket"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("device_session", sa.Column("device_key", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_session") as batch:
        batch.drop_column("device_key")
