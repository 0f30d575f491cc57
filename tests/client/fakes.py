"""Fakes for the client's HTTP side: a feed and push endpoint kept in memory, an Api answering from dicts
(FakeApi), the users it signs in."""

from typing import Any

from client.api import ApiError, OfflineError, SessionEnded, Tokens
from shared.schemas.auth import MePublic
from shared.schemas.meetings import AgendaReminderPublic, AgendaUnread


class FakeFeed:
    """A server's feed for one member: versions, tombstones, a horizon for 410, a push endpoint."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.version = 0
        self.horizon = 0  # cursors older than this get 410
        self.offline = False
        self.applied: dict[str, dict[str, Any]] = {}
        self.refuse_codes: dict[str, str] = {}  # payload code -> refusal code
        self.push_calls = 0
        self.has_push = True
        self.storage_full = False  # the server's disk is full: every push answers 507
        self.sent_one_by_one: list[str] = []
        self.notifications: list[dict[str, Any]] = []  # sent on the event stream after the first sync

    def change(self, type_: str, id_: int, data: dict[str, Any] | None, op: str = "upsert") -> None:
        self.version += 1
        self.log.append({"type": type_, "op": op, "id": id_, "version": self.version, "data": data})

    def compact(self) -> None:
        """Drop superseded entries (as a server's tombstone clean-up does) and raise the horizon."""
        latest: dict[tuple[str, int], dict[str, Any]] = {}
        for c in self.log:
            latest[(c["type"], c["id"])] = c
        self.log = sorted((c for c in latest.values() if c["op"] != "delete"), key=lambda c: c["version"])
        self.horizon = self.version

    async def sync_pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        if self.offline:
            raise OfflineError("down")
        since = int(cursor or 0)
        if cursor is not None and since < self.horizon:
            raise ApiError(410, "cursor_expired", "Cần đồng bộ lại từ đầu.")
        page = [c for c in self.log if c["version"] > since][:limit]
        last = page[-1]["version"] if page else since
        more = any(c["version"] > last for c in self.log)
        return {"changes": page, "cursor": str(last), "has_more": more}

    def _answer(self, action: dict[str, Any]) -> dict[str, Any]:
        cid = action["client_id"]
        if cid in self.applied:
            if self.applied[cid] != action["payload"]:
                return {
                    "client_id": cid,
                    "status": "refused",
                    "code": "client_id_reused",
                    "message": "Trùng mã.",
                }
            return {"client_id": cid, "status": "already_applied"}
        code = self.refuse_codes.get(str(action["payload"].get("code")))
        if code:
            return {
                "client_id": cid,
                "status": "refused",
                "code": code,
                "message": "Mã điểm danh không đúng.",
            }
        self.applied[cid] = action["payload"]
        return {"client_id": cid, "status": "applied"}

    async def sync_push(self, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.offline:
            raise OfflineError("down")
        if not self.has_push:
            raise ApiError(404, "not_found", "Không tìm thấy.")
        if len(actions) > 200:  # as the server's PushRequest refuses
            raise ApiError(422, "validation_error", "Quá nhiều phần tử")
        if self.storage_full:
            raise ApiError(507, "storage_full", "Máy chủ đã hết chỗ lưu trữ.")
        self.push_calls += 1
        return [self._answer(a) for a in actions]

    async def send_action(
        self, kind: str, payload: dict[str, Any], client_id: str, made_at: Any = None
    ) -> Any:
        if self.offline:
            raise OfflineError("down")
        answer = self._answer({"client_id": client_id, "type": kind, "payload": payload})
        if answer["status"] == "refused":
            raise ApiError(400, answer["code"], answer["message"])
        self.sent_one_by_one.append(client_id)
        return answer

    async def events(self, last_event_id: str | None = None):
        if self.offline:
            raise OfflineError("down")
        yield "sync", {"cursor": str(self.version)}, "1"
        for i, note in enumerate(self.notifications, 2):
            yield "notification", note, str(i)


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


STAFF_IN_A_CELL = {
    **SECRETARY,
    "id": 20,
    "username": "canbo",
    "full_name": "Phạm Văn Cán",
    "member_id": 30,
    "organization": {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"},  # the cell they belong to
    "roles": [{"role": "staff", "organization": {"id": 2, "name": "Đảng bộ xã A1", "kind": "grassroots"}}],
}


class FakeApi:
    """Stands in for client.api.Api: answers from dicts, can go offline or end the session."""

    def __init__(self, base_url: str, *, tokens: Tokens | None = None, on_tokens: Any = None, me: dict = ME,
                 saved_refresh: Any = None):
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
        # No live stream in the fake: the stream's tests run against the real server (test_pause_live,
        # test_api_events); a test reaching this has wandered off what the fake stands in for.
        raise NotImplementedError("FakeApi has no event stream")


class AttendanceApi(FakeApi):
    """A secretary's server for one meeting: the attendance sheet, changed only by PUTs."""

    def __init__(self, base_url: str, **kw: Any) -> None:
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
