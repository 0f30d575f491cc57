"""Device sessions and their rotating refresh tokens."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.fields import utc_field


class DeviceSession(SQLModel, table=True):
    """One sign-in on one device; access tokens name it and die with it."""

    __tablename__ = "device_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    device_name: str | None = Field(default=None, max_length=120)
    client_address: str | None = Field(default=None, max_length=64)
    # The nonce of the device token this sign-in gave: the device presents it at its next sign-in, which
    # then replaces this session (one row per device in "Thiết bị đã đăng nhập").
    device_key: str | None = Field(default=None, max_length=32)
    created_at: datetime = utc_field(default_now=True)
    last_seen_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True)
    revoked_reason: str | None = Field(default=None, max_length=40)


class RefreshToken(SQLModel, table=True):
    """Stored as a SHA-256 digest; spent on use, and a spent one coming back revokes the session."""

    __tablename__ = "refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="device_session.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)
