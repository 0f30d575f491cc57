"""Running Alembic migrations from code (the server migrates on start)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

from server.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_lock key: several processes starting at once migrate one after the other.
_PG_LOCK_KEY = 0x50_7A_79_00


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", str(settings.database_url).replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "heads") -> None:
    settings.ensure_data_dir()
    cfg = alembic_config(settings)
    if settings.is_sqlite:
        # Alembic's own transaction holds SQLite's write lock: concurrent starts queue on it.
        command.upgrade(cfg, revision)
        return
    engine = create_engine(str(settings.database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()

