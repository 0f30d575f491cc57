"""Views built on a fake page: they draw from state and call it, with no browser."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any

import flet as ft
import pytest

from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.views import auth, documents
from tests.client.test_state import SECRETARY, FakeApi

NOT_OPEN = "Điểm danh chưa được mở. Hãy chờ bí thư mở điểm danh rồi thử lại."


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

    def run_task(self, fn: Any, *args: Any) -> None:
        self.tasks.append(asyncio.ensure_future(fn(*args)))

    async def push_route(self, route: str) -> None:
        self.route = route


def walk(control: Any):
    yield control
    for attr in ("content", "controls", "actions", "leading", "title"):
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


def make(tmp_path) -> tuple[AppState, Router, FakePage]:
    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, **kw),
    )  # type: ignore[arg-type]
    app.after_login = None
    page = FakePage()
    return app, Router(page, app, []), page  # type: ignore[arg-type]


async def test_login_view_shows_the_error_then_signs_in(tmp_path):
    app, router, page = make(tmp_path)
    screen = auth.login(router.ctx)
    by_id(screen.body, "username").value = "dangvien.a"
    by_id(screen.body, "password").value = "sai"
    await by_id(screen.body, "login").on_click(None)
    assert by_id(screen.body, "login-error").value == "Tên đăng nhập hoặc mật khẩu không đúng."
    by_id(screen.body, "password").value = "dung-mat-khau"
    await by_id(screen.body, "login").on_click(None)
    assert app.signed_in
    assert by_id(screen.body, "login-error").value == ""


async def test_documents_view_filters_as_the_member_types(tmp_path):
    app, router, page = make(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put(
        "document",
        1,
        {
            "id": 1,
            "title": "Nghị quyết về tổ chức cơ sở đảng",
            "doc_type": "resolution",
            "status": "published",
            "category": "documents",
        },
    )
    app.store.put(
        "document",
        2,
        {
            "id": 2,
            "title": "Chỉ thị về kiểm tra",
            "doc_type": "directive",
            "status": "published",
            "category": "documents",
        },
    )
    screen = documents.documents_list(router.ctx)
    ids = [
        c.identifier
        for c in walk(screen.body)
        if isinstance(c, ft.Semantics) and (c.identifier or "").startswith("document-")
    ]
    assert ids == ["document-1", "document-2"] or sorted(ids) == ["document-1", "document-2"]
    search = by_id(screen.body, "doc-search")
    search.value = "to chuc co so"
    search.on_change(None)
    ids = [
        c.identifier
        for c in walk(screen.body)
        if isinstance(c, ft.Semantics) and (c.identifier or "").startswith("document-")
    ]
    assert ids == ["document-1"]
    search.value = "khong co van ban nay"
    search.on_change(None)
    assert by_id(screen.body, "empty") is not None


async def test_router_guards_roles_and_remembers_the_deep_link(tmp_path):
    from client.app import ROUTES

    app, _, page = make(tmp_path)
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await router.show("/check-in?meeting=5&code=123456")
    assert router.current_route == "/login"
    assert app.after_login == "/check-in?meeting=5&code=123456"  # the QR's link survives signing in
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await router.show("/secretary")
    assert router.current_route == "/home"  # a member is not a secretary
    await router.show("/staff/audit")
    assert router.current_route == "/home"
    await router.show("/login")
    assert router.current_route == "/home"  # signed in: no sign-in screen
    app.store.put(
        "meeting",
        5,
        {
            "id": 5,
            "title": "Sinh hoạt tháng 11",
            "status": "scheduled",
            "starts_at": "2030-01-01T12:00:00+00:00",
        },
    )
    page.route = "/check-in?meeting=5&code=123456"
    await router.show(page.route)
    assert by_id(router.current.body, "checkin-code").value == "123456"
    for task in page.tasks:
        task.cancel()


async def test_signing_out_goes_to_the_sign_in_address_without_an_offline_banner(tmp_path):
    from client.app import ROUTES

    app, _, page = make(tmp_path)
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await router.show("/profile")
    app.online = False  # the last poll failed just before
    await app.sign_out()
    await asyncio.gather(*page.tasks)
    assert page.route == "/login"  # a reload opens the sign-in, not the profile
    [banner] = [c for c in walk(router.banner) if getattr(c, "identifier", None) == "offline-banner"]
    assert banner.visible is False


async def test_the_secretarys_meeting_screen_asks_reading_rates_once_for_all_agenda_documents(tmp_path):
    """Issue 12, item 16: one request for the agenda's documents, not one per document; per item, who has not
    read them and the one reminder (issue 12, documents on the agenda)."""
    from client.views import secretary

    apis: list[FakeApi] = []

    def factory(url: str, **kw: Any) -> FakeApi:
        apis.append(FakeApi(url, me=SECRETARY, **kw))
        return apis[-1]

    app = AppState(ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path), MemoryPrefs(),
                   api_factory=factory)  # type: ignore[arg-type]
    app.after_login = None
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    meeting = {"id": 5, "org_id": 4, "title": "Sinh hoạt tháng 12", "status": "scheduled",
               "starts_at": "2026-12-04T12:30:00+00:00",
               "agenda": [{"id": 1, "title": "Quán triệt", "document_ids": [13, 11]},
                          {"id": 2, "title": "Học tập", "document_ids": [12, 11]}]}
    app.store.put("meeting", 5, meeting)
    app.store.put("document", 11, {"id": 11, "title": "Nghị quyết 21"})
    app.store.put("document", 13, {"id": 13, "title": "Chỉ thị 35"})
    api = apis[-1]
    api.answers["/meetings/5"] = meeting
    api.answers["/meetings/5/absence-requests"] = []
    api.answers["/meetings/5/minutes"] = {"text": "", "resolutions": []}
    rate_11 = {"document_id": 11, "members": 3, "read": 2,
               "unread": [{"member_id": 9, "full_name": "Lê Văn Hai"}]}
    rate_13 = {"document_id": 13, "members": 3, "read": 3, "unread": []}
    api.answers["/meetings/5/agenda/unread"] = {"meeting_id": 5, "items": [  # 12: the secretary cannot see it
        {"position": 1, "title": "Quán triệt", "document_ids": [13, 11], "documents": [rate_13, rate_11],
         "unread": [{"member_id": 9, "full_name": "Lê Văn Hai", "document_ids": [11]}]},
        {"position": 2, "title": "Học tập", "document_ids": [12, 11], "documents": [rate_11],
         "unread": [{"member_id": 9, "full_name": "Lê Văn Hai", "document_ids": [11]}],
         "reminded_at": "2026-12-03T01:00:00Z"},
    ]}
    screen = secretary.run_meeting(router.ctx, "5")
    assert screen.load is not None
    await screen.load()
    asked = [path for path, _ in api.got if "/documents" in path or "/agenda" in path]
    assert asked == ["/meetings/5/agenda/unread"]
    said = [c.value for c in walk(by_id(screen.body, "unread-docs")) if isinstance(c, ft.Text)]
    assert said == ["1. Quán triệt", "Chưa đọc: 1 (Lê Văn Hai)",
                    "Chỉ thị 35: đã đọc 3/3", "Nghị quyết 21: đã đọc 2/3",
                    "2. Học tập", "Chưa đọc: 1 (Lê Văn Hai)", "Nghị quyết 21: đã đọc 2/3"]
    first, second = by_id(screen.body, "agenda-remind-1"), by_id(screen.body, "agenda-remind-2")
    assert first.content == "Nhắc đọc" and not first.disabled
    assert second.content == "Đã nhắc đọc" and second.disabled  # one reminder per item
    # The screen's refresh asks once again for all of them, never per document.
    for timer in screen.timers:
        for _ in range(5):
            await timer()
    asked = [path for path, _ in api.got if "/documents" in path or "/agenda" in path]
    assert set(asked) == {"/meetings/5/agenda/unread"}


class AttendanceApi(FakeApi):
    """A secretary's server for one meeting: the attendance sheet, changed only by PUTs."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        from tests.client.test_state import SECRETARY

        super().__init__(base_url, me=SECRETARY, **kw)
        self.statuses: dict[int, str | None] = {3: "present", 9: None}
        self.names = {3: "Trần Thị Đảng", 9: "Lê Văn Muộn"}
        self.puts: list[tuple[int, str | None]] = []
        self.answers.update(
            {
                "/meetings/5": {"id": 5, "title": "Sinh hoạt tháng 12", "status": "in_progress"},
                "/meetings/5/absence-requests": [],
                "/meetings/5/minutes": {},
            }
        )

    def sheet(self) -> dict[str, Any]:
        items = [{"member_id": m, "full_name": self.names[m], "status": s} for m, s in self.statuses.items()]
        return {"counts": {}, "items": items}

    async def get_json(self, path: str, **kw: Any) -> Any:
        if path == "/meetings/5/attendance":
            self._check()
            return self.sheet()
        return await super().get_json(path, **kw)

    async def request(self, method: str, path: str, **kw: Any) -> Any:
        self._check()
        assert method == "PUT" and path.startswith("/meetings/5/attendance/"), (method, path)
        member = int(path.rsplit("/", 1)[1])
        self.puts.append((member, kw["json"]["status"]))
        self.statuses[member] = kw["json"]["status"]
        sheet = self.sheet()

        class Resp:
            def json(self) -> dict[str, Any]:
                return sheet

        return Resp()


