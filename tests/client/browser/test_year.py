"""In Chromium (issue 13): a member registers two commitment items and sends them; the secretary returns
them with a comment; the member edits and sends again; the secretary approves."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from shared.timefmt import VN_TZ
from tests.client.browser.harness import click, el, expect_says, fill, open_app, phone, shot, sign_in
from tests.client.browser.test_member_flow import Api

pytestmark = [pytest.mark.browser]

COMMENT = "Mục 2 cần ghi rõ đọc sách nào và xong khi nào."


def test_register_return_resend_approve(stack, browser, world):
    # The server and the web client both run on the real clock here (no injected time), and the server
    # takes commitments for last, this and next year in Vietnam time. "Năm của tôi" opens on this year in
    # Vietnam time, so the test holds on any day, 31 December and 1 January included: should the year turn
    # between the client's pick and the server's check, the pick is last year, still in the window.
    year = datetime.now(VN_TZ).year
    member_id = world["member"]["member_id"]

    m_ctx, s_ctx = phone(browser), phone(browser)
    member = open_app(m_ctx, stack.web_url)
    sign_in(member, world["member"]["username"], world["password"])
    click(member, "open-year")
    expect(member).to_have_url(stack.web_url + "/year")
    expect_says(member, "year-status", "Chưa đăng ký")
    fill(member, "year-item-0", "Tham gia hiến máu tình nguyện")
    click(member, "year-add-item")
    fill(member, "year-item-1", "Đọc sách về Bác")
    click(member, "year-send")
    expect_says(member, "year-status", "Đã gửi — chờ chi bộ duyệt")
    expect_says(member, "year-notice", "Đã gửi bản đăng ký tới chi bộ.")

    sec = open_app(s_ctx, stack.web_url)
    sign_in(sec, world["secretary"]["username"], world["password"])
    click(sec, "open-secretary")
    click(sec, "open-cell-year")
    expect(sec).to_have_url(stack.web_url + "/secretary/year")
    expect_says(sec, f"cell-year-{member_id}", "Đã gửi — chờ chi bộ duyệt")
    click(sec, f"cell-year-{member_id}")
    expect(el(sec, "decide-return")).to_be_attached()
    fill(sec, "decide-comment", COMMENT)
    click(sec, "decide-return")
    expect_says(sec, "cell-commitment-status", "Bị trả lại để sửa")

    click(member, "refresh")
    expect_says(member, "year-status", "Bị trả lại để sửa")
    expect_says(member, "year-return-comment", COMMENT)
    fill(member, "year-item-1", "Đọc xong cuốn Đường cách mệnh trước tháng 6")
    click(member, "year-send")
    expect_says(member, "year-status", "Đã gửi — chờ chi bộ duyệt")

    click(sec, "refresh")
    expect(el(sec, "decide-approve")).to_be_attached(timeout=20_000)
    click(sec, "decide-approve")
    expect_says(sec, "cell-commitment-status", "Đã duyệt")
    shot(sec, "year-secretary-approved")

    click(member, "refresh")
    expect_says(member, "year-status", "Đã duyệt")
    expect(el(member, "year-save-results")).to_be_attached()
    shot(member, "year-member-approved")

    mine = Api(stack.api_url, world["member"]["username"], world["password"]).get("/year/commitments/mine")
    assert [(c["year"] in (year - 1, year), c["status"]) for c in mine] == [(True, "approved")]
    assert [i["text"] for i in mine[0]["items"]] == [
        "Tham gia hiến máu tình nguyện", "Đọc xong cuốn Đường cách mệnh trước tháng 6"]
    m_ctx.close()
    s_ctx.close()
