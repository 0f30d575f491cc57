"""Writing and reading audit entries; reading is scoped to the caller's subtrees."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlmodel import Session

from server.audit.models import AuditEntry
from server.auth.principal import Principal
from server.members.models import User
from server.orgs.service import subtrees_ids
from server.timeutil import utcnow
from shared.schemas.common import Page
from shared.schemas.members import AuditEntryPublic


def record(
    session: Session,
    action: str,
    *,
    actor: Principal | None = None,
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


def record_many(session: Session, action: str, actor: Principal, entries: list[dict[str, Any]]) -> None:
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


def list_entries(
    session: Session,
    principal: Principal,
    *,
    action: str | None = None,
    org_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[AuditEntryPublic]:
    q = select(AuditEntry, User.display_name, User.username).outerjoin(
        User, User.id == AuditEntry.actor_user_id
    )
    if not principal.is_admin:
        # Staff see what happened to records of their subtrees, and what they did themselves.
        q = q.where(
            or_(
                AuditEntry.org_id.in_(subtrees_ids(principal.staff_org_ids)),
                AuditEntry.actor_user_id == principal.user_id,
            )
        )
    if org_id is not None:
        principal.require_manages(session, org_id)
        q = q.where(AuditEntry.org_id.in_(subtrees_ids([org_id])))
    if action:
        q = q.where(AuditEntry.action.startswith(action))
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset))
    items = [
        AuditEntryPublic(
            id=e.id, at=e.at, actor_user_id=e.actor_user_id, actor_name=display or username,
            action=e.action, target_type=e.target_type, target_id=e.target_id, org_id=e.org_id,
            client_address=e.client_address, detail=json.loads(e.detail) if e.detail else None,
        )
        for e, display, username in rows
    ]
    return Page[AuditEntryPublic](items=items, total=int(total), limit=limit, offset=offset)
