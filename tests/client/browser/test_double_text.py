"""In Chromium on a 360x740 phone at 200% text (issue 12, "Elderly-first"): on the member's and the
secretary's screens no line runs off the screen's right edge, and each screen is kept in docs/screenshots."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.client.browser.harness import el, goto, open_app, sign_in
from tests.client.browser.test_large_text import DOCS_SHOTS, DPR, HEIGHT, WIDTH, small_phone
from tests.client.browser.test_member_flow import Api

pytestmark = pytest.mark.browser

APP_BAR, NAV_BAR = 64, 80  # what the screen's own bars take at the top and the bottom, in CSS px
MARGIN = (350, WIDTH - 2)  # the screen's right padding: cards and fields end at 348 px


def ink_in_margin(png: bytes) -> list[tuple[int, int]]:
    """Pixels of the right padding that differ from the page's background: a line that does not wrap paints
    over it up to the screen's edge, where it is cut off."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    background = img.getpixel((WIDTH * DPR - 2, (APP_BAR + 4) * DPR))
    found = []
    for y in range(APP_BAR * DPR, (HEIGHT - NAV_BAR) * DPR, 2):
        for x in range(MARGIN[0] * DPR, MARGIN[1] * DPR):
            p = img.getpixel((x, y))
            if sum(abs(a - b) for a, b in zip(p, background, strict=True)) > 120:  # type: ignore[arg-type]
                found.append((x // DPR, y // DPR))
    return found


def visit(page, url: str, ready: str) -> None:
    goto(page, url)
    expect(el(page, ready)).to_be_attached(timeout=30_000)
    page.wait_for_timeout(800)  # the last frame after the data arrived


def test_nothing_runs_off_a_small_phone_at_200_percent_text(stack, browser, world):
    sec = Api(stack.api_url, world["secretary"]["username"], world["password"])
    meeting = sec.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ thường kỳ",
            "kind": "regular",
            "starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "location": "Nhà văn hóa thôn Phú Mỹ, xã Hòa Bình",
        },
    )
    mid = meeting["id"]
    ctx = small_phone(browser)
    page = open_app(ctx, stack.web_url)
    sign_in(page, world["secretary"]["username"], world["password"])
    visit(page, stack.web_url + "/profile", "profile-name")
    page.get_by_role("radio", name="Rất lớn").dispatch_event("click")
    expect(page.get_by_role("radio", name="Rất lớn")).to_be_checked(timeout=20_000)

    screens = [
        ("/home", "next-meeting"),
        ("/meetings", f"meeting-{mid}"),
        (f"/meetings/{mid}", "checkin-code"),
        ("/documents", "doc-search"),
        ("/profile", "profile-name"),
        ("/secretary", f"sec-meeting-{mid}"),
        ("/secretary/new", "meeting-agenda"),
        (f"/secretary/meetings/{mid}/attendance", f"attendance-{world['member']['member_id']}"),
    ]
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    overflowing = {}
    for route, ready in screens:
        visit(page, stack.web_url + route, ready)
        png = page.screenshot()
        name = "40-200pct" + route.replace(f"/{mid}", "/one").replace("/", "-")
        (DOCS_SHOTS / f"{name}.png").write_bytes(png)
        if ink := ink_in_margin(png):
            overflowing[route] = ink[:5]
    assert overflowing == {}
    ctx.close()
