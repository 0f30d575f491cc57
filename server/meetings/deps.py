"""A short path for check-ins: authenticate on a read session, then do the whole write in ONE thread.

The generic `DbSession` takes SQLite's write lock in a dependency's worker thread and keeps it across the
further thread hops of the route (principal, endpoint). Check-ins come in bursts, so their route holds the
lock only while it writes; like every writing route it first passes `server.deps.write_gate`.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlmodel import Session

from server.auth.principal import Principal, build
from server.db import Database
from server.deps import bearer, client_address
from server.errors import Unauthorized

T = TypeVar("T")


def read_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    from server.auth import service as auth_service

    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    db: Database = request.app.state.db
    session = db.session()
    try:
        user, device = auth_service.authenticate_access_token(
            session, request.app.state.settings, credentials.credentials
        )
        principal = build(session, user, device.id, client_address(request))
    finally:
        session.close()  # detaches without expiring: the principal's rows stay loaded
    request.state.principal = principal
    return principal


ReadPrincipal = Annotated[Principal, Depends(read_principal)]


def in_write_transaction(db: Database, work: Callable[[Session], T]) -> T:
    """Run `work` on a write session in the calling thread; it commits itself (once)."""
    session = db.session(write=True)
    try:
        return work(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
