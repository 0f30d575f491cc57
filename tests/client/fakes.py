"""Fakes for the client's HTTP side: a feed and push endpoint kept in memory."""

from typing import Any

from client.api import ApiError, OfflineError


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
