"""Study checks (kiểm tra nhận thức) and bài thu hoạch on the client: the member takes a check and writes
an essay, the cell's leaders receive essays, staff read the figures by cell.

A member's checks come from the sync feed (`study_check` entities: the questions without the key, their own
attempt once the server has it); their essays and, for a cell's leaders, the cell's essays from
`study_essay`. Taking a check and handing in an essay go through the outbox (`study.attempt`,
`study.essay`) with the times the member acted, so the network can be off: the screen then says the work is
saved, and afterwards shows only the server's verdict (the score when shown, or its refusal). Nothing here
keeps an answer key: the device holds what the server sends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from client.api import ApiError, OfflineError
from client.format import parse_dt, to_local
from client.state.app import AppState
from client.state.meetings import Outcome
from client.state.year import SAVED_OFFLINE as YEAR_SAVED_OFFLINE
from client.state.year import _Sender
from shared.schemas.study import ESSAY_MAX, ESSAY_MIN, REMARK_MAX, StudyCheckPage, StudyFigures

log = logging.getLogger(__name__)

ATTEMPT = "study.attempt"  # {"check_id", "started_at", "answered_at", "answers": [[int]]}
ESSAY = "study.essay"  # {"document_id", "text"}
RECEIVE = "study.essay_receive"  # {"essay_id", "remark"}

SAVED_OFFLINE = "Đã lưu bài làm, sẽ gửi khi có mạng."
ESSAY_SAVED_OFFLINE = "Đã lưu bài thu hoạch, sẽ gửi khi có mạng."
RECEIVED_OFFLINE = "Đã ghi nhận trên máy, sẽ gửi lên khi có mạng."
NEED_NETWORK = "Chưa có mạng: vui lòng thử lại khi có mạng."

STATE_WORDS = {
    "not_open": "Chưa mở",
    "open": "Đang mở",
    "pending": "Đã làm, chờ gửi",
    "done": "Đã làm",
    "refused": "Không được tính",
    "closed": "Đã đóng",
}


def local_words(value: Any) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    dt = parse_dt(value)
    return to_local(dt).strftime("%d/%m/%Y %H:%M") if dt else ""


def window_words(check: dict[str, Any]) -> str:
    return f"Mở từ {local_words(check.get('opens_at'))} đến {local_words(check.get('closes_at'))}"


def is_study_document(doc: dict[str, Any]) -> bool:
    """A resolution or a study material: what checks and bài thu hoạch are written about."""
    return doc.get("category") == "study" or doc.get("doc_type") == "resolution"


def _at(value: Any) -> datetime:
    dt = parse_dt(value)
    assert dt is not None
    return dt


class _Study(_Sender):
    """What the member's study screens share: the feed's checks and essays, and the outbox over them."""

    async def _fetch(self, payload: dict[str, Any]) -> None:
        return None  # the study entities come only through the feed

    async def _queue(self, kind: str, payload: dict[str, Any], done: str, offline_words: str) -> Outcome:
        outcome = await self._send(kind, payload, done)
        if outcome.queued and outcome.message == YEAR_SAVED_OFFLINE:
            return Outcome(False, offline_words, queued=True)
        return outcome

    def _mine(self, item: dict[str, Any]) -> bool:
        me = self.app.me
        return bool(me and (me.member_id is None or item.get("member_id") == me.member_id))

    def checks(self, document_id: int | None = None) -> list[dict[str, Any]]:
        store = self.app.store
        found = [c for c in (store.all("study_check") if store is not None else [])
                 if document_id is None or c.get("document_id") == document_id]
        return sorted(found, key=lambda c: (str(c.get("closes_at")), c.get("id", 0)), reverse=True)

    def check(self, check_id: int) -> dict[str, Any] | None:
        store = self.app.store
        return store.get("study_check", check_id) if store is not None else None

    def _queued_attempt(self, check_id: int) -> Any:
        mine = [i for i in self._outbox(ATTEMPT) if i.payload.get("check_id") == check_id]
        return mine[-1] if mine else None

    def state_of(self, check: dict[str, Any]) -> str:
        if check.get("my_attempt"):
            return "done"
        queued = self._queued_attempt(int(check["id"]))
        if queued is not None:
            return "pending" if queued.status == "pending" else "refused"
        now = self._now()
        if now < _at(check["opens_at"]):
            return "not_open"
        if now >= _at(check["closes_at"]):
            return "closed"
        return "open"

    def state_words(self, check: dict[str, Any]) -> str:
        state = self.state_of(check)
        if state == "done":
            return "Đã làm: " + self.score_words(check)
        return STATE_WORDS[state]

    def score_words(self, check: dict[str, Any]) -> str:
        attempt = check.get("my_attempt") or {}
        total = int(attempt.get("total") or len(check.get("questions", [])))
        if attempt.get("score") is None:
            return f"điểm hiện sau giờ đóng ({local_words(check.get('closes_at'))})"
        score = int(attempt["score"])
        out_of_10 = round(10 * score / total, 1) if total else 0
        return f"đúng {score}/{total} câu, {out_of_10:g}/10 điểm".replace(".", ",")

    def verdict(self, check: dict[str, Any]) -> Outcome | None:
        """The server's word on the attempt: its score, or its refusal; or that it waits to be sent."""
        state = self.state_of(check)
        if state == "done":
            return Outcome(True, "Đã nộp bài: " + self.score_words(check))
        if state == "pending":
            return Outcome(False, SAVED_OFFLINE, queued=True)
        if state == "refused":
            queued = self._queued_attempt(int(check["id"]))
            return Outcome(False, "Bài làm không được tính: " + (
                queued.error_message or "máy chủ không nhận bài làm này."))
        return None

    # --- bài thu hoạch -------------------------------------------------------------------------------

    def my_essay(self, document_id: int) -> dict[str, Any] | None:
        store = self.app.store
        found = [e for e in (store.all("study_essay") if store is not None else [])
                 if e.get("document_id") == document_id and self._mine(e)]
        return found[-1] if found else None

    def queued_essay(self, document_id: int) -> Any:
        mine = [i for i in self._outbox(ESSAY) if i.payload.get("document_id") == document_id]
        return mine[-1] if mine else None

    def essay_words(self, document_id: int) -> Outcome | None:
        essay = self.my_essay(document_id)
        if essay is not None:
            if essay.get("received_at"):
                said = f"Chi bộ đã nhận bài ngày {local_words(essay['received_at'])[:10]}."
                if essay.get("remark"):
                    said += f" Nhận xét của chi bộ: {essay['remark']}"
                return Outcome(True, said)
            return Outcome(True, f"Đã nộp ngày {local_words(essay.get('written_at'))[:10]}, chờ chi bộ nhận.")
        queued = self.queued_essay(document_id)
        if queued is None:
            return None
        if queued.status == "pending":
            return Outcome(False, ESSAY_SAVED_OFFLINE, queued=True)
        return Outcome(False, queued.error_message or "Máy chủ không nhận bài thu hoạch này.")


