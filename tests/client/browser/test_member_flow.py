"""End to end in Chromium: next meeting, tone-mark-free search, check-in with the secretary's code,
the secretary sees the member present; with the server down documents still open and a check-in waits,
then lands after the restart."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import (
    click,
    el,
    expect_says,
    fill,
    goto,
    open_app,
    phone,
    shot,
    sign_in,
    text_of,
)
from tests.requirements import need

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RESOLUTION = "Nghị quyết về tăng cường củng cố, xây dựng tổ chức cơ sở đảng"


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Nghi quyet 21-NQ/TW")
    return bytes(pdf.output())


class Api:
    def __init__(self, base: str, username: str, password: str):
        self.http = httpx.Client(base_url=base + "/api/v1", timeout=20)
        token = self.http.post("/auth/login", json={"username": username, "password": password}).json()
        self.http.headers["Authorization"] = f"Bearer {token['access_token']}"

    def post(self, path: str, **kw):
        resp = self.http.post(path, **kw)
        assert resp.status_code < 300, resp.text
        return resp.json()

    def get(self, path: str, **kw):
        resp = self.http.get(path, **kw)
        assert resp.status_code < 300, resp.text
        return resp.json()


def _arrange(stack, world) -> dict:
    sec = Api(stack.api_url, world["secretary"]["username"], world["password"])
    staff = Api(stack.api_url, world["staff"]["username"], world["password"])
    now = datetime.now(UTC)
    m1 = sec.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ thường kỳ tháng 11",
            "kind": "regular",
            "starts_at": (now + timedelta(minutes=10)).isoformat(),
            "location": "Nhà văn hóa thôn",
            "agenda": [{"title": "Đánh giá công tác tháng 11"}, {"title": "Học tập Nghị quyết 21-NQ/TW"}],
        },
    )
    m2 = sec.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chuyên đề quý IV",
            "kind": "thematic",
            "starts_at": (now + timedelta(minutes=25)).isoformat(),
            "location": "Hội trường xã",
            "agenda": [],
        },
    )
    doc = staff.post(
        "/documents",
        json={
            "title": RESOLUTION,
            "doc_type": "resolution",
            "number": "21-NQ/TW",
            "issued_on": "2022-06-16",
            "summary": "Nâng cao chất lượng tổ chức cơ sở đảng và đội ngũ đảng viên trong giai đoạn mới.",
            "category": "documents",
            "audience_org_ids": [world["district_id"]],
        },
    )
    att = staff.post(
        f"/documents/{doc['id']}/attachments",
        files={"file": ("nghi-quyet-21.pdf", io.BytesIO(_pdf()), "application/pdf")},
    )
    staff.post(
        "/documents",
        json={
            "title": "Chỉ thị về tăng cường công tác kiểm tra",
            "doc_type": "directive",
            "number": "35-CT/TW",
            "issued_on": "2024-06-14",
            "category": "documents",
            "audience_org_ids": [world["district_id"]],
        },
    )
    return {"m1": m1, "m2": m2, "doc": doc, "sec": sec, "att": att}


def test_member_and_secretary_in_two_browsers(stack, browser, world):
    paths = httpx.get(stack.api_url + "/openapi.json").json()["paths"]
    need(
        "/api/v1/meetings" in paths and "/api/v1/documents" in paths,
        "the server has no meetings/documents routes yet",
    )
    data = _arrange(stack, world)
    m1, m2, doc, sec_api = data["m1"], data["m2"], data["doc"], data["sec"]

    member_ctx, sec_ctx = phone(browser), phone(browser)
    member = open_app(member_ctx, stack.web_url)
    sign_in(member, world["member"]["username"], world["password"])
    expect_says(member, "next-meeting", "Sinh hoạt chi bộ thường kỳ tháng 11", 30)
    expect_says(member, "countdown", "Còn")
    shot(member, "02-home-next-meeting")

    # a resolution found by a search typed without tone marks
    goto(member, stack.web_url + "/documents")
    expect(el(member, f"document-{doc['id']}")).to_be_attached(timeout=30_000)
    fill(member, "doc-search", "cung co to chuc co so")
    expect(el(member, f"document-{doc['id']}")).to_be_attached()
    expect(member.locator('[flt-semantics-identifier^="document-"]')).to_have_count(1)
    shot(member, "03-documents-search")
    click(member, f"document-{doc['id']}")
    expect_says(member, "doc-title", RESOLUTION, 20)
    shot(member, "04-document-detail")
    with member.expect_download(timeout=30_000) as download:  # fetched with progress, then handed over
        click(member, f"download-{data['att']['id']}")
    assert download.value.suggested_filename == "nghi-quyet-21.pdf"
    assert open(download.value.path(), "rb").read(4) == b"%PDF"

    # the secretary opens check-in on their own phone and shows the code
    secretary = open_app(sec_ctx, stack.web_url)
    sign_in(secretary, world["secretary"]["username"], world["password"])
    goto(secretary, stack.web_url + f"/secretary/meetings/{m1['id']}/check-in")
    click(secretary, "open-checkin")
    shown = el(secretary, "checkin-code-display")
    expect(shown).to_be_attached(timeout=20_000)
    code = re.search(r"\d{6}", text_of(secretary, "checkin-code-display").replace(" ", "")).group(0)
    assert len(code) == 6, code
    shot(secretary, "10-secretary-checkin-code")

    # the member types it
    goto(member, stack.web_url + f"/meetings/{m1['id']}")
    fill(member, "checkin-code", code)
    click(member, "checkin-submit")
    expect_says(member, "checkin-result", "Đã điểm danh", 20)
    shot(member, "05-member-checked-in")

    # the secretary's live list shows them present
    click(secretary, "back")
    click(secretary, "sec-attendance")
    expect_says(secretary, f"attendance-{world['member']['member_id']}", "Có mặt")
    shot(secretary, "11-secretary-attendance")

    # check-in of the second meeting opened while the network is up; the member's phone loses the server
    code2 = sec_api.post(f"/meetings/{m2['id']}/check-in/open")["code"]
    goto(member, stack.web_url + "/meetings")
    expect(el(member, f"meeting-{m2['id']}")).to_be_attached(timeout=20_000)
    stack.server.stop()

    goto(member, stack.web_url + f"/documents/{doc['id']}")
    expect_says(member, "doc-title", RESOLUTION, 30)
    expect(el(member, "offline-banner")).to_be_attached()
    shot(member, "06-offline-document")

    goto(member, stack.web_url + f"/meetings/{m2['id']}")
    fill(member, "checkin-code", code2)
    click(member, "checkin-submit")
    expect_says(member, "checkin-result", "Đã lưu điểm danh, sẽ xác nhận khi có mạng.", 20)
    expect(el(member, "checkin-queued")).to_be_attached()
    shot(member, "07-offline-checkin-queued")

    stack.server.start()
    click(member, "refresh")
    expect(el(member, "checkin-queued")).not_to_be_attached(timeout=30_000)
    expect_says(member, "checkin-result", "Đã điểm danh", 20)  # the server's verdict replaces "saved"
    sheet = Api(stack.api_url, world["secretary"]["username"], world["password"]).get(
        f"/meetings/{m2['id']}/attendance"
    )
    status = {r["member_id"]: r["status"] for r in sheet["items"]}
    assert status[world["member"]["member_id"]] in ("present", "late")
    member_ctx.close()
    sec_ctx.close()
