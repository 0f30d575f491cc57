"""Session and screen state with fake HTTP and storage: sign-in, offline restore, wipe, check-in, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from client.api import ApiError, OfflineError, SessionEnded, Tokens
from client.state.app import AppState, ClientConfig
from client.state.documents import DocumentsState
from client.state.meetings import MeetingsState
from client.state.prefs import MemoryPrefs
from client.state.secretary import SecretaryState, compute_vote
from client.store import user_store_dir
from shared.schemas.auth import MePublic
from shared.schemas.meetings import AgendaReminderPublic, AgendaUnread

ME = {
    "id": 7,
    "username": "dangvien.a",
    "full_name": "Trần Thị Đảng",
    "member_id": 3,
    "organization": {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"},
    "org_path": [],
    "roles": [{"role": "member", "organization": {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"}}],
}
SECRETARY = {
    **ME,
    "id": 8,
    "roles": [{"role": "secretary", "organization": {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"}}],
}

NOT_OPEN = "Điểm danh chưa được mở. Hãy chờ bí thư mở điểm danh rồi thử lại."


class FakeApi:
    """Stands in for client.api.Api: answers from dicts, can go offline or end the session."""

    def __init__(self, base_url: str, *, tokens: Tokens | None = None, on_tokens: Any = None, me: dict = ME):
        self.base_url, self.tokens, self.on_tokens = base_url, tokens, on_tokens
        self.offline = False
        self.ended = False
        self.offline_max_days = 14
        self.device_token: str | None = None
        self._me = me
        self.posted: list[tuple[str, Any]] = []
        self.got: list[tuple[str, Any]] = []  # GETs made: (path, params)
        self.answers: dict[str, Any] = {}
        self.push_answers: dict[str, dict] = {}  # a queued check-in's code -> the server's answer to it
        self.closed = False

    def _check(self) -> None:
        if self.offline:
            raise OfflineError("down")
        if self.ended:
            raise SessionEnded(401, "session_revoked", "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")

    async def login(self, username: str, password: str, device_name: str | None = None,
                    device_token: str | None = None) -> Tokens:
        self._check()
        self.sent_device_token = device_token
        if password != "dung-mat-khau":
            raise ApiError(401, "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
        self.tokens = Tokens("a", "r1")
        await self.on_tokens(self.tokens)
        return self.tokens

    async def info(self) -> dict:
        self._check()
        return {"name": "Sổ tay đảng viên", "offline_max_days": self.offline_max_days}

    async def refresh(self) -> None:
        self._check()
        self.tokens = Tokens("a2", "r2")
        await self.on_tokens(self.tokens)

    async def me(self) -> MePublic:
        self._check()
        return MePublic.model_validate(self._me)

    async def logout(self) -> None:
        await self.on_tokens(None)

    async def aclose(self) -> None:
        self.closed = True

    async def post_json(self, path: str, body: Any = None) -> Any:
        self._check()
        self.posted.append((path, body))
        answer = self.answers.get(path)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def get_json(self, path: str, **kw: Any) -> Any:
        self._check()
        self.got.append((path, kw.get("params")))
        answer = self.answers.get(path, {"items": []})
        if isinstance(answer, Exception):
            raise answer
        return answer

    # typed calls of client.api.Api, answered from the same dicts
    async def agenda_unread(self, meeting_id: int) -> AgendaUnread:
        return AgendaUnread.model_validate(await self.get_json(f"/meetings/{meeting_id}/agenda/unread"))

    async def remind_agenda(self, meeting_id: int, position: int) -> AgendaReminderPublic:
        answer = await self.post_json(f"/meetings/{meeting_id}/agenda/{position}/remind")
        return AgendaReminderPublic.model_validate(answer)

    # the sync engine's side: no feed on this fake server
    async def sync_pull(self, cursor: str | None, limit: int) -> dict:
        self._check()
        raise ApiError(404, "not_found", "Không tìm thấy.")

    async def sync_push(self, actions: list) -> list:
        self._check()
        applied = {"status": "applied"}
        return [
            {"client_id": a["client_id"], **self.push_answers.get(a["payload"].get("code"), applied)}
            for a in actions
        ]

    async def send_action(self, kind: str, payload: dict, client_id: str, made_at: Any = None) -> Any:
        self._check()

    def events(self, last_event_id: str | None = None):
        raise NotImplementedError


@pytest.fixture
def clock() -> list[datetime]:
    """The client's clock, settable: [now]."""
    return [datetime(2026, 12, 31, 16, 59, tzinfo=UTC)]  # 23:59 on 31/12 in Vietnam


