"""The year-end self-review (bản kiểm điểm cá nhân, Quy định 124-QĐ/TW Điều 12) on the client.

The member's review is written and sent through the outbox as the offline action `review.save` (one path
online or not) and comes back as the `self_review` entity of the feed, with the year's facts as the server
counted them; what still waits in the outbox is shown over it. The cell's proposal, the committee's decision
and the exemptions are made online (docs/year.md, section 3); the server's cap warnings are said as they come.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from client import review_api
from client.api import ApiError, OfflineError
from client.state.app import AppState
from client.state.meetings import Outcome
from client.state.year import SAVED_OFFLINE, _Sender, this_year
from client.state.year import status_words as commitment_status
from shared.enums import Role
from shared.schemas.review import (
    NOTE_MAX,
    REASON_MIN,
    REVIEW_LEVEL_LABELS,
    REVIEW_STATUS_LABELS,
    SECTION_MAX,
    CapWarning,
    ReviewConfirmation,
    ReviewExemption,
    ReviewProposal,
    ReviewPublic,
    ReviewRow,
    ReviewStatus,
    ReviewSummary,
)

log = logging.getLogger(__name__)

SAVE = "review.save"  # {"year", "strengths", "shortcomings", "causes", "direction", "self_level", "submit"}
SECTIONS: list[tuple[str, str]] = [
    ("strengths", "Ưu điểm"),
    ("shortcomings", "Hạn chế, khuyết điểm"),
    ("causes", "Nguyên nhân"),
    ("direction", "Phương hướng khắc phục"),
]
LEVELS: list[tuple[str, str]] = [(level.value, label) for level, label in REVIEW_LEVEL_LABELS.items()]
LEVEL_WORDS = dict(LEVELS)
NOT_WRITTEN = "Chưa viết"
OFFLINE_LOAD = "Chưa có mạng nên chưa tải được: vui lòng kiểm tra mạng rồi bấm Làm mới."
OWN = ("Đồng chí không tự đề xuất mức xếp loại cho bản kiểm điểm của mình: một đồng chí khác trong cấp ủy "
       "chi bộ sẽ làm việc này.")


def status_words(status: str | None) -> str:
    if status is None:
        return NOT_WRITTEN
    try:
        return REVIEW_STATUS_LABELS[ReviewStatus(status)]
    except ValueError:
        return str(status)


def level_words(level: str | None) -> str:
    return LEVEL_WORDS.get(level or "", "Chưa xếp loại")


def review_years(state: Any) -> list[int]:
    """The server takes a review of this year or, written late, of last year (Vietnam time)."""
    year = this_year(state._now())
    return [year - 1, year]


def fact_lines(facts: dict[str, Any] | None) -> list[str]:
    """The year's facts in plain sentences, for the top of the form and the cell's reading of it."""
    if not facts:
        return []
    m = facts.get("meetings") or {}
    lines = [
        f"Sinh hoạt chi bộ: {m.get('held', 0)} buổi đã tổ chức; có mặt {m.get('present', 0)}, "
        f"đến muộn {m.get('late', 0)}, vắng có lý do {m.get('excused', 0)}, "
        f"vắng không lý do {m.get('absent', 0)}."
    ]
    c = facts.get("commitment")
    if c:
        lines.append(f"Đăng ký làm theo: {commitment_status(c.get('status')).lower()}, {c.get('items', 0)} "
                     f"mục cam kết, {c.get('with_results', 0)} mục đã ghi kết quả.")
    else:
        lines.append("Đăng ký làm theo: chưa có bản đăng ký năm này.")
    for other in facts.get("others") or []:
        line = f"{other.get('label')}: {other.get('value')}"
        if other.get("detail"):
            line += f" ({other['detail']})"
        lines.append(line + ".")
    return lines


def warning_words(warnings: list[CapWarning] | list[dict[str, Any]]) -> list[str]:
    out = []
    for w in warnings:
        data = w.model_dump() if isinstance(w, CapWarning) else w
        out.append(str(data.get("message") or (
            f"Số đảng viên \"Hoàn thành xuất sắc nhiệm vụ\" ({data.get('excellent')}) vượt tỷ lệ cho phép "
            f"({data.get('allowed')}) so với số \"Hoàn thành tốt nhiệm vụ\" ({data.get('good')}).")))
    return out


@dataclass
class ReviewDraft:
    strengths: str = ""
    shortcomings: str = ""
    causes: str = ""
    direction: str = ""
    self_level: str | None = None

    def get(self, name: str) -> str:
        return str(getattr(self, name) or "")


class MyReviewState(_Sender):
    """The signed-in member's review of one year (this year unless chosen)."""

    def __init__(self, app: AppState, year: int | None = None):
        self.app = app
        self.year = year or this_year(self._now())
        self.draft = ReviewDraft()
        self.editing_for: Any = None
        self.error: str | None = None

    def years(self) -> list[int]:
        return review_years(self)

    def set_year(self, year: int) -> None:
        self.year = int(year)
        self.editing_for = None
        self.error = None

    def _cache_key(self) -> str:
        return f"review_mine:{self.year}"

    async def load(self) -> None:
        """The form with the year's facts from the server; kept on the device for when the network is gone."""
        self.error = None
        store = self.app.store
        try:
            got = await self.app.call(review_api.my_review(self.app.require_api(), self.year))
        except OfflineError:
            if self.review() is None:
                self.error = OFFLINE_LOAD
            return
        except ApiError as exc:
            self.error = exc.message
            return
        data = got.model_dump(mode="json")
        if store is not None:
            store.set_meta(self._cache_key(), data)
            if got.id is not None:
                store.put("self_review", got.id, data)
        self.app.notify("data")

    async def _fetch(self, payload: dict[str, Any]) -> None:
        """A server without the feed: read the saved review back."""
        await self.load()

    def review(self) -> dict[str, Any] | None:
        """The review as the server last told this device: the feed's entity, or the form fetched."""
        store, me = self.app.store, self.app.me
        if store is None or me is None:
            return None
        mine = [r for r in store.all("self_review") if r.get("year") == self.year
                and (me.member_id is None or r.get("member_id") == me.member_id)]
        cached = store.get_meta(self._cache_key())
        if mine:
            entity = mine[-1]
            if cached and cached.get("id") == entity.get("id") and str(cached.get("updated_at") or "") > str(
                    entity.get("updated_at") or ""):
                return dict(cached)
            if not entity.get("facts") and cached:
                return {**entity, "facts": cached.get("facts")}
            return dict(entity)
        return dict(cached) if cached else None

    def facts(self) -> dict[str, Any] | None:
        r = self.review()
        return (r or {}).get("facts")

    def _pending_save(self) -> Any:
        saves = [i for i in self._outbox(SAVE)
                 if i.status == "pending" and i.payload.get("year") == self.year]
        return saves[-1] if saves else None

    def status(self) -> str | None:
        """The status as it will be once what waits on this device is sent."""
        r = self.review() or {}
        status = r.get("status") if r.get("id") is not None else None
        pending = self._pending_save()
        if pending is not None and status in (None, "draft", "submitted"):
            return "submitted" if pending.payload.get("submit") or status == "submitted" else "draft"
        return status

    def status_words(self) -> str:
        return status_words(self.status())

    @property
    def editable(self) -> bool:
        return self.status() in (None, "draft", "submitted")

    def locked_reason(self) -> str | None:
        status, r = self.status(), self.review() or {}
        if status == "proposed":
            return "Chi bộ đã đề xuất mức xếp loại nên bản kiểm điểm không sửa được nữa."
        if status == "confirmed":
            return "Cấp ủy đã quyết định mức xếp loại nên bản kiểm điểm không sửa được nữa."
        if status == "exempt":
            reason = r.get("exempt_reason")
            return ("Đồng chí được miễn kiểm điểm, xếp loại năm nay" + (f" ({reason})" if reason else "")
                    + ": không cần viết bản kiểm điểm.")
        return None

    def notice(self) -> Outcome | None:
        year = self.year
        return self._last_word(SAVE, lambda p: p.get("year") == year)

    def shown(self) -> dict[str, Any]:
        """The sections and level as the member last wrote them: the pending save's, else the server's."""
        pending = self._pending_save()
        if pending is not None:
            return dict(pending.payload)
        return self.review() or {}

    def levels(self) -> list[tuple[str, str]]:
        """What the cell proposed and the committee decided, once they have."""
        r = self.review() or {}
        out = []
        if r.get("self_level"):
            out.append(("Tự xếp loại", level_words(r["self_level"])))
        if r.get("proposed_level"):
            out.append(("Chi bộ đề xuất", level_words(r["proposed_level"])
                        + (f" — {r['proposed_note']}" if r.get("proposed_note") else "")))
        if r.get("confirmed_level"):
            out.append(("Cấp ủy quyết định", level_words(r["confirmed_level"])
                        + (f" — {r['confirmed_note']}" if r.get("confirmed_note") else "")))
        return out

    # --- the editor ------------------------------------------------------------------------------------

    def start_editing(self) -> None:
        """Fill the editor from what is shown, once per state of the review (a redraw keeps the typing)."""
        pending = self._pending_save()
        r = self.review() or {}
        key = (self.year, pending.client_id if pending else r.get("updated_at"), r.get("id"))
        if self.editing_for == key:
            return
        self.editing_for = key
        s = self.shown()
        self.draft = ReviewDraft(**{name: s.get(name) or "" for name, _ in SECTIONS},
                                 self_level=s.get("self_level"))

    def set_section(self, name: str, text: str) -> None:
        if name in dict(SECTIONS):
            setattr(self.draft, name, text)

    def set_level(self, level: str | None) -> None:
        self.draft.self_level = level if level in LEVEL_WORDS else None

    def _checked(self, submit: bool) -> tuple[dict[str, Any] | None, str | None]:
        body: dict[str, Any] = {"year": self.year}
        for name, label in SECTIONS:
            text = self.draft.get(name).strip()
            if len(text) > SECTION_MAX:
                return None, (f"Phần \"{label}\" dài {len(text)} ký tự, quá {SECTION_MAX}: "
                              "vui lòng viết gọn lại.")
            body[name] = text or None
        body["self_level"] = self.draft.self_level
        if submit or self.status() == "submitted":
            needed = (("mức tự xếp loại", body["self_level"]), ("ưu điểm", body["strengths"]),
                      ("hạn chế, khuyết điểm", body["shortcomings"]))
            missing = [label for label, value in needed if not value]
            if missing:
                return None, f"Vui lòng ghi {', '.join(missing)} trước khi gửi chi bộ."
        body["submit"] = submit
        return body, None

    async def save(self, submit: bool = False) -> Outcome:
        """Keep the review as a draft, or send it to the cell (`submit`); offline both wait in the outbox."""
        if self.year not in self.years():
            return Outcome(False, f"Chỉ viết bản kiểm điểm năm {self.years()[1]} hoặc năm "
                                  f"{self.years()[0]}: vui lòng chọn lại năm.")
        locked = self.locked_reason()
        if locked:
            return Outcome(False, locked)
        payload, problem = self._checked(submit)
        if payload is None:
            return Outcome(False, problem or "")
        if submit and self.status() != "submitted":
            done = "Đã gửi bản kiểm điểm tới chi bộ."
        else:
            done = "Đã lưu thay đổi." if self.status() == "submitted" else "Đã lưu bản nháp."
        outcome = await self._send(SAVE, payload, done)
        if outcome.ok or outcome.queued:
            self.editing_for = None
        return outcome


