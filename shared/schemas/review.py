"""Wire schemas of the year-end self-review (bản kiểm điểm cá nhân cuối năm, Quy định 124-QĐ/TW Điều 12).

A member's form is pre-filled with the year's facts the server knows (meetings, studies, commitments, and
whatever other domains register: quizzes later); the member writes the sections, self-rates in one of four
levels and submits; the cell records its proposed level after the review meeting; the upper committee's
staff confirm the final level. Exempt members (miễn sinh hoạt) are marked, not rated. The same shape
travels as the offline action `review.save` and as the `self_review` entity of the sync feed (to its
member's devices only).
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from shared.schemas.common import RequestSchema, Schema
from shared.text import nfc

ID_MAX = 2_147_483_647
DbId = Annotated[int, Field(ge=1, le=ID_MAX)]
YEAR_MIN, YEAR_MAX = 2000, 2100
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="Năm kiểm điểm, ví dụ 2026")]
SECTION_MAX = 4000
NOTE_MAX = 1000
REASON_MIN = 2


class ReviewLevel(StrEnum):
    """The four levels of Quy định 124-QĐ/TW, Điều 12 (best first)."""

    excellent = "excellent"  # Hoàn thành xuất sắc nhiệm vụ
    good = "good"  # Hoàn thành tốt nhiệm vụ
    done = "done"  # Hoàn thành nhiệm vụ
    failed = "failed"  # Không hoàn thành nhiệm vụ


REVIEW_LEVEL_LABELS = {
    ReviewLevel.excellent: "Hoàn thành xuất sắc nhiệm vụ",
    ReviewLevel.good: "Hoàn thành tốt nhiệm vụ",
    ReviewLevel.done: "Hoàn thành nhiệm vụ",
    ReviewLevel.failed: "Không hoàn thành nhiệm vụ",
}


class ReviewStatus(StrEnum):
    draft = "draft"  # bản nháp: only its member sees it
    submitted = "submitted"  # đã gửi chi bộ: still editable until the cell rates it
    proposed = "proposed"  # chi bộ đã đề xuất mức xếp loại
    confirmed = "confirmed"  # cấp ủy cấp trên đã quyết định
    exempt = "exempt"  # miễn (miễn sinh hoạt, not rated)


REVIEW_STATUS_LABELS = {
    ReviewStatus.draft: "Bản nháp",
    ReviewStatus.submitted: "Đã gửi chi bộ",
    ReviewStatus.proposed: "Chi bộ đã đề xuất",
    ReviewStatus.confirmed: "Cấp ủy đã quyết định",
    ReviewStatus.exempt: "Miễn kiểm điểm, xếp loại",
}


def _clean_or_none(value: str | None) -> str | None:
    return (nfc(value).strip() or None) if value is not None else None


class ReviewSections(RequestSchema):
    """What the member writes; a blank section is empty."""

    strengths: str | None = Field(default=None, max_length=SECTION_MAX, description="Ưu điểm")
    shortcomings: str | None = Field(default=None, max_length=SECTION_MAX, description="Hạn chế, khuyết điểm")
    causes: str | None = Field(default=None, max_length=SECTION_MAX, description="Nguyên nhân")
    direction: str | None = Field(default=None, max_length=SECTION_MAX, description="Phương hướng khắc phục")
    self_level: ReviewLevel | None = Field(default=None, description="Tự nhận mức xếp loại")

    _n = field_validator("strengths", "shortcomings", "causes", "direction")(_clean_or_none)


class ReviewUpdate(ReviewSections):
    """The member's own review of a year, whole; `submit` sends it to the cell (needs a level and at least
    the strengths and shortcomings)."""

    submit: bool = Field(default=False, description="Gửi chi bộ (mặc định: lưu nháp)")


class ReviewSaveAction(ReviewUpdate):
    """`review.save` (offline): create or rewrite one's own review of `year`, maybe submitting it."""

    year: Year


class ReviewProposal(RequestSchema):
    """The cell's proposed level after the review meeting (bí thư, phó bí thư, chi ủy viên)."""

    level: ReviewLevel
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="Nhận xét của chi bộ")

    _n = field_validator("note")(_clean_or_none)


