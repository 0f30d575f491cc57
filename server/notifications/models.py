"""Notifications addressed to a user or to everyone under an organisation, and per-user read marks."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class Notification(SQLModel, table=True):
    """One row per addressee: a user (`user_id`) or a whole subtree (`org_id`), never both.

    Subtree rows keep a province-wide publication at one row instead of 450,000.
    """

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_org_created", "org_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str | None = Field(default=None, max_length=2000)
    ref_type: str | None = Field(default=None, max_length=30)
    ref_id: int | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    created_at: datetime = utc_field(default_now=True)


class NotificationRead(SQLModel, table=True):
    __tablename__ = "notification_read"

    notification_id: int = Field(foreign_key="notification.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    read_at: datetime = utc_field(default_now=True)