def said(control: Any) -> str:
    return " ".join(c.value for c in walk(control) if isinstance(c, ft.Text) and isinstance(c.value, str))


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


STAFF_IN_A_CELL = {
    **SECRETARY,
    "id": 20,
    "username": "canbo",
    "full_name": "Phạm Văn Cán",
    "member_id": 30,
    "organization": {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"},  # the cell they belong to
    "roles": [{"role": "staff", "organization": {"id": 2, "name": "Đảng bộ xã A1", "kind": "grassroots"}}],
}


async def test_the_staff_home_shows_their_own_cells_meeting_and_others_under_their_cells_name(tmp_path):
    """Issue 12, item 8: a staff member's device holds the subtree's meetings; the one shown as theirs is
    the meeting of the cell they are a member of, and another cell's sooner meeting carries its name."""
    from datetime import UTC, datetime, timedelta

    from client.views import home

    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, me=STAFF_IN_A_CELL, **kw),  # type: ignore[arg-type]
    )
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    await app.sign_in("", "canbo", "dung-mat-khau")
    assert app.is_staff
    soon = datetime.now(UTC) + timedelta(days=1)
    app.store.put("organization", 5, {"id": 5, "name": "Chi bộ thôn A1-2", "kind": "cell"})
    app.store.put("meeting", 7, {"id": 7, "org_id": 5, "title": "Sinh hoạt chi bộ A1-2",
                                 "status": "scheduled",
                                 "starts_at": soon.isoformat()})  # sooner, and stored first
    app.store.put("meeting", 8, {"id": 8, "org_id": 6, "org_name": "Chi bộ thôn A1-3",
                                 "title": "Sinh hoạt chi bộ A1-3", "status": "scheduled",
                                 "starts_at": (soon + timedelta(hours=1)).isoformat()})
    app.store.put("meeting", 9, {"id": 9, "org_id": 4, "title": "Sinh hoạt chi bộ A1-1",
                                 "status": "scheduled",
                                 "starts_at": (soon + timedelta(days=2)).isoformat()})
    screen = home.home(router.ctx)
    assert "Sinh hoạt chi bộ A1-1" in said(by_id(screen.body, "next-meeting"))
    assert "A1-2" not in said(by_id(screen.body, "next-meeting"))
    assert "Các chi bộ" in said(screen.body)
    assert "Chi bộ thôn A1-2" in said(by_id(screen.body, "cell-meeting-7"))
    assert "Chi bộ thôn A1-3" in said(by_id(screen.body, "cell-meeting-8"))  # the list's name, no org entity
    with pytest.raises(LookupError):
        by_id(screen.body, "cell-meeting-9")


