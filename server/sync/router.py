"""Routes of the sync protocol: the feed, the offline batch, the live event stream."""

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import delete
from sqlmodel import col
from sse_starlette import EventSourceResponse, ServerSentEvent

from server.auth.principal import Principal, build
from server.config import Settings
from server.db import Database
from server.deps import AppSettings, CurrentPrincipal, DbSession, bearer
from server.errors import Unauthorized
from server.openapi import errors
from server.sync import actions, registry, service
from server.sync.bus import STOP, Bus
from server.sync.cursor import Cursor, cursor_key
from server.sync.models_ext import EventTicket
from server.timeutil import utcnow
from shared.schemas.sync import EventTicket as EventTicketPublic
from shared.schemas.sync import PushRequest, PushResponse, SyncEvent, SyncPage

router = APIRouter(prefix="", tags=["sync"])

TICKET_SECONDS = 60


@router.get("/sync", response_model=SyncPage, responses=errors(400, 401, 410))
def sync_feed(principal: CurrentPrincipal, db: DbSession, settings: AppSettings,
              cursor: Annotated[str | None, Query(max_length=400)] = None,
              limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT) -> Response:
    """Changes since `cursor` (none: a full snapshot, in pages). An up-to-date device's poll is usually
    answered before this route by server/sync/idle.py; this is where everything else is decided."""
    page = service.feed(db, principal, cursor, limit, cursor_key(settings.resolved_secret()))
    # Written once by pydantic: FastAPI would validate the page again and encode it through
    # jsonable_encoder, 1.3 ms of a device's 20-document catch-up (the response model stays for the docs).
    return Response(page.model_dump_json(), media_type="application/json")


@router.post("/sync/push", response_model=PushResponse, responses=errors(401, 422))
def sync_push(body: PushRequest, principal: CurrentPrincipal, db: DbSession) -> PushResponse:
    results = actions.apply_batch(db, principal, body.actions)
    db.commit()
    return PushResponse(results=results, cursor_hint=service.current_version(db))


@router.post("/events/ticket", response_model=EventTicketPublic, responses=errors(401))
def events_ticket(principal: CurrentPrincipal, db: DbSession) -> EventTicketPublic:
    """A one-minute, single-use token for `GET /events?ticket=` (browsers' EventSource cannot send headers).

    Only its digest is stored; opening the stream spends it, so a ticket seen in a log or a proxy's history
    opens nothing. Spent and expired tickets leave no rows behind.
    """
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.execute(delete(EventTicket).where(col(EventTicket.expires_at) < now))
    db.add(EventTicket(digest=_digest(token), session_id=principal.session_id,
                       expires_at=now + timedelta(seconds=TICKET_SECONDS)))
    db.commit()
    return EventTicketPublic(ticket=token, expires_in=TICKET_SECONDS)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _spend_ticket(db: Database, ticket: str) -> int:
    """The device session a ticket was issued to; the ticket is gone afterwards, whoever asks next."""
    digest = _digest(ticket)
    with db.session(write=True) as session:
        row = session.get(EventTicket, digest)
        spent = session.execute(delete(EventTicket).where(col(EventTicket.digest) == digest)).rowcount
        session.commit()
    if row is None or spent != 1 or row.expires_at <= utcnow():
        raise Unauthorized("Vé kết nối đã hết hạn hoặc đã dùng. Hãy xin vé mới.", code="invalid_ticket")
    return row.session_id


def _stream_principal(app_state: Any, token: str | None, ticket: str | None
                      ) -> tuple[Principal, registry.View]:
    """Authenticate once at connect, in a short session: the stream itself holds no connection."""
    from server.auth import service as auth_service
    from server.auth.models import DeviceSession
    from server.members.models import User

    db: Database = app_state.db
    settings: Settings = app_state.settings
    session = db.session()
    try:
        if token:
            user, device = auth_service.authenticate_access_token(session, settings, token)
        elif ticket:
            session_id = _spend_ticket(db, ticket)
            found = session.get(DeviceSession, session_id)
            if found is None or found.revoked_at is not None:
                raise Unauthorized("Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.",
                                   code="session_revoked")
            device = found
            user_row = session.get(User, found.user_id)
            if user_row is None or not user_row.is_active:
                raise Unauthorized("Tài khoản đã bị khóa.", code="account_disabled")
            user = user_row
        else:
            raise Unauthorized()
        principal = build(session, user, device.id, None)
        return principal, registry.build_view(session, principal)
    finally:
        session.close()


def _still_signed_in(app_state: Any, session_id: int | None) -> bool:
    from server.auth.models import DeviceSession
    from server.members.models import User

    session = app_state.db.session()
    try:
        device = session.get(DeviceSession, session_id) if session_id is not None else None
        if device is None or device.revoked_at is not None:
            return False
        user = session.get(User, device.user_id)
        return user is not None and user.is_active
    finally:
        session.close()


def _catch_up(app_state: Any, view: registry.View, last: int | None) -> int | None:
    session = app_state.db.session()
    try:
        if last is None:
            return service.current_version(session)
        return service.latest_relevant_version(session, view, last)
    finally:
        session.close()


def _sync_event(version: int, view: registry.View) -> ServerSentEvent:
    body = SyncEvent(cursor=Cursor(version, view.fingerprint()).encode(), version=version)
    return ServerSentEvent(data=body.model_dump_json(), event="sync", id=str(version))


@router.get("/events", responses={**errors(401), 200: {"content": {"text/event-stream": {}}}})
async def events(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ticket: Annotated[str | None, Query(max_length=1000)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
) -> EventSourceResponse:
    token = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else None
    principal, view = await run_in_threadpool(_stream_principal, request.app.state, token, ticket)
    bus: Bus = request.app.state.bus
    sub = bus.subscribe(view.user_id, frozenset(view.org_ids))
    last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    settings: Settings = request.app.state.settings
    lifetime = settings.access_token_minutes * 60.0

    recheck = settings.sse_ping_seconds * 4  # how often a revoked sign-in is noticed (60 s by default)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + lifetime
        next_check = loop.time() + recheck
        try:
            newest = await run_in_threadpool(_catch_up, request.app.state, view, last)
            if newest is not None and (last is None or newest > last):
                yield _sync_event(newest, view)
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return  # the client reconnects with a fresh token (and Last-Event-ID)
                if loop.time() >= next_check:
                    next_check = loop.time() + recheck
                    if not await run_in_threadpool(_still_signed_in, request.app.state, principal.session_id):
                        return  # signed out, revoked or disabled: the device must sign in again
                try:
                    hint = await asyncio.wait_for(sub.queue.get(), timeout=min(remaining, recheck))
                except TimeoutError:
                    continue
                if hint is STOP:
                    return
                for note in hint.notifications:
                    if note.get("u") == view.user_id or note.get("o") in view.path_org_ids:
                        data = {k: note.get(k) for k in ("id", "kind", "title", "ref_type", "ref_id")}
                        data["created_at"] = note.get("at")
                        yield ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event="notification",
                                              id=str(hint.version))
                yield _sync_event(hint.version, view)
        finally:
            bus.unsubscribe(sub)

    return EventSourceResponse(stream(), ping=settings.sse_ping_seconds,
                               headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
