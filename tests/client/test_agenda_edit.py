"""Editing an existing meeting's agenda, client side: the editor filled from the meeting, saved with a PATCH
(the whole agenda; nothing else of the meeting), refused when the meeting is over; the screen reached by
"Sửa chương trình" on the secretary's meeting. Fake HTTP, the clock injected (live: test_api_live.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from client.api import ApiError
from client.state.agenda import LOCKED, SAVED, AgendaEditor
from shared.schemas.meetings import MeetingPublic, MeetingUpdate
from tests.client.fakes import SECRETARY, FakeApi
from tests.client.pages import by_id, secretary_app, walk
from tests.client.test_agenda import LATER, NOW, _fill_store

MEETING = {
    "id": 5, "org_id": 4, "kind": "regular", "title": "Sinh hoạt tháng 12", "status": "scheduled",
    "starts_at": LATER, "checkin_before_minutes": 30, "checkin_after_minutes": 60, "grace_minutes": 15,
    "created_at": NOW.isoformat(), "updated_at": NOW.isoformat(),
    "agenda": [  # out of order on purpose: the editor follows `position`
        {"id": 2, "position": 2, "title": "Kiểm điểm", "document_ids": [], "presenter": "Bí thư"},
        {"id": 1, "position": 1, "title": "Quán triệt", "document_ids": [11], "notes": "Đọc trước"},
    ],
}


class EditApi(FakeApi):
    """A secretary's server that takes a PATCH of the meeting and answers with the meeting as saved."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        super().__init__(base_url, me=SECRETARY, **kw)
        self.patched: list[tuple[int, dict[str, Any]]] = []
        self.refuse: ApiError | None = None

    async def update_meeting(self, meeting_id: int, body: MeetingUpdate) -> MeetingPublic:
        self._check()
        if self.refuse:
            raise self.refuse
        sent = body.model_dump(mode="json", exclude_unset=True)
        self.patched.append((meeting_id, sent))
        agenda = [{"id": 10 + n, "position": n, **item} for n, item in enumerate(sent["agenda"], start=1)]
        return MeetingPublic.model_validate({**MEETING, "agenda": agenda, "my_status": "present"})


async def _secretary(tmp_path):
    app, router, page, _apis = secretary_app(tmp_path, NOW)
    apis: list[EditApi] = []
    app._api_factory = lambda url, **kw: apis.append(EditApi(url, **kw)) or apis[-1]
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    _fill_store(app)
    app.store.put("meeting", 5, MEETING)
    apis[-1].answers.update({"/meetings/5": MEETING, "/meetings/5/minutes": {"text": "", "resolutions": []}})
    return app, router, page, apis


