"""Documents on the agenda, client side: the form's editor, the secretary's per-item unread and reminder,
the member's papers kept on the device before the meeting. Fake HTTP, the clock injected."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft

from client.api import ApiError
from client.state.agenda import AgendaEditor
from client.state.meetings import MeetingsState
from client.state.secretary import SecretaryState
from shared.schemas.documents import AttachmentPublic, DocumentPublic
from tests.client.fakes import SECRETARY, FakeApi
from tests.client.pages import FakePage, by_id, save_meeting, secretary_app, walk

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 on 01/12/2026 in Vietnam
LATER = (NOW + timedelta(days=3)).isoformat()


def _doc(doc_id: int, title: str, status: str = "published", **extra: Any) -> dict[str, Any]:
    return {"id": doc_id, "title": title, "status": status, "category": "documents",
            "published_at": f"2026-11-{10 + doc_id:02d}T00:00:00Z", **extra}


def _fill_store(app) -> None:
    app.store.put("document", 11, _doc(11, "Nghị quyết số 21 về Đảng bộ"))
    app.store.put("document", 12, _doc(12, "Chỉ thị 35 về đại hội"))
    app.store.put("document", 13, _doc(13, "Dự thảo báo cáo chính trị", status="draft"))
    app.store.put("document", 14, _doc(14, "Nghị quyết bị thu hồi", status="withdrawn"))


async def _secretary(tmp_path: Path):
    app, router, page, apis = secretary_app(tmp_path, NOW)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    _fill_store(app)
    return app, router, page, apis


# --- the editor's state ---------------------------------------------------------------------------------


async def test_editor_items_documents_and_search_without_tone_marks(tmp_path):
    app, _router, _page, _apis = await _secretary(tmp_path)
    editor = AgendaEditor(app)
    assert [i.title for i in editor.items] == ["Đánh giá kết quả tháng", "Triển khai nhiệm vụ tháng tới"]
    # only what members will have: published, not drafts nor withdrawn; no tone marks needed
    assert [d["id"] for d in editor.search("nghi quyet")] == [11]
    assert [d["id"] for d in editor.search("")] == [12, 11]
    assert editor.attach(0, 11).ok
    assert editor.attach(0, 11).message == "Tài liệu đã có trong mục 1."
    assert [d["id"] for d in editor.search("", 0)] == [12]  # already on the item: not offered again
    assert editor.attach(1, 12).message == 'Đã thêm "Chỉ thị 35 về đại hội" vào mục 2.'
    assert not editor.attach(7, 12).ok
    index = editor.add_item()
    assert index == 2 and editor.payload()[-1:] == [{"title": "Triển khai nhiệm vụ tháng tới",
                                                      "document_ids": [12]}]  # the empty item is left out
    editor.set_title(index, "  Học tập chuyên đề ")
    editor.detach(1, 12)
    editor.remove_item(0)
    assert editor.payload() == [{"title": "Triển khai nhiệm vụ tháng tới", "document_ids": []},
                                {"title": "Học tập chuyên đề", "document_ids": []}]


class UploadApi(FakeApi):
    """A secretary's server that takes a meeting paper (the document, then its file)."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        super().__init__(base_url, me=SECRETARY, **kw)
        self.papers: list[tuple[int, str, str, bytes]] = []
        self.refuse: ApiError | None = None

    async def publish_meeting_paper(self, cell_id: int, title: str, filename: str, content: bytes,
                                    content_type: str) -> tuple[DocumentPublic, AttachmentPublic]:
        self._check()
        if self.refuse:
            raise self.refuse
        self.papers.append((cell_id, title, filename, content))
        doc = DocumentPublic.model_validate({
            "id": 40, "title": title, "doc_type": "report", "number": None, "type_code": None, "issuer": None,
            "issued_on": None, "effective_on": None, "summary": None, "category": "meeting", "topic": None,
            "status": "published", "publish_at": None, "published_at": NOW.isoformat(), "version": 1,
            "offline_allowed": True, "comments_until": None, "superseded_by_id": None, "replaces_id": None,
            "updated_at": NOW.isoformat()})
        return doc, AttachmentPublic(id=70, sha256="ab" * 32, size=len(content), content_type=content_type,
                                     filename=filename)


