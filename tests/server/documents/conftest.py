"""Fixtures for the documents tests: every test here runs on SQLite and on PostgreSQL.

`app`, `client`, `db`, `world` and `login` are overridden with engine-parametrised versions, so visibility,
search and statistics are checked on both engines with the same assertions.
"""

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from server.app import create_app
from server.config import Settings
from tests import factories


@pytest.fixture
def app(any_settings: Settings) -> Iterator[FastAPI]:
    app = create_app(any_settings, migrate=False)
    yield app
    app.state.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    """A session for arranging and checking; it does not hold SQLite's write lock (the API needs it)."""
    session = app.state.db.session()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def world(app: FastAPI) -> factories.World:
    with app.state.db.transaction() as session:
        return factories.make_world(session)


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, str]]:
    def _login(person: factories.Person) -> dict[str, str]:
        resp = client.post(
            "/api/v1/auth/login", json={"username": person.username, "password": person.password}
        )
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    return _login


# The names the search tests use.
@pytest.fixture
def any_client(client: TestClient) -> TestClient:
    return client


@pytest.fixture
def any_world(world: factories.World) -> factories.World:
    return world


@pytest.fixture
def any_login(login: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
    return login
