"""A lost phone, in a real browser: the committee ends its sessions and its copy goes at the next start;
a phone out of touch longer than the province allows forgets its copy too."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import el, expect_says, goto, open_app, phone, shot, sign_in

pytestmark = pytest.mark.browser


def _copies(stack) -> list:
    users = stack.data_dir / "client" / "users"
    return list(users.iterdir()) if users.exists() else []


def test_the_committee_ends_a_lost_phones_sessions_and_it_forgets_everything(stack, browser, world):
    page = open_app(phone(browser), stack.web_url)
    sign_in(page, world["member"]["username"], world["password"])
    assert len(_copies(stack)) == 1  # the member's copy on this device
    api = stack.api_url + "/api/v1"
    staff = httpx.post(api + "/auth/login", json={"username": world["staff"]["username"],
                                                  "password": world["password"]}).json()
    ended = httpx.post(f"{api}/members/{world['member']['member_id']}/sessions/end",
                       headers={"Authorization": f"Bearer {staff['access_token']}"})
    assert ended.status_code == 200 and ended.json()["ended"] >= 1
    goto(page, stack.web_url, new_session=True)  # whoever has the phone opens the app
    expect(el(page, "username")).to_be_attached(timeout=30_000)
    expect_says(page, "login-notice", "báo mất máy")
    shot(page, "lost-phone-ended-by-staff")
    assert _copies(stack) == []  # documents, files and the outbox are gone


def test_a_phone_out_of_touch_too_long_forgets_its_copy(stack, browser, world):
    page = open_app(phone(browser), stack.web_url)
    sign_in(page, world["member"]["username"], world["password"])
    [copy] = _copies(stack)
    stack.server.stop()  # no network from here on
    # The last answer from the server was 31 days ago (the province allows 30, SOTAY_OFFLINE_MAX_DAYS).
    store = sqlite3.connect(copy / "store.db")
    with store:
        store.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_contact', ?)",
                      (json.dumps((datetime.now(UTC) - timedelta(days=31)).isoformat()),))
    store.close()
    goto(page, stack.web_url, new_session=True)
    expect(el(page, "username")).to_be_attached(timeout=30_000)
    expect_says(page, "login-notice", "30 ngày")
    shot(page, "lost-phone-offline-too-long")
    assert _copies(stack) == []
