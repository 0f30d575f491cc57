"""In Chromium: the secretary plans a meeting, marks attendance by tapping, answers an absence request,
records minutes and a vote with its computed result; staff see the dashboard, the publish form, the audit
log. Screenshots of each screen go to test-artifacts/screenshots/."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import click, el, expect_says, fill, goto, open_app, phone, shot, sign_in
from tests.client.browser.test_member_flow import Api
from tests.requirements import need

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


# Every full load here starts a new Flet session (goto(..., new_session=True)) that must restore the saved
# sign-in from its refresh token alone: the path where the empty-token race hid (the session stayed
# "offline" for good).


def test_secretary_and_staff_screens(stack, browser, world):
    paths = httpx.get(stack.api_url + "/openapi.json").json()["paths"]
    need(
        "/api/v1/meetings" in paths and "/api/v1/documents" in paths, "the server has no meetings routes yet"
    )
    sec_api = Api(stack.api_url, world["secretary"]["username"], world["password"])
    member_api = Api(stack.api_url, world["member"]["username"], world["password"])
    now = datetime.now(UTC)
    past = sec_api.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ tháng 10",
            "kind": "regular",
            "starts_at": (now - timedelta(days=40)).isoformat(),
            "location": "Nhà văn hóa thôn",
            "agenda": [{"title": "Đánh giá tháng 10"}],
        },
    )
    for who in ("secretary", "member2"):  # two of the cell's three came: 67%, under the 85% criterion
        marked = sec_api.http.put(
            f"/meetings/{past['id']}/attendance/{world[who]['member_id']}", json={"status": "present"}
        )
        assert marked.status_code < 300, marked.text
    sec_api.http.post(f"/meetings/{past['id']}/close")
    staff_api = Api(stack.api_url, world["staff"]["username"], world["password"])
    material = staff_api.post(
        "/documents",
        json={
            "title": "Tài liệu sinh hoạt chuyên đề tháng 11",
            "doc_type": "guidance",
            "category": "documents",
            "audience_org_ids": [world["district_id"]],
        },
    )
    member_api.post(f"/documents/{material['id']}/read")
    draft = staff_api.post(
        "/documents",
        json={
            "title": "Dự thảo Báo cáo chính trị Đại hội Đảng bộ huyện",
            "doc_type": "report",
            "category": "documents",
            "status": "draft",
            "comments_until": (now + timedelta(days=7)).isoformat(),
            "audience_org_ids": [world["district_id"]],
        },
    )
    comment = member_api.post(
        f"/documents/{draft['id']}/comments",
        json={"body": "Đề nghị bổ sung số liệu phát triển đảng viên mới năm 2026."},
    )
    meeting = sec_api.post(
        "/meetings",
        json={
            "title": "Sinh hoạt chi bộ thường kỳ tháng 11",
            "kind": "regular",
            "starts_at": (now + timedelta(minutes=15)).isoformat(),
            "location": "Nhà văn hóa thôn",
            "agenda": [
                {"title": "Đánh giá công tác tháng 11", "document_ids": [material["id"]]},
                {"title": "Phương hướng tháng 12"},
            ],
        },
    )
    absence = member_api.post(
        f"/meetings/{meeting['id']}/absence-requests", json={"reason": "Đi công tác tỉnh ngoài"}
    )

    ctx = phone(browser)
    page = open_app(ctx, stack.web_url)
    sign_in(page, world["secretary"]["username"], world["password"])
    expect(el(page, "open-secretary")).to_be_attached()
    click(page, "open-secretary")
    expect(el(page, f"sec-meeting-{meeting['id']}")).to_be_attached(timeout=20_000)
    shot(page, "12-secretary-home")

    click(page, "plan-meeting")
    # A regular meeting planned ahead, in the month after next: one regular meeting a month, and the one
    # created above (in 15 minutes) may fall into next month when the test runs on a month's last evening.
    local = now.astimezone(VN)
    next_month = (local.replace(day=1) + timedelta(days=62)).replace(day=5)
    planned = f"Sinh hoạt chi bộ thường kỳ tháng {next_month:%m/%Y}"
    fill(page, "meeting-title", planned)
    fill(page, "meeting-day", next_month.strftime("%d/%m/%Y"))
    shot(page, "13-secretary-plan-meeting")
    click(page, "meeting-save")
    expect(page.get_by_role("button", name=planned).first).to_be_attached(timeout=20_000)

    goto(page, stack.web_url + f"/secretary/meetings/{meeting['id']}", new_session=True)
    member2 = world["member2"]["member_id"]
    said = expect_says(page, "agenda-unread-1", "Chưa đọc: 2")  # per agenda item, with the names
    assert "Lê Văn Hai" in said and "Trần Thị Đảng" not in said  # she read it, he has not
    click(page, "agenda-remind-1")  # one reading reminder, after a confirmation
    expect_says(page, "agenda-remind-confirm", "Mỗi mục chỉ nhắc được một lần")
    click(page, "agenda-remind-send")
    expect_says(page, "agenda-remind-1", "Đã nhắc đọc")
    shot(page, "13b-secretary-agenda-reminded")
    click(page, "sec-attendance")  # each of the meeting's screens at its own address
    expect(page).to_have_url(stack.web_url + f"/secretary/meetings/{meeting['id']}/attendance")
    expect_says(page, f"attendance-{member2}", "Chưa điểm danh")
    click(page, f"attendance-{member2}")  # opens the list of statuses; the choice is what records
    click(page, "attendance-choice-present")
    expect_says(page, f"attendance-{member2}", "Có mặt")
    expect_says(page, f"absence-{absence['id']}", "Đi công tác tỉnh ngoài")
    page.get_by_role("button", name="Chấp thuận").click()
    expect_says(page, f"absence-{absence['id']}", "Đã chấp thuận")
    expect_says(page, f"attendance-{world['member']['member_id']}", "Vắng có lý do")
    click(page, f"attendance-{world['secretary']['member_id']}")
    click(page, "attendance-choice-present")
    expect_says(page, f"attendance-{world['secretary']['member_id']}", "Có mặt")
    click(page, "back")
    click(page, "sec-checkin")
    click(page, "open-checkin")
    expect(el(page, "checkin-code-display")).to_be_attached(timeout=20_000)
    click(page, "back")
    click(page, "sec-minutes")
    fill(page, "minutes-text", "Chi bộ đánh giá kết quả tháng 11; thống nhất phương hướng tháng 12.")
    fill(page, "resolution-title", "Nghị quyết phương hướng tháng 12")
    fill(page, "votes-for", "2")
    fill(page, "votes-against", "0")
    fill(page, "votes-abstain", "0")
    click(page, "add-resolution")
    said = expect_says(page, "vote-result", "Tán thành")
    assert "THÔNG QUA" in said
    sheet = sec_api.get(f"/meetings/{meeting['id']}/attendance")
    status = {r["member_id"]: r["status"] for r in sheet["items"]}
    assert status == {
        world["member2"]["member_id"]: "present",
        world["secretary"]["member_id"]: "present",
        world["member"]["member_id"]: "excused",
    }  # each tap changed the row tapped, only it
    page.mouse.wheel(0, 400)
    shot(page, "14-secretary-meeting")
    click(page, "back")
    click(page, "sec-attendance")
    page.mouse.wheel(0, 3000)
    expect(el(page, "export-attendance")).to_be_attached()
    with page.expect_download(timeout=30_000) as download:
        click(page, "export-attendance")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert open(download.value.path(), "rb").read(2) == b"PK"  # a real workbook
    ctx.close()

    ctx = phone(browser)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    # Staff mostly work at a desk: the window is that size before the app loads (resized while the
    # sign-in form was being filled, Flutter rebuilt its fields and the typed name was lost).
    page.set_viewport_size({"width": 1280, "height": 900})
    goto(page, stack.web_url)
    sign_in(page, world["staff"]["username"], world["password"])
    click(page, "open-staff")
    expect(el(page, "overview")).to_be_attached(timeout=30_000)
    said = expect_says(page, f"reading-doc-{material['id']}", "Tài liệu sinh hoạt chuyên đề", timeout=30)
    assert "1/" in said  # one member of the district has read it
    expect(el(page, "rates-chart")).to_be_attached()
    expect(page.get_by_text("Thôn A1-1", exact=False).first).to_be_attached()  # short labels, not "bộ thôn"
    shot(page, "20-staff-dashboard")
    page.mouse.move(640, 500)
    page.mouse.wheel(0, 800)
    shot(page, "24-staff-reading")
    click(page, "publish")
    expect(el(page, "doc-new-title")).to_be_attached()
    fill(page, "doc-new-title", "Kế hoạch học tập, quán triệt Nghị quyết Đại hội")
    shot(page, "21-staff-publish")
    goto(page, stack.web_url + "/staff/members", new_session=True)
    expect(page.get_by_text("Trần Thị Đảng").first).to_be_attached(timeout=20_000)
    assert page.get_by_text("dangvien.b").count() == 0
    shot(page, "23-staff-members")
    goto(page, stack.web_url + "/staff/orgs", new_session=True)
    expect(el(page, "org-" + str(world["cell_id"]))).to_be_attached(timeout=20_000)
    said = expect_says(page, "org-" + str(world["cell_id"]), "đảng viên")
    assert "Chi bộ thôn A1-1" in said and "3 đảng viên" in said  # secretary and two members
    fill(page, "org-new-name", "Chi bộ thôn A1-3")
    fill(page, "org-new-code", "A1-3-moi")
    fill(page, "org-new-day", "5")
    fill(page, "org-new-time", "19:30")
    click(page, "org-new-submit")
    # wait for the server to hold it: a name on screen could also be the form's own text
    deadline, created = time.monotonic() + 20, []
    while not created and time.monotonic() < deadline:
        items = staff_api.get("/orgs", params={"q": "A1-3"})["items"]
        created = [o for o in items if o["code"] == "A1-3-moi"]
        if not created:
            time.sleep(0.2)
    expect(page.get_by_text("Chi bộ thôn A1-3").first).to_be_attached(timeout=20_000)
    assert created and created[0]["meeting_day"] == 5 and created[0]["meeting_time"] == "19:30"
    shot(page, "25-staff-orgs")
    click(page, f"org-edit-{created[0]['id']}")
    fill(page, "org-edit-name", "Chi bộ thôn A1-3 mới")
    click(page, "org-edit-save")
    expect(page.get_by_text("Chi bộ thôn A1-3 mới").first).to_be_attached(timeout=20_000)
    assert staff_api.get(f"/orgs/{created[0]['id']}")["name"] == "Chi bộ thôn A1-3 mới"

    goto(page, stack.web_url + "/staff/drafts", new_session=True)
    expect(el(page, f"draft-{draft['id']}")).to_be_attached(timeout=20_000)
    click(page, f"draft-{draft['id']}")
    said = expect_says(page, f"comment-{comment['id']}", "Đề nghị bổ sung số liệu")
    assert "Trần Thị Đảng" in said
    shot(page, "26-staff-draft-comments")
    with page.expect_download(timeout=30_000) as download:
        click(page, "export-comments-xlsx")
    assert download.value.suggested_filename == f"gop-y-van-ban-{draft['id']}.xlsx"
    assert open(download.value.path(), "rb").read(2) == b"PK"
    with page.expect_download(timeout=30_000) as download:
        click(page, "export-comments-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Đề nghị bổ sung số liệu phát triển đảng viên mới năm 2026." in text

    goto(page, stack.web_url + "/staff/members/new", new_session=True)
    expect(el(page, "member-new-name")).to_be_attached(timeout=20_000)
    fill(page, "member-new-name", "Hoàng Văn Mới")
    fill(page, "member-new-born", "04/12/1975")
    fill(page, "member-new-card", "12ab")
    click(page, "member-new-save")
    said = expect_says(page, "member-new-error", "không hợp lệ")
    assert "card_number" in said  # the server's words, as they are
    shot(page, "27-staff-new-member")
    fill(page, "member-new-card", "87654321")
    click(page, "member-new-save")
    expect(el(page, "member-search")).to_be_attached(timeout=20_000)
    made = staff_api.get("/members", params={"q": "Hoang Van Moi"})["items"]
    assert [(m["birth_date"], m["card_number"]) for m in made] == [("1975-12-04", "87654321")]

    goto(page, stack.web_url + "/staff/audit", new_session=True)
    expect(page.get_by_text("Đăng nhập — ", exact=False).first).to_be_attached(timeout=20_000)
    shot(page, "22-staff-audit")
    ctx.close()
