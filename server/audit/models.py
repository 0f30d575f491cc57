"""Append-only audit entries, indexed for the subtree view and for sign-in throttling."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_action_target_at", "action", "target_id", "at"),
        Index("ix_audit_action_addr_at", "action", "client_address", "at"),
        Index("ix_audit_org_at", "org_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_now=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=60)
    target_type: str | None = Field(default=None, max_length=40)
    target_id: str | None = Field(default=None, max_length=200)
    # The organisation the target belongs to: staff see the entries of their subtree.
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    client_address: str | None = Field(default=None, max_length=64)
    detail: str | None = None  # JSON text
