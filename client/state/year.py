"""The member's year: their yearly commitment (đăng ký làm theo), and the cell's view of everyone's.

Every change goes through the outbox as an offline action (`commitment.save`, `commitment.result`,
`commitment.decide`, `commitment.remark`) and is sent at once when the network is there: one path whether
online or not. The commitments themselves come from the sync feed (`commitment` entities); what waits in
the outbox is shown over them until the server has taken it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from client.api import ApiError, OfflineError
from client.format import local_today
from client.state.app import AppState
from client.state.meetings import Outcome
from client.store import OutboxItem
from shared.schemas.year import (
    COMMENT_MIN,
    COMMITMENT_CATEGORY_LABELS,
    ITEM_TEXT_MAX,
    ITEM_TEXT_MIN,
    MAX_ITEMS,
    REMARK_MAX,
    RESULT_MAX,
    CellCommitments,
)

log = logging.getLogger(__name__)

SAVE = "commitment.save"  # {"year", "items": [{"text", "category"}], "submit"}
RESULT = "commitment.result"  # {"commitment_id", "results": [{"item_id", "result"}]}
DECIDE = "commitment.decide"  # {"commitment_id", "approve", "comment"}
REMARK = "commitment.remark"  # {"commitment_id", "remarks": [{"item_id", "remark"}]}

SAVED_OFFLINE = "Đã lưu trên máy, sẽ gửi khi có mạng."
OWN = ("Đồng chí không tự duyệt hay nhận xét bản đăng ký của mình: một đồng chí khác trong cấp ủy chi bộ "
       "sẽ làm việc này.")
SERVER_TROUBLE = "Máy chủ đang gặp sự cố: bản ghi vẫn giữ trên máy và sẽ tự gửi lại sau."

STATUS_WORDS = {
    None: "Chưa đăng ký",
    "draft": "Bản nháp — chưa gửi chi bộ",
    "submitted": "Đã gửi — chờ chi bộ duyệt",
    "returned": "Bị trả lại để sửa",
    "approved": "Đã duyệt",
}
CATEGORIES: list[tuple[str, str]] = [(c.value, label) for c, label in COMMITMENT_CATEGORY_LABELS.items()]
CATEGORY_WORDS = dict(CATEGORIES)


def this_year(now: datetime) -> int:
    """The year in Vietnam now: the server counts its window (last, this and next year) the same way."""
    return local_today(now).year


def year_choices(now: datetime) -> list[int]:
    year = this_year(now)
    return [year - 1, year, year + 1]


def status_words(status: str | None) -> str:
    return STATUS_WORDS.get(status, STATUS_WORDS[None])


@dataclass
class ItemDraft:
    text: str = ""
    category: str | None = None


class _Sender:
    """Queue an action, then try to send it now; say what happened in the member's words."""

    app: AppState

    def _now(self) -> datetime:
        return self.app.config.clock()

    async def _send(self, kind: str, payload: dict[str, Any], done: str) -> Outcome:
        engine = self.app.engine
        if engine is None:
            return Outcome(False, "Bạn cần đăng nhập lại.")
        item = engine.queue(kind, payload, made_at=self._now())
        self.app.notify("data")
        try:
            online = await self.app.sync_now()
        except ApiError:
            log.info("sending %s failed; it stays in the outbox", kind)
            return Outcome(False, SERVER_TROUBLE, queued=True)
        answer = self.app.answers.get(item.client_id)
        if answer is not None and answer[1].get("status") == "refused":
            return Outcome(False, str(answer[1].get("message") or "Máy chủ không nhận thao tác này."))
        if answer is None and (not online or any(i.client_id == item.client_id for i in self._outbox())):
            return Outcome(False, SAVED_OFFLINE, queued=True)
        if not engine.feed_available:  # an older server without the feed: read the result back instead
            await self._fetch(payload)
        return Outcome(True, done)

    async def _fetch(self, payload: dict[str, Any]) -> None:
        """Bring the commitment an applied action changed into the store (servers without the feed)."""
        store = self.app.store
        try:
            api = self.app.require_api()
            if "commitment_id" in payload:
                found = [await self.app.call(api.get_commitment(int(payload["commitment_id"])))]
            else:
                found = await self.app.call(api.my_commitments())
        except ApiError:
            return  # the next refresh reads it again
        for c in found:
            if store is not None:
                store.put("commitment", c.id, c.model_dump(mode="json"))
        self.app.notify("data")

    def _outbox(self, kind: str | None = None) -> list[OutboxItem]:
        store = self.app.store
        items = store.outbox() if store is not None else []
        return [i for i in items if kind is None or i.kind == kind]

    def commitment_by_id(self, commitment_id: int) -> dict[str, Any] | None:
        store = self.app.store
        return store.get("commitment", commitment_id) if store is not None else None

    def _last_word(self, kind: str, match: Any) -> Outcome | None:
        """What to say about the newest queued action of `kind` that `match`es: saved and waiting, or the
        server's refusal (kept until the member dismisses it)."""
        mine = [i for i in self._outbox(kind) if match(i.payload)]
        if not mine:
            return None
        last = mine[-1]
        if last.status == "pending":
            return Outcome(False, SAVED_OFFLINE, queued=True)
        return Outcome(False, last.error_message or "Máy chủ không nhận thao tác này.")


