"""Lịch sinh hoạt for a member: meetings from the store, check-in (queued offline), absence requests."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from client.api import ApiError, OfflineError
from client.format import parse_dt, when
from client.state.app import AppState
from client.sync import ABSENCE, CHECK_IN

log = logging.getLogger(__name__)

CODE_RE = re.compile(r"^\d{6}$")
PENDING = "pending"  # my_status of a check-in made offline that the server has not confirmed yet
# Per-member fields of the REST meeting: the device derives them from its attendance and absence_request
# entities (see MeetingsState._own_rows), so they are not kept in the stored meeting, where they would go
# stale when the secretary changes the record.
OWN_FIELDS = ("my_status", "my_absence_request")


def _shared(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in OWN_FIELDS}


@dataclass
class Outcome:
    """What an action did, in words for the member."""

    ok: bool
    message: str
    queued: bool = False


def _starts(m: dict[str, Any]) -> datetime:
    return parse_dt(m.get("starts_at")) or datetime.max.replace(tzinfo=UTC)


class MeetingsState:
    def __init__(self, app: AppState, now: Any = None):
        self.app = app
        self._now = now or (lambda: datetime.now(UTC))
        self.loading = False
        self.error: str | None = None

    # --- reading -----------------------------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        store = self.app.store
        if store is None:
            return []
        mine = self._own_rows()
        return [self._decorate(m, mine) for m in store.all("meeting")]

    def my_status(self, meeting_id: int | str) -> str | None:
        """The member's own status at a meeting: what the attendance record says, else PENDING for a
        check-in still waiting to be sent, else None."""
        return self._own_rows()[0].get(str(meeting_id))

    def _own_rows(self) -> tuple[dict[str, str], dict[str, str]]:
        """The one place the member's own state at meetings is worked out (the meeting record never holds
        it). Attendance and absence requests arrive as their own entities in the feed, which the secretary
        may change at any time (a secretary's device holds the whole cell's: keep only the member's own).
        A check-in made offline shows as PENDING until the server's record arrives."""
        store, me = self.app.store, self.app.me
        if store is None or me is None or me.member_id is None:
            return {}, {}
        waiting = store.outbox("pending")
        status = {str(i.payload.get("meeting_id")): PENDING for i in waiting if i.kind == CHECK_IN}
        status.update(  # the server's record wins over what the device still has to send
            (str(a["meeting_id"]), a["status"])
            for a in store.all("attendance")
            if a.get("member_id") == me.member_id
        )
        absence = {str(i.payload.get("meeting_id")): "pending" for i in waiting if i.kind == ABSENCE}
        absence.update(
            (str(r["meeting_id"]), r["status"])
            for r in store.all("absence_request")
            if r.get("member_id") == me.member_id
        )
        return status, absence

    @staticmethod
    def _decorate(m: dict[str, Any], mine: tuple[dict[str, str], dict[str, str]]) -> dict[str, Any]:
        """A copy for drawing with the member's own state on it; never written back to the store."""
        status, absence = mine
        key = str(m.get("id"))
        return {**m, "my_status": status.get(key), "my_absence_request": absence.get(key)}

    def upcoming(self) -> list[dict[str, Any]]:
        now = self._now()
        items = [
            m
            for m in self.all()
            if m.get("status") not in ("cancelled", "closed", "draft") and (_end(m) or _starts(m)) >= now
        ]
        return sorted(items, key=_starts)

    def past(self) -> list[dict[str, Any]]:
        upcoming = {m["id"] for m in self.upcoming()}
        items = [m for m in self.all() if m["id"] not in upcoming and m.get("status") != "draft"]
        return sorted(items, key=_starts, reverse=True)

    def next_meeting(self) -> dict[str, Any] | None:
        items = self.upcoming()
        return items[0] if items else None

    def get(self, meeting_id: int | str) -> dict[str, Any] | None:
        m = self.app.store.get("meeting", meeting_id) if self.app.store else None
        return self._decorate(m, self._own_rows()) if m else None

    def minutes(self, meeting_id: int | str) -> dict[str, Any] | None:
        return self.app.store.get("minutes", meeting_id) if self.app.store else None

    def queued_check_in(self, meeting_id: int | str) -> bool:
        store = self.app.store
        return store is not None and any(
            i.kind == CHECK_IN and str(i.payload.get("meeting_id")) == str(meeting_id)
            for i in store.outbox("pending")
        )

    def history(self) -> list[tuple[dict[str, Any], str | None]]:
        """Own attendance of past meetings (status None: not recorded yet; PENDING: not yet sent)."""
        return [(m, m.get("my_status")) for m in self.past() if m.get("status") != "cancelled"]

    # --- refreshing ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Sync, then read the list endpoint too, so a server whose feed lacks meetings still shows them."""
        self.loading, self.error = True, None
        try:
            await self.app.sync_now()
            if self.app.api is None:
                return
            try:
                page = await self.app.call(self.app.api.get_json("/meetings", params={"limit": 100}))
            except OfflineError:
                return
            except ApiError as exc:
                if exc.status != 404:
                    self.error = exc.message
                return
            store = self.app.require_store()
            for item in page.get("items", []):
                current = store.get("meeting", item["id"]) or {}
                store.put("meeting", item["id"], _shared({**current, **item}))
        finally:
            self.loading = False

    async def load_detail(self, meeting_id: int) -> None:
        """Fresh meeting and minutes when online; the store answers when not."""
        api, store = self.app.api, self.app.store
        if api is None or store is None:
            return
        try:
            item = await self.app.call(api.get_json(f"/meetings/{meeting_id}"))
            store.put("meeting", meeting_id, _shared({**(store.get("meeting", meeting_id) or {}), **item}))
            try:
                minutes = await self.app.call(api.get_json(f"/meetings/{meeting_id}/minutes"))
                if minutes and (minutes.get("text") or minutes.get("resolutions")):
                    store.put("minutes", meeting_id, minutes)
            except ApiError as exc:
                if isinstance(exc, OfflineError):
                    raise
        except OfflineError:
            pass
        except ApiError as exc:
            self.error = exc.message

    # --- acting -------------------------------------------------------------------------------------

    async def check_in(self, meeting_id: int, code: str) -> Outcome:
        code = re.sub(r"\s+", "", code or "")
        if not CODE_RE.match(code):
            return Outcome(False, "Mã điểm danh gồm 6 chữ số.")
        client_id = str(uuid.uuid4())
        made_at = self._now()
        payload = {"meeting_id": meeting_id, "code": code}
        api = self.app.require_api()
        try:
            body = {"code": code, "client_id": client_id}
            result = await self.app.call(api.post_json(f"/meetings/{meeting_id}/check-ins", body))
        except OfflineError:
            assert self.app.engine is not None
            self.app.engine.queue(CHECK_IN, payload, client_id, made_at)
            self.app.notify("data")
            return Outcome(
                True, f"Chưa có mạng: đã lưu điểm danh lúc {when(made_at)}, sẽ gửi khi có mạng.", queued=True
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        status = (result or {}).get("status")
        # The status shown on the meeting comes from the attendance record: fetch it now rather than
        # copying this answer into the meeting, where a later change by the secretary would not reach it.
        await self._fetch_own()
        self.app.notify("data")
        return Outcome(True, "Đã điểm danh: đến muộn." if status == "late" else "Đã điểm danh: có mặt.")

    async def _fetch_own(self) -> None:
        """Pull the record the server just made; if that fails the sync loop brings it later, and the
        action itself has succeeded either way."""
        try:
            await self.app.sync_now()
        except ApiError:
            log.info("sync after a meeting action failed; the sync loop will bring the record")

    async def report_absence(self, meeting_id: int, reason: str) -> Outcome:
        reason = (reason or "").strip()
        if len(reason) < 3:
            return Outcome(False, "Vui lòng ghi lý do vắng mặt.")
        client_id = str(uuid.uuid4())
        api = self.app.require_api()
        try:
            await self.app.call(api.post_json(f"/meetings/{meeting_id}/absence-requests", {"reason": reason}))
        except OfflineError:
            assert self.app.engine is not None
            self.app.engine.queue(ABSENCE, {"meeting_id": meeting_id, "reason": reason}, client_id)
            self.app.notify("data")
            return Outcome(True, "Chưa có mạng: đơn xin vắng sẽ được gửi khi có mạng.", queued=True)
        except ApiError as exc:
            return Outcome(False, exc.message)
        await self._fetch_own()  # the request comes back as the member's own absence_request entity
        self.app.notify("data")
        return Outcome(True, "Đã gửi đơn xin vắng. Bí thư sẽ xem xét.")


def _end(m: dict[str, Any]) -> datetime | None:
    return parse_dt(m.get("ends_at"))
