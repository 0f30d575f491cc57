"""The secretary's views on a fake page: the meeting screen's reading rates, the meeting form's pickers."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any

import flet as ft

from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from tests.client.fakes import SECRETARY, FakeApi
from tests.client.pages import FakePage, by_id, pick, save_meeting, secretary_app, walk


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


async def test_a_redraw_keeps_the_secretarys_buttons_a_tap_may_be_landing_on(tmp_path):
    """The secretary's screen is redrawn by its load and by every sync; the buttons at its top stay the same
    controls, so a tap landing meanwhile still opens the screen it names (as on the home)."""
    from client.views import secretary

    app, router, page, apis = secretary_app(tmp_path, datetime(2026, 11, 20, 2, tzinfo=UTC))
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    screen = secretary.secretary_home(router.ctx)
    buttons = [by_id(screen.body, n) for n in ("plan-meeting", "open-cell-year", "open-cell-study",
                                               "open-cell-reviews")]
    app.store.put("meeting", 7, {"id": 7, "org_id": 4, "title": "Sinh hoạt chi bộ tháng 12",
                                 "status": "scheduled", "starts_at": "2026-12-03T12:00:00+00:00"})
    assert screen.redraw is not None
    screen.redraw()  # as a data event does
    assert "Sinh hoạt chi bộ tháng 12" in [c.value for c in walk(screen.body) if hasattr(c, "value")]
    assert all(a is b for a, b in zip(buttons, [by_id(screen.body, n) for n in (
        "plan-meeting", "open-cell-year", "open-cell-study", "open-cell-reviews")], strict=True))
