"""Staff set up a study check (kiểm tra nhận thức) in the app: the document it is on, its questions, the time
limit, the window, whether the score shows at once and the audience; checked here first, each fault said
next to its field, then sent as the shared request schemas.

The server's rules, mirrored so the form refuses before sending: 5-30 questions of 2-6 options, each with a
text and at least one correct option (exactly one when single-choice), a limit of 1-240 minutes, the close
after the opening. Before its opening a check can be changed in full; once open only its title and a later
close (the server answers 409 `quiz_opened` to anything else), so the form then offers just those two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from client import study_api
from client.api import ApiError, OfflineError
from client.format import day_input, local_input_to_utc, picked_day, picked_time, time_input, to_local
from client.state.app import AppState
from client.state.meetings import Outcome
from client.state.staff import StaffState, tree_order
from shared.schemas.documents import DocumentSummary
from shared.schemas.study import (
    OPTIONS_MAX,
    OPTIONS_MIN,
    QUESTIONS_MAX,
    QUESTIONS_MIN,
    TIME_LIMIT_MAX,
    TIME_LIMIT_MIN,
    QuestionIn,
    StudyCheckCreate,
    StudyCheckPublic,
    StudyCheckUpdate,
)

OPENS_AT = time(7, 0)  # a new check opens the next morning and stays open a week (to the evening)
CLOSES_AT = time(21, 0)
OPEN_DAYS = 7
NEED_NETWORK = "Chưa có mạng nên chưa lưu được bài kiểm tra: vui lòng thử lại khi có mạng."
CHECK_ERRORS = "Bài kiểm tra còn chỗ chưa đúng (ghi ngay dưới từng mục): vui lòng sửa rồi lưu lại."
OPENED = (
    "Bài kiểm tra đã mở lúc {opens}: đảng viên đã có thể làm bài, nên không đổi được câu hỏi, đối tượng, "
    "thời gian làm bài hay giờ mở nữa. Chỉ sửa được tên bài và lùi giờ đóng."
)

# What the server's refusals become (its code -> what to do); other codes keep the server's own sentence.
REFUSALS = {
    "quiz_opened": "Bài kiểm tra đã mở nên chỉ sửa được tên bài và lùi giờ đóng: bấm Làm mới để xem bài như "
    "hiện tại rồi sửa lại.",
    "window_invalid": "Giờ đóng phải sau giờ mở: vui lòng chọn lại giờ đóng.",
    "audience_out_of_reach": "Đối tượng làm bài phải thuộc phạm vi đồng chí phụ trách: vui lòng chọn lại "
    "đối tượng.",
    "not_study_document": "Bài kiểm tra chỉ gắn với nghị quyết hoặc tài liệu học tập: vui lòng chọn văn bản "
    "khác.",
    "staff_only": "Chỉ cán bộ cấp ủy được tạo bài kiểm tra: nếu cần, hãy liên hệ văn phòng cấp ủy.",
    "not_check_manager": "Chỉ cán bộ cấp ủy phụ trách toàn bộ đối tượng của bài được sửa bài này: hãy "
    "liên hệ cấp ủy đã ra đề.",
    "study_check_not_found": "Không tìm thấy bài kiểm tra (có thể đã bị xóa): bấm Làm mới để xem danh sách.",
    "document_not_found": "Không tìm thấy văn bản (có thể đã bị thu hồi): vui lòng chọn văn bản khác.",
}


def refusal_words(exc: ApiError) -> str:
    return REFUSALS.get(exc.code, exc.message)


@dataclass
class QuestionDraft:
    """One question as the form holds it: `correct` are indexes into `options`."""

    text: str = ""
    multiple: bool = False
    options: list[str] = field(default_factory=lambda: ["", ""])
    correct: list[int] = field(default_factory=list)


class CheckEditor:
    """The form of one check: new on a document (`document_id`), or an existing one (`check_id`)."""

    def __init__(self, app: AppState, *, document_id: int | None = None, check_id: int | None = None):
        self.app = app
        self.document_id = document_id
        self.check_id = check_id
        self.check: StudyCheckPublic | None = None
        self.document: DocumentSummary | None = None
        self.documents: list[DocumentSummary] = []
        self.orgs: list[tuple[dict[str, Any], int]] = []  # the audience's choices, in tree order, with level
        self.error: str | None = None  # what loading could not do
        self.errors: dict[str, str] = {}  # field -> what is wrong with it
        self.title = ""
        self.minutes = "15"
        self.show_score = True
        own = StaffState(app).staff_org_id
        self.audience: set[int] = {own} if own else set()
        self.questions = [QuestionDraft() for _ in range(QUESTIONS_MIN)]
        first = to_local(self._now()).date() + timedelta(days=1)
        self.opens_day, self.opens_time = day_input(first), time_input(OPENS_AT)
        self.closes_day = day_input(first + timedelta(days=OPEN_DAYS))
        self.closes_time = time_input(CLOSES_AT)

    def _now(self) -> datetime:
        return self.app.config.clock()

    # --- loading ----------------------------------------------------------------------------------------

    async def _call(self, coro: Any) -> Any:
        try:
            return await self.app.call(coro)
        except OfflineError:
            self.error = "Chưa có mạng nên chưa tải được: vui lòng thử lại khi có mạng."
        except ApiError as exc:
            self.error = refusal_words(exc)
        return None

    async def load_documents(self) -> None:
        """The resolutions and study materials a check may be written on."""
        self.error = None
        found = await self._call(study_api.study_documents(self.app.require_api()))
        if found is not None:
            self.documents = found

    async def load(self) -> None:
        """The check being edited (its questions and key: staff managing it see both), the document, and the
        organisations the audience is chosen from."""
        self.error = None
        api = self.app.require_api()
        if self.check_id is not None:  # each time ("Làm mới" after a refusal shows the check as it now is)
            check = await self._call(study_api.get_check(api, self.check_id))
            if check is None:
                return
            self.fill(check)
        if self.document_id is not None and self.document is None:
            doc = await self._call(api.get_model(f"/documents/{self.document_id}", DocumentSummary))
            self.document = doc
        staff = StaffState(self.app)
        await staff.load_orgs()
        self.orgs = tree_order(staff.orgs)

    def fill(self, check: StudyCheckPublic) -> None:
        self.check, self.document_id = check, check.document_id
        self.title, self.minutes = check.title, str(check.time_limit_minutes)
        self.show_score = check.show_score
        self.audience = set(check.audience_org_ids)
        self.questions = [
            QuestionDraft(q.text, q.multiple, list(q.options), list(q.correct or [])) for q in check.questions
        ]
        opens, closes = to_local(check.opens_at), to_local(check.closes_at)
        self.opens_day, self.opens_time = day_input(opens.date()), time_input(opens.time())
        self.closes_day, self.closes_time = day_input(closes.date()), time_input(closes.time())

    @property
    def document_title(self) -> str:
        if self.document is not None:
            return self.document.title
        return f"Văn bản số {self.document_id}" if self.document_id else ""

    def org_name(self, org_id: int) -> str:
        found = next((o for o, _ in self.orgs if o.get("id") == org_id), None)
        return str(found["name"]) if found else f"Tổ chức số {org_id}"

    def audience_words(self) -> str:
        if not self.audience:
            return "Chưa chọn đối tượng."
        names = ", ".join(self.org_name(i) for i in sorted(self.audience))
        return f"Đối tượng: {names} (cả các chi bộ trực thuộc)"

    # --- what may change --------------------------------------------------------------------------------

    @property
    def opened(self) -> bool:
        """Open already: the server now takes only a new title and a later close."""
        return self.check is not None and self._now() >= self.check.opens_at.astimezone(UTC)

    def locked_words(self) -> str:
        if not self.opened or self.check is None:
            return ""
        opens = to_local(self.check.opens_at).strftime("%H:%M ngày %d/%m/%Y")
        return OPENED.format(opens=opens)

    # --- the questions ----------------------------------------------------------------------------------

    def add_question(self) -> None:
        if len(self.questions) < QUESTIONS_MAX:
            self.questions.append(QuestionDraft())

    def remove_question(self, index: int) -> None:
        if 0 <= index < len(self.questions):
            del self.questions[index]

    def move_question(self, index: int, by: int) -> None:
        to = index + by
        if 0 <= index < len(self.questions) and 0 <= to < len(self.questions):
            self.questions[index], self.questions[to] = self.questions[to], self.questions[index]

    def add_option(self, index: int) -> None:
        q = self.questions[index]
        if len(q.options) < OPTIONS_MAX:
            q.options.append("")

    def remove_option(self, index: int, option: int) -> None:
        q = self.questions[index]
        if len(q.options) <= OPTIONS_MIN or not 0 <= option < len(q.options):
            return
        del q.options[option]
        q.correct = sorted(c - (c > option) for c in q.correct if c != option)

    def set_multiple(self, index: int, on: bool) -> None:
        q = self.questions[index]
        q.multiple = on
        if not on and len(q.correct) > 1:
            q.correct = q.correct[:1]

    def set_correct(self, index: int, option: int, on: bool = True) -> None:
        """Tick an option right (single choice: it alone) or untick it."""
        q = self.questions[index]
        if not q.multiple:
            q.correct = [option] if on else [c for c in q.correct if c != option]
            return
        chosen = set(q.correct)
        if on:
            chosen.add(option)
        else:
            chosen.discard(option)
        q.correct = sorted(chosen)

    # --- checking and sending ---------------------------------------------------------------------------

    def _window(self) -> tuple[datetime | None, datetime | None]:
        opens = closes = None
        try:
            opens = local_input_to_utc(self.opens_day, self.opens_time).astimezone(UTC)
        except ValueError as exc:
            self.errors["opens"] = f"Giờ mở: {exc}"
        try:
            closes = local_input_to_utc(self.closes_day, self.closes_time).astimezone(UTC)
        except ValueError as exc:
            self.errors["closes"] = f"Giờ đóng: {exc}"
        for key, value in (("opens", opens), ("closes", closes)):
            if value is not None and not 2000 <= value.year <= 2100:
                self.errors[key] = "Năm phải trong khoảng 2000-2100: vui lòng kiểm tra lại ngày."
        if opens is not None and closes is not None and closes <= opens:
            self.errors["closes"] = "Giờ đóng phải sau giờ mở: vui lòng chọn lại giờ đóng."
        elif closes is not None and closes <= self._now() and "closes" not in self.errors:
            self.errors["closes"] = "Giờ đóng đã qua: vui lòng chọn một thời điểm sắp tới."
        return opens, closes

    def _question_errors(self) -> None:
        n = len(self.questions)
        if not QUESTIONS_MIN <= n <= QUESTIONS_MAX:
            self.errors["questions"] = (
                f"Bài kiểm tra có từ {QUESTIONS_MIN} đến {QUESTIONS_MAX} câu hỏi (đang có {n}): vui lòng "
                + ("thêm câu hỏi." if n < QUESTIONS_MIN else "bớt câu hỏi.")
            )
        for i, q in enumerate(self.questions):
            filled = [o.strip() for o in q.options]
            said = None
            if len(q.text.strip()) < 2:
                said = "chưa có nội dung câu hỏi: vui lòng nhập."
            elif len(q.text.strip()) > 1000:
                said = "nội dung tối đa 1000 ký tự: vui lòng viết gọn lại."
            elif len(filled) < OPTIONS_MIN:
                said = f"cần ít nhất {OPTIONS_MIN} phương án: vui lòng thêm phương án."
            elif not all(filled):
                said = "có phương án để trống: vui lòng nhập hoặc xóa phương án đó."
            elif any(len(o) > 300 for o in filled):
                said = "mỗi phương án tối đa 300 ký tự: vui lòng viết gọn lại."
            elif not q.correct:
                said = "chưa chọn đáp án đúng: vui lòng đánh dấu phương án đúng."
            elif not q.multiple and len(q.correct) != 1:
                said = "câu một lựa chọn có đúng một đáp án đúng: vui lòng bỏ bớt."
            if said:
                self.errors[f"q{i}"] = f"Câu {i + 1}: {said}"

    def _minutes(self) -> int | None:
        try:
            minutes = int(self.minutes.strip())
        except ValueError:
            minutes = 0
        if not TIME_LIMIT_MIN <= minutes <= TIME_LIMIT_MAX:
            self.errors["minutes"] = (
                f"Thời gian làm bài là số phút, từ {TIME_LIMIT_MIN} đến {TIME_LIMIT_MAX}: vui lòng nhập lại."
            )
            return None
        return minutes

    def _title(self) -> str:
        title = " ".join(self.title.split())
        if not 2 <= len(title) <= 300:
            self.errors["title"] = "Vui lòng đặt tên bài kiểm tra (từ 2 đến 300 ký tự)."
        return title

    def build_create(self) -> StudyCheckCreate | None:
        """The request of a new check, or None with `errors` saying what to fix."""
        self.errors = {}
        title, minutes = self._title(), self._minutes()
        opens, closes = self._window()
        self._question_errors()
        if not self.audience:
            self.errors["audience"] = "Vui lòng chọn ít nhất một tổ chức làm bài."
        if self.document_id is None:
            self.errors["document"] = "Vui lòng chọn nghị quyết hoặc tài liệu học tập."
        if self.errors or minutes is None or opens is None or closes is None or self.document_id is None:
            return None
        return StudyCheckCreate(
            document_id=self.document_id,
            title=title,
            audience_org_ids=sorted(self.audience),
            questions=self._payload_questions(),
            time_limit_minutes=minutes,
            opens_at=opens,
            closes_at=closes,
            show_score=self.show_score,
        )

    def _payload_questions(self) -> list[QuestionIn]:
        return [
            QuestionIn(
                text=q.text.strip(),
                multiple=q.multiple,
                options=[o.strip() for o in q.options],
                correct=sorted(q.correct),
            )
            for q in self.questions
        ]

    def build_update(self) -> StudyCheckUpdate | None:
        """The PATCH of the check being edited: in full before its opening; once open only the title and a
        close no earlier than the present one (what the server allows)."""
        assert self.check is not None
        if not self.opened:
            full = self.build_create()
            if full is None:
                return None
            return StudyCheckUpdate(**full.model_dump(exclude={"document_id"}))
        self.errors = {}
        title = self._title()
        _, closes = self._window()
        self.errors.pop("opens", None)  # the opening is fixed now: only the close is checked
        if closes is not None and closes < self.check.closes_at.astimezone(UTC):
            earlier = to_local(self.check.closes_at).strftime("%H:%M ngày %d/%m/%Y")
            self.errors["closes"] = (
                f"Bài đã mở nên chỉ lùi được giờ đóng: vui lòng chọn từ {earlier} trở đi."
            )
        if self.errors or closes is None:
            return None
        return StudyCheckUpdate(title=title, closes_at=closes)

    async def save(self) -> Outcome:
        body: StudyCheckCreate | StudyCheckUpdate | None
        body = self.build_create() if self.check is None else self.build_update()
        if body is None:
            return Outcome(False, CHECK_ERRORS)
        try:
            api = self.app.require_api()
            if isinstance(body, StudyCheckCreate):
                saved = await self.app.call(study_api.create_check(api, body))
            else:
                saved = await self.app.call(study_api.update_check(api, int(self.check_id or 0), body))
        except OfflineError:
            return Outcome(False, NEED_NETWORK)
        except ApiError as exc:
            return Outcome(False, refusal_words(exc))
        self.check, self.check_id = saved, saved.id
        return Outcome(True, "Đã lưu bài kiểm tra." if isinstance(body, StudyCheckUpdate)
                       else "Đã tạo bài kiểm tra; đảng viên sẽ nhận được khi đồng bộ.")

    async def delete(self) -> Outcome:
        """Delete the check while it has not opened (once open, members may be taking it: it stays)."""
        if self.check is None or self.check_id is None:
            return Outcome(False, "Bài kiểm tra chưa được lưu nên không có gì để xóa.")
        if self.opened:
            return Outcome(False, "Bài kiểm tra đã mở, có thể đảng viên đang làm bài, nên không xóa được: "
                                  "có thể lùi giờ đóng hoặc đổi tên bài.")
        try:
            api = self.app.require_api()
            await self.app.call(study_api.delete_check(api, int(self.check_id)))
        except OfflineError:
            return Outcome(False, "Chưa có mạng nên chưa xóa được bài kiểm tra: vui lòng thử lại sau.")
        except ApiError as exc:
            return Outcome(False, "Bài kiểm tra vừa mở nên không xóa được nữa."
                           if exc.code == "quiz_opened" else refusal_words(exc))
        return Outcome(True, "Đã xóa bài kiểm tra.")

    # --- the date and time pickers (typed or picked, the text fields are what is sent) ----------------

    @staticmethod
    def picker_day(day_text: str, fallback: date) -> date:
        try:
            return datetime.strptime(day_text.strip(), "%d/%m/%Y").date()
        except ValueError:
            return fallback

    @staticmethod
    def picker_time(time_text: str) -> time:
        return picked_time(time_text) or OPENS_AT

    def today(self) -> date:
        return to_local(self._now()).date()

    @staticmethod
    def day_text(value: Any) -> str | None:
        picked = picked_day(value)
        return None if picked is None else day_input(picked)

    @staticmethod
    def time_text(value: Any) -> str | None:
        picked = picked_time(value)
        return None if picked is None else time_input(picked)