@pytest.fixture
def made(tmp_path: Path, clock: list[datetime]):
    apis: list[FakeApi] = []

    def make(prefs: MemoryPrefs | None = None, me: dict = ME) -> tuple[AppState, list[FakeApi]]:
        def factory(url: str, **kw: Any) -> FakeApi:
            api = FakeApi(url, me=me, **kw)
            apis.append(api)
            return api

        app = AppState(
            ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: clock[0]),
            prefs or MemoryPrefs(),
            api_factory=factory,
        )  # type: ignore[arg-type]
        return app, apis

    return make


async def test_sign_in_refuses_with_the_servers_words_then_opens_own_store(made, tmp_path):
    app, apis = made()
    with pytest.raises(ApiError) as err:
        await app.sign_in("", "dangvien.a", "sai")
    assert err.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert not app.signed_in
    with pytest.raises(ApiError) as err:
        await app.sign_in("", "", "")
    assert err.value.message == "Vui lòng nhập tên đăng nhập và mật khẩu."
    await app.sign_in("127.0.0.1:8080", "dangvien.a", "dung-mat-khau")
    assert app.signed_in and app.me.full_name == "Trần Thị Đảng"
    assert await app.prefs.get("server_url") == "http://127.0.0.1:8080"
    assert await app.prefs.get("refresh_token") == "r1"
    assert user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert not app.is_secretary and not app.is_staff


