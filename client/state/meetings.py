"""Lịch sinh hoạt for a member: meetings from the store, check-in (queued offline), absence requests."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
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


# Offline, the device cannot know whether the server will take a check-in: it must not say it did.
CHECK_IN_SAVED = "Đã lưu điểm danh, sẽ xác nhận khi có mạng."
CHECKED_IN = {"present": "Đã điểm danh: có mặt.", "late": "Đã điểm danh: đến muộn."}


@dataclass
class AgendaDoc:
    """A document of an agenda item as the member's device holds it."""

    id: int
    title: str
    on_device: bool  # the document itself (it comes with the feed when the member may read it)
    files: int = 0
    files_kept: int = 0

    @property
    def words(self) -> str:
        if not self.on_device:
            return "chưa có trên máy, cần mạng để mở"
        if self.files_kept < self.files:
            return f"đã lưu {self.files_kept}/{self.files} tệp trên máy"
        return "đã lưu trên máy"


@dataclass
class Outcome:
    """What an action did, in words for the member."""

    ok: bool
    message: str
    queued: bool = False


def _starts(m: dict[str, Any]) -> datetime:
    return parse_dt(m.get("starts_at")) or datetime.max.replace(tzinfo=UTC)


class MeetingsState:
    """The meetings of "my" cells. By default that is the cell the caller is a member of; the secretary's
    screens pass the cells they lead. Staff hold the meetings of every cell in their subtree (the list
    endpoint returns them), so "all in the store" is never "mine"."""

    def __init__(self, app: AppState, now: Any = None, cells: Iterable[int] | None = None):
        self.app = app
        self._now = now or app.config.clock
        self._cells = set(cells) if cells is not None else None
        self.loading = False
        self.error: str | None = None
        # The answer to the member's last check-in on this screen that did not go through the outbox
        # (a typing mistake, a local refusal, the server's answer online), by meeting id.
        self._said: dict[str, Outcome] = {}

    @property
    def own_cell_ids(self) -> set[int]:
        if self._cells is not None:
            return self._cells
        me = self.app.me
        if me is None or me.member_id is None or me.organization is None:
            return set()  # staff who are not members of a cell have no meeting of their own
        return {me.organization.id}

    def is_own(self, m: dict[str, Any]) -> bool:
        # Every meeting the server sends carries its org_id; one without it can only have come from the
        # caller's own feed (an older server's shape), so it is not counted as another cell's.
        return m.get("org_id") is None or m["org_id"] in self.own_cell_ids

    def cell_name(self, m: dict[str, Any]) -> str:
        """The name of the meeting's cell, to label a meeting that is not the caller's own."""
        org_id = m.get("org_id")
        org = self.app.store.get("organization", org_id) if self.app.store and org_id is not None else None
        return str((org or {}).get("name") or m.get("org_name") or f"Chi bộ số {org_id}")

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

    def _upcoming(self, own: bool) -> list[dict[str, Any]]:
        now = self._now()
        items = [
            m
            for m in self.all()
            if self.is_own(m) == own
            and m.get("status") not in ("cancelled", "closed", "draft")
            and (_end(m) or _starts(m)) >= now
        ]
        return sorted(items, key=_starts)

    def upcoming(self) -> list[dict[str, Any]]:
        return self._upcoming(own=True)

    def others_upcoming(self) -> list[dict[str, Any]]:
        """Upcoming meetings of other cells held on this device (staff): never to be shown as "mine"."""
        return self._upcoming(own=False)

    def past(self) -> list[dict[str, Any]]:
        upcoming = {m["id"] for m in self.upcoming()}
        items = [
            m for m in self.all() if self.is_own(m) and m["id"] not in upcoming and m.get("status") != "draft"
        ]
        return sorted(items, key=_starts, reverse=True)

    def next_meeting(self) -> dict[str, Any] | None:
        items = self.upcoming()
        return items[0] if items else None

    def get(self, meeting_id: int | str) -> dict[str, Any] | None:
        m = self.app.store.get("meeting", meeting_id) if self.app.store else None
        return self._decorate(m, self._own_rows()) if m else None

    # --- the agenda's documents, on this device before the meeting ------------------------------------

    @staticmethod
    def agenda_document_ids(m: dict[str, Any]) -> list[int]:
        items = m.get("agenda") or []
        return list(dict.fromkeys(d for item in items for d in item.get("document_ids") or []))

    def agenda_documents(self, m: dict[str, Any]) -> list[tuple[dict[str, Any], list[AgendaDoc]]]:
        """Each agenda item with its documents as this device holds them (title, kept for offline use)."""
        from client.state.documents import DocumentsState  # documents' state imports Outcome from here

        docs = DocumentsState(self.app, category=None)
        out = []
        for item in m.get("agenda") or []:
            shown = []
            for doc_id in item.get("document_ids") or []:
                doc = docs.get(doc_id)
                files = docs.attachments(doc) if doc else []
                shown.append(AgendaDoc(
                    id=doc_id, title=(doc or {}).get("title") or f"Tài liệu số {doc_id}",
                    on_device=doc is not None, files=len(files),
                    files_kept=sum(1 for a in files if docs.local_file(a) is not None),
                ))
            out.append((item, shown))
        return out

    async def keep_agenda_offline(self, m: dict[str, Any] | None) -> int:
        """A meeting still ahead: fetch its agenda documents' files onto the device, so that members read
        them at the meeting without a network (the documents themselves come with the feed)."""
        if m is None or m.get("status") not in ("scheduled", "in_progress"):
            return 0
        from client.state.documents import DocumentsState  # see agenda_documents

        return await DocumentsState(self.app, category=None).keep_offline(self.agenda_document_ids(m))

    def minutes(self, meeting_id: int | str) -> dict[str, Any] | None:
        return self.app.store.get("minutes", meeting_id) if self.app.store else None

    def queued_check_in(self, meeting_id: int | str) -> bool:
        store = self.app.store
        return store is not None and any(
            i.kind == CHECK_IN and str(i.payload.get("meeting_id")) == str(meeting_id)
            for i in store.outbox("pending")
        )

    def check_in_message(self, meeting_id: int | str) -> Outcome | None:
        """The one thing to say about the member's check-in to this meeting, newest truth first: saved and
        waiting for the network; the server's record; the server's answer to a queued check-in; or what
        the last try on this screen was told. Never "saved" and a verdict together."""
        key = str(meeting_id)
        store = self.app.store
        if store is None:
            return None
        mine = [i for i in store.outbox() if i.kind == CHECK_IN and str(i.payload.get("meeting_id")) == key]
        if any(i.status == "pending" for i in mine):
            return Outcome(False, CHECK_IN_SAVED, queued=True)
        m = self.get(meeting_id)
        status = (m or {}).get("my_status")
        if status in CHECKED_IN:
            return Outcome(True, CHECKED_IN[status])
        for item, answer in reversed(list(self.app.answers.values())):
            if item.kind == CHECK_IN and str(item.payload.get("meeting_id")) == key:
                if answer.get("status") == "refused":
                    break  # the refusal is still in the outbox (below) until the member dismisses it
                return Outcome(True, _checked_in(answer.get("result")))
        if key in self._said:
            return self._said[key]
        failed = [i for i in mine if i.status == "failed"]
        if failed:
            return Outcome(False, failed[-1].error_message or "Máy chủ không nhận lần điểm danh này.")
        return None

    def _not_open(self, m: dict[str, Any] | None) -> str | None:
        """Why the meeting surely does not take a check-in now, from what the device holds; None when it
        may (the secretary may have opened it since the last sync: then the server decides)."""
        if m is None:
            return None
        status = m.get("status")
        if status == "cancelled":
            return "Buổi sinh hoạt đã bị hủy nên không điểm danh được."
        if status == "draft":
            return "Buổi sinh hoạt chưa được công bố nên chưa điểm danh được."
        if status == "in_progress":
            return None
        opens, closes = parse_dt(m.get("checkin_opens_at")), parse_dt(m.get("checkin_closes_at"))
        now = self._now()
        if opens is not None and now < opens:
            return f"Chưa đến giờ điểm danh: buổi sinh hoạt mở điểm danh lúc {when(opens)}."
        if closes is not None and now > closes:
            return f"Đã hết giờ điểm danh buổi sinh hoạt này (đóng lúc {when(closes)})."
        return None

    def history(self) -> list[tuple[dict[str, Any], str | None]]:
        """Own attendance of past meetings (status None: not recorded yet; PENDING: not yet sent)."""
        return [(m, m.get("my_status")) for m in self.past() if m.get("status") != "cancelled"]

    # --- refreshing ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Sync, then read the list endpoint too, so a server whose feed lacks meetings still shows them."""
        self.loading, self.error = True, None
        try:
            await self.app.sync_now()
            stored, self.error = await self.app.list_into_store(
                "/meetings", "meeting", limit=100, shape=_shared
            )
            if stored:
                await self.keep_agenda_offline(self.next_meeting())
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
            if self.is_own(item):  # a member's own meeting: its papers, for reading there without a network
                await self.keep_agenda_offline(item)
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
        outcome = await self._check_in(meeting_id, code)
        if outcome.queued:
            self._said.pop(str(meeting_id), None)  # from now on the queue, then the server, has the say
        else:
            self._said[str(meeting_id)] = outcome
        return outcome

    async def _check_in(self, meeting_id: int, code: str) -> Outcome:
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
            problem = self._not_open(self.get(meeting_id))
            if problem:  # queueing it would only promise what the server is sure to refuse
                return Outcome(False, problem)
            assert self.app.engine is not None
            self.app.engine.queue(CHECK_IN, payload, client_id, made_at)
            self.app.notify("data")
            return Outcome(False, CHECK_IN_SAVED, queued=True)
        except ApiError as exc:
            return Outcome(False, exc.message)
        # The status shown on the meeting comes from the attendance record: fetch it now rather than
        # copying this answer into the meeting, where a later change by the secretary would not reach it.
        await self._fetch_own()
        self.app.notify("data")
        return Outcome(True, _checked_in(result))

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


def _checked_in(result: Any) -> str:
    """The success sentence for the server's check-in answer (its status, when it says it)."""
    status = result.get("status") if isinstance(result, dict) else None
    return CHECKED_IN.get(str(status), "Đã điểm danh.")


def _end(m: dict[str, Any]) -> datetime | None:
    return parse_dt(m.get("ends_at"))
