"""Fixtures: an isolated, migrated database per test (SQLite file, or a fresh PostgreSQL database)."""

import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from server.app import create_app
from server.config import Settings
from server.migrate import upgrade
from server.wiring import install_sync
from tests import clock, factories
from tests.requirements import need_postgres
from tests.signin import bearer

SECRET = secrets.token_urlsafe(48)


def pytest_configure(config: pytest.Config) -> None:
    clock.start_from_env()


def pytest_unconfigure(config: pytest.Config) -> None:
    clock.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    return f"clock moved to {os.environ['SOTAY_TEST_NOW']} (SOTAY_TEST_NOW)" if os.environ.get(
        "SOTAY_TEST_NOW") else None


def make_settings(data_dir: Path, **overrides) -> Settings:
    # Tests read /openapi.json (route walks, fuzzing); production's default is off (tests/server/kit).
    overrides.setdefault("api_docs", True)
    return Settings(data_dir=data_dir, secret_key=SECRET, run_scheduler=False, **overrides)


@pytest.fixture(scope="session", autouse=True)
def _wired() -> None:
    """Sync providers and offline-action handlers registered as create_app does, for the tests that drive
    the feed on a bare Database (no app)."""
    install_sync()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test copies the file (migrating per test would dominate the run)."""
    data_dir = tmp_path_factory.mktemp("template")
    settings = make_settings(data_dir)
    upgrade(settings)
    return data_dir / "sotay.db"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    base = need_postgres()
    name = f"sotay_tmpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    upgrade(Settings(data_dir=Path("/tmp/sotay-pg-template"), database_url=url, secret_key=SECRET))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_database(template: str) -> Iterator[str]:
    base = need_postgres()
    name = f"sotay_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    return make_settings(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_settings(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Settings]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "sotay.db")
        yield make_settings(tmp_path)
        return
    template = request.getfixturevalue("pg_template")
    yield from (make_settings(tmp_path, database_url=url) for url in _pg_database(template))


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, migrate=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    """A session on the app's database for arranging data; commit before calling the API."""
    session = app.state.db.session(write=True)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def world(db: Session) -> factories.World:
    w = factories.make_world(db)
    db.commit()
    return w


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, str]]:
    """login(person) -> Authorization headers for that person."""

    def _login(person: factories.Person, device: str | None = None) -> dict[str, str]:
        return bearer(client, person, device)

    return _login
