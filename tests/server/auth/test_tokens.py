"""Access tokens: expired, garbage, foreign or tampered tokens are all 401 in the error shape."""

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from server.auth import security
from tests.conftest import SECRET
from tests.factories import make_member
from tests.server.auth.helpers import REFRESH, assert_error, bearer, login_raw, tokens


def _claims(client, world) -> dict:
    access = tokens(client, "dangvien.a", world.member.password)["access_token"]
    return jwt.decode(access, SECRET, algorithms=["HS256"])


def _get_me(client, token):
    return client.get("/api/v1/me", headers=bearer(token))


def test_no_token_is_401_with_a_bearer_challenge(client):
    resp = client.get("/api/v1/me")
    assert_error(resp, 401, "unauthorized")
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "Bearer", "x" * 2000])
def test_garbage_tokens_are_401(client, token):
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_expired_token_is_401(client, world):
    claims = _claims(client, world)
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = jwt.encode({**claims, "iat": past - timedelta(minutes=15), "exp": past}, SECRET,
                         algorithm="HS256")
    assert_error(_get_me(client, expired), 401, "invalid_token")


def test_token_signed_with_another_secret_is_401(client, world):
    claims = _claims(client, world)
    forged = jwt.encode(claims, secrets.token_urlsafe(48), algorithm="HS256")
    assert_error(_get_me(client, forged), 401, "invalid_token")


def test_unsigned_and_retyped_tokens_are_401(client, world):
    claims = _claims(client, world)
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    assert_error(_get_me(client, unsigned), 401, "invalid_token")
    refresh_typed = jwt.encode({**claims, "typ": "refresh"}, SECRET, algorithm="HS256")
    assert_error(_get_me(client, refresh_typed), 401, "invalid_token")


def test_token_naming_another_user_of_the_session_is_401(client, world):
    claims = _claims(client, world)
    swapped = jwt.encode({**claims, "sub": str(world.member2.user.id)}, SECRET, algorithm="HS256")
    assert_error(_get_me(client, swapped), 401, "session_revoked")


def test_access_token_lifetime_follows_settings(client, world, settings):
    settings.access_token_minutes = 5
    claims = _claims(client, world)
    assert claims["exp"] - claims["iat"] == 5 * 60


def test_make_access_token_roundtrip():
    token, seconds = security.make_access_token(SECRET, user_id=7, session_id=3, minutes=2)
    data = security.read_access_token(SECRET, token)
    assert data is not None and data["sub"] == "7" and data["sid"] == 3 and seconds == 120
    assert security.read_access_token(secrets.token_urlsafe(48), token) is None


# Demo accounts exist only for demonstrations: refused unless the server runs in demo mode.


@pytest.fixture
def demo_person(db, world):
    person = make_member(db, world.cell, username="demo.user", is_demo=True)
    db.commit()
    return person


def test_demo_account_is_refused_outside_demo_mode(client, demo_person, settings):
    assert settings.demo is False
    assert_error(login_raw(client, "demo.user", demo_person.password), 401, "demo_account_disabled")


def test_demo_account_signs_in_in_demo_mode_and_loses_access_when_it_ends(client, demo_person, settings):
    settings.demo = True
    pair = tokens(client, "demo.user", demo_person.password)
    assert _get_me(client, pair["access_token"]).status_code == 200
    settings.demo = False
    assert_error(_get_me(client, pair["access_token"]), 401, "demo_account_disabled")
    assert_error(client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}), 401,
                 "demo_account_disabled")