class MyYearState(_Sender):
    """"Năm của tôi": the signed-in member's commitment of one year (this year unless chosen)."""

    def __init__(self, app: AppState, year: int | None = None):
        self.app = app
        self.year = year or this_year(self._now())
        self.items: list[ItemDraft] = []
        self.results: dict[int, str] = {}
        self.editing_for: tuple[int, Any] | None = None  # what the editor was filled from

    # --- what the device knows ---------------------------------------------------------------------

    def years(self) -> list[int]:
        return year_choices(self._now())

    def set_year(self, year: int) -> None:
        self.year = int(year)
        self.editing_for = None
        self.results = {}

    def commitment(self) -> dict[str, Any] | None:
        store, me = self.app.store, self.app.me
        if store is None or me is None:
            return None
        mine = [
            c for c in store.all("commitment")
            if c.get("year") == self.year and (me.member_id is None or c.get("member_id") == me.member_id)
        ]
        return mine[-1] if mine else None

    def _pending_save(self) -> OutboxItem | None:
        saves = [i for i in self._outbox(SAVE)
                 if i.status == "pending" and i.payload.get("year") == self.year]
        return saves[-1] if saves else None

    def status(self) -> str | None:
        """The status as it will be once what waits on this device is sent."""
        pending = self._pending_save()
        if pending is not None and pending.payload.get("submit"):
            return "submitted"
        c = self.commitment()
        if c is None:
            return "draft" if pending is not None else None
        return c.get("status")

    def status_words(self) -> str:
        return status_words(self.status())

    def return_comment(self) -> str | None:
        c = self.commitment()
        if c and c.get("status") == "returned" and self.status() == "returned":
            return c.get("return_comment")
        return None

    def notice(self) -> Outcome | None:
        year = self.year
        said = self._last_word(SAVE, lambda p: p.get("year") == year)
        c = self.commitment()
        if c is not None:
            cid = c.get("id")
            said = self._last_word(RESULT, lambda p: p.get("commitment_id") == cid) or said
        return said

    @property
    def editable(self) -> bool:
        return self.status() in (None, "draft", "returned")

    def shown_items(self) -> list[dict[str, Any]]:
        """The items as the member last wrote them: the pending save's, else the server's; with results
        waiting to be sent laid over the server's."""
        pending = self._pending_save()
        if pending is not None:
            return [{"id": None, **i} for i in pending.payload.get("items", [])]
        c = self.commitment()
        if c is None:
            return []
        items = [dict(i) for i in c.get("items", [])]
        for queued in self._outbox(RESULT):
            if queued.status == "pending" and queued.payload.get("commitment_id") == c.get("id"):
                by_id = {r["item_id"]: r.get("result") for r in queued.payload.get("results", [])}
                for item in items:
                    if item.get("id") in by_id:
                        item["result"] = by_id[item["id"]]
        return items

    # --- the editor ------------------------------------------------------------------------------------

    def start_editing(self) -> None:
        """Fill the editor from what is shown, once per commitment state (a redraw keeps what is typed)."""
        c = self.commitment()
        pending = self._pending_save()
        key = (self.year, pending.client_id if pending else (c or {}).get("updated_at"))
        if self.editing_for == key:
            return
        self.editing_for = key
        self.items = [ItemDraft(i.get("text") or "", i.get("category")) for i in self.shown_items()]
        if not self.items:
            self.items = [ItemDraft()]
        self.results = {int(i["id"]): i.get("result") or "" for i in self.shown_items() if i.get("id")}

    def add_item(self) -> Outcome:
        if len(self.items) >= MAX_ITEMS:
            return Outcome(False, f"Mỗi bản đăng ký có tối đa {MAX_ITEMS} mục.")
        self.items.append(ItemDraft())
        return Outcome(True, "")

    def remove_item(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]
        if not self.items:
            self.items = [ItemDraft()]

    def set_text(self, index: int, text: str) -> None:
        if 0 <= index < len(self.items):
            self.items[index].text = text

    def set_category(self, index: int, category: str | None) -> None:
        if 0 <= index < len(self.items):
            self.items[index].category = category or None

    def _checked_items(self) -> tuple[list[dict[str, Any]] | None, str | None]:
        items: list[dict[str, Any]] = []
        for n, draft in enumerate(self.items, 1):
            text = " ".join(draft.text.split())
            if not text:
                continue
            if len(text) < ITEM_TEXT_MIN:
                return None, f"Mục {n} quá ngắn: vui lòng ghi rõ việc đồng chí sẽ làm."
            if len(text) > ITEM_TEXT_MAX:
                return None, f"Mục {n} dài quá {ITEM_TEXT_MAX} ký tự: vui lòng viết gọn lại."
            category = draft.category if draft.category in CATEGORY_WORDS else None
            items.append({"text": text, "category": category})
        if not items:
            return None, "Vui lòng ghi ít nhất một việc đồng chí đăng ký làm theo."
        if len(items) > MAX_ITEMS:
            return None, f"Mỗi bản đăng ký có tối đa {MAX_ITEMS} mục: vui lòng gộp bớt."
        return items, None

    async def save(self, submit: bool = False) -> Outcome:
        """Keep the items as a draft, or send them to the cell (`submit`); offline both wait in the outbox."""
        if self.year not in self.years():
            years = ", ".join(map(str, self.years()))
            return Outcome(False, f"Chỉ đăng ký cho năm {years}: vui lòng chọn lại năm.")
        status = self.status()
        if status == "submitted":
            return Outcome(False, "Bản đăng ký đã gửi, đang chờ chi bộ duyệt nên chưa sửa được.")
        if status == "approved":
            return Outcome(False, "Bản đăng ký đã được duyệt nên không sửa được nữa.")
        items, problem = self._checked_items()
        if items is None:
            return Outcome(False, problem or "")
        payload = {"year": self.year, "items": items, "submit": submit}
        done = "Đã gửi bản đăng ký tới chi bộ." if submit else "Đã lưu bản nháp."
        outcome = await self._send(SAVE, payload, done)
        if outcome.ok or outcome.queued:
            self.editing_for = None  # refilled from what was saved; after a refusal the typing stays
        return outcome

    async def save_results(self) -> Outcome:
        """The member's own year-end result of each item (blank clears it)."""
        c = self.commitment()
        if c is None or self.status() != "approved":
            return Outcome(False, "Chỉ ghi kết quả khi bản đăng ký đã được chi bộ duyệt.")
        before = {int(i["id"]): i.get("result") or "" for i in self.shown_items() if i.get("id")}
        results = []
        for item_id, text in self.results.items():
            text = (text or "").strip()
            if item_id not in before or text == before[item_id]:
                continue
            if len(text) > RESULT_MAX:
                return Outcome(False, f"Kết quả mỗi mục tối đa {RESULT_MAX} ký tự: vui lòng viết gọn lại.")
            results.append({"item_id": item_id, "result": text or None})
        if not results:
            return Outcome(False, "Chưa có kết quả nào thay đổi: vui lòng ghi kết quả vào ô của từng mục.")
        payload = {"commitment_id": int(c["id"]), "results": results}
        outcome = await self._send(RESULT, payload, "Đã lưu kết quả thực hiện.")
        if outcome.ok or outcome.queued:
            self.editing_for = None
        return outcome


