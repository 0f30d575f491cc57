"""Routes for sign-in, tokens, device sessions and the caller's profile."""

from fastapi import APIRouter, Request, status

from server.auth import service
from server.deps import AppSettings, CurrentPrincipal, DbSession, ReadFirstDbSession, client_address
from server.members import service as members
from server.openapi import AUTHED, errors
from shared.schemas.auth import (
    DeviceSessionPublic,
    LoginRequest,
    MePublic,
    PasswordChange,
    RefreshRequest,
    TokenPair,
)

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=TokenPair, responses=errors(401, 422, 429))
def login(body: LoginRequest, request: Request, db: ReadFirstDbSession, settings: AppSettings) -> TokenPair:
    try:
        tokens = service.login(db, settings, username=body.username, password=body.password,
                               device_name=body.device_name, address=client_address(request),
                               device_token=body.device_token)
    except service.AuthFailure:
        db.commit()  # the failure is audited (and counts towards the lockout) before it is reported
        raise
    db.commit()
    return tokens


@router.post("/auth/refresh", response_model=TokenPair, responses=errors(401, 422))
def refresh(body: RefreshRequest, request: Request, db: DbSession, settings: AppSettings) -> TokenPair:
    try:
        tokens = service.refresh(db, settings, body.refresh_token, client_address(request))
    except service.AuthFailure:
        db.commit()  # reuse detection revokes the session even though the call fails
        raise
    db.commit()
    return tokens


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=AUTHED)
def logout(principal: CurrentPrincipal, db: DbSession) -> None:
    service.logout(db, principal)
    db.commit()


@router.get("/auth/sessions", response_model=list[DeviceSessionPublic], responses=AUTHED)
def sessions(principal: CurrentPrincipal, db: DbSession) -> list[DeviceSessionPublic]:
    return service.list_sessions(db, principal)


@router.delete("/auth/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=errors(401, 404, 422))
def revoke_session(session_id: int, principal: CurrentPrincipal, db: DbSession) -> None:
    service.revoke_session(db, principal, session_id)
    db.commit()


@router.post("/auth/sessions/revoke-others", responses=AUTHED)
def revoke_others(principal: CurrentPrincipal, db: DbSession) -> dict[str, int]:
    count = service.revoke_other_sessions(db, principal)
    db.commit()
    return {"revoked": count}


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT, responses=AUTHED)
def change_password(body: PasswordChange, principal: CurrentPrincipal, db: DbSession) -> None:
    service.change_password(db, principal, body.current_password, body.new_password)
    db.commit()


@router.get("/me", response_model=MePublic, responses=AUTHED)
def me(principal: CurrentPrincipal, db: DbSession) -> MePublic:
    return members.me(db, principal)
