"""The meeting month end to end in Chromium (issue 12), in three phones, on the calendar of a Hà Nội cell
(the server and the client run on an injected clock, Asia/Ho_Chi_Minh, moved by the test): on 20 November
the secretary drafts December's regular meeting (3 December, 19:30) in the app with agenda, location and a
document attached to an item; on 2 December the member's device keeps the meeting and its paper, reads
both with the server gone, searches documents typed key by key as soon as the screen opens (item 14); on
3 December at 19:20 (check-in open) the member checks in with the code on the secretary's screen; after the
start the secretary records attendance by explicit choice, the minutes and a vote, exports the list and
ends the meeting; staff see on the dashboard for 12/2026 that the cell has met, and export its year. Each
clock jump outlives the access tokens: the client refreshes on its own. Each step is kept in
docs/screenshots/50-month-*.png."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import time_machine
from playwright.sync_api import expect

from shared.timefmt import VN_TZ
from tests.client.browser.conftest import make_world
from tests.client.browser.harness import (
    Stack,
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
from tests.client.browser.test_large_text import DOCS_SHOTS
from tests.client.browser.test_member_flow import RESOLUTION, Api, _pdf
from tests.conftest import SECRET
from tests.requirements import need

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OTHER = "Chỉ thị về tăng cường công tác kiểm tra"
# In Hà Nội the secretary enters the date and topics around the 20th of the month before and sends the
# documents ahead (see the domain notes).
DRAFTED = datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ)
READ = datetime(2026, 12, 2, 20, 0, tzinfo=VN_TZ)  # the evening before: the member reads the paper
START = datetime(2026, 12, 3, 19, 30, tzinfo=VN_TZ)  # the regular meeting
CHECK_IN = START - timedelta(minutes=10)  # the window opens 30 minutes before the start
AFTER_START = START + timedelta(minutes=15)


@pytest.fixture
def world(arrange) -> dict:
    """The cast, made before the secretary drafts (their records must not be younger than the calendar)."""
    with time_machine.travel(DRAFTED - timedelta(days=1)):
        return arrange(make_world)


@pytest.fixture
def stack(data_dir: Path, chromium: str, world: dict) -> Iterator[Stack]:
    s = Stack(data_dir, SECRET, clock=DRAFTED)
    s.start()
    try:
        yield s
    finally:
        s.stop()


def step(page, n: int, what: str) -> Path:
    """A screenshot of the step, kept with the docs (and in test-artifacts like every browser test's)."""
    path = shot(page, f"50-month-{n:02d}-{what}")
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    (DOCS_SHOTS / path.name).write_bytes(path.read_bytes())
    return path


def _arrange(stack, world) -> dict:
    """The documents addressed to the cell (through its district), one with its PDF."""
    staff = Api(stack.api_url, world["staff"]["username"], world["password"])
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
    other = staff.post(
        "/documents",
        json={
            "title": OTHER,
            "doc_type": "directive",
            "number": "35-CT/TW",
            "issued_on": "2024-06-14",
            "category": "documents",
            "audience_org_ids": [world["district_id"]],
        },
    )
    return {"doc": doc, "att": att, "other": other}


def test_a_meeting_month_in_three_phones(stack, browser, world):
    paths = httpx.get(stack.api_url + "/openapi.json").json()["paths"]
    need("/api/v1/meetings/{meeting_id}/agenda/unread" in paths, "the server has no agenda documents yet")
    data = _arrange(stack, world)
    doc, att, other = data["doc"], data["att"], data["other"]
    member_id, member2_id = world["member"]["member_id"], world["member2"]["member_id"]
    secretary_id = world["secretary"]["member_id"]

    # --- 20 November: the secretary drafts December's meeting -------------------------------------------
    assert stack.now().astimezone(VN_TZ).date() == DRAFTED.date()
    sec_ctx = phone(browser)
    sec = open_app(sec_ctx, stack.web_url)
    sign_in(sec, world["secretary"]["username"], world["password"])
    click(sec, "open-secretary")
    expect(el(sec, "plan-meeting")).to_be_attached(timeout=30_000)
    click(sec, "plan-meeting")
    expect(el(sec, "meeting-agenda")).to_be_attached(timeout=30_000)
    title = "Sinh hoạt chi bộ thường kỳ tháng 12/2026"
    fill(sec, "meeting-title", title)
    fill(sec, "meeting-day", "03/12/2026")
    fill(sec, "meeting-time", "19:30")
    fill(sec, "meeting-location", "Nhà văn hóa thôn A1")
    fill(sec, "agenda-title-1", "Học tập Nghị quyết 21-NQ/TW")
    click(sec, "agenda-add-doc-1")  # search what the cell sees, without tone marks, and pick
    expect(el(sec, "agenda-picker")).to_be_attached(timeout=20_000)
    fill(sec, "agenda-search", "nghi quyet cung co")
    expect(el(sec, f"agenda-pick-{doc['id']}")).to_be_attached(timeout=20_000)
    expect(el(sec, f"agenda-pick-{other['id']}")).not_to_be_attached()
    step(sec, 1, "secretary-pick-document")
    click(sec, f"agenda-pick-{doc['id']}")
    expect(el(sec, f"agenda-doc-1-{doc['id']}")).to_be_attached(timeout=20_000)
    expect_says(sec, f"agenda-doc-1-{doc['id']}", RESOLUTION)
    step(sec, 2, "secretary-meeting-form")
    click(sec, "meeting-save")
    expect(sec.get_by_role("button", name=title).first).to_be_attached(timeout=30_000)
    sec_api = Api(stack.api_url, world["secretary"]["username"], world["password"])
    [meeting] = [m for m in sec_api.get("/meetings", params={"limit": 100})["items"] if m["title"] == title]
    mid = meeting["id"]
    assert meeting["kind"] == "regular" and meeting["location"] == "Nhà văn hóa thôn A1"
    assert datetime.fromisoformat(meeting["starts_at"]) == START
    drafted_on = datetime.fromisoformat(meeting["created_at"]).astimezone(VN_TZ)
    assert drafted_on.date().isoformat() == "2026-11-20"  # by the 20th of the month before
    assert [(i["title"], i.get("document_ids") or []) for i in meeting["agenda"]] == [
        ("Đánh giá kết quả tháng", []),
        ("Học tập Nghị quyết 21-NQ/TW", [doc["id"]]),
    ]
    step(sec, 3, "secretary-meetings")

    # --- 2 December: the member's device keeps the meeting and its paper, reads them with no network ----
    stack.set_clock(READ)
    mem_ctx = phone(browser)
    mem = open_app(mem_ctx, stack.web_url)
    sign_in(mem, world["member"]["username"], world["password"])
    expect_says(mem, "next-meeting", title, 30)
    step(mem, 4, "member-home")
    goto(mem, stack.web_url + f"/meetings/{mid}")
    expect_says(mem, f"agenda-doc-{doc['id']}", "đã lưu trên máy", 40)  # the file is on the device
    stack.server.stop()  # the app's own process talks to the API: with the server gone it is truly offline
    try:
        goto(mem, stack.web_url + f"/meetings/{mid}")
        expect(el(mem, "offline-banner")).to_be_attached(timeout=30_000)
        said = expect_says(mem, "meeting-header", "Nhà văn hóa thôn A1", 30)
        assert title in said
        expect_says(mem, f"agenda-doc-{doc['id']}", "đã lưu trên máy")
        step(mem, 5, "member-offline-meeting")
        click(mem, f"agenda-doc-{doc['id']}")
        expect_says(mem, "doc-title", RESOLUTION, 30)
        with mem.expect_download(timeout=30_000) as download:  # from the device, not the server
            click(mem, f"download-{att['id']}")
        assert download.value.suggested_filename == "nghi-quyet-21.pdf"
        assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
        expect(el(mem, "offline-banner")).to_be_attached()
        step(mem, 6, "member-offline-document")
    finally:
        stack.server.start()

    # --- back online: a search typed key by key the moment the screen opens loses no letter (item 14) ---
    goto(mem, stack.web_url + "/documents")
    box = el(mem, "doc-search").locator("input").first
    box.wait_for(state="attached", timeout=30_000)
    box.dispatch_event("click")
    box.focus()
    typed = "cung co to chuc"
    mem.keyboard.type(typed, delay=40)
    expect(box).to_have_value(typed, timeout=10_000)
    expect(el(mem, f"document-{doc['id']}")).to_be_attached(timeout=30_000)
    expect(mem.locator('[flt-semantics-identifier^="document-"]')).to_have_count(1, timeout=20_000)
    expect(box).to_have_value(typed)
    step(mem, 7, "member-search-typed")

    # --- 3 December, 19:20: check-in with the code on the secretary's screen ------------------------------
    stack.set_clock(CHECK_IN)
    goto(sec, stack.web_url + f"/secretary/meetings/{mid}/check-in")
    click(sec, "open-checkin")
    expect(el(sec, "checkin-code-display")).to_be_attached(timeout=30_000)
    step(sec, 8, "secretary-checkin-code")
    goto(mem, stack.web_url + f"/meetings/{mid}")
    expect(el(mem, "checkin-code")).to_be_attached(timeout=30_000)
    expect(el(mem, "offline-banner")).not_to_be_attached(timeout=60_000)
    # read the code as late as possible: it rotates every 30 s (the one before is still accepted)
    code = re.search(r"\d{6}", text_of(sec, "checkin-code-display").replace(" ", "")).group(0)
    fill(mem, "checkin-code", code)
    click(mem, "checkin-submit")
    expect_says(mem, "checkin-result", "Đã điểm danh", 30)
    step(mem, 9, "member-checked-in")

    # --- after the start: the secretary records attendance (an explicit choice), minutes and a vote -----
    stack.set_clock(AFTER_START)
    sec_api = Api(stack.api_url, world["secretary"]["username"], world["password"])  # a token of this day
    click(sec, "back")
    click(sec, "sec-attendance")
    expect_says(sec, f"attendance-{member_id}", "Có mặt", 30)  # the member's own check-in
    expect_says(sec, f"attendance-{member2_id}", "Chưa điểm danh")
    click(sec, f"attendance-{member2_id}")  # opens the choice; nothing is written by the tap itself
    expect(el(sec, "attendance-choices")).to_be_attached(timeout=20_000)
    click(sec, "attendance-choice-excused")
    expect_says(sec, f"attendance-{member2_id}", "Vắng có lý do", 30)
    click(sec, f"attendance-{secretary_id}")
    expect(el(sec, "attendance-choices")).to_be_attached(timeout=20_000)
    click(sec, "attendance-choice-present")
    expect_says(sec, f"attendance-{secretary_id}", "Có mặt", 30)
    step(sec, 10, "secretary-attendance")
    status = {r["member_id"]: r["status"] for r in sec_api.get(f"/meetings/{mid}/attendance")["items"]}
    assert status == {member_id: "present", member2_id: "excused", secretary_id: "present"}
    sec.mouse.wheel(0, 3000)
    with sec.expect_download(timeout=30_000) as download:
        click(sec, "export-attendance")
    assert download.value.suggested_filename.endswith(".xlsx")
    cells = _xlsx_text(Path(download.value.path()))
    assert title in cells and "Trần Thị Đảng" in cells and "Lê Văn Hai" in cells

    click(sec, "back")
    click(sec, "sec-minutes")
    fill(sec, "minutes-text", "Chi bộ học tập Nghị quyết 21-NQ/TW; thống nhất kế hoạch tháng tới.")
    fill(sec, "resolution-title", "Nghị quyết về kế hoạch tháng tới")
    fill(sec, "votes-for", "2")
    fill(sec, "votes-against", "0")
    fill(sec, "votes-abstain", "0")
    click(sec, "add-resolution")
    assert "THÔNG QUA" in expect_says(sec, "vote-result", "Tán thành", 30)
    sec.get_by_role("button", name="Lưu biên bản").dispatch_event("click")
    expect_says(sec, "toast", "Đã lưu biên bản.", 30)
    step(sec, 11, "secretary-minutes-vote")
    minutes = sec_api.get(f"/meetings/{mid}/minutes")
    assert "Nghị quyết 21-NQ/TW" in minutes["text"]
    assert [r["title"] for r in minutes["resolutions"]] == ["Nghị quyết về kế hoạch tháng tới"]

    # the meeting ends (it could not before its start)
    click(sec, "back")
    expect(el(sec, "close-meeting")).to_be_attached(timeout=30_000)
    click(sec, "close-meeting")
    expect(sec.get_by_text("Đã kết thúc").first).to_be_attached(timeout=30_000)
    assert sec_api.get(f"/meetings/{mid}")["status"] == "closed"
    step(sec, 12, "secretary-meeting-closed")
    sec_ctx.close()
    mem_ctx.close()

    # --- staff: the dashboard for 12/2026 shows the cell has met, and its year exports -----------------
    staff_ctx = phone(browser)
    staff = open_app(staff_ctx, stack.web_url)
    sign_in(staff, world["staff"]["username"], world["password"])
    click(staff, "open-staff")
    said = expect_says(staff, "overview", "chưa sinh hoạt tháng này", 30)
    expect_says(staff, "overview-month", "Tháng 12/2026")
    assert "1 chi bộ chưa sinh hoạt tháng này" in said, said  # the sibling cell only
    expect(staff.get_by_text("• Chi bộ thôn A1-2")).to_be_attached()
    expect(staff.get_by_text("• Chi bộ thôn A1-1")).not_to_be_attached()
    step(staff, 13, "staff-dashboard")
    exporter = el(staff, f"export-year-{world['cell_id']}")
    expect(exporter).to_be_attached(timeout=30_000)
    exporter.scroll_into_view_if_needed()
    step(staff, 14, "staff-year-exports")
    with staff.expect_download(timeout=30_000) as download:
        click(staff, f"export-year-{world['cell_id']}")
    assert download.value.suggested_filename == f"diem-danh-nam-2026-chi-bo-{world['cell_id']}.xlsx"
    cells = _xlsx_text(Path(download.value.path()))
    assert "Trần Thị Đảng" in cells and "Lê Văn Hai" in cells and "Nguyễn Văn Bí" in cells
    assert "03/12/2026" in cells  # the meeting's column
    staff_ctx.close()


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    with path.open("rb") as fh:  # Playwright keeps a download under a name without an extension
        book = load_workbook(io.BytesIO(fh.read()), read_only=True)
    rows = (row for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    return " ".join(str(v) for row in rows for v in row if v)
