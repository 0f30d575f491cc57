"""The secretary's attendance screen on a fake page."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from tests.client.fakes import AttendanceApi
from tests.client.pages import FakePage, by_id, said


async def test_attendance_is_chosen_explicitly_and_can_be_undone(tmp_path):
    """Issue 12, item 9: a tap opens the choice and changes nothing; the chosen status is written; the
    "Hoàn tác" on the snack bar puts the previous status back on the server."""
    from client.views import secretary_meeting

    apis: list[AttendanceApi] = []

    def factory(url: str, **kw: Any) -> AttendanceApi:
        apis.append(AttendanceApi(url, **kw))
        return apis[-1]

    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=factory,  # type: ignore[arg-type]
    )
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    api = apis[-1]
    screen = secretary_meeting.meeting_attendance(router.ctx, "5")
    assert screen.load is not None
    await screen.load()

    async def settle() -> None:
        await asyncio.gather(*page.tasks)
        page.tasks.clear()

    # A tap (a stray one included) only opens the list of statuses.
    by_id(screen.body, "attendance-3").on_click(None)
    await settle()
    assert api.puts == [] and api.statuses[3] == "present"
    sheet = page.dialogs[-1]
    assert isinstance(sheet, ft.BottomSheet)
    assert "Có mặt" in said(by_id(screen.body, "attendance-3"))
    labels = [said(by_id(sheet, f"attendance-choice-{s}")) for s in ("present", "late", "excused", "absent")]
    assert labels == ["Có mặt", "Đến muộn", "Vắng có lý do", "Vắng không lý do"]
    by_id(sheet, "attendance-choice-cancel").on_click(None)  # closing the list writes nothing either
    await settle()
    assert sheet.open is False and api.puts == []

    # Choosing a status writes it, and offers to take it back.
    by_id(screen.body, "attendance-3").on_click(None)
    by_id(page.dialogs[-1], "attendance-choice-absent").on_click(None)
    await settle()
    assert api.puts == [(3, "absent")]
    assert "Vắng không lý do" in said(by_id(screen.body, "attendance-3"))
    bar = page.dialogs[-1]
    assert isinstance(bar, ft.SnackBar) and bar.action == "Hoàn tác"
    assert "Trần Thị Đảng" in said(bar.content)

    # "Hoàn tác" restores the previous status on the server.
    bar.on_action(None)
    await settle()
    assert api.puts == [(3, "absent"), (3, "present")] and api.statuses[3] == "present"
    assert "Có mặt" in said(by_id(screen.body, "attendance-3"))
    assert "Đã hoàn tác" in said(page.dialogs[-1].content)

    # For a member not yet recorded, undo removes the record again.
    by_id(screen.body, "attendance-9").on_click(None)
    by_id(page.dialogs[-1], "attendance-choice-late").on_click(None)
    await settle()
    assert api.statuses[9] == "late"
    page.dialogs[-1].on_action(None)
    await settle()
    assert api.puts[-1] == (9, None) and api.statuses[9] is None
    assert "Chưa điểm danh" in said(by_id(screen.body, "attendance-9"))


class SlowPollApi(AttendanceApi):
    """The screen's poll reads the sheet as it is when asked and answers only when released (a slow
    network), while the secretary's choice goes through at once."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        super().__init__(base_url, **kw)
        self.hold: asyncio.Event | None = None

    async def get_json(self, path: str, **kw: Any) -> Any:
        if path == "/meetings/5/attendance" and self.hold is not None:
            sheet, hold, self.hold = self.sheet(), self.hold, None
            await hold.wait()
            return sheet
        return await super().get_json(path, **kw)


async def test_a_slow_poll_does_not_paint_an_older_sheet_over_a_choice(tmp_path):
    """The list redrawn from a poll that left before the choice showed the old status for a moment and
    rebuilt the rows twice: a tap on the next name in between was lost (seen in test_secretary_staff)."""
    from client.views import secretary_meeting

    apis: list[SlowPollApi] = []

    def factory(url: str, **kw: Any) -> SlowPollApi:
        apis.append(SlowPollApi(url, **kw))
        return apis[-1]

    app = AppState(ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path), MemoryPrefs(),
                   api_factory=factory)  # type: ignore[arg-type]
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    api = apis[-1]
    screen = secretary_meeting.meeting_attendance(router.ctx, "5")
    assert screen.load is not None
    await screen.load()

    released = asyncio.Event()
    api.hold = released
    poll = asyncio.create_task(screen.timers[0]())  # the periodic refresh, caught by the slow network
    await asyncio.sleep(0)
    by_id(screen.body, "attendance-9").on_click(None)
    by_id(page.dialogs[-1], "attendance-choice-present").on_click(None)
    await asyncio.gather(*page.tasks)
    assert api.statuses[9] == "present" and "Có mặt" in said(by_id(screen.body, "attendance-9"))
    rows_before = by_id(screen.body, "attendance-9")

    released.set()
    await poll
    assert "Có mặt" in said(by_id(screen.body, "attendance-9"))  # the older answer is dropped
    await screen.timers[0]()  # the next poll finds nothing new since the choice
    assert "Có mặt" in said(by_id(screen.body, "attendance-9"))
    assert by_id(screen.body, "attendance-9") is rows_before  # so the rows under the finger stay