async def test_upload_publishes_to_the_cell_and_attaches(tmp_path):
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs

    apis: list[UploadApi] = []
    app = AppState(ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: NOW),
                   MemoryPrefs(), api_factory=lambda url, **kw: apis.append(UploadApi(url, **kw)) or apis[-1])
    app.after_login = None
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    editor = AgendaEditor(app)
    done = await editor.upload(1, 4, "", "Bao_cao_thang_11.pdf", b"%PDF-1.4")
    assert done.ok and done.message == 'Đã tải lên "Bao cao thang 11" và thêm vào mục 2.'
    assert apis[-1].papers == [(4, "Bao cao thang 11", "Bao_cao_thang_11.pdf", b"%PDF-1.4")]
    assert editor.items[1].document_ids == [40]
    assert app.store.get("document", 40)["title"] == "Bao cao thang 11"  # shown before the next sync
    assert app.store.get("attachment", 70)["document_id"] == 40
    assert not (await editor.upload(0, None, "x", "a.pdf", b"1")).ok  # no cell led
    assert (await editor.upload(0, 4, "", "a.pdf", b"")).message == "Tệp trống, vui lòng chọn tệp khác."
    apis[-1].refuse = ApiError(403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")
    refused = await editor.upload(0, 4, "Báo cáo", "a.pdf", b"1")
    assert not refused.ok and refused.message == "Bạn không có quyền thực hiện thao tác này."
    assert editor.items[0].document_ids == []


# --- the form -------------------------------------------------------------------------------------------


async def test_the_form_picks_a_document_for_an_item_and_sends_it(tmp_path):
    from client.views import secretary

    app, router, page, apis = await _secretary(tmp_path)
    screen = secretary.plan_meeting(router.ctx)
    by_id(screen.body, "meeting-day").value = "04/12/2026"
    by_id(screen.body, "agenda-add-doc-1").on_click(None)
    sheet = page.dialogs[-1]
    assert isinstance(sheet, ft.BottomSheet)
    by_id(sheet.content, "agenda-search").value = "chi thi"
    by_id(sheet.content, "agenda-search").on_change(None)
    offered = [c.identifier for c in walk(sheet.content) if isinstance(c, ft.Semantics)
               and (c.identifier or "").startswith("agenda-pick-")]
    assert offered == ["agenda-pick-12"]
    by_id(sheet.content, "agenda-pick-12").on_click(None)
    assert sheet.open is False
    by_id(screen.body, "agenda-doc-1-12")  # drawn under its item
    by_id(screen.body, "agenda-add-item").on_click(None)
    new_title = by_id(screen.body, "agenda-title-2")
    new_title.value = "Học tập Nghị quyết 21"
    new_title.on_change(type("E", (), {"control": new_title})())
    body = await save_meeting(screen, apis)
    assert body["agenda"] == [
        {"title": "Đánh giá kết quả tháng", "document_ids": []},
        {"title": "Triển khai nhiệm vụ tháng tới", "document_ids": [12]},
        {"title": "Học tập Nghị quyết 21", "document_ids": []},
    ]


async def test_the_servers_refusal_of_a_document_is_shown_in_the_form(tmp_path):
    from client.views import secretary

    app, router, page, apis = await _secretary(tmp_path)
    screen = secretary.plan_meeting(router.ctx)
    by_id(screen.body, "meeting-day").value = "04/12/2026"
    said = 'Mục 2 "Triển khai nhiệm vụ tháng tới" kèm tài liệu mà đảng viên của chi bộ không xem được.'
    apis[-1].answers["/meetings"] = ApiError(422, "agenda_document_not_visible", said)
    by_id(screen.body, "meeting-save").on_click(None)
    for _ in range(20):
        await asyncio.sleep(0.01)
        if by_id(screen.body, "meeting-error").value:
            break
    assert by_id(screen.body, "meeting-error").value == said


# --- the secretary's meeting: unread per item, one reminder ---------------------------------------------

MEETING = {"id": 5, "org_id": 4, "title": "Sinh hoạt tháng 12", "status": "scheduled", "starts_at": LATER,
           "agenda": [{"id": 1, "position": 1, "title": "Quán triệt", "document_ids": [11]},
                      {"id": 2, "position": 2, "title": "Kiểm điểm", "document_ids": []}]}
UNREAD = {"meeting_id": 5, "items": [
    {"position": 1, "title": "Quán triệt", "document_ids": [11],
     "documents": [{"document_id": 11, "members": 3, "read": 1, "unread": [
         {"member_id": 9, "full_name": "Lê Văn Hai"}, {"member_id": 3, "full_name": "Trần Thị Đảng"}]}],
     "unread": [{"member_id": 9, "full_name": "Lê Văn Hai", "document_ids": [11]},
                {"member_id": 3, "full_name": "Trần Thị Đảng", "document_ids": [11]}]},
    {"position": 2, "title": "Kiểm điểm", "document_ids": [], "documents": [], "unread": []},
]}


async def test_secretary_state_loads_unread_per_item_and_reminds_once(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    api = apis[-1]
    api.answers["/meetings/5/agenda/unread"] = UNREAD
    sec = SecretaryState(app)
    await sec.load_agenda(MEETING)
    assert [i.position for i in sec.agenda] == [1, 2]
    assert sec.unread == {11: ["Lê Văn Hai", "Trần Thị Đảng"]} and sec.read_rates == {11: (1, 3)}
    api.answers["/meetings/5/agenda/1/remind"] = {"meeting_id": 5, "position": 1, "notified": 2,
                                                  "reminded_at": NOW.isoformat()}
    sent = await sec.remind(5, 1)
    assert sent.ok and sent.message == "Đã gửi nhắc đọc tới 2 đảng viên chưa đọc."
    assert sec.agenda_item(1).reminded_at == NOW
    again = await sec.remind(5, 1)  # refused here, without asking the server again
    assert not again.ok and "chỉ nhắc một lần" in again.message
    assert [p for p, _ in api.posted].count("/meetings/5/agenda/1/remind") == 1


async def test_a_reminder_another_device_sent_first_disables_the_button(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    api = apis[-1]
    api.answers["/meetings/5/agenda/unread"] = UNREAD
    sec = SecretaryState(app)
    await sec.load_agenda(MEETING)
    api.answers["/meetings/5/agenda/1/remind"] = ApiError(
        409, "agenda_reminder_sent", "Đã nhắc đọc tài liệu của mục 1 lúc 08:00 01/12/2026; chỉ nhắc một lần.")
    refused = await sec.remind(5, 1)
    assert not refused.ok and "chỉ nhắc một lần" in refused.message
    assert sec.agenda_item(1).reminded_at is not None


async def test_a_server_without_the_route_still_shows_each_documents_rate(tmp_path):
    app, _router, _page, apis = await _secretary(tmp_path)
    api = apis[-1]
    api.answers["/meetings/5/agenda/unread"] = ApiError(404, "not_found", "Không tìm thấy địa chỉ yêu cầu.")
    hai = {"member_id": 9, "full_name": "Lê Văn Hai"}
    api.answers["/documents/read-rates"] = {"org_id": 4, "items": [
        {"document_id": 11, "members": 3, "read": 2, "unread": [hai]}]}
    sec = SecretaryState(app)
    await sec.load_agenda(MEETING)
    assert sec.agenda == [] and sec.unread == {11: ["Lê Văn Hai"]}


async def test_the_meeting_screen_confirms_then_sends_the_reminder_once(tmp_path):
    from client.views import secretary

    app, router, page, apis = await _secretary(tmp_path)
    api = apis[-1]
    app.store.put("meeting", 5, MEETING)
    api.answers.update({"/meetings/5": MEETING, "/meetings/5/agenda/unread": UNREAD,
                        "/meetings/5/minutes": {"text": "", "resolutions": []}})
    screen = secretary.run_meeting(router.ctx, "5")
    await screen.load()
    assert by_id(screen.body, "agenda-unread-1").value == "Chưa đọc: 2 (Lê Văn Hai, Trần Thị Đảng)"
    with_no_documents = [c for c in walk(screen.body) if getattr(c, "identifier", None) == "agenda-remind-2"]
    assert with_no_documents == []  # an item without documents has nothing to remind of
    button = by_id(screen.body, "agenda-remind-1")
    assert button.content == "Nhắc đọc" and not button.disabled
    button.on_click(None)
    sheet = page.dialogs[-1]
    words = " ".join(c.value for c in walk(sheet.content) if isinstance(c, ft.Text))
    assert "Nhắc đọc tài liệu?" in words and "nhắc 2 đảng viên" in words and "một lần" in words
    assert api.posted == []  # nothing sent before the confirmation
    api.answers["/meetings/5/agenda/1/remind"] = {"meeting_id": 5, "position": 1, "notified": 2,
                                                  "reminded_at": NOW.isoformat()}
    by_id(sheet.content, "agenda-remind-send").on_click(None)
    for _ in range(20):
        await asyncio.sleep(0.01)
        if by_id(screen.body, "agenda-remind-1").disabled:
            break
    after = by_id(screen.body, "agenda-remind-1")
    assert after.content == "Đã nhắc đọc" and after.disabled
    assert [p for p, _ in api.posted] == ["/meetings/5/agenda/1/remind"]
    for task in page.tasks:
        task.cancel()


# --- the member: papers on the device before the meeting -------------------------------------------------


class FileApi(FakeApi):
    """A member's server that serves attachment files (and can lose the network)."""

    def __init__(self, base_url: str, **kw: Any) -> None:
        super().__init__(base_url, **kw)
        self.downloads: list[str] = []

    async def download(self, path: str, dest: Path, on_progress: Any = None) -> Path:
        self._check()
        self.downloads.append(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"%PDF-1.4")
        return dest


def _member(tmp_path: Path):
    from client.router import Router
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs

    apis: list[FileApi] = []
    app = AppState(ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: NOW),
                   MemoryPrefs(), api_factory=lambda url, **kw: apis.append(FileApi(url, **kw)) or apis[-1])
    app.after_login = None
    page = FakePage()
    return app, Router(page, app, []), page, apis  # type: ignore[arg-type]


def _member_store(app) -> None:
    app.store.put("meeting", 5, {**MEETING, "agenda": [
        {"id": 1, "position": 1, "title": "Quán triệt", "document_ids": [11, 12, 99]}]})
    app.store.put("document", 11, _doc(11, "Nghị quyết số 21"))
    app.store.put("document", 12, _doc(12, "Chỉ đọc trực tuyến", offline_allowed=False))
    app.store.put("attachment", 70, {"id": 70, "document_id": 11, "filename": "nq21.pdf", "sha256": "a" * 64})
    app.store.put("attachment", 71, {"id": 71, "document_id": 12, "filename": "mat.pdf", "sha256": "b" * 64})


async def test_the_members_device_keeps_the_agendas_files_before_the_meeting(tmp_path):
    app, _router, _page, apis = _member(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    _member_store(app)
    state = MeetingsState(app)
    [(item, docs)] = state.agenda_documents(state.get(5))
    assert [(d.id, d.words) for d in docs] == [
        (11, "đã lưu 0/1 tệp trên máy"), (12, "đã lưu 0/1 tệp trên máy"),
        (99, "chưa có trên máy, cần mạng để mở"),  # not (yet) in the member's feed
    ]
    apis[-1].offline = True
    assert await state.keep_agenda_offline(state.get(5)) == 0  # no network: nothing, no error
    apis[-1].offline = False
    assert await state.keep_agenda_offline(state.get(5)) == 1
    assert apis[-1].downloads == ["/attachments/70"]  # not the one its publisher keeps online only
    [(item, docs)] = state.agenda_documents(state.get(5))
    assert docs[0].words == "đã lưu trên máy"
    assert await state.keep_agenda_offline(state.get(5)) == 0  # fetched once
    closed = {**state.get(5), "status": "closed"}
    assert await state.keep_agenda_offline(closed) == 0


async def test_opening_the_meeting_fetches_its_papers_and_shows_them_kept(tmp_path):
    from client.views import meetings

    app, router, _page, apis = _member(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    _member_store(app)
    apis[-1].answers["/meetings/5"] = app.store.get("meeting", 5)
    apis[-1].answers["/meetings/5/minutes"] = {"text": "", "resolutions": []}
    screen = meetings.meeting_detail(router.ctx, "5")
    await screen.load()
    assert apis[-1].downloads == ["/attachments/70"]
    kept = [c.value for c in walk(by_id(screen.body, "agenda-doc-11")) if isinstance(c, ft.Text)]
    assert kept == ["đã lưu trên máy"]
    apis[-1].offline = True  # at the meeting, without a network: still listed, still kept
    screen.redraw()
    assert [c.value for c in walk(by_id(screen.body, "agenda-doc-11"))
            if isinstance(c, ft.Text)] == ["đã lưu trên máy"]



async def test_a_reading_reminder_opens_its_meeting(tmp_path):
    from client.state.profile import InboxState

    app, _router, _page, _apis = _member(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    _member_store(app)
    inbox = InboxState(app)
    reminder = {"id": 1, "kind": "agenda_reminder", "ref_type": "agenda_item", "ref_id": 1}
    assert inbox.target(reminder) == "/meetings/5"
    assert inbox.target({**reminder, "ref_id": 77}) is None  # its meeting is not on this device
    assert inbox.target({"id": 2, "ref_type": "meeting", "ref_id": 5}) == "/meetings/5"
    assert inbox.target({"id": 3, "ref_type": "document", "ref_id": 11}) == "/documents/11"
