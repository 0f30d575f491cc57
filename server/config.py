"""All server settings in one place, read from SOTAY_* environment variables."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
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

    login_max_failures_account: int = 5
    login_max_failures_address: int = 30
    login_window_minutes: int = 15

    upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    files_dir_override: Path | None = Field(
        default=None, alias="SOTAY_FILES_DIR", description="Attachments directory; default data_dir/files"
    )
    import_max_rows: int = 20_000
    cors_origins: list[str] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    demo: bool = Field(default=False, description="Demo mode: demo accounts may sign in")

    db_pool_size: int = 20
    db_max_overflow: int = 30
    run_scheduler: bool = True
    redis_url: str | None = None

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
        self.ensure_data_dir()
        path = self.data_dir / "secret_key"
        if path.exists():
            key = path.read_text().strip()
            if len(key) >= 32:
                return key
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
