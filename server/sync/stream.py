"""The live event stream (`GET /events`) as a plain ASGI handler: one coroutine per device.

A province keeps tens of thousands of phones on the stream. Through FastAPI and sse-starlette each open
stream cost about 60 KB (a task group of four tasks and their events, the routing and middleware
frames): 10,000 devices took 1 GB across two workers (bench/sse_fanout.py). Here a stream is this
coroutine, its subscriber queue and one task watching for the disconnect. It answers before routing;
the route in server/sync/router.py stays for the API description and the validation of odd requests,
and hands what it accepts to the same `serve_stream`: the stream is written in one place.
"""

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import delete
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth import security
from server.auth import service as auth_service
from server.auth.models import DeviceSession
from server.auth.principal import Principal, build
from server.db import Database
from server.errors import DomainError, Unauthorized, render
from server.records.members import User
from server.sync import registry, service
from server.sync.bus import STOP, Bus, Hint, Mailbox
from server.sync.cursor import Cursor
from server.sync.models_ext import EventTicket
from server.timeutil import utcnow
from shared.schemas.sync import SyncEvent

_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"), (b"connection", b"keep-alive")]
_GONE = Hint(version=-2)  # the device went away


class EventStream:
    """ASGI middleware: answers `GET {path}` itself; every other request goes on."""

    def __init__(self, app: ASGIApp, *, path: str, state: Any) -> None:
        self.app, self.path, self.state = app, path, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        await self.serve(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        _, ticket, last = _credentials(scope)
        if ticket is not None and len(ticket) > 1000 or last is not None and len(last) > 40:
            await self.app(scope, receive, send)  # the route says what is wrong with them
            return
        await serve_stream(self.state, scope, receive, send)


class StreamResponse(Response):
    """What the `/events` route answers: the same stream, for a request the middleware passed on."""

    def __init__(self, state: Any) -> None:
        super().__init__()
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await serve_stream(self.state, scope, receive, send)


async def serve_stream(state: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """Authenticate once, then write the device's events until it leaves, its sign-in ends or its token's
    lifetime is over."""
    token, ticket, last = _credentials(scope)
    try:
        principal, view = await run_in_threadpool(stream_principal, state, token, ticket)
    except DomainError as exc:
        await render(exc)(scope, receive, send)
        return
    session_id = principal.session_id
    view = registry.View(user_id=view.user_id, member_id=view.member_id, cell_id=view.cell_id,
                         path_org_ids=view.path_org_ids, led_cell_ids=view.led_cell_ids,
                         staff_org_ids=view.staff_org_ids, is_admin=view.is_admin)
    del principal  # the stream keeps ids only, not the account's ORM objects
    bus: Bus = state.bus
    sub = bus.subscribe(view.user_id, frozenset(view.org_ids))
    watcher = asyncio.create_task(_watch(receive, sub.queue))
    settings = state.settings
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.access_token_minutes * 60.0
    ping = settings.sse_ping_seconds
    recheck = ping * 4  # how often a revoked sign-in is noticed (60 s by default)
    next_check = loop.time() + recheck
    try:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        after = int(last) if last and last.isdigit() else None
        newest = await run_in_threadpool(catch_up, state, view, after)
        if newest is not None and (after is None or newest > after):
            await _send(send, _sync_event(newest, view))
        while True:
            now = loop.time()
            if now >= deadline:
                return  # the device reconnects with a fresh token (and Last-Event-ID)
            if now >= next_check:
                next_check = now + recheck
                if not await run_in_threadpool(still_signed_in, state, session_id):
                    return  # signed out, revoked or disabled: the device must sign in again
            try:
                hint = await asyncio.wait_for(sub.queue.get(), timeout=min(deadline - now, ping))
            except TimeoutError:
                await _send(send, b": ping\r\n\r\n")
                continue
            if hint is STOP or hint is _GONE:
                return
            for note in hint.notifications:
                if note.get("u") == view.user_id or note.get("o") in view.path_org_ids:
                    data = {k: note.get(k) for k in ("id", "kind", "title", "ref_type", "ref_id")}
                    data["created_at"] = note.get("at")
                    await _send(send, _event("notification", json.dumps(data, ensure_ascii=False),
                                             hint.version))
            await _send(send, _sync_event(hint.version, view))
    except OSError:
        return  # the connection broke while writing
    finally:
        bus.unsubscribe(sub)
        watcher.cancel()
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _watch(receive: Receive, mailbox: Mailbox) -> None:
    """Wake the stream when the device disconnects (uvicorn says so on `receive`)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            mailbox.put(_GONE)
            return


async def _send(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


def _event(name: str, data: str, version: int) -> bytes:
    return f"event: {name}\r\ndata: {data}\r\nid: {version}\r\n\r\n".encode()


def _sync_event(version: int, view: registry.View) -> bytes:
    body = SyncEvent(cursor=Cursor(version, view.fingerprint()).encode(), version=version)
    return _event("sync", body.model_dump_json(), version)


def _credentials(scope: Scope) -> tuple[str | None, str | None, str | None]:
    """(bearer token, ticket, Last-Event-ID) of the request."""
    last = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"last-event-id"), None)
    token = security.bearer_token(scope)
    tickets = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket")
    return token, tickets[0] if tickets else None, last


def spend_ticket(db: Database, ticket: str) -> int:
    """The device session a ticket was issued to; the ticket is gone afterwards, whoever asks next."""
    digest = security.digest(ticket)
    with db.session(write=True) as session:
        row = session.get(EventTicket, digest)
        spent = session.execute(delete(EventTicket).where(col(EventTicket.digest) == digest)).rowcount
        session.commit()
    if row is None or spent != 1 or row.expires_at <= utcnow():
        raise Unauthorized("Vé kết nối đã hết hạn hoặc đã dùng. Hãy xin vé mới.", code="invalid_ticket")
    return row.session_id


def stream_principal(state: Any, token: str | None, ticket: str | None) -> tuple[Principal, registry.View]:
    """Authenticate once at connect, in a short session: the stream itself holds no connection."""
    db: Database = state.db
    session = db.session()
    try:
        if token:
            user, device = auth_service.authenticate_access_token(session, state.settings, token)
        elif ticket:
            user, device = auth_service.authenticate_event_ticket(session, state.settings, ticket)
            if spend_ticket(db, ticket) != device.id:  # single use: the row its digest was stored in
                raise Unauthorized("Vé kết nối không hợp lệ. Hãy xin vé mới.", code="invalid_ticket")
        else:
            raise Unauthorized()
        principal = build(session, user, device.id, None)
        return principal, registry.build_view(session, principal)
    finally:
        session.close()


def still_signed_in(state: Any, session_id: int | None) -> bool:
    session = state.db.session()
    try:
        device = session.get(DeviceSession, session_id) if session_id is not None else None
        if device is None or device.revoked_at is not None:
            return False
        user = session.get(User, device.user_id)
        return user is not None and user.is_active
    finally:
        session.close()


def catch_up(state: Any, view: registry.View, last: int | None) -> int | None:
    session = state.db.session()
    try:
        if last is None:
            return service.current_version(session)
        return service.latest_relevant_version(session, view, last)
    finally:
        session.close()
