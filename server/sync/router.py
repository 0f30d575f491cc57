"""Routes of the sync protocol: the feed, the offline batch, the live event stream."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import delete
from sqlmodel import col

from server.auth import security
from server.deps import AppSettings, CurrentPrincipal, DbSession, bearer
from server.openapi import errors
from server.sync import actions, registry, service
from server.sync.cursor import cursor_key
from server.sync.models_ext import EventTicket
from server.sync.stream import StreamResponse
from server.timeutil import utcnow
from shared.schemas.sync import EventTicket as EventTicketPublic
from shared.schemas.sync import PushRequest, PushResponse, SyncPage

router = APIRouter(prefix="", tags=["sync"])

TICKET_SECONDS = 60


@router.get("/sync", response_model=SyncPage, responses=errors(400, 401, 410))
def sync_feed(principal: CurrentPrincipal, db: DbSession, settings: AppSettings,
              cursor: Annotated[str | None, Query(max_length=400)] = None,
              limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT) -> Response:
    """Changes since `cursor` (none: a full snapshot, in pages). An up-to-date device's poll is usually
    answered before this route by server/sync/idle.py; this is where everything else is decided."""
    horizon = registry.Horizon(settings.sync_document_months, settings.sync_unread_months)
    page = service.feed(db, principal, cursor, limit, cursor_key(settings.resolved_secret()), horizon)
    # Written once by pydantic: FastAPI would validate the page again and encode it through
    # jsonable_encoder, 1.3 ms of a device's 20-document catch-up (the response model stays for the docs).
    return Response(page.model_dump_json(), media_type="application/json")


@router.post("/sync/push", response_model=PushResponse, responses=errors(401, 422))
def sync_push(body: PushRequest, principal: CurrentPrincipal, db: DbSession) -> PushResponse:
    results = actions.apply_batch(db, principal, body.actions)
    db.commit()
    return PushResponse(results=results, cursor_hint=service.current_version(db))


@router.post("/events/ticket", response_model=EventTicketPublic, responses=errors(401))
def events_ticket(principal: CurrentPrincipal, db: DbSession, settings: AppSettings) -> EventTicketPublic:
    """A one-minute, single-use token for `GET /events?ticket=` (browsers' EventSource cannot send headers).

    Minted and checked beside the access token (server/auth/security.py, server/auth/service.py). Only its
    digest is stored; opening the stream spends it, so a ticket seen in a log or a proxy's history opens
    nothing. Spent and expired tickets leave no rows behind.
    """
    now = utcnow()
    token = security.make_event_ticket(settings.resolved_secret(), user_id=principal.user_id,
                                       session_id=principal.session_id, seconds=TICKET_SECONDS)
    db.execute(delete(EventTicket).where(col(EventTicket.expires_at) < now))
    db.add(EventTicket(digest=security.digest(token), session_id=principal.session_id,
                       expires_at=now + timedelta(seconds=TICKET_SECONDS)))
    db.commit()
    return EventTicketPublic(ticket=token, expires_in=TICKET_SECONDS)


@router.get("/events", responses={**errors(401), 200: {"content": {"text/event-stream": {}}}})
async def events(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ticket: Annotated[str | None, Query(max_length=1000)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
) -> Response:
    """The live event stream. `server/sync/stream.py` answers it before routing; this route describes it
    and validates what that middleware passes on, then hands the request to the same code."""
    return StreamResponse(request.app.state)
