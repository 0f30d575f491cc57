"""The notification inbox: list and mark read."""

from fastapi import APIRouter, Query

from server.deps import CurrentPrincipal, DbSession
from server.notifications import service
from server.openapi import errors
from shared.schemas.notifications import MarkRead, MarkReadResult, NotificationPage

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=errors(401))
def list_notifications(principal: CurrentPrincipal, db: DbSession, unread: bool = False,
                       limit: int = Query(default=50, ge=1, le=200), offset: int = Query(default=0, ge=0),
                       ) -> NotificationPage:
    path = service.path_of(db, principal.cell_id)
    return service.inbox(db, principal.user_id, path, unread_only=unread, limit=limit, offset=offset)


@router.post("/read", response_model=MarkReadResult, responses=errors(401, 422))
def mark_read(body: MarkRead, principal: CurrentPrincipal, db: DbSession) -> MarkReadResult:
    path = service.path_of(db, principal.cell_id)
    result = service.mark_read(db, principal.user_id, path, body.ids, all_=body.all)
    db.commit()
    return result
