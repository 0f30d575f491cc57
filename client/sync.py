"""The sync engine: pull the feed into the store, push the outbox, follow live hints while open."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from client.api import ApiError, OfflineError, SessionEnded
from client.store import Change, OutboxItem, Store
from shared.schemas.sync import PUSH_BATCH_MAX

log = logging.getLogger(__name__)

# Retry waits after the server is lost. A restart is back within seconds, so the wait grows from half a
# second but never past a few seconds: members see fresh data soon after, not half a minute later (issue
# 12, item 14: doubling up to 30 s made the client wait ~27 s). The load stays small: one light request
# per device every few seconds, only while the server is away.
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 3.0

# Outbox kinds: the action types of the server's /sync/push (docs/protocol.md), payloads as it takes them;
# the moment the member acted travels as `made_at` (the outbox item's created_at).
CHECK_IN = "meeting.check_in"  # {"meeting_id", "code"}
ABSENCE = "meeting.absence_request"  # {"meeting_id", "reason"}
READ = "document.read"  # {"document_id", "studied": bool}
BOOKMARK = "document.bookmark"  # {"document_id", "on": bool}
NOTIFICATION_READ = "notification.read"  # {"ids": [...]}
COMMENT = "document.comment"  # {"document_id", "body"}: góp ý on a draft open for comments

# Outcomes of one pushed action that mean "done, forget it".
_DONE = {"applied", "already_applied", "duplicate", "ok", "created"}
# Refusals for a failure on the server's side (a bug, a write race): keep the action and send it again.
_RETRY_LATER = {"action_failed", "action_conflict"}


class SyncTransport(Protocol):
    """The part of the API the engine uses (client.api.Api implements it; tests pass fakes)."""

    async def sync_pull(self, cursor: str | None, limit: int) -> dict[str, Any]: ...
    async def sync_push(self, actions: list[dict[str, Any]]) -> list[dict[str, Any]]: ...
    async def send_action(
        self, kind: str, payload: dict[str, Any], client_id: str, made_at: datetime
    ) -> Any: ...
    def events(
        self, last_event_id: str | None = None
    ) -> AsyncGenerator[tuple[str, Any, str | None], None]: ...


@dataclass
class PushReport:
    sent: int = 0
    refused: list[OutboxItem] = field(default_factory=list)
    pending: int = 0


class SyncEngine:
    """Keeps one user's store in step with the server.

    The feed is the truth; SSE events are only hints to pull sooner. Actions made offline wait in the
    outbox with their client-generated id, so sending one twice (lost answer, replay) changes nothing.
    """

    def __init__(
        self,
        transport: SyncTransport,
        store: Store,
        *,
        page_limit: int = 200,
        on_change: Callable[[], None] | None = None,
        on_status: Callable[[bool], None] | None = None,
        on_notification: Callable[[dict[str, Any]], None] | None = None,
        on_contact: Callable[[], None] | None = None,
        on_answer: Callable[[OutboxItem, dict[str, Any]], None] | None = None,
        poll_seconds: float = 60.0,
    ):
        self.api = transport
        self.store = store
        self.page_limit = page_limit
        self.on_change = on_change
        self.on_status = on_status
        self.on_notification = on_notification
        self.on_contact = on_contact  # every answer from the server, not only a change of status
        # The server's verdict on one queued action ({"status", "code", "message", "result"}), so the
        # screen that queued it can replace "saved, will be confirmed" with what the server said.
        self.on_answer = on_answer
        self.poll_seconds = poll_seconds
        self.online: bool | None = None
        self.feed_available = True  # False when the server has no /sync (older server)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self.last_event_id: str | None = None
        self._stream_connected = False  # the current event stream has delivered at least one event

    def _set_online(self, online: bool) -> None:
        if online and self.on_contact:
            self.on_contact()
        if online != self.online:
            self.online = online
            if self.on_status:
                self.on_status(online)

    def _changed(self) -> None:
        if self.on_change:
            self.on_change()

    def _answered(self, item: OutboxItem, answer: dict[str, Any]) -> None:
        if self.on_answer:
            self.on_answer(item, answer)

    # --- pull ----------------------------------------------------------------------------------------

    async def pull(self) -> int:
        """Follow the feed from the stored cursor to its end; returns how many changes were applied."""
        applied = 0
        cursor = self.store.cursor
        reset: list[Change] | None = None  # a full re-download after 410, swapped in at the end
        while True:
            try:
                page = await self.api.sync_pull(cursor, self.page_limit)
            except OfflineError:
                self._set_online(False)
                raise
            except ApiError as exc:
                if exc.status == 410 and reset is None:
                    log.info("sync cursor too old (%s): downloading everything again", exc.code)
                    cursor, reset = None, []
                    continue
                if exc.status == 404 and exc.code in ("not_found", "http_404"):
                    self.feed_available = False
                raise
            self._set_online(True)
            changes = [
                Change(
                    type=c["type"],
                    op=c.get("op", "upsert"),
                    id=str(c["id"]),
                    version=int(c.get("version") or 0),
                    data=c.get("data"),
                )
                for c in page.get("changes", [])
            ]
            cursor = page.get("cursor", cursor)
            if page.get("reset") and reset is None:
                reset = []  # the server says: drop everything held, then apply from here
            if reset is not None:
                reset.extend(changes)
            else:
                self.store.apply(changes, cursor)
            applied += len(changes)
            if not page.get("has_more"):
                break
        if reset is not None:
            self.store.clear_entities()
            self.store.apply(reset, cursor)
        if applied:
            self._changed()
        return applied

    # --- push ----------------------------------------------------------------------------------------

    def queue(
        self,
        kind: str,
        payload: dict[str, Any],
        client_id: str | None = None,
        made_at: datetime | None = None,
    ) -> OutboxItem:
        item = self.store.enqueue(kind, payload, client_id, made_at)
        self._wake.set()
        return item

    async def push(self) -> PushReport:
        """Send pending actions, oldest first, in batches the server takes; refused ones are kept (as
        failed) so the person sees why. A phone that was offline for weeks may hold more than one batch."""
        total = PushReport()
        pending = self.store.outbox("pending")
        for start in range(0, len(pending), PUSH_BATCH_MAX):
            try:
                report = await self._push_batch(pending[start : start + PUSH_BATCH_MAX])
            except OfflineError:
                total.pending += len(pending) - start
                raise
            total.sent += report.sent
            total.refused += report.refused
            total.pending += report.pending
        return total

    async def _push_batch(self, pending: list[OutboxItem]) -> PushReport:
        report = PushReport()
        if not pending:
            return report
        actions = [
            {
                "client_id": i.client_id,
                "type": i.kind,
                "payload": i.payload,
                "made_at": i.created_at.isoformat(),
            }
            for i in pending
        ]
        try:
            results = await self.api.sync_push(actions)
        except OfflineError:
            self._set_online(False)
            report.pending = len(pending)
            raise
        except ApiError as exc:
            if exc.status not in (404, 405):
                raise
            return await self._push_one_by_one(pending)  # server without /sync/push
        self._set_online(True)
        by_id = {str(r.get("client_id") or r.get("id")): r for r in results}
        unknown: list[OutboxItem] = []
        for item in pending:
            result = by_id.get(item.client_id)
            if result is None:
                report.pending += 1
                continue
            status = str(result.get("status", ""))
            if result.get("code") in _RETRY_LATER:
                report.pending += 1
                continue
            if result.get("code") == "unknown_action":
                unknown.append(item)  # the batch endpoint does not know this type: use its own route
                continue
            if status in _DONE:
                self.store.outbox_done(item.client_id)
                self._answered(item, result)
                report.sent += 1
            else:
                message = str(result.get("message") or "Máy chủ từ chối thao tác này.")
                self.store.outbox_failed(item.client_id, str(result.get("code") or status), message)
                self._answered(item, {**result, "message": message})
                report.refused.append(item)
        if unknown:
            more = await self._push_one_by_one(unknown)
            report.sent += more.sent
            report.refused += more.refused
            report.pending += more.pending
        self._changed()
        return report

    async def _push_one_by_one(self, pending: list[OutboxItem]) -> PushReport:
        report = PushReport()
        for item in pending:
            try:
                answer = await self.api.send_action(item.kind, item.payload, item.client_id, item.created_at)
            except OfflineError:
                self._set_online(False)
                report.pending = len(pending) - report.sent - len(report.refused)
                raise
            except SessionEnded:
                raise
            except ApiError as exc:
                if exc.status >= 500 or exc.status in (408, 429):
                    self.store.outbox_attempted(item.client_id)
                    report.pending += 1
                    continue
                self.store.outbox_failed(item.client_id, exc.code, exc.message)
                self._answered(
                    item,
                    {
                        "client_id": item.client_id,
                        "status": "refused",
                        "code": exc.code,
                        "message": exc.message,
                    },
                )
                report.refused.append(item)
                continue
            self._set_online(True)
            self.store.outbox_done(item.client_id)
            self._answered(
                item,
                {
                    "client_id": item.client_id,
                    "status": "applied",
                    "result": answer if isinstance(answer, dict) else None,
                },
            )
            report.sent += 1
        self._changed()
        return report

    # --- together ------------------------------------------------------------------------------------

    async def sync_now(self) -> bool:
        """Push then pull. Returns False when offline (nothing lost: it all waits for the next try)."""
        async with self._lock:
            try:
                await self.push()
                if self.feed_available:
                    try:
                        await self.pull()
                    except ApiError as exc:
                        if self.feed_available:
                            raise
                        log.info("server has no sync feed (%s)", exc.code)
                return True
            except OfflineError:
                self._set_online(False)
                return False

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """While the app is open: sync, then follow the event stream; on loss, retry soon (see RETRY_*).
        Every (re)connection of the stream starts with a full sync, so what changed while the server was
        away arrives at once, not at the next hint."""
        backoff = RETRY_FIRST_SECONDS
        while not stop.is_set():
            if not await self.sync_now():
                await self._pause(stop, self._jitter(backoff))
                backoff = min(backoff * 2, RETRY_MAX_SECONDS)
                continue
            if not self.feed_available:
                await self._pause(stop, self.poll_seconds)
                continue
            self._stream_connected = False
            try:
                await self._follow_events(stop)
                # The stream ended (server restart, proxy timeout): reconnect soon, not in a spin.
                reason = "ended"
            except OfflineError:
                self._set_online(False)
                reason = "lost"
            except SessionEnded:
                raise
            except ApiError as exc:
                if exc.status < 500:  # no event stream on this server: fall back to polling
                    log.info("event stream unavailable: %s", exc.code)
                    await self._pause(stop, self.poll_seconds)
                    continue
                reason = "refused"  # starting up or overloaded: try again like a lost connection
            if self._stream_connected:
                # It had been working: this is a fresh loss, so the waits start short again.
                backoff = RETRY_FIRST_SECONDS
            log.info("event stream %s; reconnecting", reason)
            await self._pause(stop, self._jitter(backoff))
            backoff = min(backoff * 2, RETRY_MAX_SECONDS)

    @staticmethod
    def _jitter(seconds: float) -> float:
        """A little less than `seconds`, at random: after a restart the devices of a whole province must not
        all come back in the same instant."""
        return seconds * random.uniform(0.75, 1.0)

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep until the delay passes, the app stops, or an action is queued."""
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wait_any(stop), timeout=seconds)
        except TimeoutError:
            pass

    async def _wait_any(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def _follow_events(self, stop: asyncio.Event) -> None:
        # Closed here when the loop leaves it (a break, a cancelled task), not later by the garbage collector,
        # which closes the generators inside it all at once: the connection must end with the stream.
        async with aclosing(self.api.events(self.last_event_id)) as stream:
            async for event, data, event_id in stream:
                self._stream_connected = True  # the server answered on the stream: a later loss is a new one
                if stop.is_set():
                    break
                if event_id:
                    self.last_event_id = event_id
                if event == "notification" and isinstance(data, dict) and self.on_notification:
                    self.on_notification(data)
                if event in ("sync", "notification"):
                    cursor = data.get("cursor") if isinstance(data, dict) else None
                    if event == "notification" or cursor != self.store.cursor:
                        await self.sync_now()
                if self._wake.is_set():
                    self._wake.clear()
                    await self.sync_now()
