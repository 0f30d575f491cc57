"""Sign-in and the caller's profile on both database engines (SQLite and PostgreSQL)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests import factories
from tests.server.auth.helpers import REFRESH, assert_error, bearer, login_raw, tokens


@pytest.fixture
def engine_env(any_settings) -> Iterator[tuple[TestClient, factories.World]]:
    app = create_app(any_settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as session:
            world = factories.make_world(session)
        yield client, world


def test_login_me_refresh_logout(engine_env):
    client, world = engine_env
    pair = tokens(client, world.secretary.member.card_number, world.secretary.password)
    me = client.get("/api/v1/me", headers=bearer(pair["access_token"])).json()
    assert me["full_name"] == "Nguyễn Văn Bí"
    assert me["organization"]["name"] == "Chi bộ thôn A1-1"
    assert {(r["role"], (r["organization"] or {}).get("name")) for r in me["roles"]} >= {
        ("secretary", "Chi bộ thôn A1-1")}
    new = client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).json()
    assert_error(client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}), 401,
                 "refresh_token_reused")
    assert_error(client.get("/api/v1/me", headers=bearer(new["access_token"])), 401)
    again = tokens(client, "bithu.a", world.secretary.password)
    assert client.post("/api/v1/auth/logout", headers=bearer(again["access_token"])).status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(again["access_token"])), 401)


def test_lockout_and_reset(engine_env, any_settings):
    client, world = engine_env
    for _ in range(any_settings.login_max_failures_account):
        assert_error(login_raw(client, "dangvien.a", "sai-mat-khau"), 401, "invalid_credentials")
    resp = login_raw(client, "dangvien.a", world.member.password)
    assert_error(resp, 429, "too_many_attempts")
    assert int(resp.headers["Retry-After"]) > 0


def test_sessions_and_password_change(engine_env):
    client, world = engine_env
    here = tokens(client, "dangvien.a", world.member.password, device="here")
    there = tokens(client, "dangvien.a", world.member.password, device="there")
    rows = client.get("/api/v1/auth/sessions", headers=bearer(here["access_token"])).json()
    assert {r["device_name"]: r["current"] for r in rows} == {"here": True, "there": False}
    resp = client.post("/api/v1/auth/password", headers=bearer(here["access_token"]),
                       json={"current_password": world.member.password, "new_password": "p" * 72 + "A" * 28})
    assert resp.status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(there["access_token"])), 401)
    assert_error(login_raw(client, "dangvien.a", "p" * 72 + "B" * 28), 401)
    tokens(client, "dangvien.a", "p" * 72 + "A" * 28)
