"""Read-only access to the audit log for staff and admins."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from server.audit import service
from server.deps import DbSession, StaffPrincipal
from server.openapi import AUTHED
from shared.schemas.common import Page
from shared.schemas.members import AuditEntryPublic

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryPublic], responses=AUTHED)
def list_audit(
    principal: StaffPrincipal, db: DbSession,
    action: str | None = Query(default=None, max_length=60), org_id: int | None = None,
    since: AwareDatetime | None = None, until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AuditEntryPublic]:
    return service.list_entries(db, principal, action=action, org_id=org_id, since=since, until=until,
                                limit=limit, offset=offset)
