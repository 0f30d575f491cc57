"""Views on a fake page: the page, finding controls by their tag, a signed-in app and router."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import flet as ft

from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from tests.client.fakes import SECRETARY, FakeApi


class FakePage:
    def __init__(self) -> None:
        self.views: list[Any] = []
        self.route = "/"
        self.title = ""
        self.dialogs: list[Any] = []
        self.tasks: list[Any] = []
        self.services: list[Any] = []

    def update(self, *controls: Any) -> None:
        pass

    def show_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog)

    def pop_dialog(self) -> Any:
        return self.dialogs.pop() if self.dialogs else None

    def run_task(self, fn: Any, *args: Any) -> None:
        self.tasks.append(asyncio.ensure_future(fn(*args)))

    async def push_route(self, route: str) -> None:
        self.route = route


def walk(control: Any):
    yield control
    for attr in ("content", "controls", "actions", "leading", "title", "subtitle", "trailing"):
        child = getattr(control, attr, None)
        if isinstance(child, list):
            for c in child:
                yield from walk(c)
        elif isinstance(child, ft.BaseControl):
            yield from walk(child)


def by_id(root: Any, identifier: str) -> Any:
    for c in walk(root):
        if isinstance(c, ft.Semantics) and c.identifier == identifier:
            return c.content
    raise LookupError(identifier)


def said(control: Any) -> str:
    return " ".join(c.value for c in walk(control) if isinstance(c, ft.Text) and isinstance(c.value, str))


def make(tmp_path) -> tuple[AppState, Router, FakePage]:
    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, **kw),
    )  # type: ignore[arg-type]
    app.after_login = None
    page = FakePage()
    return app, Router(page, app, []), page  # type: ignore[arg-type]


def secretary_app(tmp_path, now: datetime) -> tuple[AppState, Router, FakePage, list[FakeApi]]:
    """A signed-in secretary whose clock stands still at `now`: never today's date."""
    apis: list[FakeApi] = []

    def factory(url: str, **kw: Any) -> FakeApi:
        apis.append(FakeApi(url, me=SECRETARY, **kw))
        return apis[-1]

    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: now),
        MemoryPrefs(),
        api_factory=factory,
    )  # type: ignore[arg-type]
    app.after_login = None
    page = FakePage()
    return app, Router(page, app, []), page, apis  # type: ignore[arg-type]


async def pick(page: FakePage, screen: Any, button: str, kind: type, value: Any) -> Any:
    """Press a picker button, choose `value` in the dialog it opens, confirm: as Flet reports a choice."""
    by_id(screen.body, button).on_click(None)
    picker = page.dialogs[-1]
    assert isinstance(picker, kind)
    picker.value = value
    picker.on_change(None)
    return picker


async def save_meeting(screen: Any, apis: list[FakeApi]) -> dict:
    apis[-1].answers["/meetings"] = {"id": 9, "title": "Sinh hoạt"}
    by_id(screen.body, "meeting-save").on_click(None)
    await asyncio.sleep(0)  # ctx.run starts the save as a task
    for _ in range(20):
        if any(path == "/meetings" for path, _ in apis[-1].posted):
            break
        await asyncio.sleep(0.01)
    [body] = [body for path, body in apis[-1].posted if path == "/meetings"]
    return body
