"""In Chromium: the secretary's screens are at their own addresses (issue 12, item 7). Reached by taps, the
address changes with the screen; a reload on a meeting's attendance lands on the attendance again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import click, el, expect_says, open_app, phone, ready, sign_in
from tests.client.browser.test_member_flow import Api

pytestmark = [pytest.mark.browser]


def test_a_reload_on_the_attendance_screen_lands_on_it_again(stack, browser, world):
    sec = Api(stack.api_url, world["secretary"]["username"], world["password"])
    meeting = sec.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ thường kỳ",
            "kind": "regular",
            "starts_at": (datetime.now(UTC) + timedelta(minutes=15)).isoformat(),
            "location": "Nhà văn hóa thôn",
        },
    )
    base = stack.web_url + f"/secretary/meetings/{meeting['id']}"
    ctx = phone(browser)
    page = open_app(ctx, stack.web_url)
    sign_in(page, world["secretary"]["username"], world["password"])
    click(page, "open-secretary")
    expect(page).to_have_url(stack.web_url + "/secretary")
    click(page, f"sec-meeting-{meeting['id']}")
    expect(page).to_have_url(base)
    click(page, "sec-checkin")
    expect(page).to_have_url(base + "/check-in")
    expect(el(page, "open-checkin")).to_be_attached(timeout=20_000)
    click(page, "back")
    expect(page).to_have_url(base)
    click(page, "sec-attendance")
    expect(page).to_have_url(base + "/attendance")
    member = world["member"]["member_id"]
    expect_says(page, f"attendance-{member}", "Chưa điểm danh")

    page.reload()
    ready(page)
    expect(page).to_have_url(base + "/attendance")
    expect_says(page, f"attendance-{member}", "Chưa điểm danh", 30)  # the same screen, not home
    expect(el(page, "export-attendance")).to_be_attached()
    expect(el(page, "open-checkin")).not_to_be_attached()
    ctx.close()
