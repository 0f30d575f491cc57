"""Sign-in throttling a stranger cannot turn against a member: the member's own phone (a device token from
an earlier sign-in) keeps signing in; unknown clients are slowed per account, never locked for long."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from tests.server.auth.helpers import assert_error

LOGIN = "/api/v1/auth/login"
WRONG = "sai-mat-khau"


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel("2026-12-31T16:59:00+00:00", tick=False) as traveller:  # 23:59 in Vietnam
        yield traveller


def _from(app, address: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, client=(address, 40000))


def _login(http: TestClient, person, password: str, device_token: str | None = None):  # type: ignore[no-untyped-def]
    return http.post(LOGIN, json={"username": person.username, "password": password,
                                  "device_token": device_token})


def test_the_members_own_phone_signs_in_through_a_strangers_attack(app, world, clock):
    phone = _from(app, "100.64.0.7")
    first = _login(phone, world.member, world.member.password)
    assert first.status_code == 200
    device_token = first.json()["device_token"]
    assert device_token
    # 30 wrong guesses from ten strangers' addresses (the attack that used to lock the member out).
    for n in range(10):
        stranger = _from(app, f"198.51.100.{n}")
        for _ in range(3):
            clock.shift(1)
            assert _login(stranger, world.member, WRONG).status_code in (401, 429)
    # Without the device token a correct password must wait, but at most a minute, never 15 minutes.
    clock.shift(1)
    unknown = _from(app, "203.0.113.50")
    slowed = _login(unknown, world.member, world.member.password)
    body = assert_error(slowed, 429, "too_many_attempts")
    assert 0 < int(slowed.headers["Retry-After"]) <= 60
    assert "giây" in body["message"]
    # The member's phone, with its device token: in at once, even from a new address (mobile data).
    on_the_road = _from(app, "100.64.9.9")
    resp = _login(on_the_road, world.member, world.member.password, device_token)
    assert resp.status_code == 200, resp.text
    clock.shift(61)
    assert _login(unknown, world.member, world.member.password).status_code == 200


def test_unknown_clients_are_slowed_more_with_each_failure_up_to_a_minute(app, world, settings, clock):
    waits = []
    for n in range(12):
        stranger = _from(app, f"198.51.100.{n}")  # a new address each time: no per-address limit helps
        resp = _login(stranger, world.member, WRONG)
        if resp.status_code == 429:
            waits.append(int(resp.headers["Retry-After"]))
            clock.shift(int(resp.headers["Retry-After"]))  # the attacker waits as told, then guesses again
            assert _login(stranger, world.member, WRONG).status_code == 401
        else:
            assert resp.status_code == 401
        clock.shift(0.1)
    assert waits, "past the ceiling every unknown client must wait"
    assert waits == sorted(waits) and waits[-1] <= 60 and waits[-1] > waits[0]


def test_a_forged_or_foreign_device_token_counts_for_nothing(app, world, settings, clock):
    other = _login(_from(app, "100.64.0.8"), world.member2, world.member2.password).json()["device_token"]
    for n in range(settings.login_max_failures_account + 1):
        clock.shift(1)
        _login(_from(app, f"198.51.100.{n}"), world.member, WRONG)
    clock.shift(1)
    for token in (other, "abc.def", "x" * 40, other.split(".")[0] + ".0"):
        resp = _login(_from(app, "203.0.113.7"), world.member, world.member.password, token)
        assert_error(resp, 429, "too_many_attempts")


def test_a_known_device_has_its_own_small_budget(app, world, clock):
    phone = _from(app, "100.64.0.7")
    device_token = _login(phone, world.member, world.member.password).json()["device_token"]
    for _ in range(5):
        clock.shift(1)
        assert _login(phone, world.member, WRONG, device_token).status_code == 401
    clock.shift(1)
    assert_error(_login(phone, world.member, world.member.password, device_token), 429, "too_many_attempts")
