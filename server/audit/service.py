"""Writing and reading audit entries; reading is scoped to the caller's subtrees."""

import json
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from server.auth.principal import Principal
from server.records.audit import AuditEntry
from server.records.members import User
from server.records.orgs import subtrees_ids
from shared.schemas.common import Page
from shared.schemas.members import AuditEntryPublic


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
