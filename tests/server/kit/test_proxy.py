"""Trusted proxies: X-Forwarded-For is believed only from the listed addresses (default: none, not even
loopback), so a client cannot choose the address that sign-in throttling counts."""

import threading
import time

import httpx
import pytest
import uvicorn

from server.__main__ import proxy_options
from server.app import create_app
from tests.server.sync.servers import free_port


def _serve(settings):  # type: ignore[no-untyped-def]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, migrate=False), host="127.0.0.1", port=port,
                                           log_level="warning", **proxy_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    return server, thread, base


def _seen_address(base: str, person, forwarded: str) -> str | None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=base + "/api/v1") as http:
        tokens = http.post("/auth/login", json={"username": person.username, "password": person.password},
                           headers={"X-Forwarded-For": forwarded}).json()
        sessions = http.get("/auth/sessions", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        [current] = [s for s in sessions.json() if s["current"]]
        return current["client_address"]


@pytest.mark.parametrize("trusted,expected", [
    ([], "127.0.0.1"),  # the default: the header is ignored, even from loopback
    (["10.9.8.7"], "127.0.0.1"),  # a proxy is listed, but this peer is not it
    (["127.0.0.1"], "203.0.113.9"),  # the peer is the listed proxy: its word is taken
])
def test_forwarded_for_only_from_a_trusted_proxy(settings, world, trusted, expected):
    settings.trusted_proxies = trusted
    server, thread, base = _serve(settings)
    try:
        assert _seen_address(base, world.member, "203.0.113.9") == expected
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_default_is_no_trusted_proxy(settings):
    assert settings.trusted_proxies == []
    assert proxy_options(settings) == {"proxy_headers": False}