# ---- the cell and the committee -------------------------------------------------------------------------


@dataclass
class CellMember:
    member_id: int
    full_name: str
    review: ReviewRow | None = None

    @property
    def status(self) -> str | None:
        return self.review.status.value if self.review else None


@dataclass
class ReviewDesk:
    """What the secretary's or the staff's screens hold: the list, one opened review, the last warnings."""

    rows: list[ReviewRow] = field(default_factory=list)
    opened: ReviewPublic | None = None
    warnings: list[str] = field(default_factory=list)


class ReviewsState:
    """The cell's reviews for its leaders (`cell`), or the subtree's for committee staff (`staff`)."""

    def __init__(self, app: AppState, year: int | None = None, *, staff: bool = False):
        self.app = app
        self.staff = staff
        self.year = year or this_year(app.config.clock())
        self.desk = ReviewDesk()
        self.members: list[CellMember] = []
        self.summary: ReviewSummary | None = None
        self.error: str | None = None
        self.level: str | None = None
        self.note = ""

    def _now(self) -> Any:
        return self.app.config.clock()

    def years(self) -> list[int]:
        return review_years(self)

    @property
    def org_id(self) -> int | None:
        if not self.staff:
            cells = self.app.led_cell_ids
            return cells[0] if cells else None
        me = self.app.me
        for grant in (me.roles if me else []):
            if grant.role in (Role.staff, Role.admin) and grant.organization:
                return grant.organization.id
        return None

    async def _call(self, coro: Any) -> Any:
        try:
            return await self.app.call(coro)
        except OfflineError:
            self.error = OFFLINE_LOAD
        except ApiError as exc:
            self.error = exc.message
        return None

    async def load(self) -> None:
        """The list (and for a cell, who has not sent; for staff, the distribution by cell)."""
        self.error = None
        org = self.org_id
        if org is None:
            self.error = ("Chỉ cán bộ cấp ủy mới xem được số liệu này." if self.staff else
                          "Chỉ bí thư, phó bí thư, chi ủy viên mới xem được danh sách này.")
            return
        api = self.app.require_api()
        page = await self._call(review_api.list_reviews(api, self.year, org_id=org))
        if page is None:
            return
        self.desk.rows = sorted(page.items, key=lambda r: (str(r.full_name or ""), r.id))
        if self.staff:
            self.summary = await self._call(review_api.summary(api, org, self.year))
            return
        overview = await self._call(api.cell_commitments(org, self.year))  # every member now in the cell
        by_member = {r.member_id: r for r in self.desk.rows}
        people = [(m.member_id, m.full_name) for m in overview.members] if overview else []
        people += [(r.member_id, r.full_name or "") for r in self.desk.rows
                   if r.member_id not in {p for p, _ in people}]
        self.members = [CellMember(mid, name, by_member.get(mid)) for mid, name in people]

    def groups(self) -> list[tuple[str, list[CellMember]]]:
        order = [("submitted", "Đã gửi, chờ chi bộ đề xuất"), ("proposed", "Chi bộ đã đề xuất"),
                 ("confirmed", "Cấp ủy đã quyết định"), ("exempt", "Miễn kiểm điểm, xếp loại"),
                 (None, "Chưa gửi bản kiểm điểm")]
        return [(title, [m for m in self.members if m.status == key]) for key, title in order]

    def counts_words(self) -> str:
        n = len(self.members)
        sent = sum(1 for m in self.members if m.status in ("submitted", "proposed", "confirmed"))
        exempt = sum(1 for m in self.members if m.status == "exempt")
        return f"{n} đảng viên: {sent} đã gửi bản kiểm điểm, {exempt} được miễn, {n - sent - exempt} chưa gửi"

    # --- one review --------------------------------------------------------------------------------------

    async def open(self, review_id: int) -> ReviewPublic | None:
        self.error = None
        got = await self._call(review_api.get_review(self.app.require_api(), review_id))
        if got is not None:
            self.desk.opened = got
            level = got.confirmed_level if self.staff else got.proposed_level
            level = level or got.proposed_level or got.self_level
            self.level = level.value if level else None
            note = got.confirmed_note if self.staff else got.proposed_note
            self.note = note or ""
        return self.desk.opened

    def is_own(self) -> bool:
        r, me = self.desk.opened, self.app.me
        return bool(r and me and me.member_id is not None and r.member_id == me.member_id)

    def can_decide(self) -> bool:
        r = self.desk.opened
        if r is None or r.status is None:
            return False
        if self.staff:
            return r.status.value in ("proposed", "confirmed")
        return r.status.value in ("submitted", "proposed") and not self.is_own()

    async def decide(self) -> Outcome:
        """The cell's proposal (a cell leader) or the committee's decision (staff); warnings never block."""
        r = self.desk.opened
        if r is None or r.id is None:
            return Outcome(False, "Chưa mở được bản kiểm điểm: vui lòng bấm Làm mới.")
        if not self.staff and self.is_own():
            return Outcome(False, OWN)
        if self.level not in LEVEL_WORDS:
            return Outcome(False, "Vui lòng chọn một trong bốn mức xếp loại.")
        note = " ".join(self.note.split())
        if len(note) > NOTE_MAX:
            return Outcome(False, f"Nhận xét tối đa {NOTE_MAX} ký tự: vui lòng viết gọn lại.")
        api = self.app.require_api()
        self.error = None
        if self.staff:
            body_c = ReviewConfirmation.model_validate({"level": self.level, "note": note or None})
            got = await self._call(review_api.confirm(api, r.id, body_c))
            done = f"Đã quyết định: {level_words(self.level)}."
        else:
            body_p = ReviewProposal.model_validate({"level": self.level, "note": note or None})
            got = await self._call(review_api.propose(api, r.id, body_p))
            done = f"Chi bộ đã đề xuất: {level_words(self.level)}."
        if got is None:
            return Outcome(False, self.error or "Máy chủ không nhận thao tác này.")
        self.desk.warnings = warning_words(got.warnings)
        if got.facts is None and self.desk.opened is not None:
            got = got.model_copy(update={"facts": self.desk.opened.facts})
        self.desk.opened = got
        return Outcome(True, done)

    async def exempt(self, member_id: int, reason: str, exempt: bool = True) -> Outcome:
        """Mark a member of the cell exempt for the year, with the reason, or lift it."""
        reason = " ".join((reason or "").split())
        if exempt and len(reason) < REASON_MIN:
            return Outcome(False, "Vui lòng ghi lý do miễn (ví dụ: miễn sinh hoạt vì tuổi cao, sức yếu).")
        if len(reason) > NOTE_MAX:
            return Outcome(False, f"Lý do tối đa {NOTE_MAX} ký tự: vui lòng viết gọn lại.")
        body = ReviewExemption(member_id=member_id, year=self.year, exempt=exempt, reason=reason or None)
        self.error = None
        got = await self._call(review_api.set_exemption(self.app.require_api(), body))
        if got is None:
            return Outcome(False, self.error or "Máy chủ không nhận thao tác này.")
        await self.load()
        return Outcome(True, "Đã ghi miễn kiểm điểm, xếp loại." if exempt else "Đã bỏ miễn kiểm điểm.")

    async def export(self, fmt: str = "xlsx") -> tuple[str, bytes]:
        org = self.org_id
        if org is None:
            raise ApiError(403, "not_committee_staff", "Chỉ cán bộ cấp ủy mới xuất được danh sách này.")
        return await self.app.call(review_api.export(self.app.require_api(), org, self.year, fmt))

    # --- the distribution (staff) ------------------------------------------------------------------------

    def summary_warnings(self) -> list[str]:
        s = self.summary
        if s is None:
            return []
        found = list(s.totals.warnings)
        for c in s.cells:
            found += c.warnings
        return list(dict.fromkeys(warning_words(found)))


__all__ = ["SAVED_OFFLINE", "MyReviewState", "ReviewsState", "SAVE", "LEVELS", "SECTIONS"]
