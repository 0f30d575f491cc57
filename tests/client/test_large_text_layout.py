"""At 200% text on a 360 dp phone (issue 12, "Elderly-first"): every field's label fits its field on one line,
and rows put their status chips under the text instead of squeezing it to a few letters a line."""

from __future__ import annotations

from typing import Any

import flet as ft
import pytest

from client.app import ROUTES
from client.router import Router
from client.state.app import TEXT_SCALES, AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.views import ui
from tests.client.fakes import ME, SECRETARY, STAFF_IN_A_CELL, FakeApi
from tests.client.pages import FakePage, walk

LARGEST = TEXT_SCALES[-1]
# Roboto's mean advance per letter of Vietnamese text, in em (in Chromium: 15 letters took 270 px at 32 px)
EM = 0.55
FIELD_TEXT = 16  # body_large, the size of a field's resting label
PADDING = 24  # the field's own content padding, both sides
ICON = 48  # a prefix icon, or a dropdown's arrow

SCREENS = {
    "member": (
        ME,
        ["/home", "/meetings", "/documents", "/study", "/profile", "/check-in", "/year", "/year/study",
         "/documents/1/essay", "/year/review"],
    ),
    "secretary": (SECRETARY, ["/secretary", "/secretary/new", "/secretary/year", "/secretary/study",
                              "/secretary/reviews"]),
    "staff": (
        STAFF_IN_A_CELL,
        ["/staff", "/staff/publish", "/staff/members", "/staff/members/new", "/staff/orgs", "/staff/drafts",
         "/staff/study", "/staff/study/new", "/staff/study/new/1", "/staff/reviews"],
    ),
}


async def _page(tmp_path, me: dict, route: str) -> tuple[FakePage, Router]:
    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, me=me, **kw),  # type: ignore[arg-type]
    )
    app.after_login = None
    await app.sign_in("", "someone", "dung-mat-khau")
    app.text_scale = LARGEST
    page = FakePage()
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await router.show(route)
    for task in page.tasks:
        task.cancel()
    return page, router


def _label_overflows(field: Any) -> tuple[str, int, int] | None:
    label = field.label if isinstance(field.label, str) else None
    if not label:
        return None
    width = field.width if field.width is not None else ui.MAX_FIELD_WIDTH
    room = width - PADDING - (ICON if getattr(field, "prefix_icon", None) else 0)
    room -= ICON if isinstance(field, ft.Dropdown) else 0
    needed = round(len(label) * EM * FIELD_TEXT * LARGEST)
    return (label, needed, room) if needed > room else None


@pytest.mark.parametrize("role", list(SCREENS))
async def test_every_field_label_fits_its_field_at_200_percent(tmp_path, role):
    me, routes = SCREENS[role]
    too_long = []
    for route in routes:
        page, router = await _page(tmp_path / route.strip("/").replace("/", "-"), me, route)
        view = page.views[0]
        assert router.current_route == route, route  # the screen itself, not home instead
        for c in walk(view):
            if isinstance(c, ft.TextField | ft.Dropdown) and (bad := _label_overflows(c)):
                too_long.append((route, *bad))
    assert too_long == [], "\n".join(map(str, too_long))


def test_a_label_longer_than_its_field_is_caught():
    # the check itself: the search label of old ("Tìm văn bản (gõ không dấu cũng được)") would wrap to three
    # lines over the field's text at 200%
    old = ft.TextField(label="Tìm văn bản (gõ không dấu cũng được)", prefix_icon=ft.Icons.SEARCH)
    assert _label_overflows(old) is not None
    assert _label_overflows(ft.TextField(label="Tìm văn bản", prefix_icon=ft.Icons.SEARCH)) is None


def test_rows_put_their_chips_under_the_text_at_large_sizes_and_beside_it_at_normal_size():
    class App:
        text_scale = LARGEST

    ctx = ui.Ctx(page=None, app=App(), go=lambda r: None, run=lambda f: None)  # type: ignore[arg-type]
    main, chip = ft.Text("Sinh hoạt chi bộ thường kỳ tháng 12/2026"), ft.Text("Đã lên lịch")
    stacked = ctx.beside(main, chip)
    assert isinstance(stacked, ft.Column) and stacked.controls[0] is main
    App.text_scale = 1.0
    row = ctx.beside(main, chip)
    assert isinstance(row, ft.Row) and row.controls[0].expand and row.controls[1] is chip
    assert ctx.width(120) == 120
    App.text_scale = LARGEST
    assert ctx.width(120) == 240 and ctx.width(380) == ui.MAX_FIELD_WIDTH
