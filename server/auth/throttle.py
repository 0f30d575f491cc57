"""Sign-in throttling that a stranger cannot turn against a member (OWASP's device cookies).

Failures are audit entries (`auth.login_failed`), counted three ways:
- a known device (it presents a device token this server gave after a sign-in to this account) has its own
  small budget, and nobody else's failures touch it: the member's own phone keeps signing in;
- an unknown client is limited per (account, address) and per address;
- across all unknown clients an account is slowed, never locked: past a ceiling each further try must wait
  a delay that doubles up to a minute, so guessing stays slow while the owner loses at most that minute.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.config import Settings
from server.errors import RateLimited
from server.records.audit import AuditEntry
from server.timeutil import utcnow

LOGIN_FAILED = "auth.login_failed"
LOGIN_OK = "auth.login"
MAX_SLOWDOWN_SECONDS = 60
DEVICE_BUDGET = 5  # failures a known device may make in a window before it too must wait


@dataclass(frozen=True)
class Client:
    """Who is trying: the account, the address, and the device when its token is genuine."""

    account: str
    address: str | None
    device: str | None  # the device token's nonce, when valid for this account

    @property
    def failure_target(self) -> str:
        """What a failure is recorded against: the account, or the account on this known device."""
        return f"{self.account}#{self.device}" if self.device else self.account


def _sign(secret: str, account: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), f"device:{account}:{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def new_device_token(secret: str, account: str) -> str:
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_sign(secret, account, nonce)}"


def device_of(secret: str, account: str, token: str | None) -> str | None:
    """The nonce of a genuine device token for `account`; None for a missing, forged or foreign one."""
    if not token or token.count(".") != 1:
        return None
    nonce, sig = token.split(".")
    if not nonce or not hmac.compare_digest(sig, _sign(secret, account, nonce)):
        return None
    return nonce


def _failures(session: Session, since: datetime, *conditions) -> tuple[int, datetime | None, datetime | None]:  # type: ignore[no-untyped-def]
    count, oldest, newest = session.execute(
        select(func.count(), func.min(AuditEntry.at), func.max(AuditEntry.at)).where(
            AuditEntry.action == LOGIN_FAILED, AuditEntry.at >= since, *conditions
        )
    ).one()
    return int(count), oldest, newest


def _refuse(seconds: float) -> RateLimited:
    wait = max(1, int(seconds + 0.999))
    shown = f"{wait} giây" if wait < 120 else f"{wait // 60 + 1} phút"
    return RateLimited(wait, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {shown}.",
                       code="too_many_attempts")


def check(session: Session, settings: Settings, client: Client) -> None:
    """Raise 429 `too_many_attempts` (with Retry-After) when this client must wait; else return."""
    now = utcnow()
    window = timedelta(minutes=settings.login_window_minutes)
    since = now - window
    last_ok = session.execute(
        select(func.max(AuditEntry.at)).where(AuditEntry.action == LOGIN_OK,
                                              AuditEntry.target_id == client.account)
    ).scalar_one_or_none()
    account_since = max(since, last_ok) if last_ok else since

    if client.device:
        count, oldest, _ = _failures(session, account_since, AuditEntry.target_id == client.failure_target)
        if count >= DEVICE_BUDGET and oldest is not None:
            raise _refuse((oldest + window - now).total_seconds())
        return

    if client.address:
        count, oldest, _ = _failures(session, since, col(AuditEntry.client_address) == client.address)
        if count >= settings.login_max_failures_address and oldest is not None:
            raise _refuse((oldest + window - now).total_seconds())
        count, oldest, _ = _failures(session, account_since, AuditEntry.target_id == client.account,
                                     col(AuditEntry.client_address) == client.address)
        if count >= settings.login_max_failures_account and oldest is not None:
            raise _refuse((oldest + window - now).total_seconds())

    # Every unknown client together: slowed past the ceiling, by a delay that doubles to a minute.
    count, _, newest = _failures(session, account_since, AuditEntry.target_id == client.account)
    over = count - settings.login_max_failures_account
    if over >= 0 and newest is not None:
        delay = min(MAX_SLOWDOWN_SECONDS, 2 ** min(over, 6))
        remaining = (newest + timedelta(seconds=delay) - now).total_seconds()
        if remaining > 0:
            raise _refuse(remaining)
