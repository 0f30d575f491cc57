"""In Chromium: the web app loads wholly from its own server (issue 12, item 13).

Flet's prebuilt client asks cdn.jsdelivr.net for the Rive runtime even with no_cdn. On a closed network that
request hangs, and on an open one it tells a foreign host who opens the app. Every request the page makes,
WebSockets included, must go to the app's own origin."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import el, goto, phone

pytestmark = [pytest.mark.browser]


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    # ws://host:port is the same server as http://host:port
    return parts.scheme.replace("ws", "http"), parts.netloc


def test_page_loads_only_from_its_own_origin(stack, browser):
    ctx = phone(browser)  # off-host requests are aborted there, but the page still makes them: recorded
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    answered: dict[str, int] = {}
    page.on("response", lambda r: answered.__setitem__(r.url, r.status))
    goto(page, stack.web_url + "/login")
    expect(el(page, "username")).to_be_attached(timeout=30_000)  # the app is up and drawing

    # The Rive runtime is asked for at start-up; wait until it has been (from wherever), so the assertion
    # below judges the request that used to leave the origin rather than racing it.
    deadline = time.monotonic() + 20
    while not any(u.split("?", 1)[0].endswith("rive_native.js") for u in requests):
        assert time.monotonic() < deadline, f"the client never asked for rive_native.js: {requests}"
        page.wait_for_timeout(100)

    own = _origin(stack.web_url)
    foreign = [u for u in requests if not u.startswith(("data:", "blob:")) and _origin(u) != own]
    assert not foreign, f"requests left the app's origin {own}: {foreign}"
    assert any(u.startswith(stack.web_url + "/") and "main.dart" in u for u in requests)
    # Answered, not left to fail: a 404 would leave the client's Rive start-up waiting for good.
    deadline = time.monotonic() + 10
    while not any(u.endswith("rive_native.js") for u in answered):
        assert time.monotonic() < deadline, f"rive_native.js was asked for but never answered: {answered}"
        page.wait_for_timeout(100)
    assert all(s == 200 for u, s in answered.items() if u.endswith("rive_native.js")), answered
    expect(el(page, "username")).to_be_attached()  # and the stub broke nothing
    ctx.close()
