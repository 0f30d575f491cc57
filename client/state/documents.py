"""Văn bản and Học tập: documents from the store, search without tone marks, reading, downloads."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from client.api import ApiError, OfflineError
from client.format import DOC_TYPES, day, local_today, parse_date, parse_dt
from client.state.app import AppState
from client.state.meetings import Outcome
from client.sync import BOOKMARK, COMMENT, READ
from shared.schemas.documents import StudyRatesPublic

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")

# The device holds the documents of the last year and the still relevant older ones (the server's horizon,
# server/documents/sync.py); the rest of the archive (kho văn bản) is searched online.
FEW_LOCAL = 5  # a query finding fewer on the device also asks the server, when the network is up
ONLINE_LIMIT = 50
MORE_LABEL = "Tìm thêm trong kho văn bản (cần mạng)"
OFFLINE_OLDER = ("Chưa có mạng: máy chỉ lưu văn bản gần đây và văn bản cần cho đồng chí; "
                 "văn bản cũ hơn cần có mạng để tìm và mở.")
NOT_SAVED = "Chưa lưu trên máy"


def _sort_key(d: dict[str, Any]) -> tuple:
    issued = parse_date(d.get("issued_on"))
    return (issued.toordinal() if issued else 0, str(d.get("published_at") or d.get("updated_at") or ""))


class DocumentsState:
    def __init__(self, app: AppState, category: str | None = "documents"):
        self.app = app
        self.category = category  # "documents", "study", "meeting", or None for all
        self.query = ""
        self.doc_type: str | None = None
        self.year: int | None = None
        self.bookmarked_only = False
        self.loading = False
        self.error: str | None = None
        self.study_progress: StudyRatesPublic | None = None
        self.study_progress_error: str | None = None
        # The archive's answer to `online_query`: documents not on the device (each `saved` False).
        self.online: list[dict[str, Any]] = []
        self.online_query: str | None = None  # the query `online` answers; None: not asked
        self.online_message: str | None = None  # offline, or the server's refusal, in Vietnamese
        self.searching_online = False

    # --- reading -----------------------------------------------------------------------------------

    def _visible(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for d in items:
            if d.get("status") not in (None, "published") and not self.open_for_comments(d):
                continue
            if self.category and d.get("category", "documents") != self.category:
                continue
            if self.doc_type and d.get("doc_type") != self.doc_type:
                continue
            if self.year:
                issued = parse_date(d.get("issued_on"))
                if not issued or issued.year != self.year:
                    continue
            if self.bookmarked_only and not d.get("bookmarked"):
                continue
            out.append(d)
        return out

    def _decorate(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Own reading state arrives as read_mark and bookmark entities (the document itself is the same
        for everyone); fold it into what the screens show."""
        store = self.app.store
        if store is None or not items:
            return items
        marks = {m["document_id"]: m for m in store.all("read_mark")}
        marked = {b["document_id"] for b in store.all("bookmark")}
        out = []
        for d in items:
            mark, extra = marks.get(d.get("id")), {}
            if mark:
                extra["read_at"] = d.get("read_at") or mark.get("read_at")
                extra["studied_at"] = d.get("studied_at") or mark.get("studied_at")
            if d.get("id") in marked:
                extra["bookmarked"] = True
            out.append({**d, **extra} if extra else d)
        return out

    @staticmethod
    def open_for_comments(d: dict[str, Any]) -> bool:
        """A draft (dự thảo) the member may comment on until its deadline."""
        until = parse_dt(d.get("comments_until"))
        return d.get("status") == "draft" and until is not None and until > datetime.now(UTC)

    async def comment(self, doc_id: int, body: str) -> Outcome:
        body = (body or "").strip()
        if not body:
            return Outcome(False, "Vui lòng nhập nội dung góp ý.")
        if self.app.engine is None:
            return Outcome(False, "Bạn cần đăng nhập lại.")
        self.app.engine.queue(COMMENT, {"document_id": doc_id, "body": body}, str(uuid.uuid4()))
        sent = await self.app.sync_now()
        failed = [i for i in self.app.require_store().outbox("failed") if i.kind == COMMENT]
        if failed:
            return Outcome(False, failed[-1].error_message or "Máy chủ không nhận góp ý này.")
        if not sent:
            return Outcome(True, "Chưa có mạng: góp ý sẽ được gửi khi có mạng.", queued=True)
        return Outcome(True, "Đã gửi góp ý. Cảm ơn đồng chí.")

    def results(self) -> list[dict[str, Any]]:
        store = self.app.store
        if store is None:
            return []
        items = store.search("document", self.query) if self.query.strip() else store.all("document")
        return sorted(self._visible(self._decorate(items)), key=_sort_key, reverse=True)

    # --- the archive online (kho văn bản) ---------------------------------------------------------------

    def wants_online(self, local: list[dict[str, Any]] | None = None) -> bool:
        """A query that finds little on the device is worth asking the server (if not asked already)."""
        query = self.query.strip()
        if not query or self.online_query == query:
            return False
        found = self.results() if local is None else local
        return len(found) < FEW_LOCAL

    async def search_online(self, asked: bool = True) -> None:
        """Ask the server's search (GET /documents?q=) for what the device does not hold: older documents
        stay reachable online. Offline (or signed out), a sentence saying older documents need the network.
        `asked`: the member pressed the button (tried even if the app believes it is offline); otherwise
        the automatic fallback of a query that found little, which does not wait on a network known down."""
        query = self.query.strip()
        self.online, self.online_message = [], None
        if not query:
            self.online_query = None
            return
        self.online_query = query
        api = self.app.api
        if api is None or (not asked and not self.app.online):
            self.online_message = OFFLINE_OLDER
            return
        params: dict[str, Any] = {"q": query, "limit": ONLINE_LIMIT}
        if self.category:
            params["category"] = self.category
        if self.doc_type:
            params["doc_type"] = self.doc_type
        if self.year:
            params["year"] = self.year
        if self.bookmarked_only:
            params["bookmarked"] = True
        self.searching_online = True
        try:
            page = await self.app.call(api.get_json("/documents", params=params))
        except OfflineError:
            self.online_message = OFFLINE_OLDER
            return
        except ApiError as exc:
            self.online_message = exc.message
            return
        finally:
            self.searching_online = False
        store = self.app.store
        here = {int(d["id"]) for d in store.all("document")} if store else set()
        self.online = [{**item, "saved": False} for item in page.get("items", [])
                       if int(item.get("id", 0)) not in here
                       and (item.get("status") in (None, "published") or self.open_for_comments(item))]
        if not self.online:
            self.online_message = "Kho văn bản không có thêm văn bản phù hợp."

    def forget_online(self) -> None:
        """The query changed: the archive's answer was for another one."""
        if self.online_query != self.query.strip():
            self.online, self.online_query, self.online_message = [], None, None

    @staticmethod
    def by_topic(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for d in items:
            groups.setdefault(d.get("topic") or "Tài liệu chung", []).append(d)
        return sorted(groups.items(), key=lambda kv: (kv[0] == "Tài liệu chung", kv[0]))

    def types_present(self) -> list[tuple[str, str]]:
        store = self.app.store
        seen = {d.get("doc_type") for d in (store.all("document") if store else [])}
        return [(k, v) for k, v in DOC_TYPES.items() if k in seen]

    def years_present(self) -> list[int]:
        store = self.app.store
        years = {parse_date(d.get("issued_on")) for d in (store.all("document") if store else [])}
        return sorted({y.year for y in years if y}, reverse=True)

    def unread(self) -> list[dict[str, Any]]:
        store = self.app.store
        items = [
            d
            for d in self._decorate(store.all("document") if store else [])
            if not d.get("read_at") and d.get("status", "published") == "published"
        ]
        return sorted(items, key=_sort_key, reverse=True)

    def get(self, doc_id: int | str) -> dict[str, Any] | None:
        d = self.app.store.get("document", doc_id) if self.app.store else None
        return self._decorate([d])[0] if d else None

    def attachments(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        listed = doc.get("attachments") or []
        if listed:
            return listed
        store = self.app.store
        return [
            a for a in (store.all("attachment") if store else []) if a.get("document_id") == doc.get("id")
        ]

    def local_file(self, attachment: dict[str, Any]) -> Path | None:
        path = self._file_path(attachment)
        return path if path and path.exists() else None

    def _file_path(self, attachment: dict[str, Any]) -> Path | None:
        store = self.app.store
        if store is None:
            return None
        name = _SAFE.sub("_", str(attachment.get("filename") or f"tep-{attachment['id']}"))
        return store.files_dir / f"{attachment.get('sha256', attachment['id'])}-{name}"

    # --- refreshing ---------------------------------------------------------------------------------

    async def refresh(self) -> None:
        self.loading, self.error = True, None
        try:
            await self.app.sync_now()
            _, self.error = await self.app.list_into_store("/documents", "document", limit=200)
        finally:
            self.loading = False

    async def open(self, doc_id: int) -> dict[str, Any] | None:
        """Fresh detail when online (full text), and a read mark that waits in the outbox if offline."""
        store = self.app.require_store()
        api = self.app.api
        if api is not None:
            try:
                item = await self.app.call(api.get_json(f"/documents/{doc_id}"))
                store.put("document", doc_id, {**(store.get("document", doc_id) or {}), **item})
            except OfflineError:
                pass
            except ApiError as exc:
                if exc.status == 404:
                    store.delete("document", doc_id)  # no longer ours to read
                    self.app.notify("data")
                    return None
                self.error = exc.message
        doc = self.get(doc_id)
        if doc is not None and not doc.get("read_at"):
            now = datetime.now(UTC).isoformat()
            store.put("document", doc_id, {**doc, "read_at": now})
            if self.app.engine is not None:
                self.app.engine.queue(READ, {"document_id": doc_id, "studied": False}, str(uuid.uuid4()))
                await self.app.sync_now()
        return self.get(doc_id)

    async def toggle_bookmark(self, doc_id: int) -> bool:
        store = self.app.require_store()
        doc = self.get(doc_id) or {}
        marked = not doc.get("bookmarked")
        store.put("document", doc_id, {**doc, "bookmarked": marked})
        if not marked:
            store.delete("bookmark", doc_id)  # the feed's bookmark entity goes once the server agrees
        if self.app.engine is not None:
            self.app.engine.queue(BOOKMARK, {"document_id": doc_id, "on": marked}, str(uuid.uuid4()))
            await self.app.sync_now()
        self.app.notify("data")
        return marked

    async def mark_studied(self, doc_id: int) -> Outcome:
        """Đã học: shown at once, sent now or queued until the network is back (the server keeps the
        first time, whichever device sends it); a refusal from the server undoes the local mark."""
        store = self.app.require_store()
        doc = self.get(doc_id)
        if doc is None:
            return Outcome(False, "Không tìm thấy tài liệu trên máy. Hãy đồng bộ rồi thử lại.")
        if doc.get("category") != "study":
            return Outcome(False, "Chỉ đánh dấu đã học với tài liệu học tập.")
        if doc.get("studied_at"):
            return Outcome(True, f"Đồng chí đã học tài liệu này ngày {day(doc['studied_at'])}.")
        if self.app.engine is None:
            return Outcome(False, "Bạn cần đăng nhập lại.")
        raw = store.get("document", doc_id) or {}
        store.put("document", doc_id, {**raw, "studied_at": self.app.config.clock().isoformat()})
        client_id = str(uuid.uuid4())
        self.app.engine.queue(READ, {"document_id": doc_id, "studied": True}, client_id)
        sent = await self.app.sync_now()
        failed = [i for i in self.app.require_store().outbox("failed") if i.client_id == client_id]
        if failed:
            undo = {k: v for k, v in (store.get("document", doc_id) or raw).items() if k != "studied_at"}
            store.put("document", doc_id, undo)
            self.app.notify("data")
            return Outcome(False, failed[-1].error_message or "Máy chủ không nhận đánh dấu này.")
        self.app.notify("data")
        if not sent:
            return Outcome(True, "Đã lưu trên máy: sẽ gửi khi có mạng.", queued=True)
        return Outcome(True, "Đã ghi nhận đồng chí học xong tài liệu này.")

    def to_study(self) -> list[dict[str, Any]]:
        """Cần học: published study materials not studied yet, the nearest due date first (none last)."""
        store = self.app.store
        items = [
            d
            for d in self._decorate(store.all("document") if store else [])
            if d.get("category") == "study"
            and not d.get("studied_at")
            and d.get("status", "published") == "published"
        ]
        undated = date.max.toordinal() + 1
        return sorted(
            items,
            key=lambda d: (
                due.toordinal() if (due := parse_date(d.get("study_due_on"))) else undated,
                str(d.get("title") or ""),
            ),
        )

    async def load_study_progress(self, doc_id: int) -> None:
        """How far the cell (a secretary) or each cell of the subtree (staff) has studied this material, in
        one request (GET /documents/study-rates). Members get nothing; offline, a sentence saying so."""
        self.study_progress, self.study_progress_error = None, None
        if not (self.app.is_secretary or self.app.is_staff) or self.app.api is None:
            return
        params: dict[str, Any] = {"document_id": doc_id}
        if not self.app.is_staff:
            params["org_id"] = self.app.led_cell_ids[0]
        try:
            data = await self.app.call(self.app.api.get_json("/documents/study-rates", params=params))
        except OfflineError:
            self.study_progress_error = "Chưa có mạng: tiến độ học tập sẽ hiện khi có mạng."
            return
        except ApiError:
            return  # outside the caller's statistics scope: nothing to show
        self.study_progress = StudyRatesPublic.model_validate(data)

    def due_words(self, d: dict[str, Any]) -> str | None:
        """'Hạn học: 25/12/2026', 'Hôm nay là hạn học' or 'Quá hạn học từ 25/12/2026' (Vietnam's date)."""
        due = parse_date(d.get("study_due_on"))
        if due is None:
            return None
        today = local_today(self.app.config.clock())
        if due < today:
            return f"Quá hạn học từ {day(due)}"
        if due == today:
            return "Hôm nay là hạn học"
        return f"Hạn học: {day(due)}"

    def files_to_keep(self, doc_ids: Iterable[int]) -> list[dict[str, Any]]:
        """Files of these documents that belong on the device but are not there yet. A document its
        publisher did not allow to keep offline (`offline_allowed` false) is read online only."""
        store = self.app.store
        out = []
        for doc_id in dict.fromkeys(doc_ids):
            doc = store.get("document", doc_id) if store else None
            if doc is None or doc.get("offline_allowed") is False:
                continue
            out += [a for a in self.attachments(doc) if self.local_file(a) is None]
        return out

    async def keep_offline(self, doc_ids: Iterable[int]) -> int:
        """Fetch those files now, while there is a network (before a meeting, say); how many were fetched.
        Stops quietly when the network goes: the next call resumes (downloads resume where they stopped)."""
        fetched = 0
        for attachment in self.files_to_keep(doc_ids):
            try:
                await self.download(attachment, lambda done, total: None)
            except OfflineError:
                break
            except ApiError as exc:  # withdrawn since, or too large for the server's patience: skip it
                log.info("not kept offline: attachment %s: %s", attachment.get("id"), exc.code)
                continue
            fetched += 1
        return fetched

    async def download(
        self, attachment: dict[str, Any], on_progress: Callable[[int, int | None], None]
    ) -> Path:
        """The file on this device (fetched once, resumed if interrupted)."""
        path = self._file_path(attachment)
        assert path is not None
        if path.exists():
            return path
        api = self.app.require_api()
        return await self.app.call(api.download(f"/attachments/{attachment['id']}", path, on_progress))