async def test_restore_offline_uses_the_cached_profile(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21"})
    await app._close(wipe=False)  # the tab closes; the phone keeps its data

    again, apis = made(prefs=app.prefs)
    apis_before = len(apis)
    original = FakeApi.me

    async def offline_me(self):  # the server cannot be reached this time
        raise OfflineError("down")

    FakeApi.me = offline_me  # type: ignore[method-assign]
    try:
        assert await again.restore() is True
    finally:
        FakeApi.me = original  # type: ignore[method-assign]
    assert len(apis) == apis_before + 1
    assert again.online is False
    assert again.me.full_name == "Trần Thị Đảng"
    assert again.store.get("document", 1)["title"] == "Nghị quyết 21"


async def test_revoked_session_wipes_the_store_and_asks_to_sign_in(made, tmp_path):
    app, apis = made()
    events: list[str] = []
    app.subscribe(events.append)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Riêng tư"})
    apis[-1].ended = True
    with pytest.raises(SessionEnded):
        await app.call(apis[-1].me())
    assert "signed_out" in events
    assert not app.signed_in
    assert app.notice == "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."
    assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert await app.prefs.get("refresh_token") is None


async def test_sign_out_wipes_too(made, tmp_path):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await app.sign_out()
    assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert await app.prefs.get("user_id") is None


async def test_text_scale_is_remembered(made):
    app, _ = made()
    await app.set_text_scale(2.0)
    again, _ = made(prefs=app.prefs)
    await again.load_prefs()
    assert again.text_scale == 2.0


async def test_a_text_size_saved_by_an_older_version_becomes_the_nearest_offered(made):
    app, _ = made()
    await app.prefs.set("text_scale", "1.4")  # the largest size before 200% was offered
    await app.load_prefs()
    assert app.text_scale == 1.5


async def test_check_in_validates_then_sends_or_queues(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put(
        "meeting",
        5,
        {
            "id": 5,
            "title": "Sinh hoạt tháng 11",
            "status": "scheduled",
            "starts_at": (now + timedelta(minutes=10)).isoformat(),
        },
    )
    assert (await state.check_in(5, "12a456")).message == "Mã điểm danh gồm 6 chữ số."
    api = apis[-1]
    api.answers["/meetings/5/check-ins"] = ApiError(400, "checkin_code_invalid", "Mã điểm danh không đúng.")
    wrong = await state.check_in(5, "000000")
    assert (wrong.ok, wrong.message) == (False, "Mã điểm danh không đúng.")
    api.answers["/meetings/5/check-ins"] = {"status": "present"}
    ok = await state.check_in(5, "123 456")
    assert ok.ok and ok.message == "Đã điểm danh: có mặt."
    assert api.posted[-1][1]["code"] == "123456"
    assert "my_status" not in app.store.get("meeting", 5)  # the attendance record says it (issue 12, item 18)

    api.offline = True
    queued = await state.check_in(5, "654321")
    # Not a success yet: the server has not seen it.
    assert (queued.ok, queued.queued) == (False, True)
    assert queued.message == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."
    [item] = app.store.outbox("pending")
    assert item.kind == "meeting.check_in"
    assert item.payload == {"meeting_id": 5, "code": "654321"}  # exactly what /sync/push takes
    assert item.created_at == now  # sent as made_at: the server checks the code against that moment
    assert state.queued_check_in(5)
    assert state.my_status(5) == "pending"
    api.offline = False
    assert await app.sync_now() is True
    assert app.store.outbox() == []


async def test_meetings_split_upcoming_and_past(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    for i, (delta, status) in enumerate(
        [(2, "scheduled"), (-30, "closed"), (1, "scheduled"), (3, "cancelled"), (5, "draft")], 1
    ):
        app.store.put(
            "meeting", i, {"id": i, "status": status, "starts_at": (now + timedelta(days=delta)).isoformat()}
        )
    assert [m["id"] for m in state.upcoming()] == [3, 1]
    assert state.next_meeting()["id"] == 3
    assert [m["id"] for m in state.past()] == [4, 2]  # drafts are the secretary's business


async def test_documents_filter_and_search_without_marks(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    docs = [
        {
            "id": 1,
            "title": "Nghị quyết về tổ chức cơ sở đảng",
            "doc_type": "resolution",
            "number": "21-NQ/TW",
            "issued_on": "2022-06-16",
            "category": "documents",
            "status": "published",
        },
        {
            "id": 2,
            "title": "Quy định về kiểm tra, giám sát",
            "doc_type": "regulation",
            "number": "96-QĐ/TW",
            "issued_on": "2023-02-02",
            "category": "documents",
            "status": "published",
            "read_at": "2026-01-01",
        },
        {
            "id": 3,
            "title": "Chuyên đề học tập 2026",
            "doc_type": "plan",
            "category": "study",
            "status": "published",
        },
        {
            "id": 4,
            "title": "Nghị quyết đã thu hồi",
            "doc_type": "resolution",
            "category": "documents",
            "status": "withdrawn",
        },
    ]
    for d in docs:
        app.store.put("document", d["id"], d)
    state = DocumentsState(app)
    assert [d["id"] for d in state.results()] == [2, 1]  # newest first; study and withdrawn are elsewhere
    state.query = "nghi quyet co so"
    assert [d["id"] for d in state.results()] == [1]
    state.query, state.doc_type = "", "regulation"
    assert [d["id"] for d in state.results()] == [2]
    state.doc_type, state.year = None, 2022
    assert [d["id"] for d in state.results()] == [1]
    assert state.years_present() == [2023, 2022]
    assert [d["id"] for d in state.unread()][:1] == [1]
    assert [d["id"] for d in DocumentsState(app, "study").results()] == [3]


async def test_opening_a_document_offline_queues_the_read_mark(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21", "status": "published"})
    apis[-1].offline = True
    doc = await DocumentsState(app).open(1)
    assert doc["title"] == "Nghị quyết 21" and doc["read_at"]
    assert [(i.kind, i.payload) for i in app.store.outbox("pending")] == [
        ("document.read", {"document_id": 1, "studied": False})
    ]


def test_vote_passes_with_more_than_half_of_the_base():
    assert compute_vote(6, 2, 2, 10).passed is True
    assert compute_vote(5, 3, 2, 10).passed is False  # exactly half is not more than half
    assert compute_vote(0, 0, 0, 0).passed is False
    assert "THÔNG QUA" in compute_vote(6, 2, 2, 10).words


async def test_secretary_plans_a_meeting_in_vietnam_time(made):
    app, apis = made(me=SECRETARY)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    assert app.is_secretary and app.led_cell_ids == [4]
    sec = SecretaryState(app)
    bad = await sec.create_meeting("Sinh hoạt", "regular", "31/02/2026", "19:30", "", [])
    assert bad.message == "Ngày phải có dạng dd/mm/yyyy, ví dụ 04/12/2026."
    apis[-1].answers["/meetings"] = {"id": 9, "title": "Sinh hoạt tháng 12"}
    # The clock reads 23:59 on 31/12/2026 in Vietnam: a meeting earlier that month is already past.
    past = await sec.create_meeting("Sinh hoạt tháng 12", "regular", "04/12/2026", "19:30", "", [])
    assert not past.ok and "chưa qua" in past.message
    assert apis[-1].posted == [] or apis[-1].posted[-1][0] != "/meetings"
    ok = await sec.create_meeting(
        "Sinh hoạt tháng 12",
        "regular",
        "04/01/2027",
        "19:30",
        "Hội trường",
        ["Đánh giá tháng", " ", "Nhiệm vụ tháng tới"],
    )
    assert ok.ok
    path, body = apis[-1].posted[-1]
    assert body["starts_at"] == "2027-01-04T12:30:00+00:00"  # 19:30 in Vietnam, sent as UTC
    assert body["agenda"] == [{"title": "Đánh giá tháng"}, {"title": "Nhiệm vụ tháng tới"}]
    assert body["org_id"] == 4
    assert app.store.get("meeting", 9)["title"] == "Sinh hoạt tháng 12"


async def test_own_state_comes_from_the_feeds_own_entities(made):
    """The feed sends the meeting and the document as they are for everyone; own attendance, absence
    requests, read marks and bookmarks arrive as their own entities (a leader's device holds others' too)."""
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    store = app.store
    store.put("meeting", 5, {"id": 5, "status": "closed", "starts_at": "2026-11-04T12:00:00+00:00"})
    store.put("attendance", 1, {"id": 1, "meeting_id": 5, "member_id": 99, "status": "absent"})  # another
    store.put("attendance", 2, {"id": 2, "meeting_id": 5, "member_id": 3, "status": "late"})  # me (member 3)
    store.put("absence_request", 7, {"id": 7, "meeting_id": 5, "member_id": 3, "status": "rejected"})
    meeting = MeetingsState(app).get(5)
    assert meeting["my_status"] == "late" and meeting["my_absence_request"] == "rejected"
    store.put("document", 1, {"id": 1, "title": "Nghị quyết", "status": "published", "category": "documents"})
    store.put("document", 2, {"id": 2, "title": "Chỉ thị", "status": "published", "category": "documents"})
    store.put("read_mark", 10, {"id": 10, "document_id": 1, "read_at": "2026-11-20T01:00:00+00:00"})
    store.put("bookmark", 2, {"id": 2, "document_id": 2, "created_at": "2026-11-20T01:00:00+00:00"})
    docs = DocumentsState(app)
    assert [d["id"] for d in docs.unread()] == [2]
    docs.bookmarked_only = True
    assert [d["id"] for d in docs.results()] == [2]
    assert await docs.toggle_bookmark(2) is False
    assert docs.results() == []
    assert store.get("bookmark", 2) is None
    assert store.outbox() == []  # the removal went to the server at once


async def test_refused_actions_are_shown_until_dismissed(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    item = app.store.enqueue("meeting.check_in", {"meeting_id": 1, "code": "000000"})
    app.store.outbox_failed(item.client_id, "checkin_code_invalid", "Mã điểm danh không đúng.")
    assert app.pending_actions == 0 and len(app.store.outbox("failed")) == 1
    app.dismiss_failed()
    assert app.store.outbox() == []


async def test_opening_a_notification_marks_only_it_read(made):
    from client.state.profile import InboxState

    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    for i in (1, 2):
        app.store.put(
            "notification", i, {"id": i, "title": f"Thông báo {i}", "created_at": f"2026-11-2{i}T00:00:00Z"}
        )
    inbox = InboxState(app)
    assert inbox.unread_count() == 2
    await inbox.mark_read([1])
    assert inbox.unread_count() == 1 and app.store.get("notification", 1)["read_at"]
    await inbox.mark_all_read()
    assert inbox.unread_count() == 0


def test_study_materials_are_grouped_by_topic():
    items = [
        {"id": 1, "topic": "Học tập và làm theo Bác"},
        {"id": 2},
        {"id": 3, "topic": "Chuyển đổi số"},
        {"id": 4, "topic": "Học tập và làm theo Bác"},
    ]
    groups = DocumentsState.by_topic(items)
    assert [(t, [d["id"] for d in ds]) for t, ds in groups] == [
        ("Chuyển đổi số", [3]),
        ("Học tập và làm theo Bác", [1, 4]),
        ("Tài liệu chung", [2]),
    ]


async def _offline_restore(made, prefs):  # type: ignore[no-untyped-def]
    again, _ = made(prefs=prefs)
    original = FakeApi.me

    async def offline_me(self):
        raise OfflineError("down")

    FakeApi.me = offline_me  # type: ignore[method-assign]
    try:
        return again, await again.restore()
    finally:
        FakeApi.me = original  # type: ignore[method-assign]


@pytest.mark.parametrize("away,shown", [
    (timedelta(days=14) - timedelta(minutes=1), True),  # the province's 14 days, not yet up
    (timedelta(days=14) + timedelta(minutes=1), False),
])
async def test_a_device_out_of_touch_too_long_forgets_its_copy(made, clock, tmp_path, away, shown):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")  # the server says 14 days (SOTAY_OFFLINE_MAX_DAYS)
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21"})
    await app._close(wipe=False)
    clock[0] = clock[0] + away
    again, restored = await _offline_restore(made, app.prefs)
    assert restored is shown
    if shown:
        assert again.store.get("document", 1)["title"] == "Nghị quyết 21"
    else:
        assert again.store is None and again.me is None
        assert "14 ngày" in again.notice and "đăng nhập lại" in again.notice
        assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()  # the copy is gone
        assert await again.prefs.get("refresh_token") is None


async def test_each_contact_with_the_server_restarts_the_offline_clock(made, clock):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    clock[0] = clock[0] + timedelta(days=10)
    app._on_status(True)  # the sync engine reached the server
    await app._close(wipe=False)
    clock[0] = clock[0] + timedelta(days=10)  # 20 days since sign-in, 10 since the last contact
    _, restored = await _offline_restore(made, app.prefs)
    assert restored is True


async def test_a_device_online_for_weeks_is_not_wiped_on_its_first_offline_start(made, clock):
    # Online all along, the engine never changes status, yet every answer from the server is a contact.
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app._on_status(True)
    for _day in range(4):
        clock[0] = clock[0] + timedelta(days=5)
        app.engine.queue("document.read", {"document_id": 1})
        await app.engine.push()
    await app._close(wipe=False)
    clock[0] = clock[0] + timedelta(days=2)  # 22 days since sign-in, 2 since the last answer
    again, restored = await _offline_restore(made, app.prefs)
    assert restored is True and again.store is not None


def _meeting_opening(now: datetime, **extra: Any) -> dict[str, Any]:
    """A scheduled meeting as the feed sends it: its check-in window travels with it."""
    starts = now + timedelta(minutes=10)
    return {
        "id": 5,
        "org_id": 4,
        "title": "Sinh hoạt tháng 11",
        "status": "scheduled",
        "starts_at": starts.isoformat(),
        "checkin_opens_at": (starts - timedelta(minutes=30)).isoformat(),
        "checkin_closes_at": (starts + timedelta(minutes=60)).isoformat(),
        **extra,
    }


async def test_an_offline_check_in_says_saved_then_only_the_servers_refusal(made):
    """Issue 12, item 6: offline the device says the check-in is saved and will be confirmed; once the
    server refuses it (check-in never opened), only the server's words are said, not both."""
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put("meeting", 5, _meeting_opening(now))
    api = apis[-1]
    api.push_answers["111111"] = {"status": "refused", "code": "checkin_not_open",
                                  "message": NOT_OPEN}
    api.offline = True
    queued = await state.check_in(5, "111111")
    assert queued.queued and not queued.ok
    assert state.check_in_message(5) == queued
    assert queued.message == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."

    api.offline = False
    assert await app.sync_now() is True
    said = state.check_in_message(5)
    assert said is not None and (said.ok, said.queued) == (False, False)
    assert said.message == NOT_OPEN
    assert not state.queued_check_in(5)
    # A new screen (the member comes back to the meeting later) says the same, from the outbox.
    again = MeetingsState(app, now=lambda: now)
    assert again.check_in_message(5) == said


async def test_an_offline_check_in_the_server_takes_says_only_how_it_was_recorded(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put("meeting", 5, _meeting_opening(now, status="in_progress"))
    api = apis[-1]
    api.push_answers["222222"] = {"status": "applied", "result": {"status": "late", "meeting_id": 5}}
    api.offline = True
    assert (await state.check_in(5, "222222")).queued
    api.offline = False
    await app.sync_now()
    said = state.check_in_message(5)
    assert said is not None and (said.ok, said.queued) == (True, False)
    assert said.message == "Đã điểm danh: đến muộn."
    # The feed's own attendance entity, once pulled, says the same.
    app.store.put("attendance", 1, {"id": 1, "meeting_id": 5, "member_id": 3, "status": "late"})
    assert MeetingsState(app, now=lambda: now).check_in_message(5) == said


@pytest.mark.parametrize(
    ("minutes", "status", "said"),
    [
        (-120, "scheduled", "Chưa đến giờ điểm danh: buổi sinh hoạt mở điểm danh lúc 18:40 23/11/2026."),
        (200, "scheduled", "Đã hết giờ điểm danh buổi sinh hoạt này (đóng lúc 20:10 23/11/2026)."),
        (200, "closed", "Đã hết giờ điểm danh buổi sinh hoạt này (đóng lúc 20:10 23/11/2026)."),
        (0, "cancelled", "Buổi sinh hoạt đã bị hủy nên không điểm danh được."),
    ],
)
async def test_offline_a_meeting_known_not_to_be_open_is_refused_on_the_device(made, minutes, status, said):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam; the meeting starts at 19:10
    app.store.put("meeting", 5, _meeting_opening(now, status=status))
    state = MeetingsState(app, now=lambda: now + timedelta(minutes=minutes))
    apis[-1].offline = True
    outcome = await state.check_in(5, "123456")
    assert (outcome.ok, outcome.queued, outcome.message) == (False, False, said)
    assert app.store.outbox() == []  # nothing queued: no promise the server is sure to break
    assert state.check_in_message(5) == outcome


async def test_offline_a_meeting_in_progress_or_within_its_window_is_queued(made):
    """The secretary may have opened check-in since the device last synced: the server decides."""
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    apis[-1].offline = True
    app.store.put("meeting", 5, _meeting_opening(now))
    assert (await MeetingsState(app, now=lambda: now).check_in(5, "123456")).queued
    app.store.put("meeting", 5, _meeting_opening(now, status="in_progress"))
    late = MeetingsState(app, now=lambda: now + timedelta(hours=5))
    assert (await late.check_in(5, "123457")).queued
