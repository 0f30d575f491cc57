"""Issue 12, item 7: every screen of the secretary's flow has its own address. Reaching a screen through the
app changes the address with it, and opening that address afresh (a deep link, a reload) shows that same
screen. Through the Router with a fake page and a fake server, no browser."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from client.app import ROUTES
from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.views import agenda, secretary, secretary_meeting
from tests.client.fakes import AttendanceApi
from tests.client.pages import FakePage, by_id

MEETING = {
    "id": 5,
    "org_id": 4,
    "title": "Sinh hoạt tháng 12",
    "status": "in_progress",
    "starts_at": "2099-12-04T12:30:00+00:00",
}
# What each screen is, told by a control only it has: route pattern -> (title, identifier).
SCREENS = {
    "/secretary": ("Công tác chi bộ", "plan-meeting"),
    "/secretary/new": ("Lên lịch sinh hoạt", "meeting-save"),
    "/secretary/meetings/5": ("Điều hành sinh hoạt", "unread-docs"),
    "/secretary/meetings/5/check-in": ("Mã điểm danh", "checkin-panel"),
    "/secretary/meetings/5/attendance": ("Điểm danh", "export-attendance"),
    "/secretary/meetings/5/minutes": ("Biên bản và biểu quyết", "minutes-text"),
}


class Session:
    """One tab: its page, app and router, signed in as the cell's secretary."""

    def __init__(self, tmp_path: Any, me: Any = None) -> None:
        self.page = FakePage()
        self.apis: list[AttendanceApi] = []

        def factory(url: str, **kw: Any) -> AttendanceApi:
            api = AttendanceApi(url, **kw)
            if me is not None:
                api._me = me
            api.answers["/meetings/5"] = MEETING
            self.apis.append(api)
            return api

        self.app = AppState(
            ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
            MemoryPrefs(),
            api_factory=factory,  # type: ignore[arg-type]
        )
        self.app.after_login = None
        self.router = Router(self.page, self.app, ROUTES)  # type: ignore[arg-type]

    async def start(self, route: str) -> None:
        await self.app.sign_in("", "bithu.a", "dung-mat-khau")
        self.app.require_store().put("meeting", 5, MEETING)
        self.page.route = route
        await self.router.show(route)
        await self.settle()

    async def settle(self) -> None:
        """Let the pushes of the address and the screens' loads run; a pushed address reaches the router
        as Flet's route-change event does."""
        for _ in range(10):  # bounded: an address that never matches the screen would go round for ever
            if not self.page.tasks:
                return
            tasks, self.page.tasks = self.page.tasks, []
            await asyncio.gather(*tasks)
            if self.page.route != self.router.current_route:
                await self.router.on_route_change()

    async def tap(self, identifier: str) -> None:
        control = by_id(self.page.views[-1].controls[0], identifier)
        if isinstance(control, ft.Card):  # a tappable card: the tap is on its inner container
            control = control.content
        control.on_click(None)
        await self.settle()

    async def back(self) -> None:
        self.page.views[-1].appbar.leading.content.on_click(None)
        await self.settle()

    def shown(self) -> tuple[str, str]:
        """(title, the screen's own control) of what is on screen, checking that control is there."""
        screen = self.router.current
        assert screen is not None
        for title, identifier in SCREENS.values():
            if title == screen.title:
                by_id(screen.body, identifier)
                return title, identifier
        raise AssertionError(f"unexpected screen {screen.title}")

    def close(self) -> None:
        self.router.pause()
        for task in self.page.tasks:
            task.cancel()


async def test_every_secretary_screen_is_reached_through_its_address_and_reopens_from_it(tmp_path):
    tab = Session(tmp_path / "a")
    await tab.start("/home")
    await tab.tap("open-secretary")
    visited = [tab.page.route]
    await tab.tap("plan-meeting")
    visited.append(tab.page.route)
    await tab.back()
    await tab.tap("sec-meeting-5")
    visited.append(tab.page.route)
    for button in ("sec-checkin", "sec-attendance", "sec-minutes"):
        await tab.tap(button)
        visited.append(tab.page.route)
        assert tab.shown() == SCREENS[tab.page.route]  # the address changed with the screen
        await tab.back()
        assert tab.page.route == "/secretary/meetings/5"  # and back again with the arrow
    assert visited == list(SCREENS)
    for route in visited:
        assert tab.router.resolve(route) is not None and tab.router.resolve(route)[2] == "secretary"
    tab.close()

    for i, route in enumerate(visited):  # each address opened afresh, as a reload or a shared link does
        again = Session(tmp_path / f"b{i}")
        await again.start(route)
        assert again.page.route == route
        assert again.router.current_route == route
        assert again.shown() == SCREENS[route]
        again.close()


async def test_the_meeting_screens_are_separate_builders():
    """A screen of its own, not one long page scrolled to a place the address cannot say."""
    screens = {p: builder for p, builder, _ in ROUTES if p.startswith("/secretary/meetings")}
    assert screens == {
        "/secretary/meetings/{meeting_id}": secretary.run_meeting,
        "/secretary/meetings/{meeting_id}/check-in": secretary_meeting.meeting_checkin,
        "/secretary/meetings/{meeting_id}/attendance": secretary_meeting.meeting_attendance,
        "/secretary/meetings/{meeting_id}/minutes": secretary_meeting.meeting_minutes,
        "/secretary/meetings/{meeting_id}/agenda": agenda.edit_agenda,
    }
    assert [secretary.meeting_route(5, s) for s in secretary.MEETING_SCREENS] == [
        "/secretary/meetings/5/check-in",
        "/secretary/meetings/5/attendance",
        "/secretary/meetings/5/minutes",
        "/secretary/meetings/5/agenda",
    ]


async def test_an_address_shown_as_another_screen_is_replaced_by_that_screens(tmp_path):
    """When the router shows home instead (an unknown address, a screen the caller may not open, the bare
    "/"), the address says home too: a reload must not go back to what was refused."""
    from tests.client.fakes import ME

    member = Session(tmp_path / "m", me=ME)
    await member.start("/secretary/meetings/5/attendance")
    assert member.router.current_route == "/home"
    assert member.page.route == "/home"
    member.close()

    tab = Session(tmp_path / "s")
    await tab.start("/secretary/meetings/5/nothing-here")
    assert (tab.router.current_route, tab.page.route) == ("/home", "/home")
    await tab.router.show("/")
    await tab.settle()
    assert (tab.router.current_route, tab.page.route) == ("/home", "/home")
    tab.close()
