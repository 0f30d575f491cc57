"""Running Alembic migrations from code (the server migrates on start)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from server.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", str(settings.database_url).replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "heads") -> None:
    settings.ensure_data_dir()
    command.upgrade(alembic_config(settings), revision)
