"""The one router: route patterns to screens, sign-in and role guards, the shell around every screen."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from client.views.ui import (
    PRIMARY,
    Ctx,
    app_theme,
    nav_bgcolor,
    nav_label_behavior,
    offline_banner,
    page_bgcolor,
    pending_banner,
    tag,
)

log = logging.getLogger(__name__)


@dataclass
class Screen:
    """What a view builder returns: its controls, and optional hooks the router calls."""

    title: str
    body: ft.Control
    load: Callable[[], Awaitable[None]] | None = None  # after showing (fetch, then redraw)
    redraw: Callable[[], None] | None = None  # when synced data changed
    actions: list[ft.Control] = field(default_factory=list)  # type: ignore[assignment]
    back: str | None = None  # route of the back arrow; None on top-level tabs
    tab: int | None = None  # which bottom tab is selected; None hides the bar
    fab: ft.FloatingActionButton | None = None
    timers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # run while shown


Builder = Callable[..., Screen]

TABS = [
    ("/home", ft.Icons.HOME_OUTLINED, ft.Icons.HOME, "Trang chủ"),
    ("/meetings", ft.Icons.EVENT_OUTLINED, ft.Icons.EVENT, "Lịch họp"),
    ("/documents", ft.Icons.DESCRIPTION_OUTLINED, ft.Icons.DESCRIPTION, "Văn bản"),
    ("/inbox", ft.Icons.NOTIFICATIONS_OUTLINED, ft.Icons.NOTIFICATIONS, "Thông báo"),
    ("/profile", ft.Icons.PERSON_OUTLINE, ft.Icons.PERSON, "Cá nhân"),
]


class Router:
    def __init__(self, page: ft.Page, app: Any, routes: list[tuple[str, Builder, str | None]]):
        self.page = page
        self.app = app
        # (compiled pattern, builder, guard) where guard is None (public), "member", "secretary" or "staff"
        self.routes = [
            (re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", p) + "$"), b, g) for p, b, g in routes
        ]
        self.current: Screen | None = None
        self.current_route: str = ""
        self._timers: list[asyncio.Task] = []
        self.ctx = Ctx(page=page, app=app, go=self.go, run=self.run)
        app.subscribe(self._on_app_event)

    # --- plumbing ----------------------------------------------------------------------------------

    def run(self, fn: Callable[[], Awaitable[Any]]) -> None:
        async def wrapped() -> None:
            try:
                await fn()
            except Exception:  # never let a failed action take the session down; say so instead
                log.exception("action failed")
                self.ctx.toast("Đã có lỗi. Vui lòng thử lại.", error=True)

        self.page.run_task(wrapped)

    def go(self, route: str) -> None:
        self.page.run_task(self.page.push_route, route)

    def resolve(self, route: str) -> tuple[Builder, dict[str, str], str | None] | None:
        path = route.split("?", 1)[0] or "/"
        for pattern, builder, guard in self.routes:
            m = pattern.match(path)
            if m:
                return builder, m.groupdict(), guard
        return None

    def _allowed(self, guard: str | None) -> bool:
        if guard is None:
            return True
        if not self.app.signed_in:
            return False
        if guard == "secretary":
            return self.app.is_secretary
        if guard == "staff":
            return self.app.is_staff
        return True

    async def on_route_change(self, e: Any = None) -> None:
        if self.current is not None and self.page.route == self.current_route:
            return  # the address caught up with a screen already shown (see show): drawing it again would
            # run its load twice
        await self.show(self.page.route)

    async def show(self, route: str) -> None:
        asked = route
        if route in ("", "/"):
            route = "/home" if self.app.signed_in else "/login"
        found = self.resolve(route)
        if found is None:
            route, found = "/home", self.resolve("/home")
        assert found is not None
        builder, params, guard = found
        if not self._allowed(guard):
            if not self.app.signed_in:
                if route != "/login":
                    self.app.after_login = route  # a deep link (e.g. the QR's check-in) survives sign-in
                route, found = "/login", self.resolve("/login")
                assert found is not None
                builder, params, guard = found
            else:
                route, found = "/home", self.resolve("/home")
                assert found is not None
                builder, params, guard = found
        if route == "/login" and self.app.signed_in:
            route, found = "/home", self.resolve("/home")
            assert found is not None
            builder, params, guard = found
        if route != asked and route != "/login":
            # Shown another screen than the address asked for (home instead of a refused or unknown one): the
            # address follows, so a reload opens what is on screen. Sign-in keeps the address asked for, the
            # deep link it returns to.
            self.go(route)
        self._stop_timers()
        screen = builder(self.ctx, **params)
        self.current, self.current_route = screen, route
        self.page.views.clear()
        self.page.views.append(self._frame(route, screen))
        self.page.title = f"{screen.title} — Sổ tay đảng viên"
        self.page.update()
        if screen.load is not None:
            self.run(self._load(screen))
        self._start_timers(screen)

    def _start_timers(self, screen: Screen) -> None:
        self._stop_timers()  # never two pollers for one screen (a reconnect may follow a route change)
        self._timers = [asyncio.ensure_future(self._repeat(screen, timer)) for timer in screen.timers]

    def _stop_timers(self) -> None:
        for task in self._timers:
            task.cancel()
        self._timers = []

    def pause(self) -> None:
        """The tab disconnected: a screen nobody sees must not poll the server (the session itself lives on
        for an hour in case the tab comes back)."""
        self._stop_timers()

    def resume(self) -> None:
        """The same session came back (reload, network back): the shown screen polls again."""
        if self.current is not None:
            self._start_timers(self.current)

    def _load(self, screen: Screen) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            assert screen.load is not None
            await screen.load()
            if screen is self.current:
                self.page.update()

        return go

    async def _repeat(self, screen: Screen, fn: Callable[[], Awaitable[None]]) -> None:
        while screen is self.current:
            try:
                await fn()
                self.page.update()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timer failed")
            await asyncio.sleep(3)

    def _frame(self, route: str, screen: Screen) -> ft.View:
        ctx = self.ctx
        actions = list(screen.actions)
        if self.app.signed_in:
            actions.append(
                tag(
                    "refresh",
                    ft.IconButton(
                        ft.Icons.REFRESH,
                        tooltip="Làm mới",
                        icon_color="#FFFFFF",
                        on_click=lambda e: self.run(self._refresh),
                    ),
                )
            )
        leading = None
        if screen.back:
            back = screen.back
            leading = tag(
                "back",
                ft.IconButton(
                    ft.Icons.ARROW_BACK,
                    tooltip="Quay lại",
                    icon_color="#FFFFFF",
                    on_click=lambda e: self.go(back),
                ),
            )
        appbar = (
            ft.AppBar(
                title=ctx.text(screen.title, 19, color="#FFFFFF", weight=ft.FontWeight.W_600),
                bgcolor=PRIMARY,
                leading=leading,
                actions=actions,
                automatically_imply_leading=False,
            )
            if route != "/login"
            else None
        )
        self.banner = ft.Container(offline_banner(ctx))
        self.pending = ft.Container(pending_banner(ctx))
        nav = None
        if screen.tab is not None and self.app.signed_in:
            nav = ft.NavigationBar(
                selected_index=screen.tab,
                destinations=[
                    ft.NavigationBarDestination(icon=i, selected_icon=s, label=label, tooltip=label)
                    for _, i, s, label in TABS
                ],
                label_behavior=nav_label_behavior(ctx.scale),
                bgcolor=nav_bgcolor(ctx),
                on_change=lambda e: self.go(TABS[int(e.control.selected_index)][0]),
            )
        if isinstance(screen.body, ft.Column):
            screen.body.horizontal_alignment = ft.CrossAxisAlignment.STRETCH  # fields and cards use the width
        content = ft.Container(
            screen.body, padding=ft.Padding.symmetric(horizontal=12, vertical=8), expand=True, width=720
        )
        column = ft.Column(
            [
                self.banner,
                self.pending,
                ft.Row(
                    [content],
                    alignment=ft.MainAxisAlignment.CENTER,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                ),
            ],
            spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,  # banners span the width
            expand=True,
            scroll=ft.ScrollMode.AUTO,
        )
        return ft.View(
            route=route,
            controls=[column],
            appbar=appbar,
            navigation_bar=nav,
            padding=0,
            floating_action_button=screen.fab,
            bgcolor=page_bgcolor(ctx),
        )

    async def _refresh(self) -> None:
        screen = self.current
        if screen is None:
            return
        # "Làm mới" also sends what waits in the outbox, and starts the sync loop again if it stopped: a
        # reloaded tab's old connection can close after the new one opened, and its disconnect then
        # paused the loop of a tab still in use (Flet reports the two in either order).
        if self.app.signed_in and not self.app.syncing:
            self.page.run_task(self.app.run_sync)
        ok = await self.app.sync_now()
        if screen.load is not None:
            await screen.load()
        else:
            if screen.redraw:
                screen.redraw()
            if not ok:
                self.ctx.toast("Không kết nối được máy chủ; đang hiển thị dữ liệu đã lưu.")
        self._redraw_banners()
        self.page.update()

    def _redraw_banners(self) -> None:
        if getattr(self, "banner", None) is not None:
            self.banner.content = offline_banner(self.ctx)
            self.pending.content = pending_banner(self.ctx)

    def _on_app_event(self, what: str) -> None:
        if what == "signed_out":
            if self.app.notice:
                self.ctx.toast(self.app.notice)
                self.app.notice = None
            self._redraw_banners()  # signed out is not "offline"
            self.go("/login")  # the address too: a reload must not reopen the screen of the signed-out user
            return
        if what == "notification" and self.app.live_notice:
            self.ctx.toast("Thông báo mới: " + self.app.live_notice)
            self.app.live_notice = None
        if what == "theme":
            self.page.theme = app_theme(self.ctx.scale, self.ctx.high_contrast)
            self.page.run_task(self.show, self.current_route)
            return
        if what == "data" and self.current is not None and self.current.redraw is not None:
            self.current.redraw()
        self._redraw_banners()
        try:
            self.page.update()
        except Exception:  # the tab may be gone
            log.debug("update after %s failed", what)