class StudyState(_Study):
    """The member's checks (all, or one document's) and their bài thu hoạch."""

    def __init__(self, app: AppState):
        self.app = app

    async def submit_essay(self, document_id: int, text: str) -> Outcome:
        text = (text or "").strip()
        if self.my_essay(document_id) is not None or (
                (q := self.queued_essay(document_id)) is not None and q.status == "pending"):
            return Outcome(False, "Đồng chí đã nộp bài thu hoạch về văn bản này.")
        if len(text) < ESSAY_MIN:
            return Outcome(False, f"Bài thu hoạch cần ít nhất {ESSAY_MIN} ký tự (mới có {len(text)}): "
                                  "vui lòng viết thêm.")
        if len(text) > ESSAY_MAX:
            return Outcome(False, f"Bài thu hoạch tối đa {ESSAY_MAX:,} ký tự: vui lòng viết gọn lại."
                           .replace(",", "."))
        store = self.app.store
        if store is not None:  # a refused one is done with: this one replaces it
            for old in self._outbox(ESSAY):
                if old.payload.get("document_id") == document_id and old.status != "pending":
                    store.outbox_done(old.client_id)
        return await self._queue(ESSAY, {"document_id": document_id, "text": text},
                                 "Đã nộp bài thu hoạch tới chi bộ.", ESSAY_SAVED_OFFLINE)