class ReviewConfirmation(RequestSchema):
    """The upper committee's final level."""

    level: ReviewLevel
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="Ghi chú của cấp ủy")

    _n = field_validator("note")(_clean_or_none)


class ReviewExemption(RequestSchema):
    """The cell marks a member exempt from the year's review (miễn), with the reason, or lifts it."""

    member_id: DbId
    year: Year
    exempt: bool = True
    reason: str | None = Field(default=None, max_length=NOTE_MAX, description="Bắt buộc khi miễn")

    _n = field_validator("reason")(_clean_or_none)

    @model_validator(mode="after")
    def _reason_when_exempt(self) -> "ReviewExemption":
        if self.exempt and (self.reason is None or len(self.reason) < REASON_MIN):
            raise ValueError("Miễn kiểm điểm cần ghi rõ lý do (ví dụ: miễn sinh hoạt vì tuổi cao)")
        return self


# ---- answers ----


class ReviewFact(Schema):
    """One figure another domain adds to the form (documents studied, quizzes taken...)."""

    key: str
    label: str
    value: int
    detail: str | None = None


class MeetingFacts(Schema):
    held: int = 0  # meetings of the member's cell closed in the year
    present: int = 0
    late: int = 0
    excused: int = 0  # vắng có lý do
    absent: int = 0  # vắng không lý do


class CommitmentFacts(Schema):
    commitment_id: int
    status: str
    items: int
    with_results: int


class ReviewFacts(Schema):
    """Computed when asked, never stored: the year (Asia/Ho_Chi_Minh) as the server saw it."""

    year: int
    meetings: MeetingFacts
    commitment: CommitmentFacts | None = None
    others: list[ReviewFact] = Field(default_factory=list)


class CapWarning(Schema):
    """More "Hoàn thành xuất sắc" than the cap allows in a unit: shown, never applied."""

    org_id: int
    stage: str  # proposed | confirmed
    excellent: int
    good: int
    share: float
    allowed: int
    message: str


class ReviewPublic(Schema):
    id: int | None = None  # None: nothing written yet (the form with its facts)
    year: int
    member_id: int
    full_name: str | None = None
    org_id: int
    status: ReviewStatus | None = None
    strengths: str | None = None
    shortcomings: str | None = None
    causes: str | None = None
    direction: str | None = None
    self_level: ReviewLevel | None = None
    proposed_level: ReviewLevel | None = None
    proposed_note: str | None = None
    proposed_at: datetime | None = None
    confirmed_level: ReviewLevel | None = None
    confirmed_note: str | None = None
    confirmed_at: datetime | None = None
    exempt_reason: str | None = None
    edited_at: datetime | None = None
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    facts: ReviewFacts | None = None
    warnings: list[CapWarning] = Field(default_factory=list)


class ReviewRow(Schema):
    """A review in a list (no sections, no facts)."""

    id: int
    year: int
    member_id: int
    full_name: str | None = None
    org_id: int
    status: ReviewStatus
    self_level: ReviewLevel | None = None
    proposed_level: ReviewLevel | None = None
    confirmed_level: ReviewLevel | None = None
    submitted_at: datetime | None = None


class ReviewPage(Schema):
    items: list[ReviewRow]
    total: int
    limit: int
    offset: int


class LevelCounts(Schema):
    excellent: int = 0
    good: int = 0
    done: int = 0
    failed: int = 0


class CellReviewCount(Schema):
    cell_id: int
    name: str
    members: int  # members now in the cell
    exempt: int = 0
    submitted: int = 0  # reviews sent (submitted, proposed or confirmed)
    self_levels: LevelCounts = Field(default_factory=LevelCounts)
    proposed: LevelCounts = Field(default_factory=LevelCounts)
    confirmed: LevelCounts = Field(default_factory=LevelCounts)
    warnings: list[CapWarning] = Field(default_factory=list)


class ReviewSummary(Schema):
    """The distribution of levels (self, proposed, confirmed) cell by cell under an organisation."""

    org_id: int
    year: int
    top_share: float
    cells: list[CellReviewCount]
    totals: CellReviewCount  # cell_id is the organisation's, name its name
