"""Password hashing (argon2id through libpass's passlib API), signed access tokens and live-stream tickets."""

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

import jwt
from passlib.context import CryptContext

from server.timeutil import utcnow

# ASVS 5: argon2id, m=19 MiB, t=2, p=1 at least; nothing truncated.
_pwd = CryptContext(
    schemes=["argon2"],
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified against when the account does not exist, so the failure path costs the same.
_DUMMY_HASH = _pwd.hash(secrets.token_urlsafe(16))

ALGORITHM = "HS256"


def _normal(password: str) -> str:
    # The same Vietnamese password typed on keyboards that compose (NFC) or not (NFD) must match.
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return _pwd.hash(_normal(password))


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(ok, new_hash): new_hash is set when the stored hash should be upgraded.

    Every path runs one argon2 verification, so an unknown account or an unusable stored hash
    costs the same time as a wrong password.
    """
    password = _normal(password)
    if not password_hash or not _pwd.identify(password_hash):
        burn_time(password)
        return False, None
    try:
        return _pwd.verify_and_update(password, password_hash)
    except (ValueError, TypeError):
        burn_time(password)
        return False, None


def burn_time(password: str) -> None:
    _pwd.verify(password, _DUMMY_HASH)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_access_token(secret: str, *, user_id: int, session_id: int, minutes: int) -> tuple[str, int]:
    now = utcnow()
    exp = now + timedelta(minutes=minutes)
    payload = {"sub": str(user_id), "sid": session_id, "iat": now, "exp": exp, "typ": "access"}
    return jwt.encode(payload, secret, algorithm=ALGORITHM), minutes * 60


def read_access_token(secret: str, token: str) -> dict[str, Any] | None:
    return _read(secret, token, "access")


def make_event_ticket(secret: str, *, user_id: int, session_id: int, seconds: int) -> str:
    """A short ticket for the live stream (`GET /events?ticket=`: a browser's EventSource sends no header).

    Signed like the access token, with its own type, so neither opens what the other does; it is also
    single-use: the caller stores `digest(ticket)` and the stream spends that row.
    """
    now = utcnow()
    payload = {"sub": str(user_id), "sid": session_id, "iat": now, "exp": now + timedelta(seconds=seconds),
               "typ": "events", "jti": secrets.token_urlsafe(16)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_event_ticket(secret: str, token: str) -> dict[str, Any] | None:
    return _read(secret, token, "events")


def _read(secret: str, token: str, typ: str) -> dict[str, Any] | None:
    """The claims of a token of this type, signed by us and not expired; None for anything else."""
    try:
        data = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]})
    except jwt.PyJWTError:
        return None
    if data.get("typ") != typ:
        return None
    return data


def bearer_token(scope: Any) -> str | None:
    """The Bearer token of a raw ASGI request, for the middlewares that answer before routing."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else None
    return None


def expires(days: int) -> datetime:
    return utcnow() + timedelta(days=days)
