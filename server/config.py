"""All server settings in one place, read from SOTAY_* environment variables."""

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Literals that must never protect a deployment.
_REFUSED_SECRETS = {"", "secret", "changeme", "change-me", "dev", "test", "sotay", "please-change-me"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOTAY_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = Field(default=None, description="Default: SQLite file in data_dir")
    secret_key: str | None = Field(default=None, description="Default: generated once, kept in data_dir")

    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    session_idle_days: int = Field(default=30, ge=1, le=365)
    # How long a spent refresh token is remembered: presented again within this time it revokes its session.
    refresh_reuse_memory_hours: int = Field(default=72, ge=1)

    login_max_failures_account: int = Field(default=5, ge=1)
    login_max_failures_address: int = Field(default=30, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)

    upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, description="Largest attachment file")
    # Body limits, checked before a byte is read (server/kit/limits.py); over them the answer is 413.
    json_max_bytes: int = Field(default=1024 * 1024, ge=16 * 1024,
                                description="Largest request body on every route not listed below")
    text_max_bytes: int = Field(default=8 * 1024 * 1024, ge=16 * 1024,
                                description="Long-text routes: document create/edit, meetings, minutes")
    push_max_bytes: int = Field(default=8 * 1024 * 1024, ge=16 * 1024,
                                description="A batch of offline actions (POST /sync/push)")
    import_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024,
                                  description="Largest member list file (POST /members/import)")
    files_dir_override: Path | None = Field(
        default=None, alias="SOTAY_FILES_DIR", description="Attachments directory; default data_dir/files"
    )
    file_store: Literal["local", "database"] = Field(
        default="local", description="Where attachments live: files_dir, or the database (several hosts)")
    import_max_rows: int = 20_000
    import_parse_in_process: bool = Field(
        default=True, description="Unpack member import files in a worker process, off the server's GIL")
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed; "
                    "default none: the peer's own address is the client's",
    )
    timezone: str = "Asia/Ho_Chi_Minh"
    offline_max_days: int = Field(
        default=30, ge=1, le=365,
        description="A device out of touch with the server this many days wipes its copy and asks to sign in")
    demo: bool = Field(default=False, description="Demo mode: demo accounts may sign in")
    api_docs: bool = Field(default=False, description="Serve /docs, /redoc, /openapi.json (on with --demo)")
    hsts: bool = Field(default=True, description="Strict-Transport-Security on answers served over TLS")

    db_pool_size: int = 20
    db_max_overflow: int = 30
    run_scheduler: bool = True
    redis_url: str | None = None
    workers: int = Field(
        default=1, ge=1, le=64,
        description="Worker processes of this server (`serve --workers` sets it); with several on SQLite and "
                    "no Redis, live push between them reads the change log every push_poll_seconds")
    push_poll_seconds: float = Field(default=0.25, gt=0, le=10)
    sync_log_days: int = Field(default=90, ge=1, description="Change log kept; older cursors get 410")
    sync_document_months: int = Field(
        default=12, ge=1, le=240,
        description="A device's first sync carries the documents published in the last this many months, "
                    "plus the still relevant older ones (server/documents/sync.py); the rest is "
                    "searched online")
    sync_unread_months: int = Field(
        default=36, ge=1, le=240,
        description="...and the unread documents addressed to the member's own cell from this many "
                    "months back")
    sse_ping_seconds: float = Field(default=15, gt=0)
    review_top_share: float = Field(
        default=0.2, ge=0, le=1,
        description="Year-end classification: the share of \"Hoàn thành xuất sắc\" allowed relative to "
                    "those rated \"Hoàn thành tốt\" in the confirming unit; exceeding it is warned about, "
                    "never applied")

    _generated_secret: str | None = PrivateAttr(default=None)

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: str | None) -> str | None:
        if value is not None and (value.strip().lower() in _REFUSED_SECRETS or len(value) < 32):
            raise ValueError("SOTAY_SECRET_KEY must be a random string of at least 32 characters")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'sotay.db'}"
        if self.file_store == "database" and self.is_sqlite:
            raise ValueError("SOTAY_FILE_STORE=database needs PostgreSQL: with SQLite (one host) keep files "
                             "in SOTAY_FILES_DIR")
        return self

    @property
    def is_sqlite(self) -> bool:
        return str(self.database_url).startswith("sqlite")

    @property
    def files_dir(self) -> Path:
        return (self.files_dir_override or self.data_dir / "files").expanduser().resolve()

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def resolved_secret(self) -> str:
        """The signing key: configured, or generated on first start and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        if self._generated_secret is None:
            self._generated_secret = self._load_or_create_secret()
        return self._generated_secret

    def _load_or_create_secret(self) -> str:
        self.ensure_data_dir()
        path = self.data_dir / "secret_key"
        if path.exists():
            return _read_secret(path)
        key = secrets.token_urlsafe(48)
        # Created readable by the owner only from the first byte (write-then-chmod leaves a window).
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        try:
            # Two processes starting at once: the first link wins and both use the same key.
            os.link(tmp, path)
        except FileExistsError:
            key = _read_secret(path)
        finally:
            tmp.unlink()
        return key


def _read_secret(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 32:
        # Never replace it silently: every signed-in device would be signed out, and a short key is a sign
        # that someone edited the file by hand.
        raise ValueError(f"{path} holds a key shorter than 32 characters: fix it, delete it or set "
                         "SOTAY_SECRET_KEY")
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
