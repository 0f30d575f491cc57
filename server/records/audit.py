"""Append-only audit entries, indexed for the subtree view and for sign-in throttling, and their recording."""

import json
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Index, insert
from sqlmodel import Field, Session, SQLModel

from server.fields import utc_field
from server.timeutil import utcnow


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


class Actor(Protocol):
    """Who acted, as audit needs it (the request's principal, server/auth/principal.py)."""

    @property
    def user_id(self) -> int: ...

    client_address: str | None


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    actor_user_id: int | None = None,
    target_type: str | None = None,
    target_id: object | None = None,
    org_id: int | None = None,
    client_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_user_id=actor.user_id if actor else actor_user_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:200],
        org_id=org_id,
        client_address=(actor.client_address if actor and client_address is None else client_address),
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    )
    session.add(entry)
    return entry


def record_many(session: Session, action: str, actor: Actor, entries: list[dict[str, Any]]) -> None:
    """Many entries of one action by one caller in one INSERT (bulk import); each dict holds
    target_type, target_id, org_id and detail as `record` takes them."""
    if not entries:
        return
    at = utcnow()
    session.execute(insert(AuditEntry), [
        {"at": at, "action": action, "actor_user_id": actor.user_id, "client_address": actor.client_address,
         "target_type": e.get("target_type"),
         "target_id": None if e.get("target_id") is None else str(e["target_id"])[:200],
         "org_id": e.get("org_id"),
         "detail": json.dumps(e["detail"], ensure_ascii=False, default=str) if e.get("detail") else None}
        for e in entries
    ])