@dataclass
class CellRow:
    member_id: int
    full_name: str
    status: str | None
    commitment_id: int | None
    items: int
    results: int

    @property
    def words(self) -> str:
        said = status_words(self.status)
        if self.items:
            said += f" · {self.items} mục"
        if self.status == "approved":
            said += f" · {self.results}/{self.items} mục có kết quả"
        return said


class CellYearState(_Sender):
    """The cell's year for its secretary: everyone's commitment, approve or return, the cell's remarks."""

    GROUPS = (
        ("submitted", "Chờ duyệt"),
        ("returned", "Đã trả lại để sửa"),
        (None, "Chưa đăng ký"),
        ("approved", "Đã duyệt"),
    )

    def __init__(self, app: AppState, year: int | None = None):
        self.app = app
        self.year = year or this_year(self._now())
        self.overview: CellCommitments | None = None
        self.error: str | None = None
        self.remarks: dict[int, str] = {}
        self.comment = ""

    @property
    def cell_id(self) -> int | None:
        cells = self.app.led_cell_ids
        return cells[0] if cells else None

    def years(self) -> list[int]:
        return year_choices(self._now())

    def _cache_key(self) -> str:
        return f"year_cell:{self.cell_id}:{self.year}"

    async def load(self) -> None:
        """The cell's list from the server, kept on the device for when the network is gone."""
        self.error = None
        cell = self.cell_id
        if cell is None:
            self.error = "Chỉ bí thư, phó bí thư chi bộ mới xem được danh sách này."
            return
        store = self.app.store
        try:
            self.overview = await self.app.call(self.app.require_api().cell_commitments(cell, self.year))
        except OfflineError:
            cached = store.get_meta(self._cache_key()) if store is not None else None
            self.overview = CellCommitments.model_validate(cached) if cached else None
            self.error = ("Chưa có mạng: đang hiển thị danh sách đã lưu trên máy." if cached else
                          "Chưa có mạng nên chưa tải được danh sách: vui lòng kiểm tra mạng rồi bấm Làm mới.")
            return
        except ApiError as exc:
            self.error = exc.message
            return
        if store is not None:
            store.set_meta(self._cache_key(), self.overview.model_dump(mode="json"))

    def rows(self, status: str | None = "all") -> list[CellRow]:
        if self.overview is None:
            return []
        out = []
        for m in self.overview.members:
            row = CellRow(m.member_id, m.full_name, m.status.value if m.status else None, m.commitment_id,
                          m.items, m.results)
            local = self.commitment_by_id(m.commitment_id) if m.commitment_id else None
            if local is not None and local.get("status") and local.get("status") != "draft":
                row.status = local["status"]  # the feed may be newer than the list fetched earlier
            if status == "all" or row.status == status:
                out.append(row)
        return out

    def counts_words(self) -> str:
        if self.overview is None:
            return ""
        rows = self.rows()
        n = {key: sum(1 for r in rows if r.status == key) for key, _ in self.GROUPS}
        return (f"{len(rows)} đảng viên: {n['approved']} đã duyệt, {n['submitted']} chờ duyệt, "
                f"{n['returned']} đã trả lại, {n[None]} chưa đăng ký")

    # --- one commitment ----------------------------------------------------------------------------------

    async def open(self, commitment_id: int) -> dict[str, Any] | None:
        """The commitment from the device (the feed brings the cell's sent ones), else from the server."""
        self.error = None
        try:
            got = await self.app.call(self.app.require_api().get_commitment(commitment_id))
        except OfflineError:
            got = None
        except ApiError as exc:
            self.error = exc.message
            return self.commitment_by_id(commitment_id)
        if got is not None and self.app.store is not None:
            self.app.store.put("commitment", got.id, got.model_dump(mode="json"))
        found = self.commitment_by_id(commitment_id)
        if found is None and self.error is None:
            self.error = "Chưa có mạng nên chưa mở được bản đăng ký này: vui lòng thử lại khi có mạng."
        self.remarks = {int(i["id"]): i.get("remark") or "" for i in (found or {}).get("items", [])}
        return found

    def shown_status(self, commitment_id: int) -> str | None:
        c = self.commitment_by_id(commitment_id)
        pending = [i for i in self._outbox(DECIDE) if i.status == "pending"
                   and i.payload.get("commitment_id") == commitment_id]
        if pending:
            return "approved" if pending[-1].payload.get("approve") else "returned"
        return (c or {}).get("status")

    def is_own(self, commitment_id: int) -> bool:
        c, me = self.commitment_by_id(commitment_id), self.app.me
        return bool(c and me and me.member_id is not None and c.get("member_id") == me.member_id)

    def notice(self, commitment_id: int) -> Outcome | None:
        said = self._last_word(DECIDE, lambda p: p.get("commitment_id") == commitment_id)
        return self._last_word(REMARK, lambda p: p.get("commitment_id") == commitment_id) or said

    async def decide(self, commitment_id: int, approve: bool, comment: str = "") -> Outcome:
        comment = " ".join((comment or "").split())
        if self.is_own(commitment_id):
            return Outcome(False, OWN)
        if self.shown_status(commitment_id) != "submitted":
            return Outcome(False, "Chỉ duyệt hoặc trả lại bản đăng ký đang chờ duyệt.")
        if not approve and len(comment) < COMMENT_MIN:
            return Outcome(False, "Vui lòng ghi ý kiến để đảng viên biết cần sửa gì trước khi trả lại.")
        payload = {"commitment_id": commitment_id, "approve": approve, "comment": comment or None}
        done = "Đã duyệt bản đăng ký." if approve else "Đã trả lại bản đăng ký kèm ý kiến của chi bộ."
        outcome = await self._send(DECIDE, payload, done)
        if outcome.ok or outcome.queued:
            self.comment = ""
        return outcome

    async def save_remarks(self, commitment_id: int) -> Outcome:
        c = self.commitment_by_id(commitment_id)
        if self.is_own(commitment_id):
            return Outcome(False, OWN)
        if c is None or self.shown_status(commitment_id) != "approved":
            return Outcome(False, "Chỉ ghi nhận xét khi bản đăng ký đã được duyệt.")
        before = {int(i["id"]): i.get("remark") or "" for i in c.get("items", [])}
        remarks = []
        for item_id, text in self.remarks.items():
            text = (text or "").strip()
            if item_id not in before or text == before[item_id]:
                continue
            if len(text) > REMARK_MAX:
                return Outcome(False, f"Nhận xét mỗi mục tối đa {REMARK_MAX} ký tự: vui lòng viết gọn lại.")
            remarks.append({"item_id": item_id, "remark": text or None})
        if not remarks:
            return Outcome(False, "Chưa có nhận xét nào thay đổi: vui lòng ghi vào ô của từng mục.")
        payload = {"commitment_id": commitment_id, "remarks": remarks}
        return await self._send(REMARK, payload, "Đã lưu nhận xét của chi bộ.")
