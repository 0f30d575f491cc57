"""Fixtures for the documents tests: the usual app fixtures, also over both engines (any_*)."""

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from server.app import create_app
from server.config import Settings
from tests import factories


@pytest.fixture
def any_app(any_settings: Settings) -> Iterator[FastAPI]:
    app = create_app(any_settings, migrate=False)
    yield app
    app.state.db.dispose()


@pytest.fixture
def any_client(any_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(any_app) as c:
        yield c


@pytest.fixture
def any_world(any_app: FastAPI) -> factories.World:
    session: Session = any_app.state.db.session(write=True)
    try:
        world = factories.make_world(session)
        session.commit()
        return world
    finally:
        session.close()


@pytest.fixture
def any_login(any_client: TestClient) -> Callable[..., dict[str, str]]:
    def _login(person: factories.Person) -> dict[str, str]:
        resp = any_client.post(
            "/api/v1/auth/login", json={"username": person.username, "password": person.password}
        )
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    return _login
