"""In Chromium (issue 13): a member takes a study check and writes a bài thu hoạch; the secretary marks it
received with a remark; committee staff see the figures by cell. Staff write a check in the app, and a
member of the audience sees it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.records.orgs import Organization
from server.timeutil import utcnow
from tests.client.browser.harness import click, el, expect_says, fill, goto, open_app, phone, shot, sign_in
from tests.client.browser.test_member_flow import Api
from tests.server.study.factories import ESSAY, make_check, make_study_doc

pytestmark = [pytest.mark.browser]


def test_take_a_check_write_an_essay_receive_it_see_the_figures(stack, browser, world, arrange):
    def setup(session) -> tuple[int, int]:
        province = session.get(Organization, world["province_id"])
        doc = make_study_doc(session, [province], "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học")
        now = utcnow()
        check = make_check(session, doc, [province], opens_at=now - timedelta(hours=1),
                           closes_at=now + timedelta(days=7), minutes=15)
        return int(doc.id or 0), int(check.id or 0)

    doc_id, check_id = arrange(setup)

    m_ctx = phone(browser)
    member = open_app(m_ctx, stack.web_url)
    sign_in(member, world["member"]["username"], world["password"])
    click(member, "open-year")
    click(member, "open-study")
    expect(member).to_have_url(stack.web_url + "/year/study")
    expect_says(member, f"check-state-{check_id}", "Đang mở")
    shot(member, "60-study-member-checks")
    click(member, f"check-{check_id}")
    click(member, "check-start")
    expect_says(member, "check-clock", "Còn 1")
    click(member, "q1-o2")  # single choice: B is right
    click(member, "q2-o1")  # multiple: A and C are right
    click(member, "q2-o3")
    shot(member, "61-study-member-quiz")
    member.mouse.move(200, 500)
    member.mouse.wheel(0, 4000)
    click(member, "check-submit")
    expect_says(member, "submit-confirm", "Còn 3 câu chưa trả lời")
    click(member, "submit-yes")
    expect_says(member, "check-verdict", "Đã nộp bài: đúng 2/5 câu, 4/10 điểm")
    shot(member, "62-study-member-verdict")

    goto(member, stack.web_url + f"/documents/{doc_id}/essay")
    fill(member, "essay-body", ESSAY)
    expect_says(member, "essay-count", f"{len(ESSAY)} ký tự")
    member.wait_for_timeout(300)
    click(member, "essay-send")
    expect_says(member, "essay-status", "chờ chi bộ nhận")
    shot(member, "63-study-member-essay")

    leader = Api(stack.api_url, world["secretary"]["username"], world["password"])
    [essay] = leader.get("/study/essays")["items"]
    s_ctx = phone(browser)
    sec = open_app(s_ctx, stack.web_url)
    sign_in(sec, world["secretary"]["username"], world["password"])
    click(sec, "open-secretary")
    click(sec, "open-cell-study")
    expect(sec).to_have_url(stack.web_url + "/secretary/study")
    fill(sec, f"essay-remark-{essay['id']}", "Có liên hệ bản thân, cụ thể")
    sec.wait_for_timeout(300)
    click(sec, f"essay-receive-{essay['id']}")
    expect_says(sec, f"essay-received-{essay['id']}", "Nhận xét: Có liên hệ bản thân, cụ thể")
    expect_says(sec, f"cell-figures-{check_id}", "điểm trung bình 4,0/10 · 1 bài thu hoạch đã nhận")
    shot(sec, "64-study-secretary-essays")

    goto(member, stack.web_url + f"/documents/{doc_id}/essay")
    expect_says(member, "essay-status", "Nhận xét của chi bộ: Có liên hệ bản thân, cụ thể", timeout=30)

    st_ctx = phone(browser)
    staff = open_app(st_ctx, stack.web_url)
    sign_in(staff, world["province_staff"]["username"], world["password"])
    goto(staff, stack.web_url + f"/staff/study/{check_id}")
    expect_says(staff, "figures-total", "1/", timeout=30)
    expect(el(staff, "figures-chart")).to_be_attached()
    expect(el(staff, f"figures-cell-{world['cell_id']}")).to_be_attached()
    shot(staff, "65-study-staff-figures")
    with staff.expect_download(timeout=30_000) as download:
        click(staff, "figures-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert open(download.value.path(), "rb").read(2) == b"PK"  # a real workbook
    for c in (m_ctx, s_ctx, st_ctx):
        c.close()


def test_staff_write_a_check_in_the_app_and_a_member_sees_it(stack, browser, world, arrange):
    def setup(session) -> int:
        province = session.get(Organization, world["province_id"])
        doc = make_study_doc(session, [province], "Nghị quyết số 66-NQ/TW về công tác pháp luật")
        return int(doc.id or 0)

    doc_id = arrange(setup)
    st_ctx = phone(browser)
    staff = open_app(st_ctx, stack.web_url)
    sign_in(staff, world["province_staff"]["username"], world["password"])
    goto(staff, stack.web_url + "/staff/study")
    click(staff, "study-new")
    expect(staff).to_have_url(stack.web_url + "/staff/study/new")
    click(staff, f"check-doc-{doc_id}")
    expect(staff).to_have_url(stack.web_url + f"/staff/study/new/{doc_id}")
    expect_says(staff, "check-edit-audience", "Đảng bộ")  # the staff's own organisation
    fill(staff, "check-edit-title", "Kiểm tra nhận thức Nghị quyết 66")
    click(staff, "check-edit-save")  # no questions written yet: said under the first one, nothing sent
    expect_says(staff, "check-edit-q1-error", "Câu 1: chưa có nội dung câu hỏi")
    # Open from this minute (Vietnam time, as the form shows it), so the member can take it at once.
    now = stack.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    fill(staff, "check-edit-opens-day", now.strftime("%d/%m/%Y"))
    fill(staff, "check-edit-opens-time", now.strftime("%H:%M"))
    for n in range(1, 6):
        fill(staff, f"check-edit-q{n}-text", f"Câu hỏi số {n} về Nghị quyết 66?")
        fill(staff, f"check-edit-q{n}-o1", "Đúng")
        fill(staff, f"check-edit-q{n}-o2", "Sai")
        click(staff, f"check-edit-q{n}-right{1 if n % 2 else 2}")
    shot(staff, "66-study-staff-new-check")
    click(staff, "check-edit-save")
    expect(staff).to_have_url(stack.web_url + "/staff/study", timeout=30_000)
    [check] = Api(stack.api_url, world["province_staff"]["username"], world["password"]).get(
        "/study/checks", params={"document_id": doc_id})["items"]
    assert [q["correct"] for q in check["questions"]] == [[0], [1], [0], [1], [0]]
    assert check["audience_org_ids"] == [world["province_id"]]
    expect_says(staff, f"staff-check-{check['id']}", "Kiểm tra nhận thức Nghị quyết 66")
    click(staff, f"staff-check-edit-{check['id']}")  # open already: only the title and a later close
    expect_says(staff, "check-edit-locked", "Chỉ sửa được tên bài và lùi giờ đóng")

    m_ctx = phone(browser)
    member = open_app(m_ctx, stack.web_url)
    sign_in(member, world["member"]["username"], world["password"])
    click(member, "open-year")
    click(member, "open-study")
    expect_says(member, f"check-state-{check['id']}", "Đang mở", timeout=30)
    click(member, f"check-{check['id']}")
    expect_says(member, "check-title", "Kiểm tra nhận thức Nghị quyết 66")
    click(member, "check-start")
    expect_says(member, "question-5", "Câu hỏi số 5 về Nghị quyết 66?")
    for c in (st_ctx, m_ctx):
        c.close()
