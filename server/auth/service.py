"""Sign-in, token rotation, device sessions and password changes."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, col

from server.auth import security, throttle
from server.auth.models import DeviceSession, RefreshToken
from server.auth.principal import Principal
from server.config import Settings
from server.db import begin_write
from server.errors import DomainError, NotFound, Unauthorized, Unprocessable
from server.records import audit
from server.records.members import Member, User
from server.timeutil import utcnow
from shared.schemas.auth import DeviceSessionPublic, TokenPair
from shared.text import nfc

LOGIN_FAILED = throttle.LOGIN_FAILED
LOGIN_OK = throttle.LOGIN_OK
REPLACED = "replaced"  # revoked_reason: the same device signed in again


class AuthFailure(DomainError):
    """A failure that must be recorded (audit, revocation) before it is reported: commit, then raise."""

    status = 401
    code = "invalid_credentials"
    message = "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra lại rồi thử lại."


def _login_key(username: str) -> str:
    return nfc(username).lower()


def _find_user(session: Session, login: str) -> User | None:
    user = session.execute(select(User).where(User.username == login)).scalar_one_or_none()
    if user is None and login.isdigit():
        user = session.execute(
            select(User).join(Member, Member.id == User.member_id).where(Member.card_number == login)
        ).scalar_one_or_none()
    return user


def _issue(session: Session, settings: Settings, user: User, device: DeviceSession) -> TokenPair:
    assert user.id is not None and device.id is not None
    refresh = security.new_refresh_token()
    session.add(RefreshToken(session_id=device.id, token_hash=security.digest(refresh),
                             expires_at=security.expires(settings.refresh_token_days)))
    access, expires_in = security.make_access_token(
        settings.resolved_secret(), user_id=user.id, session_id=device.id,
        minutes=settings.access_token_minutes,
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=expires_in)


def _account_key(user: User | None, login_key: str) -> str:
    """What failures count against: the account itself (whether named by username or card number)."""
    return user.username.lower() if user is not None else login_key


def login(
    session: Session, settings: Settings, *, username: str, password: str,
    device_name: str | None, address: str | None, device_token: str | None = None,
) -> TokenPair:
    """Check the credentials, then record the outcome.

    The argon2 verification (tens of milliseconds of CPU) runs in a read transaction; only the short
    bookkeeping afterwards takes the write lock. On SQLite a burst of sign-ins therefore does not queue
    every other writer behind password hashing. `session` must not yet hold the write lock.
    """
    login_key = _login_key(username)
    user = _find_user(session, login_key)
    account = _account_key(user, login_key)
    secret = settings.resolved_secret()
    client = throttle.Client(account, address, throttle.device_of(secret, account, device_token))
    throttle.check(session, settings, client)
    verified_hash = user.password_hash if user else None
    # Verified whether or not the account exists: the failure path costs the same time.
    ok, new_hash = security.verify_password(password, verified_hash)
    user_id = user.id if user else None

    begin_write(session)
    user = session.get(User, user_id) if user_id is not None else None
    # The lock is ours now: count failures that other requests recorded meanwhile.
    throttle.check(session, settings, client)

    def fail(reason: str, message: str | None = None, code: str | None = None) -> AuthFailure:
        audit.record(session, LOGIN_FAILED, actor_user_id=user.id if user else None, target_type="login",
                     target_id=client.failure_target, client_address=address,
                     detail={"reason": reason, "known_device": client.device is not None},
                     org_id=_member_org(session, user))
        return AuthFailure(message, code=code)

    if user is None or not ok or user.password_hash != verified_hash:
        raise fail("bad_credentials")
    if not user.is_active:
        raise fail("disabled", "Tài khoản đã bị khóa. Liên hệ cấp ủy để được hỗ trợ.", "account_disabled")
    if user.is_demo and not settings.demo:
        raise fail("demo_account", "Tài khoản mẫu chỉ dùng được ở chế độ trình diễn.",
                   "demo_account_disabled")
    if new_hash:
        user.password_hash = new_hash
    now = utcnow()
    replaced = _replace_device_sessions(session, user.id or 0, client.device)
    # The device's proof that it signed in here before: it keeps signing in while strangers are slowed,
    # and its next sign-in replaces this session.
    device_token = throttle.new_device_token(secret, account)
    device = DeviceSession(user_id=user.id or 0, device_name=device_name, client_address=address,
                           device_key=throttle.device_of(secret, account, device_token),
                           created_at=now, last_seen_at=now,
                           expires_at=now + timedelta(days=settings.session_idle_days))
    session.add(device)
    session.flush()
    detail: dict[str, object] = {"session_id": device.id, "device": device_name}
    if replaced:
        detail["replaced_sessions"] = replaced
    audit.record(session, LOGIN_OK, actor_user_id=user.id, target_type="login", target_id=account,
                 client_address=address, org_id=_member_org(session, user), detail=detail)
    pair = _issue(session, settings, user, device)
    pair.device_token = device_token
    return pair


def _replace_device_sessions(session: Session, user_id: int, device_key: str | None) -> list[int]:
    """End the still-active sessions this device (a genuine device token) opened for this user before:
    signing in again replaces them, so the device is listed once. Returns their ids (for the audit entry)."""
    if device_key is None:
        return []
    ids = list(session.execute(
        select(DeviceSession.id).where(DeviceSession.user_id == user_id,
                                       DeviceSession.device_key == device_key,
                                       DeviceSession.revoked_at.is_(None))
        .order_by(DeviceSession.id)
    ).scalars())
    if ids:
        session.execute(update(DeviceSession).where(col(DeviceSession.id).in_(ids))
                        .values(revoked_at=utcnow(), revoked_reason=REPLACED))
    return [i for i in ids if i is not None]


def _member_org(session: Session, user: User | None) -> int | None:
    if user is None or user.member_id is None:
        return None
    member = session.get(Member, user.member_id)
    return member.org_id if member else None


def refresh(session: Session, settings: Settings, token: str, address: str | None) -> TokenPair:
    row = session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == security.digest(token))
    ).scalar_one_or_none()
    if row is None:
        raise AuthFailure("Phiên đăng nhập không hợp lệ. Vui lòng đăng nhập lại.",
                          code="invalid_refresh_token")
    device = session.get(DeviceSession, row.session_id)
    now = utcnow()
    if device is None or device.revoked_at is not None:
        message, code = _ended(device)
        raise AuthFailure(message, code=code)
    user = session.get(User, device.user_id)
    if row.used_at is not None:
        raise _reused(session, device, user, address)
    if row.expires_at <= now or device.expires_at <= now:
        raise AuthFailure("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.", code="session_expired")
    if user is None or not user.is_active:
        raise AuthFailure("Tài khoản đã bị khóa.", code="account_disabled")
    if user.is_demo and not settings.demo:
        raise AuthFailure("Tài khoản mẫu chỉ dùng được ở chế độ trình diễn.",
                          code="demo_account_disabled")
    # Spend the token with a guarded UPDATE: of two concurrent refreshes with one token only one wins,
    # the other is a reuse (on PostgreSQL the row lock makes the loser wait and then see used_at set).
    spent = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if not getattr(spent, "rowcount", 0):
        raise _reused(session, device, user, address)
    # Spent tokens are kept a while to recognise a replay; older ones go, or an active device would add
    # a row every few minutes for as long as it stays signed in.
    session.execute(
        delete(RefreshToken).where(
            RefreshToken.session_id == device.id,
            col(RefreshToken.used_at) < now - timedelta(hours=settings.refresh_reuse_memory_hours),
        )
    )
    device.last_seen_at = now
    device.expires_at = now + timedelta(days=settings.session_idle_days)
    if address:
        device.client_address = address
    return _issue(session, settings, user, device)


def _reused(session: Session, device: DeviceSession, user: User | None, address: str | None) -> AuthFailure:
    """A spent token came back: someone holds a copy. End the whole device session."""
    _revoke(session, device, "refresh_reuse")
    audit.record(session, "auth.refresh_reuse", actor_user_id=device.user_id, target_type="session",
                 target_id=device.id, client_address=address, org_id=_member_org(session, user),
                 detail={"session_id": device.id})
    return AuthFailure("Phiên đăng nhập đã bị thu hồi vì lý do an toàn. Vui lòng đăng nhập lại.",
                       code="refresh_token_reused")


def _revoke(session: Session, device: DeviceSession, reason: str) -> None:
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_reason = reason
        session.add(device)


def revoke_all(session: Session, user_id: int, reason: str, *, except_session: int | None = None) -> int:
    q = update(DeviceSession).where(DeviceSession.user_id == user_id, DeviceSession.revoked_at.is_(None))
    if except_session is not None:
        q = q.where(DeviceSession.id != except_session)
    result = session.execute(q.values(revoked_at=utcnow(), revoked_reason=reason))
    return int(getattr(result, "rowcount", 0) or 0)


ENDED_BY_STAFF = ("Cấp ủy đã kết thúc phiên đăng nhập trên thiết bị này (báo mất máy) nên dữ liệu trên máy "
                  "đã được xoá. Nếu đây là máy của bạn, hãy đăng nhập lại.")


def _ended(device: DeviceSession | None) -> tuple[str, str]:
    """(message, code) for a request on an ended session; a phone reported lost says so, so that its
    owner, finding it again, knows why the documents are gone."""
    if device is not None and device.revoked_reason == "ended_by_staff":
        return ENDED_BY_STAFF, "session_ended_by_staff"
    return "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.", "session_revoked"


def authenticate_access_token(session: Session, settings: Settings, token: str) -> tuple[User, DeviceSession]:
    data = security.read_access_token(settings.resolved_secret(), token)
    if data is None:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.", code="invalid_token")
    return _signed_in(session, settings, data)


def authenticate_event_ticket(
    session: Session, settings: Settings, ticket: str
) -> tuple[User, DeviceSession]:
    """The same checks as an access token's, for a live-stream ticket (its single use is the stream's)."""
    data = security.read_event_ticket(settings.resolved_secret(), ticket)
    if data is None:
        raise Unauthorized("Vé kết nối đã hết hạn hoặc đã dùng. Hãy xin vé mới.", code="invalid_ticket")
    return _signed_in(session, settings, data)


def _signed_in(session: Session, settings: Settings, data: dict[str, Any]) -> tuple[User, DeviceSession]:
    """The device session a token names is live, is its user's, and the user may sign in."""
    device = session.get(DeviceSession, int(data["sid"]))
    if device is None or device.revoked_at is not None or str(device.user_id) != str(data["sub"]):
        own = device is not None and str(device.user_id) == str(data["sub"])
        message, code = _ended(device if own else None)
        raise Unauthorized(message, code=code)
    user = session.get(User, device.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("Tài khoản đã bị khóa.", code="account_disabled")
    if user.is_demo and not settings.demo:
        raise Unauthorized("Tài khoản mẫu chỉ dùng được ở chế độ trình diễn.", code="demo_account_disabled")
    return user, device


def logout(session: Session, principal: Principal) -> None:
    device = session.get(DeviceSession, principal.session_id)
    if device is not None:
        _revoke(session, device, "logout")
        audit.record(session, "auth.logout", actor=principal, target_type="session", target_id=device.id,
                     org_id=principal.cell_id)


def list_sessions(session: Session, principal: Principal) -> list[DeviceSessionPublic]:
    rows = session.execute(
        select(DeviceSession)
        .where(DeviceSession.user_id == principal.user_id, DeviceSession.revoked_at.is_(None),
               DeviceSession.expires_at > utcnow())
        .order_by(DeviceSession.last_seen_at.desc())
    ).scalars()
    return [
        DeviceSessionPublic.model_validate(d).model_copy(update={"current": d.id == principal.session_id})
        for d in rows
    ]


def revoke_session(session: Session, principal: Principal, session_id: int) -> None:
    device = session.get(DeviceSession, session_id)
    if device is None or device.user_id != principal.user_id:
        raise NotFound("Không tìm thấy phiên đăng nhập.", code="session_not_found")
    _revoke(session, device, "revoked_by_user")
    audit.record(session, "auth.session_revoked", actor=principal, target_type="session",
                 target_id=session_id, org_id=principal.cell_id)


def revoke_other_sessions(session: Session, principal: Principal) -> int:
    count = revoke_all(session, principal.user_id, "revoked_by_user", except_session=principal.session_id)
    audit.record(session, "auth.sessions_revoked", actor=principal, target_type="user",
                 target_id=principal.user_id, org_id=principal.cell_id, detail={"count": count})
    return count


def change_password(session: Session, principal: Principal, current: str, new: str) -> None:
    ok, _ = security.verify_password(current, principal.user.password_hash)
    if not ok:
        raise Unprocessable("Mật khẩu hiện tại không đúng. Hãy nhập lại.", code="wrong_password")
    if current == new:
        raise Unprocessable("Mật khẩu mới phải khác mật khẩu cũ.", code="same_password")
    user = principal.user
    user.password_hash = security.hash_password(new)
    user.password_changed_at = utcnow()
    session.add(user)
    count = revoke_all(session, principal.user_id, "password_changed", except_session=principal.session_id)
    audit.record(session, "auth.password_changed", actor=principal, target_type="user",
                 target_id=principal.user_id, org_id=principal.cell_id, detail={"sessions_ended": count})


def purge_stale_sessions(session: Session, *, older_than_days: int = 30, now: datetime | None = None) -> int:
    """Delete device sessions (and their refresh tokens) revoked or expired more than N days ago.

    For a periodic job: the audit log keeps the history; these rows only serve live sessions.
    """
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    dead = select(DeviceSession.id).where(
        or_(col(DeviceSession.revoked_at) < cutoff, DeviceSession.expires_at < cutoff)
    )
    session.execute(delete(RefreshToken).where(RefreshToken.session_id.in_(dead)))
    result = session.execute(delete(DeviceSession).where(DeviceSession.id.in_(dead)))
    return int(getattr(result, "rowcount", 0) or 0)
