"""The staff's study-check screens on a fake page (client/views/study_edit.py): the documents to pick from,
the form (faults next to their fields, questions added, reordered and removed, the key ticked), editing a
check before and after it opens, and the way there from /staff/study."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.router import Router
from client.views import study_cell
from client.views import study_edit as views
from tests.client.pages import FakePage, by_id, said, walk
from tests.client.test_state_study_edit import NOW, staff_device


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def staff(tmp_path: Path, clock):
    return staff_device(tmp_path, clock)


async def _settle(page: FakePage) -> None:
    while page.tasks:
        tasks, page.tasks = page.tasks, []
        await asyncio.gather(*tasks)


def _type(root: Any, identifier: str, value: str) -> None:
    box = by_id(root, identifier)
    box.value = value
    box.on_change(type("E", (), {"control": box})())


def _tick(root: Any, identifier: str, on: bool = True) -> None:
    box = by_id(root, identifier)
    box.value = on
    box.on_change(type("E", (), {"control": box})())


async def _screen(staff_fixture, builder, *args) -> tuple[Any, Any, FakePage, Any]:
    app, api = await staff_fixture()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = builder(router.ctx, *args)
    await screen.load()
    return app, api, page, screen


def _write_questions(body: Any, count: int = 5) -> None:
    for n in range(1, count + 1):
        _type(body, f"check-edit-q{n}-text", f"Câu hỏi {n}?")
        _type(body, f"check-edit-q{n}-o1", "Đúng")
        _type(body, f"check-edit-q{n}-o2", "Sai")
        _tick(body, f"check-edit-q{n}-right1")


async def test_the_documents_to_pick_open_the_form_of_a_check_on_one(staff):
    _, _, page, screen = await _screen(staff, views.pick_document)
    assert said(by_id(screen.body, "check-doc-30")).startswith("Nghị quyết 57-NQ/TW 57-NQ/TW · Nghị quyết")
    assert "Tài liệu học tập" in said(by_id(screen.body, "check-doc-31"))
    by_id(screen.body, "check-doc-31").content.on_click(None)
    await _settle(page)
    assert page.route == "/staff/study/new/31"


async def test_a_new_check_written_on_the_form_is_sent(staff):
    _, api, page, screen = await _screen(staff, views.new_check, "30")
    body = screen.body
    assert said(by_id(body, "check-edit-doc")) == "Văn bản: Nghị quyết 57-NQ/TW"
    assert said(by_id(body, "check-edit-audience")) == "Đối tượng: Đảng bộ tỉnh (cả các chi bộ trực thuộc)"
    assert by_id(body, "check-edit-opens-day").value == "05/12/2026"
    _type(body, "check-edit-title", "Kiểm tra Nghị quyết 57")
    _write_questions(body)
    by_id(body, "check-edit-add").on_click(None)  # a sixth, multiple choice, moved up to be the first
    _type(body, "check-edit-q6-text", "Chọn các ý đúng")
    _tick(body, "check-edit-q6-multiple")
    by_id(body, "check-edit-q6-add-option").on_click(None)
    for m, words in enumerate(["Một", "Hai", "Ba"], start=1):
        _type(body, f"check-edit-q6-o{m}", words)
    _tick(body, "check-edit-q6-right1")
    _tick(body, "check-edit-q6-right3")
    for n in (6, 5, 4, 3, 2):
        by_id(body, f"check-edit-q{n}-up").on_click(None)
    assert by_id(body, "check-edit-q1-text").value == "Chọn các ý đúng"
    by_id(body, "check-edit-audience-choose").on_click(None)
    _tick(body, "check-edit-org-4")
    _tick(body, "check-edit-org-1", False)
    _type(body, "check-edit-minutes", "20")
    by_id(body, "check-edit-save").on_click(None)
    await _settle(page)
    [(path, sent)] = api.posted
    assert path == "/study/checks" and sent["audience_org_ids"] == [4] and sent["time_limit_minutes"] == 20
    assert sent["questions"][0] == {
        "text": "Chọn các ý đúng", "multiple": True, "options": ["Một", "Hai", "Ba"], "correct": [0, 2]
    }
    assert page.route == "/staff/study"
    assert said(page.dialogs[-1]) == "Đã tạo bài kiểm tra; đảng viên sẽ nhận được khi đồng bộ."


async def test_faults_are_said_under_their_fields_and_nothing_is_sent(staff):
    _, api, page, screen = await _screen(staff, views.new_check, "30")
    body = screen.body
    _type(body, "check-edit-title", "Kiểm tra")
    _write_questions(body, 4)
    by_id(body, "check-edit-q5-remove").on_click(None)
    _type(body, "check-edit-closes-day", "04/12/2026")
    by_id(body, "check-edit-save").on_click(None)
    await _settle(page)
    assert api.posted == []
    assert said(by_id(body, "check-edit-error")).startswith("Bài kiểm tra còn chỗ chưa đúng")
    assert said(by_id(body, "check-edit-questions-error")) == (
        "Bài kiểm tra có từ 5 đến 30 câu hỏi (đang có 4): vui lòng thêm câu hỏi."
    )
    closes = said(by_id(body, "check-edit-closes-error"))
    assert closes == "Giờ đóng phải sau giờ mở: vui lòng chọn lại giờ đóng."
    by_id(body, "check-edit-add").on_click(None)
    by_id(body, "check-edit-save").on_click(None)
    await _settle(page)
    assert said(by_id(body, "check-edit-q5-error")) == "Câu 5: chưa có nội dung câu hỏi: vui lòng nhập."


async def test_the_pickers_fill_the_fields(staff):
    _, _, page, screen = await _screen(staff, views.new_check, "30")
    by_id(screen.body, "check-edit-closes-day-pick").on_click(None)
    picker = page.dialogs[-1]
    assert isinstance(picker, ft.DatePicker) and str(picker.value)[:10] == "2026-12-12"
    picker.value = (NOW + timedelta(days=20)).replace(hour=17)  # midnight of the 25th in Vietnam, in UTC
    picker.on_change(None)
    assert by_id(screen.body, "check-edit-closes-day").value == "25/12/2026"
    by_id(screen.body, "check-edit-opens-time-pick").on_click(None)
    picker = page.dialogs[-1]
    assert isinstance(picker, ft.TimePicker)
    picker.value = "19:30"
    picker.on_change(None)
    assert by_id(screen.body, "check-edit-opens-time").value == "19:30"


async def _created(staff) -> tuple[Any, Any]:
    from client.state.study_edit import CheckEditor
    from tests.client.test_state_study_edit import fill

    app, api = await staff()
    editor = CheckEditor(app, document_id=30)
    fill(editor)
    assert (await editor.save()).ok
    return app, api


async def test_a_check_is_edited_before_it_opens_and_only_its_title_and_close_after(staff, clock):
    app, api = await _created(staff)
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = views.edit_check(router.ctx, "1")
    assert said(screen.body) == "Đang tải..."
    await screen.load()
    assert by_id(screen.body, "check-edit-q1-text").value == "Câu hỏi số 1?"
    assert by_id(screen.body, "check-edit-q1-right1").value is True
    clock[0] = NOW + timedelta(days=2)  # open since 07:00 yesterday
    screen = views.edit_check(router.ctx, "1")
    await screen.load()
    body = screen.body
    assert said(by_id(body, "check-edit-locked")).startswith("Bài kiểm tra đã mở lúc 07:00 ngày 05/12/2026")
    assert by_id(body, "check-edit-minutes").disabled and by_id(body, "check-edit-opens-day").disabled
    assert not by_id(body, "check-edit-closes-day").disabled
    assert [c for c in walk(by_id(body, "check-edit-q1")) if isinstance(c, ft.TextField)] == []
    _type(body, "check-edit-closes-day", "20/12/2026")
    by_id(body, "check-edit-save").on_click(None)
    await _settle(page)
    assert api.posted[-1] == ("/study/checks/1", {"title": "Kiểm tra nhận thức Nghị quyết 57",
                                                  "closes_at": "2026-12-20T14:00:00Z"})


async def test_the_staff_list_leads_to_a_new_check_and_to_editing_a_managed_one(staff):
    app, api = await _created(staff)
    api.checks[2] = {**api.checks[1], "id": 2, "key_shown": False}  # one they only read the figures of
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    api.answers["/study/checks"] = {"items": list(api.checks.values()), "total": 2, "limit": 100, "offset": 0}
    screen = study_cell.staff_checks(router.ctx)
    await screen.load()
    by_id(screen.body, "study-new").on_click(None)
    await _settle(page)
    assert page.route == "/staff/study/new"
    by_id(screen.body, "staff-check-edit-1").on_click(None)
    await _settle(page)
    assert page.route == "/staff/study/1/edit"
    try:
        by_id(screen.body, "staff-check-edit-2")
        raise AssertionError("a check the staff do not manage offers no editing")
    except LookupError:
        pass


async def test_at_the_largest_text_no_tappable_control_of_the_form_is_below_48_dp(staff):
    from client.state.app import TEXT_SCALES
    from tests.client.test_elderly import _too_small_or_fixed

    app, _ = await staff()
    app.text_scale = TEXT_SCALES[-1]
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    screen = views.new_check(router.ctx, "30")
    await screen.load()
    by_id(screen.body, "check-edit-audience-choose").on_click(None)
    assert _too_small_or_fixed([screen.body]) == []
    assert by_id(screen.body, "check-edit-opens-day").width <= views.PICKER_FIELD  # its picker fits beside it


async def test_an_error_is_taken_back_once_its_field_is_being_fixed(staff):
    _, _, page, screen = await _screen(staff, views.new_check, "30")
    body = screen.body
    by_id(body, "check-edit-save").on_click(None)
    await _settle(page)
    assert said(by_id(body, "check-edit-q2-error")) == "Câu 2: chưa có nội dung câu hỏi: vui lòng nhập."
    assert by_id(body, "check-edit-title").error == "Vui lòng đặt tên bài kiểm tra (từ 2 đến 300 ký tự)."
    _type(body, "check-edit-q2-text", "Câu hỏi?")
    _type(body, "check-edit-title", "Kiểm tra")
    assert said(by_id(body, "check-edit-q2-error")) == "" and by_id(body, "check-edit-title").error is None
    assert said(by_id(body, "check-edit-q1-error")) != ""  # the others stay said


async def test_a_resolution_offers_staff_the_way_to_a_check_on_it(staff):
    from client.views import study as study_views

    app, _ = await staff()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    box = ft.Column(study_views.document_study(router.ctx, 30))
    by_id(box, "check-new").on_click(None)
    await _settle(page)
    assert page.route == "/staff/study/new/30"


async def test_the_buttons_are_the_same_controls_after_the_list_loads(staff):
    # a tap landing while the screen is redrawn (its load, a sync) must still reach the button
    app, api = await _created(staff)
    api.answers["/study/checks"] = {"items": list(api.checks.values()), "total": 1, "limit": 100, "offset": 0}
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    listing = study_cell.staff_checks(router.ctx)
    new = by_id(listing.body, "study-new")
    await listing.load()
    edit = by_id(listing.body, "staff-check-edit-1")
    listing.redraw()
    assert by_id(listing.body, "study-new") is new and by_id(listing.body, "staff-check-edit-1") is edit
    docs = views.pick_document(router.ctx)
    await docs.load()
    card = by_id(docs.body, "check-doc-30")
    docs.redraw()
    assert by_id(docs.body, "check-doc-30") is card


async def test_two_taps_on_save_make_one_check(staff):
    _, api, page, screen = await _screen(staff, views.new_check, "30")
    _type(screen.body, "check-edit-title", "Kiểm tra")
    _write_questions(screen.body)
    by_id(screen.body, "check-edit-save").on_click(None)
    by_id(screen.body, "check-edit-save").on_click(None)
    await _settle(page)
    assert [path for path, _ in api.posted] == ["/study/checks"]


async def test_a_check_not_yet_open_is_deleted_after_a_confirmation(staff, clock):
    app, api = await _created(staff)
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    clock[0] = NOW + timedelta(days=2)  # open since 07:00 yesterday: members may be taking it
    screen = views.edit_check(router.ctx, "1")
    await screen.load()
    with pytest.raises(LookupError):
        by_id(screen.body, "check-edit-delete")
    clock[0] = NOW
    screen = views.edit_check(router.ctx, "1")
    await screen.load()
    by_id(screen.body, "check-edit-delete").on_click(None)
    by_id(page.dialogs[-1], "check-delete-cancel").on_click(None)
    await _settle(page)
    assert page.dialogs == [] and 1 in api.checks  # "Giữ lại": nothing sent
    by_id(screen.body, "check-edit-delete").on_click(None)
    assert said(page.dialogs[-1].title) == "Xóa bài kiểm tra này?"
    by_id(page.dialogs[-1], "check-delete-confirm").on_click(None)
    await _settle(page)
    assert api.checks == {} and page.route == "/staff/study"