class QuizState(_Study):
    """Taking one check: the start time (kept on the device, so leaving and coming back keeps the clock),
    the chosen options, the countdown, and the hand-in through the outbox."""

    def __init__(self, app: AppState, check_id: int):
        self.app = app
        self.check_id = check_id
        self.answers: list[list[int]] = []
        self.started_at: datetime | None = None

    def get(self) -> dict[str, Any] | None:
        return self.check(self.check_id)

    def _meta_key(self) -> str:
        return f"study_started:{self.check_id}"

    def can_take(self) -> bool:
        check = self.get()
        return check is not None and self.state_of(check) == "open"

    def start(self) -> None:
        """Opened by the member: the start time is the first opening's (saved on the device)."""
        check = self.get()
        if check is None or not self.can_take():
            return
        store = self.app.store
        saved = store.get_meta(self._meta_key()) if store is not None else None
        if saved:
            self.started_at = parse_dt(saved)
        else:
            self.started_at = self._now()
            if store is not None:
                store.set_meta(self._meta_key(), self.started_at.isoformat())
        if len(self.answers) != len(check.get("questions", [])):
            self.answers = [[] for _ in check.get("questions", [])]

    def choose(self, question: int, option: int, on: bool = True) -> None:
        check = self.get()
        if check is None or not 0 <= question < len(self.answers):
            return
        if not check["questions"][question].get("multiple"):
            self.answers[question] = [option] if on else []
            return
        chosen = set(self.answers[question])
        if on:
            chosen.add(option)
        else:
            chosen.discard(option)
        self.answers[question] = sorted(chosen)

    def unanswered(self) -> int:
        return sum(1 for a in self.answers if not a)

    def deadline(self) -> datetime | None:
        check = self.get()
        if check is None or self.started_at is None:
            return None
        by_limit = self.started_at + timedelta(minutes=int(check["time_limit_minutes"]))
        return min(by_limit, _at(check["closes_at"]))

    def seconds_left(self) -> int | None:
        end = self.deadline()
        if end is None:
            return None
        return max(0, int((end - self._now()).total_seconds()))

    def countdown_words(self) -> str:
        left = self.seconds_left()
        if left is None:
            return ""
        minutes, seconds = divmod(left, 60)
        return f"Còn {minutes:02d}:{seconds:02d}" if left else "Hết giờ làm bài"

    async def submit(self) -> Outcome:
        check = self.get()
        if check is None:
            return Outcome(False, "Không tìm thấy bài kiểm tra trên máy: vui lòng đồng bộ lại.")
        # Started on this screen: still handed in if the close came meanwhile (the countdown ends at it).
        if self.started_at is None or self.state_of(check) not in ("open", "closed"):
            return self.verdict(check) or Outcome(False, "Bài kiểm tra không mở để làm bài lúc này.")
        answered_at = self._now()
        end = self.deadline()
        if end is not None and answered_at > end:
            answered_at = end  # handed in by the countdown: the answers were final when time ran out
        payload = {
            "check_id": self.check_id,
            "started_at": self.started_at.isoformat(),
            "answered_at": answered_at.isoformat(),
            "answers": self.answers,
        }
        outcome = await self._queue(ATTEMPT, payload, "Đã nộp bài.", SAVED_OFFLINE)
        store = self.app.store
        if store is not None and (outcome.ok or outcome.queued):
            store.set_meta(self._meta_key(), None)
        if outcome.ok:
            return self.verdict(self.get() or check) or outcome
        return outcome


