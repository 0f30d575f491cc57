"""In Chromium on a 360x740 phone at the largest text size (issue 12, item 11 and "Elderly-first"): the bottom
bar stays one row of five tabs inside the screen, no tab's label wraps onto a second line or is cut off at the
bottom, every tab is a 48 dp target; then the high-contrast theme, remembered after a reload."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.client.browser.harness import ROOT, click, el, open_app, ready, sign_in

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, DPR = 360, 740, 2
TABS = ["Trang chủ", "Lịch họp", "Văn bản", "Thông báo", "Cá nhân"]
DOCS_SHOTS = ROOT / "docs" / "screenshots"


def small_phone(browser):
    """The narrowest common Android screen, reaching nothing but this host."""
    ctx = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=DPR, locale="vi-VN"
    )
    ctx.route(
        "**/*",
        lambda r: (
            r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")) else r.abort()
        ),
    )
    ctx.set_default_timeout(20_000)
    return ctx


def tab_boxes(page) -> list[dict]:
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(len(TABS))
    return [tabs.nth(i).bounding_box() for i in range(len(TABS))]


def ink_lines(png: bytes, box: dict) -> list[tuple[int, int]]:
    """The bands of rows (in CSS px, from the tab's top) that hold ink: an icon, a line of label... The tab's
    semantics box is the same size whether its label wraps or not, so the pixels have to say it."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    left, top = round(box["x"] * DPR), round(box["y"] * DPR)
    right, bottom = round((box["x"] + box["width"]) * DPR), round((box["y"] + box["height"]) * DPR)
    crop = img.crop((left, top, right, bottom))
    w, h = crop.size
    background = crop.getpixel((2, h - 2))  # the bar's own colour, at the bottom corner
    assert isinstance(background, tuple)
    inked = []
    for y in range(h):
        row = [crop.getpixel((x, y)) for x in range(w)]
        inked.append(any(sum(abs(a - b) for a, b in zip(p, background, strict=True)) > 200 for p in row))  # type: ignore[arg-type]
    bands: list[tuple[int, int]] = []
    for y, on in enumerate(inked):
        if not on:
            continue
        if bands and y - bands[-1][1] <= 4 * DPR:  # a tone mark's gap above its letter is the same line
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return [(a // DPR, b // DPR) for a, b in bands]


def assert_bar_fits(page, name: str) -> None:
    boxes = tab_boxes(page)
    assert len({round(b["y"]) for b in boxes}) == 1, boxes  # one row
    for b in boxes:
        assert b["x"] >= 0 and b["x"] + b["width"] <= WIDTH + 0.5, b  # inside the screen, left to right
        assert b["y"] + b["height"] <= HEIGHT + 0.5, b  # and above its bottom edge
        assert b["width"] >= 48 and b["height"] >= 48, b  # a finger's target
    png = page.screenshot()
    for label, b in zip(TABS, boxes, strict=True):
        lines = ink_lines(png, b)
        assert 1 <= len(lines) <= 2, (label, lines)  # the icon, at most one line of label under it
        assert lines[-1][1] < b["height"] - 2, (label, lines)  # nothing cut off at the bottom edge
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    (DOCS_SHOTS / f"{name}.png").write_bytes(png)


def test_the_bottom_bar_fits_a_small_phone_at_the_largest_text_and_high_contrast_is_remembered(
    stack, browser, world
):
    ctx = small_phone(browser)
    page = open_app(ctx, stack.web_url)
    expect(el(page, "username")).to_be_attached(timeout=60_000)
    sign_in(page, world["member"]["username"], world["password"])
    page.wait_for_timeout(500)
    assert_bar_fits(page, "30-bottom-bar-normal-text")

    page.get_by_role("tab", name="Cá nhân").first.dispatch_event("click")
    expect(el(page, "profile-name")).to_be_attached(timeout=20_000)
    page.get_by_role("radio", name="Rất lớn").dispatch_event("click")
    expect(page.get_by_role("radio", name="Rất lớn")).to_be_checked(timeout=20_000)
    expect(el(page, "profile-name")).to_be_attached()
    page.wait_for_timeout(600)  # the theme's new sizes reach the canvas
    assert_bar_fits(page, "31-profile-largest-text-360")
    expect(page.get_by_role("tab", name="Thông báo")).to_be_attached()  # the name stays for screen readers

    click(page, "high-contrast")
    expect(el(page, "high-contrast").locator("[aria-checked=true], input:checked").first).to_be_attached(
        timeout=20_000
    )
    page.wait_for_timeout(600)
    assert_bar_fits(page, "32-profile-high-contrast-360")
    bar = page.screenshot(clip={"x": 0, "y": HEIGHT - 120, "width": WIDTH, "height": 40})
    assert Image.open(io.BytesIO(bar)).convert("RGB").getpixel((4, 4)) == (255, 255, 255)  # white page

    page.reload()  # both choices are remembered on this device
    ready(page)
    expect(page.get_by_role("radio", name="Rất lớn")).to_be_checked(timeout=30_000)
    expect(el(page, "high-contrast").locator("[aria-checked=true], input:checked").first).to_be_attached()
    ctx.close()