async def test_staff_who_belong_to_no_cell_have_no_meeting_of_their_own(tmp_path):
    from datetime import UTC, datetime, timedelta

    from client.views import home

    staff = {**STAFF_IN_A_CELL, "member_id": None, "organization": None}
    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, me=staff, **kw),  # type: ignore[arg-type]
    )
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    await app.sign_in("", "canbo", "dung-mat-khau")
    soon = datetime.now(UTC) + timedelta(days=1)
    app.store.put("organization", 5, {"id": 5, "name": "Chi bộ thôn A1-2", "kind": "cell"})
    app.store.put("meeting", 7, {"id": 7, "org_id": 5, "title": "Sinh hoạt chi bộ A1-2",
                                 "status": "scheduled",
                                 "starts_at": soon.isoformat()})
    screen = home.home(router.ctx)
    with pytest.raises(LookupError):
        by_id(screen.body, "next-meeting")
    assert "Chưa có lịch sinh hoạt sắp tới." in said(screen.body)
    assert "Chi bộ thôn A1-2" in said(by_id(screen.body, "cell-meeting-7"))


async def test_the_meeting_screen_replaces_saved_with_the_servers_verdict_never_both(tmp_path):
    """Issue 12, item 6: offline the screen says the check-in is saved (no success); after the sync, only
    the server's refusal is on the screen."""
    from datetime import UTC, datetime, timedelta

    from client.views import meetings

    app, router, page = make(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    starts = datetime.now(UTC) + timedelta(minutes=10)
    app.store.put("meeting", 5, {"id": 5, "org_id": 4, "title": "Sinh hoạt tháng 11", "status": "scheduled",
                                 "starts_at": starts.isoformat(),
                                 "checkin_opens_at": (starts - timedelta(minutes=30)).isoformat(),
                                 "checkin_closes_at": (starts + timedelta(minutes=60)).isoformat()})
    api = app.api
    api.push_answers["111111"] = {"status": "refused", "code": "checkin_not_open",
                                  "message": NOT_OPEN}
    screen = meetings.meeting_detail(router.ctx, "5")
    api.offline = True
    by_id(screen.body, "checkin-code").value = "111111"
    await by_id(screen.body, "checkin-submit").on_click(None)
    assert by_id(screen.body, "checkin-result").value == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."
    assert "Đã điểm danh" not in said(screen.body)

    api.offline = False
    await app.sync_now()
    screen.redraw()
    assert by_id(screen.body, "checkin-result").value == NOT_OPEN
    assert "Đã lưu điểm danh" not in said(screen.body) and "chờ gửi" not in said(screen.body)


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


async def test_meeting_form_picks_a_day_and_time_at_2359_on_31_december(tmp_path):
    """Issue 12, item 10: the pickers fill the typed fields; the meeting is sent as the right UTC instant."""
    from client.views import secretary

    now = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 on 31/12/2026 in Vietnam
    app, router, page, apis = secretary_app(tmp_path, now)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    screen = secretary.plan_meeting(router.ctx)
    # Flutter reports the picked day as its midnight; shifted to UTC that is 17:00 the day before.
    vn_midnight_in_utc = datetime(2026, 12, 30, 17, tzinfo=UTC)
    picker = await pick(page, screen, "meeting-day-pick", ft.DatePicker, vn_midnight_in_utc)
    assert picker.first_date == date(2026, 12, 31)  # nothing before today in Vietnam
    assert "Chọn" in (picker.confirm_text or "") and picker.cancel_text == "Hủy"
    assert by_id(screen.body, "meeting-day").value == "31/12/2026"
    await pick(page, screen, "meeting-time-pick", ft.TimePicker, time(23, 59))
    assert page.dialogs[-1].hour_format == ft.TimePickerHourFormat.H24
    assert by_id(screen.body, "meeting-time").value == "23:59"
    body = await save_meeting(screen, apis)
    assert body["starts_at"] == "2026-12-31T16:59:00+00:00"  # 23:59 in Vietnam
    for task in page.tasks:
        task.cancel()


async def test_meeting_form_on_the_20th_picks_next_month_and_refuses_the_past(tmp_path):
    from client.views import secretary

    now = datetime(2027, 1, 20, 1, 0, tzinfo=UTC)  # 08:00 on 20/01/2027 in Vietnam
    app, router, page, apis = secretary_app(tmp_path, now)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    screen = secretary.plan_meeting(router.ctx)
    day = by_id(screen.body, "meeting-day")
    # A day before today does not reach the field, even if a picker let it through.
    picker = await pick(page, screen, "meeting-day-pick", ft.DatePicker, date(2027, 1, 19))
    assert picker.first_date == date(2027, 1, 20)
    assert day.value in ("", None)
    await pick(page, screen, "meeting-day-pick", ft.DatePicker, datetime(2027, 2, 5))
    assert day.value == "05/02/2027"
    await pick(page, screen, "meeting-time-pick", ft.TimePicker, time(19, 30))
    body = await save_meeting(screen, apis)
    assert body["starts_at"] == "2027-02-05T12:30:00+00:00"
    for task in page.tasks:
        task.cancel()


async def test_meeting_form_still_takes_typed_dates_and_reopens_the_picker_on_them(tmp_path):
    from client.views import secretary

    now = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 01/01/2027 in Vietnam; UTC still says 31/12
    app, router, page, apis = secretary_app(tmp_path, now)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    screen = secretary.plan_meeting(router.ctx)
    by_id(screen.body, "meeting-day").value = "31/12/2026"  # typed: already past in Vietnam
    by_id(screen.body, "meeting-save").on_click(None)
    for _ in range(20):
        await asyncio.sleep(0.01)
        if by_id(screen.body, "meeting-error").value:
            break
    assert "chưa qua" in by_id(screen.body, "meeting-error").value
    by_id(screen.body, "meeting-day").value = "20/01/2027"
    by_id(screen.body, "meeting-time").value = "07:00"
    by_id(screen.body, "meeting-day-pick").on_click(None)
    assert page.dialogs[-1].first_date == date(2027, 1, 1)
    assert page.dialogs[-1].value == date(2027, 1, 20)  # opens on what was typed
    by_id(screen.body, "meeting-time-pick").on_click(None)
    assert page.dialogs[-1].value == time(7, 0)
    body = await save_meeting(screen, apis)
    assert body["starts_at"] == "2027-01-20T00:00:00+00:00"
    for task in page.tasks:
        task.cancel()
