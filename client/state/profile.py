"""Cá nhân and Thông báo: profile, devices, password, calendar link, text size, the inbox."""

from __future__ import annotations

import uuid
from typing import Any

from client.api import ApiError
from client.state.app import AppState
from client.state.meetings import Outcome
from client.sync import NOTIFICATION_READ
from shared.enums import ROLE_LABELS
from shared.schemas.auth import PASSWORD_MIN, DeviceSessionPublic


class ProfileState:
    def __init__(self, app: AppState):
        self.app = app
        self.sessions: list[DeviceSessionPublic] = []
        self.calendar_url: str | None = None
        self.error: str | None = None

    def role_labels(self) -> list[str]:
        me = self.app.me
        if not me:
            return []
        labels = []
        for grant in me.roles:
            where = f" — {grant.organization.name}" if grant.organization else ""
            labels.append(ROLE_LABELS.get(grant.role, str(grant.role)) + where)
        return labels or ["Đảng viên"]

    async def load_sessions(self) -> None:
        try:
            self.sessions = await self.app.call(self.app.require_api().sessions())
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    async def sign_out_others(self) -> Outcome:
        try:
            count = await self.app.call(self.app.require_api().revoke_other_sessions())
        except ApiError as exc:
            return Outcome(False, exc.message)
        await self.load_sessions()
        return Outcome(True, f"Đã đăng xuất {count} thiết bị khác.")

    async def change_password(self, current: str, new: str, repeat: str) -> Outcome:
        if not current or not new:
            return Outcome(False, "Vui lòng nhập mật khẩu hiện tại và mật khẩu mới.")
        if len(new) < PASSWORD_MIN:
            return Outcome(False, f"Mật khẩu mới cần ít nhất {PASSWORD_MIN} ký tự.")
        if new != repeat:
            return Outcome(False, "Hai lần nhập mật khẩu mới không khớp.")
        try:
            await self.app.call(self.app.require_api().change_password(current, new))
        except ApiError as exc:
            return Outcome(False, exc.message)
        return Outcome(True, "Đã đổi mật khẩu.")

    async def calendar_link(self) -> Outcome:
        try:
            data = await self.app.call(self.app.require_api().post_json("/meetings/calendar/token"))
        except ApiError as exc:
            return Outcome(False, exc.message)
        self.calendar_url = (data or {}).get("url")
        return Outcome(True, "Sao chép đường dẫn này vào ứng dụng lịch của điện thoại.")


class InboxState:
    def __init__(self, app: AppState):
        self.app = app
        self.error: str | None = None

    def items(self) -> list[dict[str, Any]]:
        store = self.app.store
        items = store.all("notification") if store else []
        return sorted(items, key=lambda n: str(n.get("created_at") or ""), reverse=True)

    def target(self, n: dict[str, Any]) -> str | None:
        """The screen a notification opens. A reading reminder names an agenda item: its meeting is the
        one on this device whose agenda holds that item."""
        ref, rid = n.get("ref_type"), n.get("ref_id")
        if not rid:
            return None
        if ref == "meeting":
            return f"/meetings/{rid}"
        if ref == "document":
            return f"/documents/{rid}"
        if ref == "agenda_item" and self.app.store is not None:
            for m in self.app.store.all("meeting"):
                if any(item.get("id") == rid for item in m.get("agenda") or []):
                    return f"/meetings/{m['id']}"
        return None

    def unread_count(self) -> int:
        return sum(1 for n in self.items() if not n.get("read_at"))

    async def refresh(self) -> None:
        await self.app.sync_now()
        api, store = self.app.api, self.app.store
        if api is None or store is None or (self.app.engine and self.app.engine.feed_available):
            return
        try:  # servers without the feed: read the inbox endpoint
            page = await self.app.call(api.get_json("/notifications", params={"limit": 50}))
            for item in page.get("items", []):
                store.put("notification", item["id"], item)
        except ApiError as exc:
            if exc.status != 404:
                self.error = exc.message

    async def mark_all_read(self) -> None:
        await self.mark_read([n["id"] for n in self.items() if not n.get("read_at")])

    async def mark_read(self, ids: list[int]) -> None:
        store = self.app.require_store()
        unread = [n for n in self.items() if n["id"] in ids and not n.get("read_at")]
        if not unread:
            return
        from datetime import UTC, datetime

        now = datetime.now(UTC).isoformat()
        for n in unread:
            store.put("notification", n["id"], {**n, "read_at": now})
        if self.app.engine is not None:
            self.app.engine.queue(NOTIFICATION_READ, {"ids": [n["id"] for n in unread]}, str(uuid.uuid4()))
            await self.app.sync_now()
        self.app.notify("data")
