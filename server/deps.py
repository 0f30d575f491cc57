"""Request-scoped dependencies: the database session and the signed-in caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from server.auth.principal import Principal, build
from server.config import Settings
from server.db import Database
from server.errors import Unauthorized

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


def get_database(request: Request) -> Database:
    return request.app.state.db


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; writing methods take the write lock up front (SQLite)."""
    db: Database = request.app.state.db
    session = db.session(write=request.method not in _READ_METHODS)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_read_first_db(request: Request) -> Iterator[Session]:
    """A session that starts without the write lock, whatever the method; the route calls
    `server.db.begin_write` before writing. Only for writes that first do slow work (sign-in)."""
    db: Database = request.app.state.db
    session = db.session()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


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
    from server.auth import service as auth_service  # avoid an import cycle at module load

    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    user, device_session = auth_service.authenticate_access_token(
        session, request.app.state.settings, credentials.credentials
    )
    principal = build(session, user, device_session.id, client_address(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_staff(principal: CurrentPrincipal) -> Principal:
    principal.require_staff()
    return principal


StaffPrincipal = Annotated[Principal, Depends(require_staff)]
