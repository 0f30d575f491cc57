"""Request-scoped dependencies: the database session and the signed-in caller."""

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from server.auth import service as auth_service
from server.auth.principal import Principal, build
from server.config import Settings
from server.db import Database
from server.errors import DomainError, Unauthorized
from server.records import audit
from server.timeutil import utcnow

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


def get_database(request: Request) -> Database:
    return request.app.state.db


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def sqlite_write_gate(state: Any) -> asyncio.Semaphore | None:
    """SQLite has one writer: one semaphore per event loop lets writing requests queue without a thread.

    `state` is the app's state; None on engines with concurrent writers."""
    if not state.settings.is_sqlite:
        return None
    gates = getattr(state, "write_gates", None)
    if gates is None:
        gates = state.write_gates = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    if loop not in gates:
        gates[loop] = asyncio.Semaphore(1)
    return gates[loop]


def _write_gate(request: Request) -> asyncio.Semaphore | None:
    if request.method in _READ_METHODS:
        return None
    return sqlite_write_gate(request.app.state)


async def write_gate(request: Request) -> AsyncIterator[None]:
    """Writing requests wait here, in the event loop, before any worker thread takes SQLite's write lock.

    Without it a burst of writers fills the thread pool with threads blocked on the lock while the holder
    waits for a free thread for its next dependency/endpoint: every one fails with "database is locked".
    """
    gate = _write_gate(request)
    if gate is None:
        yield
        return
    with request.app.state.db.request_writing():
        async with gate:
            yield


WriteGate = Annotated[None, Depends(write_gate)]


def get_db(request: Request, _gate: WriteGate) -> Iterator[Session]:
    """One session per request; writing methods take the write lock up front (SQLite), after the gate."""
    db: Database = request.app.state.db
    yield from _request_session(request, db.session(write=request.method not in _READ_METHODS))


def _request_session(request: Request, session: Session) -> Iterator[Session]:
    """Yield the request's session; on a refusal, roll back and keep its audit entry; always close."""
    try:
        yield session
    except DomainError as exc:
        session.rollback()
        if exc.audit is not None:
            _keep_refusal(request, session, exc.audit)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _keep_refusal(request: Request, session: Session, entry: dict) -> None:
    """Write a refused attempt's audit entry on its own, the request's work having been rolled back."""
    route = request.scope.get("route")
    detail = {**(entry.get("detail") or {}), "route": f"{request.method} {getattr(route, 'path', '?')}"}
    audit.record(session, **{**entry, "detail": detail})
    session.commit()


def get_read_first_db(request: Request) -> Iterator[Session]:
    """A session that starts without the write lock, whatever the method; the route calls
    `server.db.begin_write` before writing. Only for writes that first do slow work (sign-in, imports)."""
    db: Database = request.app.state.db
    yield from _request_session(request, db.session())


def arrival(request: Request) -> datetime:
    """When the request reached the server (server/kit/arrival.py), before any queue."""
    arrived = getattr(request.state, "arrived_at", None)
    return arrived if isinstance(arrived, datetime) else utcnow()


ArrivedAt = Annotated[datetime, Depends(arrival)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


DbSession = Annotated[Session, Depends(get_db)]
ReadFirstDbSession = Annotated[Session, Depends(get_read_first_db)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


def get_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    user, device_session = auth_service.authenticate_access_token(
        session, request.app.state.settings, credentials.credentials
    )
    principal = build(session, user, device_session.id, client_address(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_read_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, loaded on a short read session closed before the route runs.

    For routes that must not hold a connection or SQLite's write lock across thread hops or a slow body
    (check-in bursts, uploads): they open their own write transaction in one thread when they need it.
    """
    db: Database = request.app.state.db
    session = db.session()
    try:
        return get_principal(request, session, credentials)
    finally:
        session.close()  # close, not rollback: rollback would expire the principal's loaded rows


ReadPrincipal = Annotated[Principal, Depends(get_read_principal)]


def require_staff(principal: CurrentPrincipal) -> Principal:
    principal.require_staff()
    return principal


StaffPrincipal = Annotated[Principal, Depends(require_staff)]


def require_read_staff(principal: ReadPrincipal) -> Principal:
    principal.require_staff()
    return principal


ReadStaffPrincipal = Annotated[Principal, Depends(require_read_staff)]
