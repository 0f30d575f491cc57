"""Secretary screens: plan a meeting, run check-in, attendance, absence requests, minutes and votes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from client.api import ApiError
from client.format import (
    ATTENDANCE,
    day_input,
    local_input_to_utc,
    local_today,
    picked_day,
    picked_time,
    time_input,
)
from client.state.app import AppState
from client.state.meetings import Outcome
from shared.schemas.documents import DocumentReadRatesPublic
from shared.schemas.meetings import AgendaItemUnread

READ_RATES_BATCH = 50  # the server's limit of documents per GET /documents/read-rates


# The statuses the secretary picks from, in the order the sheet lists them.
ATTENDANCE_CHOICES = ("present", "late", "excused", "absent")
UNRECORDED = "Chưa điểm danh"
REMINDED = "Đã nhắc đọc tài liệu của mục này; mỗi mục chỉ nhắc một lần."
PAST_MEETING = "Buổi sinh hoạt mới phải từ bây giờ trở đi: vui lòng chọn ngày giờ chưa qua."
DEFAULT_MEETING_TIME = time(19, 30)


def attendance_label(status: str | None) -> str:
    return ATTENDANCE.get(status or "", UNRECORDED)


@dataclass
class AttendanceChange:
    """The last status the secretary set, kept so that one stray choice can be taken back."""

    member_id: int
    full_name: str
    before: str | None  # None: there was no record, and undo removes the one just made
    after: str


@dataclass
class VoteResult:
    """The vote as the Party's rule reads it: passed when those in favour are more than half the base."""

    votes_for: int
    votes_against: int
    votes_abstain: int
    base: int
    passed: bool

    @property
    def words(self) -> str:
        verdict = "THÔNG QUA" if self.passed else "KHÔNG THÔNG QUA"
        share = f"{self.votes_for}/{self.base}" if self.base else "—"
        return (
            f"Tán thành {share} ({self.votes_for} tán thành, {self.votes_against} không tán thành, "
            f"{self.votes_abstain} không biểu quyết): {verdict}"
        )


def compute_vote(votes_for: int, votes_against: int, votes_abstain: int, base: int) -> VoteResult:
    return VoteResult(votes_for, votes_against, votes_abstain, base, passed=base > 0 and votes_for * 2 > base)


