"""Wire schemas of study checks (bài kiểm tra nhận thức sau học tập nghị quyết) and bài thu hoạch.

Committee staff set a timed quiz on a document (a resolution or study material) for organisations of their
subtree; a member of that audience takes it once, online or queued offline (`study.attempt`), and the
score is computed on the server. After a study session a member hands in a written reflection (bài thu
hoạch) on the document (`study.essay`); the cell's secretary marks it received. The answer key
(`correct`) reaches a member only after they have answered, and only if the quiz shows scores at once
or once it has closed.
"""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, field_validator, model_validator

from shared.schemas.common import RequestSchema, Schema
from shared.text import nfc

ID_MAX = 2_147_483_647
DbId = Annotated[int, Field(ge=1, le=ID_MAX)]

QUESTIONS_MIN, QUESTIONS_MAX = 5, 30
OPTIONS_MIN, OPTIONS_MAX = 2, 6
TIME_LIMIT_MIN, TIME_LIMIT_MAX = 1, 240  # minutes
AUDIENCE_MAX = 50
ESSAY_MIN, ESSAY_MAX = 200, 20_000  # characters of a bài thu hoạch
REMARK_MAX = 2000


def _in_range(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("Thời điểm phải trong khoảng năm 2000-2100")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]


class QuestionIn(RequestSchema):
    text: str = Field(min_length=2, max_length=1000)
    multiple: bool = False  # nhiều lựa chọn đúng
    options: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=OPTIONS_MIN, max_length=OPTIONS_MAX
    )
    correct: list[Annotated[int, Field(ge=0, le=OPTIONS_MAX - 1)]] = Field(
        min_length=1, max_length=OPTIONS_MAX
    )

    @field_validator("text")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return nfc(value)

    @model_validator(mode="after")
    def _key(self) -> "QuestionIn":
        if len(set(self.correct)) != len(self.correct) or max(self.correct) >= len(self.options):
            raise ValueError("Đáp án đúng phải là số thứ tự của phương án (từ 0), không lặp lại")
        if not self.multiple and len(self.correct) != 1:
            raise ValueError("Câu hỏi một lựa chọn có đúng một đáp án đúng")
        return self


class _Window(RequestSchema):
    @model_validator(mode="after")
    def _order(self) -> "_Window":
        opens, closes = getattr(self, "opens_at", None), getattr(self, "closes_at", None)
        if opens is not None and closes is not None and closes <= opens:
            raise ValueError("Thời điểm đóng phải sau thời điểm mở")
        return self


class StudyCheckCreate(_Window):
    document_id: DbId
    title: str = Field(min_length=2, max_length=300)
    audience_org_ids: list[DbId] = Field(min_length=1, max_length=AUDIENCE_MAX)
    questions: list[QuestionIn] = Field(min_length=QUESTIONS_MIN, max_length=QUESTIONS_MAX)
    time_limit_minutes: int = Field(ge=TIME_LIMIT_MIN, le=TIME_LIMIT_MAX)
    opens_at: Instant
    closes_at: Instant
    show_score: bool = True  # điểm hiện ngay sau khi nộp (else after closes_at)


class StudyCheckUpdate(_Window):
    """Before opens_at anything; once open only the title and a later closes_at (409 `quiz_opened`)."""

    title: str | None = Field(default=None, min_length=2, max_length=300)
    audience_org_ids: list[DbId] | None = Field(default=None, min_length=1, max_length=AUDIENCE_MAX)
    questions: list[QuestionIn] | None = Field(
        default=None, min_length=QUESTIONS_MIN, max_length=QUESTIONS_MAX
    )
    time_limit_minutes: int | None = Field(default=None, ge=TIME_LIMIT_MIN, le=TIME_LIMIT_MAX)
    opens_at: Instant | None = None
    closes_at: Instant | None = None
    show_score: bool | None = None


class QuestionPublic(Schema):
    text: str
    multiple: bool
    options: list[str]
    correct: list[int] | None = None  # the key: None until the caller may see it


class AttemptCreate(RequestSchema):
    """One's answers: `answers[i]` lists the chosen option indexes of question i (empty: not answered).

    `started_at` and `answered_at` are the device's times (when the member opened the quiz and when they
    finished); the server checks them against the window, the time limit and its own clock."""

    started_at: Instant
    answered_at: Instant
    answers: list[
        Annotated[list[Annotated[int, Field(ge=0, le=OPTIONS_MAX - 1)]], Field(max_length=OPTIONS_MAX)]
    ] = Field(max_length=QUESTIONS_MAX)

    @model_validator(mode="after")
    def _order(self) -> "AttemptCreate":
        if self.answered_at < self.started_at:
            raise ValueError("Thời điểm trả lời phải sau thời điểm bắt đầu")
        return self


class StudyAttemptAction(AttemptCreate):
    """The offline `study.attempt`."""

    check_id: DbId


class AttemptPublic(Schema):
    id: int
    check_id: int
    member_id: int
    started_at: datetime
    answered_at: datetime
    submitted_at: datetime
    answers: list[list[int]]
    total: int
    score: int | None = None  # None until the caller may see it


class StudyCheckPublic(Schema):
    id: int
    document_id: int
    title: str
    audience_org_ids: list[int]
    time_limit_minutes: int
    opens_at: datetime
    closes_at: datetime
    show_score: bool
    # Empty for a member until opens_at (its managers always see them); `question_count` says how many.
    questions: list[QuestionPublic]
    question_count: int = 0
    key_shown: bool = False
    my_attempt: AttemptPublic | None = None
    created_at: datetime
    updated_at: datetime


class EssayCreate(RequestSchema):
    document_id: DbId
    text: str = Field(min_length=ESSAY_MIN, max_length=ESSAY_MAX)

    @field_validator("text")
    @classmethod
    def _nfc(cls, value: str) -> str:
        return nfc(value)


class EssayAction(EssayCreate):
    """The offline `study.essay` (its `made_at` is when the member finished writing)."""


class EssayReceive(RequestSchema):
    remark: str | None = Field(default=None, max_length=REMARK_MAX)


class EssayReceiveAction(EssayReceive):
    """The offline `study.essay_receive` (its `made_at` is when the cell leader marked it received)."""

    essay_id: DbId


class EssayPublic(Schema):
    id: int
    document_id: int
    member_id: int
    org_id: int
    full_name: str | None = None
    text: str
    written_at: datetime
    received_at: datetime | None = None
    received_by: int | None = None
    remark: str | None = None


class CellStudyFigures(Schema):
    cell_id: int
    name: str
    members: int  # đảng viên trong đối tượng
    taken: int  # đã làm bài
    average_score: float | None = None  # điểm trung bình, thang 10
    essays_received: int = 0  # bài thu hoạch đã nhận


class StudyFigures(Schema):
    check_id: int
    org_id: int
    cells: list[CellStudyFigures]
    totals: CellStudyFigures


class StudyCheckPage(Schema):
    items: list[StudyCheckPublic]
    total: int
    limit: int
    offset: int


class EssayPage(Schema):
    items: list[EssayPublic]
    total: int
    limit: int
    offset: int
