"""In Chromium (issue 13): a member fills the year-end self-review and sends it to the cell (with the
confirmation); the secretary proposes a level and sees the cap warning; committee staff see the distribution
by cell, decide the level, and the member sees the three levels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import click, el, expect_says, fill, goto, open_app, phone, shot, sign_in
from tests.client.browser.test_member_flow import Api

pytestmark = [pytest.mark.browser]


def open_row(page, row: str, then: str) -> None:
    """Tap a list row once: the screen it opens must show `then` (a list redrawn by a sync under the
    finger lost such taps; those lists are no longer redrawn by the feed)."""
    click(page, row)
    expect(el(page, then)).to_be_attached(timeout=40_000)


def test_member_sends_secretary_proposes_staff_decides(stack, browser, world):
    # Server and web client both read the real clock: the review is of this year in Vietnam on both sides.
    member_id, cell_id = world["member"]["member_id"], world["cell_id"]

    m_ctx, s_ctx, c_ctx = phone(browser), phone(browser), phone(browser)
    for c in (m_ctx, s_ctx, c_ctx):
        c.set_default_timeout(40_000)  # three sessions, a server and the web client on two busy cores
    member = open_app(m_ctx, stack.web_url)
    sign_in(member, world["member"]["username"], world["password"])
    click(member, "open-year")
    click(member, "open-review")
    expect(member).to_have_url(stack.web_url + "/year/review", timeout=40_000)
    expect(el(member, "review-facts")).to_be_attached(timeout=40_000)
    expect_says(member, "review-facts", "Sinh hoạt chi bộ", timeout=40)
    expect_says(member, "review-status", "Chưa viết", timeout=40)
    fill(member, "review-strengths", "Dự đủ các buổi sinh hoạt, gương mẫu ở nơi cư trú")
    fill(member, "review-shortcomings", "Có lúc nộp bài thu hoạch chậm")
    click(member, "review-self-excellent")
    expect_says(member, "review-self-excellent", "Đã chọn", timeout=40)
    shot(member, "60-review-member-form")
    click(member, "review-send")
    click(member, "review-send-confirm")
    expect_says(member, "review-status", "Đã gửi chi bộ", timeout=40)
    expect_says(member, "review-notice", "Đã gửi bản kiểm điểm tới chi bộ.", timeout=40)

    sec = open_app(s_ctx, stack.web_url)
    sign_in(sec, world["secretary"]["username"], world["password"])
    click(sec, "open-secretary")
    click(sec, "open-cell-reviews")
    expect(sec).to_have_url(stack.web_url + "/secretary/reviews", timeout=40_000)
    expect_says(sec, f"cell-review-{member_id}", "Đã gửi chi bộ", timeout=40)
    shot(sec, "61-review-secretary-list")
    open_row(sec, f"cell-review-{member_id}", "decide-save")
    expect_says(sec, "decide-level-excellent", "Đã chọn", timeout=40)  # the member's own level offered first
    click(sec, "decide-save")
    expect_says(sec, "review-detail-status", "Chi bộ đã đề xuất", timeout=40)
    expect_says(sec, "review-warnings", "20%", timeout=40)  # 1 "xuất sắc", 0 "tốt": warned, not blocked
    shot(sec, "62-review-secretary-proposed")

    [review] = Api(stack.api_url, world["staff"]["username"], world["password"]).get(
        "/year/reviews", params={"status": "proposed"})["items"]
    staff = open_app(c_ctx, stack.web_url)
    staff.set_viewport_size({"width": 1280, "height": 900})  # staff mostly work at a desk
    sign_in(staff, world["staff"]["username"], world["password"])
    click(staff, "open-staff")
    click(staff, "reviews")
    expect(staff).to_have_url(stack.web_url + "/staff/reviews", timeout=40_000)
    expect_says(staff, f"reviews-cell-{cell_id}-proposed", "Xuất sắc 1", timeout=40)
    expect(el(staff, "reviews-cap-warnings")).to_be_attached(timeout=40_000)
    open_row(staff, f"staff-review-{review['id']}", "decide-level-good")
    click(staff, "decide-level-good")
    expect_says(staff, "decide-level-good", "Đã chọn", timeout=40)
    click(staff, "decide-save")
    expect_says(staff, "review-detail-status", "Cấp ủy đã quyết định", timeout=40)
    goto(staff, stack.web_url + "/staff/reviews", new_session=True)
    expect_says(staff, f"reviews-cell-{cell_id}-confirmed", "Tốt 1", timeout=40)
    shot(staff, "63-review-staff-distribution")

    click(member, "refresh")
    expect_says(member, "review-status", "Cấp ủy đã quyết định", timeout=40)
    expect_says(member, "review-level-confirmed", "Hoàn thành tốt nhiệm vụ", timeout=40)
    expect_says(member, "review-level-proposed", "Hoàn thành xuất sắc nhiệm vụ", timeout=40)
    expect(el(member, "review-locked")).to_be_attached(timeout=40_000)
    shot(member, "64-review-member-confirmed")
    for c in (m_ctx, s_ctx, c_ctx):
        c.close()