def _agenda_item(item: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(item, str):
        return {"title": item.strip()}
    return {**item, "title": str(item.get("title") or "").strip()}


class SecretaryState:
    def __init__(self, app: AppState):
        self.app = app
        self.code: dict[str, Any] | None = None
        self.qr_png: bytes | None = None
        self.sheet: dict[str, Any] | None = None
        self._sheet_asked = self._sheet_kept = 0  # order of the sheet's requests (see _take_sheet)
        self.requests: list[dict[str, Any]] = []
        self.minutes: dict[str, Any] | None = None
        self.stats: dict[str, Any] | None = None
        self.unread: dict[int, list[str]] = {}  # agenda document id -> who has not read it
        self.read_rates: dict[int, tuple[int, int]] = {}  # agenda document id -> (read, members)
        self.agenda: list[AgendaItemUnread] = []  # per item: who has not read its documents, reminded when
        self.error: str | None = None
        self.last_change: AttendanceChange | None = None

    @property
    def cell_id(self) -> int | None:
        cells = self.app.led_cell_ids
        return cells[0] if cells else None

    # --- the meeting form's day and time: typed or picked, both land in the same two fields ------------

    def _now(self) -> datetime:
        return self.app.config.clock()

    def first_pickable_day(self) -> date:
        """Today in Vietnam: the date picker offers nothing earlier for a new meeting."""
        return local_today(self._now())

    def picker_day(self, day_text: str) -> date:
        """Where the date picker opens: the typed day if it is valid and not past, else today."""
        first = self.first_pickable_day()
        try:
            typed = datetime.strptime(day_text.strip(), "%d/%m/%Y").date()
        except ValueError:
            return first
        return max(typed, first)

    def picker_time(self, time_text: str) -> time:
        return picked_time(time_text) or DEFAULT_MEETING_TIME

    def day_text_from_picker(self, value: Any) -> str | None:
        """The picked day as the field shows it (dd/mm/yyyy), or None to leave the field as it is."""
        picked = picked_day(value)
        if picked is None or picked < self.first_pickable_day():
            return None
        return day_input(picked)

    def time_text_from_picker(self, value: Any) -> str | None:
        picked = picked_time(value)
        return None if picked is None else time_input(picked)

    async def create_meeting(
        self, title: str, kind: str, day_text: str, time_text: str, location: str,
        agenda: Sequence[str | dict[str, Any]],
    ) -> Outcome:
        """`agenda`: item titles, or items as the agenda editor gives them (title and document_ids)."""
        if len(title.strip()) < 2:
            return Outcome(False, "Vui lòng nhập tên buổi sinh hoạt.")
        try:
            # Sent as UTC: the server and the other devices compare instants, not Vietnam wall-clock text.
            starts = local_input_to_utc(day_text, time_text).astimezone(UTC)
        except ValueError as exc:
            return Outcome(False, str(exc))
        if starts < self._now():  # typing must not get round what the picker refuses
            return Outcome(False, PAST_MEETING)
        body: dict[str, Any] = {
            "title": title.strip(),
            "kind": kind,
            "starts_at": starts.isoformat(),
            "location": location.strip() or None,
            "agenda": [i for i in map(_agenda_item, agenda) if i["title"]],
        }
        if self.cell_id is not None:
            body["org_id"] = self.cell_id
        try:
            created = await self.app.call(self.app.require_api().post_json("/meetings", body))
        except ApiError as exc:
            return Outcome(False, exc.message)
        self.app.require_store().put("meeting", created["id"], created)
        self.app.notify("data")
        return Outcome(True, f"Đã lên lịch: {created.get('title')}", queued=False)

    async def open_check_in(self, meeting_id: int) -> Outcome:
        try:
            self.code = await self.app.call(
                self.app.require_api().post_json(f"/meetings/{meeting_id}/check-in/open")
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        await self._load_qr(meeting_id)
        return Outcome(True, "Đã mở điểm danh.")

    async def refresh_code(self, meeting_id: int) -> None:
        """The code rotates: the secretary's screen asks again every few seconds."""
        try:
            code = await self.app.call(
                self.app.require_api().get_json(f"/meetings/{meeting_id}/check-in/code")
            )
        except ApiError as exc:
            self.error = exc.message
            return
        if not self.code or code.get("code") != self.code.get("code"):
            self.code = code
            await self._load_qr(meeting_id)

    async def _load_qr(self, meeting_id: int) -> None:
        api = self.app.require_api()
        try:
            resp = await self.app.call(
                api.request(
                    "GET", f"/meetings/{meeting_id}/check-in/qr", params={"format": "png", "scale": 8}
                )
            )
            self.qr_png = resp.content
        except ApiError:
            self.qr_png = _local_qr((self.code or {}).get("qr_payload") or (self.code or {}).get("code", ""))

    def _take_sheet(self, asked: int, sheet: dict[str, Any]) -> bool:
        """Keep a sheet unless one asked for later has already arrived (a slow poll that left before a
        choice would put the old status back); True when what is kept changed."""
        if asked <= self._sheet_kept:
            return False
        changed, self.sheet, self._sheet_kept = sheet != self.sheet, sheet, asked
        return changed

    def _ask_sheet(self) -> int:
        self._sheet_asked += 1
        return self._sheet_asked

    async def load_attendance(self, meeting_id: int) -> bool:
        """Fetch the sheet; True when the one shown must be redrawn."""
        asked = self._ask_sheet()
        try:
            sheet = await self.app.call(self.app.require_api().get_json(f"/meetings/{meeting_id}/attendance"))
            self.error = None
            return self._take_sheet(asked, sheet)
        except ApiError as exc:
            self.error = exc.message
            return False

    async def mark(self, meeting_id: int, member_id: int, status: str | None) -> Outcome:
        asked = self._ask_sheet()
        try:
            resp = await self.app.call(
                self.app.require_api().request(
                    "PUT", f"/meetings/{meeting_id}/attendance/{member_id}", json={"status": status}
                )
            )
            self._take_sheet(asked, resp.json())
        except ApiError as exc:
            return Outcome(False, exc.message)
        return Outcome(True, "Đã cập nhật.")

    def row(self, member_id: int) -> dict[str, Any] | None:
        for row in (self.sheet or {}).get("items", []):
            if row.get("member_id") == member_id:
                return row
        return None

    async def set_status(self, meeting_id: int, member_id: int, status: str) -> Outcome:
        """Record the status the secretary chose for one member, remembering the one it replaces."""
        if status not in ATTENDANCE_CHOICES:
            return Outcome(False, "Trạng thái điểm danh không hợp lệ.")
        row = self.row(member_id) or {}
        name, before = row.get("full_name") or "Đảng viên", row.get("status")
        if before == status:  # choosing what is already recorded writes nothing, and leaves undo as it was
            return Outcome(True, f"{name}: vẫn là {attendance_label(status)}.")
        outcome = await self.mark(meeting_id, member_id, status)
        if not outcome.ok:
            return outcome
        self.last_change = AttendanceChange(member_id, name, before, status)
        return Outcome(True, f"Đã ghi {name}: {attendance_label(status)}.")

    async def undo(self, meeting_id: int) -> Outcome:
        """Put back what the last choice replaced (removing the record if there was none)."""
        change = self.last_change
        if change is None:
            return Outcome(False, "Không có thay đổi nào để hoàn tác.")
        outcome = await self.mark(meeting_id, change.member_id, change.before)
        if not outcome.ok:
            return outcome  # kept, so the secretary can try again
        self.last_change = None
        return Outcome(True, f"Đã hoàn tác: {change.full_name} trở lại {attendance_label(change.before)}.")

    async def load_requests(self, meeting_id: int) -> None:
        try:
            self.requests = await self.app.call(
                self.app.require_api().get_json(f"/meetings/{meeting_id}/absence-requests")
            )
        except ApiError as exc:
            self.error = exc.message

    async def decide(self, meeting_id: int, request_id: int, approve: bool) -> Outcome:
        try:
            await self.app.call(
                self.app.require_api().post_json(
                    f"/meetings/{meeting_id}/absence-requests/{request_id}/decision", {"approve": approve}
                )
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        await self.load_requests(meeting_id)
        return Outcome(True, "Đã chấp thuận." if approve else "Đã từ chối.")

    async def load_minutes(self, meeting_id: int) -> None:
        try:
            self.minutes = await self.app.call(
                self.app.require_api().get_json(f"/meetings/{meeting_id}/minutes")
            )
        except ApiError as exc:
            self.error = exc.message

    async def save_minutes(self, meeting_id: int, text: str, publish: bool) -> Outcome:
        if not text.strip():
            return Outcome(False, "Biên bản đang trống.")
        try:
            resp = await self.app.call(
                self.app.require_api().request(
                    "PUT", f"/meetings/{meeting_id}/minutes", json={"text": text, "publish": publish}
                )
            )
            self.minutes = resp.json()
        except ApiError as exc:
            return Outcome(False, exc.message)
        return Outcome(True, "Đã công bố biên bản." if publish else "Đã lưu biên bản.")

    async def add_resolution(self, meeting_id: int, title: str, votes: tuple[str, str, str]) -> Outcome:
        try:
            v_for, v_against, v_abstain = (int(v or 0) for v in votes)
        except ValueError:
            return Outcome(False, "Số phiếu phải là số.")
        if len(title.strip()) < 2:
            return Outcome(False, "Vui lòng nhập tên nghị quyết.")
        body: dict[str, Any] = {
            "title": title.strip(),
            "votes_for": v_for,
            "votes_against": v_against,
            "votes_abstain": v_abstain,
        }
        try:
            res = await self.app.call(
                self.app.require_api().post_json(f"/meetings/{meeting_id}/resolutions", body)
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        result = compute_vote(
            res["votes_for"], res["votes_against"], res["votes_abstain"], res.get("base", 0)
        )
        await self.load_minutes(meeting_id)
        return Outcome(True, result.words)

    async def close_meeting(self, meeting_id: int) -> Outcome:
        try:
            await self.app.call(self.app.require_api().post_json(f"/meetings/{meeting_id}/close"))
        except ApiError as exc:
            return Outcome(False, exc.message)
        return Outcome(True, "Đã kết thúc buổi sinh hoạt; người chưa điểm danh được ghi vắng.")

    async def load_unread(self, meeting: dict[str, Any]) -> None:
        """For each document on the agenda: how many of the cell have read it and who has not yet.

        One request for all the agenda's documents (GET /documents/read-rates); a document the server
        leaves out (not visible to the secretary) is not shown. When the request fails, what was shown stays.
        """
        doc_ids = sorted({d for item in meeting.get("agenda") or [] for d in item.get("document_ids") or []})
        org_id = meeting.get("org_id") or self.cell_id
        if not doc_ids or org_id is None:
            self.unread, self.read_rates = {}, {}
            return
        unread: dict[int, list[str]] = {}
        rates: dict[int, tuple[int, int]] = {}
        for start in range(0, len(doc_ids), READ_RATES_BATCH):  # one request unless the agenda is huge
            try:
                data = await self.app.call(
                    self.app.require_api().get_json(
                        "/documents/read-rates",
                        params={"org_id": org_id, "document_id": doc_ids[start : start + READ_RATES_BATCH]},
                    )
                )
            except ApiError:
                return
            for item in DocumentReadRatesPublic.model_validate(data).items:
                unread[item.document_id] = [m.full_name for m in item.unread]
                rates[item.document_id] = (item.read, item.members)
        self.unread, self.read_rates = unread, rates

    async def load_agenda(self, meeting: dict[str, Any]) -> None:
        """Per agenda item, in one request: its documents' rates, who has not read them, and whether the
        reading reminder went out. A server without the route (older than the client) answers 404: the
        per-document rates are shown then. When the request fails, what was shown stays."""
        meeting_id = meeting.get("id")
        if meeting_id is None or not any(i.get("document_ids") for i in meeting.get("agenda") or []):
            self.agenda, self.unread, self.read_rates = [], {}, {}
            return
        try:
            answer = await self.app.call(self.app.require_api().agenda_unread(int(meeting_id)))
        except ApiError as exc:
            if exc.status == 404 and exc.code != "meeting_not_found":
                self.agenda = []
                await self.load_unread(meeting)
            return
        unread: dict[int, list[str]] = {}
        rates: dict[int, tuple[int, int]] = {}
        for item in answer.items:
            for doc in item.documents:
                unread[doc.document_id] = [m.full_name for m in doc.unread]
                rates[doc.document_id] = (doc.read, doc.members)
        self.agenda, self.unread, self.read_rates = answer.items, unread, rates

    def agenda_item(self, position: int) -> AgendaItemUnread | None:
        return next((i for i in self.agenda if i.position == position), None)

    async def remind(self, meeting_id: int, position: int) -> Outcome:
        """Send the item's one reading reminder to those who have not read its documents."""
        item = self.agenda_item(position)
        if item is not None and item.reminded_at is not None:
            return Outcome(False, REMINDED)
        try:
            sent = await self.app.call(self.app.require_api().remind_agenda(meeting_id, position))
        except ApiError as exc:
            if exc.code == "agenda_reminder_sent" and item is not None:  # another device sent it first
                item.reminded_at = self._now()
            return Outcome(False, exc.message)
        if item is not None:
            item.reminded_at = sent.reminded_at
        return Outcome(True, f"Đã gửi nhắc đọc tới {sent.notified} đảng viên chưa đọc.")

    async def export_attendance(self, meeting_id: int, fmt: str = "xlsx") -> tuple[str, bytes]:
        """The attendance sheet to hand in (Vietnamese headers, dd/mm/yyyy): (file name, bytes)."""
        resp = await self.app.call(
            self.app.require_api().request(
                "GET", f"/meetings/{meeting_id}/attendance/export", params={"format": fmt}
            )
        )
        name = f"diem-danh-{meeting_id}.{fmt}"
        disposition = resp.headers.get("content-disposition", "")
        if "filename=" in disposition:
            name = disposition.split("filename=", 1)[1].split(";")[0].strip('" ') or name
        return name, resp.content

    async def load_stats(self) -> None:
        if self.cell_id is None:
            return
        try:
            self.stats = await self.app.call(self.app.require_api().get_json(f"/stats/cells/{self.cell_id}"))
        except ApiError as exc:
            self.error = exc.message


def _local_qr(payload: str) -> bytes | None:
    """A QR drawn here when the server cannot send one (segno is pure Python)."""
    if not payload:
        return None
    try:
        import io

        import segno
    except ImportError:
        return None
    buf = io.BytesIO()
    segno.make(payload, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()
