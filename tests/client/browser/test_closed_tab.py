"""In Chromium: a closed tab stops working (issue 12, item 17).

A web session outlives its tab by an hour (in case it comes back), and the app used to clean up only when it
expired: a closed secretary tab went on polling the check-in code and the attendance every 3 s. The API
server's access log counts what reaches it; the browser never calls the API itself (the app's Python does,
in the web client's process), so with one tab open, every API request comes from that tab's session."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import Stack, click, el, goto, open_app, phone, sign_in
from tests.client.browser.test_member_flow import Api
from tests.conftest import SECRET

pytestmark = [pytest.mark.browser]

API_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE) (/api/v1/\S*) HTTP')
POLL_SECONDS = 3  # the router's timer period on the check-in screen
QUIET = 2 * POLL_SECONDS + 1  # longer than two missed polls: silence this long is not luck


@pytest.fixture
def logged_stack(data_dir: Path, chromium: str) -> Iterator[Stack]:
    s = Stack(data_dir, SECRET, server_log_level="info")  # with uvicorn's access log
    s.start()
    try:
        yield s
    finally:
        s.stop()


def api_requests(stack: Stack) -> list[str]:
    return API_LINE.findall((stack.data_dir / "server.log").read_text(encoding="utf-8", errors="replace"))


def wait_for_polls(stack: Stack, path_part: str, count: int, timeout: float = 20) -> None:
    """Until `count` more requests for `path_part` reach the server."""
    start = sum(path_part in p for p in api_requests(stack))
    deadline = time.monotonic() + timeout
    while sum(path_part in p for p in api_requests(stack)) < start + count:
        assert time.monotonic() < deadline, f"no polling of {path_part} seen: {api_requests(stack)[-10:]}"
        time.sleep(0.2)


def wait_for_quiet(stack: Stack, quiet: float, timeout: float) -> list[str]:
    """Until no API request has arrived for `quiet` seconds; fails if that never happens within `timeout`.
    Returns what arrived meanwhile (requests already in flight when the tab closed may still land)."""
    seen = len(api_requests(stack))
    first = seen
    last_change = time.monotonic()
    deadline = last_change + timeout
    while time.monotonic() - last_change < quiet:
        now = len(api_requests(stack))
        if now != seen:
            seen, last_change = now, time.monotonic()
        assert time.monotonic() < deadline, (
            f"the server kept getting requests after the tab closed: {api_requests(stack)[first:]}"
        )
        time.sleep(0.2)
    return api_requests(stack)[first:]


def test_a_closed_secretary_tab_stops_polling_and_a_returning_one_resumes(logged_stack, browser, world):
    stack = logged_stack
    sec = Api(stack.api_url, world["secretary"]["username"], world["password"])
    meeting = sec.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ thường kỳ",
            "kind": "regular",
            "starts_at": (datetime.now(UTC) + timedelta(minutes=15)).isoformat(),
            "location": "Nhà văn hóa thôn",
            "agenda": [{"title": "Đánh giá công tác tháng"}],
        },
    )
    code_path = f"/meetings/{meeting['id']}/check-in/code"

    ctx = phone(browser)
    page = open_app(ctx, stack.web_url)
    sign_in(page, world["secretary"]["username"], world["password"])
    click(page, "open-secretary")
    click(page, f"sec-meeting-{meeting['id']}")
    click(page, "sec-checkin")
    click(page, "open-checkin")
    expect(el(page, "checkin-code-display")).to_be_attached(timeout=20_000)
    wait_for_polls(stack, code_path, 2)  # the screen polls while it is shown

    # The same tab can come back within the hour (a reload, the network back): keep what identifies it.
    storage = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    page.close()
    after_close = wait_for_quiet(stack, QUIET, timeout=30)
    assert len(after_close) <= 3, after_close  # at most what was already under way

    # Reopened with the same Flet session (as a reload does): the screen it left polls again.
    again = ctx.new_page()
    again.add_init_script(
        "(s => { for (const [k, v] of Object.entries(JSON.parse(s))) sessionStorage.setItem(k, v); })"
        f"({json.dumps(storage)})"
    )
    goto(again, stack.web_url + f"/secretary/meetings/{meeting['id']}/check-in")
    expect(el(again, "checkin-code-display")).to_be_attached(timeout=20_000)
    wait_for_polls(stack, code_path, 2)
    ctx.close()