async def test_the_editor_is_filled_from_the_meeting_and_saves_the_whole_agenda(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    editor = AgendaEditor(app, ())
    assert (await editor.load(5) or {}).get("title") == "Sinh hoạt tháng 12"
    assert [(i.title, i.document_ids) for i in editor.items] == [("Quán triệt", [11]), ("Kiểm điểm", [])]
    assert editor.attach(1, 12).ok
    editor.set_title(0, "Quán triệt Nghị quyết 21")
    editor.add_item("Kết luận")
    saved = await editor.save()
    assert saved.ok and saved.message == SAVED
    assert apis[-1].patched == [(5, {"agenda": [  # the agenda only: title, time, place are left alone
        {"title": "Quán triệt Nghị quyết 21", "notes": "Đọc trước", "document_ids": [11]},  # notes kept
        {"title": "Kiểm điểm", "presenter": "Bí thư", "document_ids": [12]},
        {"title": "Kết luận", "document_ids": []},
    ]})]
    stored = app.store.get("meeting", 5)  # the device shows the new agenda before the next sync
    assert [i["title"] for i in stored["agenda"]] == ["Quán triệt Nghị quyết 21", "Kiểm điểm", "Kết luận"]
    assert "my_status" not in stored  # a member's own status is never written into the shared meeting


async def test_an_ended_meeting_or_an_empty_agenda_is_refused_without_asking_the_server(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    editor = AgendaEditor(app, ())
    assert not (await editor.save()).ok  # nothing loaded
    for status in ("closed", "cancelled"):
        apis[-1].answers["/meetings/5"] = {**MEETING, "status": status}
        await editor.load(5)
        refused = await editor.save()
        assert not refused.ok and refused.message == LOCKED
    apis[-1].answers["/meetings/5"] = {**MEETING, "status": "in_progress"}  # still editable once started
    await editor.load(5)
    for index in range(len(editor.items)):
        editor.set_title(index, " ")
    assert (await editor.save()).message == "Chương trình cần ít nhất một mục."
    assert apis[-1].patched == []


async def test_the_servers_refusal_is_said_and_nothing_is_stored(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    editor = AgendaEditor(app, ())
    await editor.load(5)
    said = 'Mục 1 "Quán triệt" kèm tài liệu mà đảng viên của chi bộ không xem được.'
    apis[-1].refuse = ApiError(422, "agenda_document_not_visible", said)
    refused = await editor.save()
    assert not refused.ok and refused.message == said
    assert app.store.get("meeting", 5) == MEETING


# --- the screens ----------------------------------------------------------------------------------------


async def _settle(page, done) -> None:
    for _ in range(50):
        await asyncio.sleep(0.01)
        if done():
            return


async def test_the_meeting_screen_leads_to_the_agenda_editor(tmp_path):
    from client.views import secretary

    app, router, page, apis = await _secretary(tmp_path)
    apis[-1].answers["/meetings/5/agenda/unread"] = ApiError(404, "not_found", "Không tìm thấy.")
    apis[-1].answers["/documents/read-rates"] = {"org_id": 4, "items": []}
    screen = secretary.run_meeting(router.ctx, "5")
    button = by_id(screen.body, "sec-agenda")
    assert button.content == "Sửa chương trình"
    button.on_click(None)
    await _settle(page, lambda: page.route == "/secretary/meetings/5/agenda")
    assert page.route == "/secretary/meetings/5/agenda"


async def test_the_agenda_screen_is_filled_picks_a_document_and_saves(tmp_path):
    from client.views import agenda

    app, router, page, apis = await _secretary(tmp_path)
    screen = agenda.edit_agenda(router.ctx, "5")
    await screen.load()
    words = [c.value for c in walk(screen.body) if isinstance(c, ft.Text)]
    assert "Sinh hoạt tháng 12" in words
    assert by_id(screen.body, "agenda-title-0").value == "Quán triệt"
    assert by_id(screen.body, "agenda-title-1").value == "Kiểm điểm"
    by_id(screen.body, "agenda-doc-0-11")  # the document already on the item
    by_id(screen.body, "agenda-add-doc-1").on_click(None)
    sheet = page.dialogs[-1]
    by_id(sheet.content, "agenda-search").value = "chi thi"
    by_id(sheet.content, "agenda-search").on_change(None)
    by_id(sheet.content, "agenda-pick-12").on_click(None)
    by_id(screen.body, "agenda-doc-1-12")
    by_id(screen.body, "agenda-save").on_click(None)
    await _settle(page, lambda: page.route == "/secretary/meetings/5")
    assert [item["document_ids"] for item in apis[-1].patched[0][1]["agenda"]] == [[11], [12]]
    assert page.route == "/secretary/meetings/5"  # back to the meeting


async def test_the_agenda_screen_of_an_ended_meeting_cannot_save(tmp_path):
    from client.views import agenda

    app, router, page, apis = await _secretary(tmp_path)
    apis[-1].answers["/meetings/5"] = {**MEETING, "status": "closed"}
    screen = agenda.edit_agenda(router.ctx, "5")
    await screen.load()
    assert by_id(screen.body, "agenda-save").disabled
    assert by_id(screen.body, "agenda-error").value == LOCKED


async def test_the_agenda_screen_says_the_servers_refusal(tmp_path):
    from client.views import agenda

    app, router, page, apis = await _secretary(tmp_path)
    screen = agenda.edit_agenda(router.ctx, "5")
    await screen.load()
    apis[-1].refuse = ApiError(409, "meeting_locked", "Cuộc họp đã kết thúc hoặc đã hủy, không thể sửa.")
    by_id(screen.body, "agenda-save").on_click(None)
    await _settle(page, lambda: by_id(screen.body, "agenda-error").value)
    assert by_id(screen.body, "agenda-error").value == "Cuộc họp đã kết thúc hoặc đã hủy, không thể sửa."
    assert page.route != "/secretary/meetings/5"