class CellStudyState(_Study):
    """A cell's leaders: the essays handed to the cell (from the feed), received with a remark (online),
    and the cell's figures per check."""

    def __init__(self, app: AppState):
        self.app = app
        self.error: str | None = None
        self.figures: dict[int, StudyFigures] = {}

    @property
    def cell_id(self) -> int | None:
        cells = self.app.led_cell_ids
        return cells[0] if cells else None

    def essays(self) -> list[dict[str, Any]]:
        store, cells = self.app.store, set(self.app.led_cell_ids)
        essays = store.all("study_essay") if store is not None else []
        found = [e for e in essays if e.get("org_id") in cells]
        return sorted(found, key=lambda e: (e.get("received_at") is not None, str(e.get("written_at"))))

    def is_own(self, essay: dict[str, Any]) -> bool:
        me = self.app.me
        return bool(me and me.member_id is not None and essay.get("member_id") == me.member_id)

    def document_title(self, document_id: int) -> str:
        store = self.app.store
        doc = store.get("document", document_id) if store is not None else None
        return (doc or {}).get("title") or f"Văn bản số {document_id}"

    def receipt_word(self, essay_id: int) -> Outcome | None:
        """A receipt marked on this device that the server has not taken yet (queued), or its refusal."""
        said = self._last_word(RECEIVE, lambda p: p.get("essay_id") == essay_id)
        if said is not None and said.queued:
            return Outcome(False, RECEIVED_OFFLINE, queued=True)
        return said

    async def receive(self, essay_id: int, remark: str = "") -> Outcome:
        """Mark a bài thu hoạch received (offline too: the outbox sends `study.essay_receive`)."""
        remark = " ".join((remark or "").split())
        if len(remark) > REMARK_MAX:
            return Outcome(False, f"Nhận xét tối đa {REMARK_MAX} ký tự: vui lòng viết gọn lại.")
        store = self.app.store
        essay = store.get("study_essay", essay_id) if store is not None else None
        if essay is not None and self.is_own(essay):
            return Outcome(False, "Đồng chí không tự nhận bài thu hoạch của mình: một đồng chí khác trong "
                                  "cấp ủy chi bộ sẽ nhận.")
        payload = {"essay_id": essay_id, "remark": remark or None}
        return await self._queue(RECEIVE, payload, "Đã ghi nhận bài thu hoạch.", RECEIVED_OFFLINE)

    async def load_figures(self, check_id: int) -> None:
        self.error = None
        if self.cell_id is None:
            self.error = "Chỉ bí thư, phó bí thư chi bộ mới xem được số liệu của chi bộ."
            return
        try:
            api = self.app.require_api()
            data = await self.app.call(api.get_json(f"/study/checks/{check_id}/figures",
                                                    params={"org_id": self.cell_id}))
            self.figures[check_id] = StudyFigures.model_validate(data)
        except OfflineError:
            self.error = "Chưa có mạng nên chưa tải được số liệu: vui lòng thử lại khi có mạng."
        except ApiError as exc:
            self.error = exc.message


class StaffStudyState:
    """Committee staff: the checks reaching their subtree, per check the figures by cell, the export."""

    def __init__(self, app: AppState, org_id: int | None = None):
        self.app = app
        self.org_id = org_id
        self.checks: list[dict[str, Any]] = []
        self.figures: StudyFigures | None = None
        self.error: str | None = None

    async def load_checks(self) -> None:
        self.error = None
        try:
            api = self.app.require_api()
            data = await self.app.call(api.get_json("/study/checks", params={"limit": 100}))
            self.checks = [c.model_dump(mode="json") for c in StudyCheckPage.model_validate(data).items]
        except OfflineError:
            self.error = "Chưa có mạng nên chưa tải được các bài kiểm tra: vui lòng thử lại khi có mạng."
        except ApiError as exc:
            self.error = exc.message

    async def load_figures(self, check_id: int) -> None:
        self.error = None
        params = {"org_id": self.org_id} if self.org_id else {}
        try:
            data = await self.app.call(self.app.require_api().get_json(
                f"/study/checks/{check_id}/figures", params=params))
            self.figures = StudyFigures.model_validate(data)
        except OfflineError:
            self.error = "Chưa có mạng nên chưa tải được số liệu: vui lòng thử lại khi có mạng."
        except ApiError as exc:
            self.error = exc.message

    async def export(self, check_id: int, fmt: str = "xlsx") -> tuple[str, bytes]:
        params: dict[str, Any] = {"format": fmt}
        if self.org_id:
            params["org_id"] = self.org_id
        resp = await self.app.call(self.app.require_api().request(
            "GET", f"/study/checks/{check_id}/figures/export", params=params))
        disposition = resp.headers.get("content-disposition", "")
        name = f"kiem-tra-{check_id}.{fmt}"
        if "filename=" in disposition:
            name = disposition.split("filename=", 1)[1].split(";")[0].strip('" ') or name
        return name, resp.content


def participation(cell: Any) -> float:
    """Share of the cell's members who took the check (0..1)."""
    return cell.taken / cell.members if cell.members else 0.0
