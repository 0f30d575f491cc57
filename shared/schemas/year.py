"""Wire schemas of the member's year: yearly commitments (bản đăng ký học tập và làm theo, cam kết).

A member writes what they commit to for a year (items of free text, each with an optional category); the
cell's secretary approves it or returns it with a comment; at year end each item gets the member's own
result and the cell's remark. The same shapes travel as offline actions (`commitment.save`,
`commitment.result`) and as the `commitment` entity of the sync feed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from shared.schemas.common import RequestSchema, Schema
from shared.text import nfc

ID_MAX = 2_147_483_647
DbId = Annotated[int, Field(ge=1, le=ID_MAX)]

# A commitment's year: the app's own lifetime, with room on both sides (the service narrows it further to
# the years around today).
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_ITEMS = 30
ITEM_TEXT_MIN, ITEM_TEXT_MAX = 2, 1000
RESULT_MAX = 2000
REMARK_MAX = 2000
COMMENT_MIN, COMMENT_MAX = 2, 1000


class CommitmentStatus(StrEnum):
    draft = "draft"  # bản nháp: only its author sees it
    submitted = "submitted"  # đã gửi, chờ chi bộ duyệt
    approved = "approved"  # đã duyệt: items fixed; results and remarks follow
    returned = "returned"  # trả lại để sửa, with the secretary's comment


class CommitmentCategory(StrEnum):
    study_follow = "study_follow"  # học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh
    volunteer = "volunteer"  # đảng viên tình nguyện
    duty = "duty"  # nhiệm vụ chuyên môn, công tác được giao
    residence = "residence"  # công tác ở nơi cư trú
    other = "other"


COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.draft: "Bản nháp",
    CommitmentStatus.submitted: "Chờ duyệt",
    CommitmentStatus.approved: "Đã duyệt",
    CommitmentStatus.returned: "Trả lại để sửa",
}
COMMITMENT_CATEGORY_LABELS = {
    CommitmentCategory.study_follow: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    CommitmentCategory.volunteer: "Đảng viên tình nguyện",
    CommitmentCategory.duty: "Nhiệm vụ chuyên môn, công tác được giao",
    CommitmentCategory.residence: "Công tác ở nơi cư trú",
    CommitmentCategory.other: "Khác",
}


def _clean(value: str | None) -> str | None:
    return nfc(value) if value is not None else None


def _clean_or_none(value: str | None) -> str | None:
    """Blank text clears a field."""
    return (nfc(value) or None) if value is not None else None


def _unique_items(ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError("Mỗi mục chỉ xuất hiện một lần")


Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="Năm đăng ký, ví dụ 2027")]


class CommitmentItemIn(RequestSchema):
    text: str = Field(min_length=ITEM_TEXT_MIN, max_length=ITEM_TEXT_MAX, description="Nội dung cam kết")
    category: CommitmentCategory | None = None

    _n = field_validator("text")(_clean)


Items = Annotated[list[CommitmentItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


class CommitmentCreate(RequestSchema):
    year: Year
    items: Items
    submit: bool = Field(default=False, description="Gửi chi bộ duyệt ngay (mặc định: lưu nháp)")


class CommitmentUpdate(RequestSchema):
    """The items again, whole (a draft or a returned commitment only)."""

    items: Items


class CommitmentDecision(RequestSchema):
    approve: bool
    comment: str | None = Field(default=None, max_length=COMMENT_MAX, description="Bắt buộc khi trả lại")

    _n = field_validator("comment")(_clean)

    @model_validator(mode="after")
    def _comment_when_returned(self) -> "CommitmentDecision":
        self.comment = self.comment or None
        if not self.approve and (self.comment is None or len(self.comment) < COMMENT_MIN):
            raise ValueError("Trả lại bản đăng ký cần ghi rõ ý kiến để đảng viên sửa")
        return self


class ItemResult(RequestSchema):
    item_id: DbId
    result: str | None = Field(default=None, max_length=RESULT_MAX, description="Trống: xóa kết quả")

    _n = field_validator("result")(_clean_or_none)


class CommitmentResults(RequestSchema):
    """The member's own year-end result of some items (the others keep theirs)."""

    results: list[ItemResult] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _once(self) -> "CommitmentResults":
        _unique_items([r.item_id for r in self.results])
        return self


class ItemRemark(RequestSchema):
    item_id: DbId
    remark: str | None = Field(default=None, max_length=REMARK_MAX, description="Trống: xóa nhận xét")

    _n = field_validator("remark")(_clean_or_none)


class CommitmentRemarks(RequestSchema):
    """The cell's remark on some items (the others keep theirs)."""

    remarks: list[ItemRemark] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _once(self) -> "CommitmentRemarks":
        _unique_items([r.item_id for r in self.remarks])
        return self


# ---- offline actions (payloads of /sync/push; `made_at` is when the member acted) ----


class CommitmentSaveAction(RequestSchema):
    """`commitment.save`: create or rewrite one's own commitment of a year, optionally submitting it."""

    year: Year
    items: Items
    submit: bool = False


class CommitmentResultAction(RequestSchema):
    """`commitment.result`: one's own year-end results on an approved commitment."""

    commitment_id: DbId
    results: list[ItemResult] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _once(self) -> "CommitmentResultAction":
        _unique_items([r.item_id for r in self.results])
        return self


class CommitmentDecideAction(CommitmentDecision):
    """`commitment.decide`: a cell leader approves or returns a submitted commitment."""

    commitment_id: DbId


class CommitmentRemarkAction(CommitmentRemarks):
    """`commitment.remark`: a cell leader's remarks on an approved commitment's items."""

    commitment_id: DbId


# ---- answers ----


class CommitmentItemPublic(Schema):
    id: int
    position: int
    text: str
    category: CommitmentCategory | None = None
    result: str | None = None
    result_at: datetime | None = None
    remark: str | None = None
    remark_at: datetime | None = None


class CommitmentPublic(Schema):
    id: int
    year: int
    member_id: int
    full_name: str | None = None
    org_id: int
    status: CommitmentStatus
    items: list[CommitmentItemPublic] = Field(default_factory=list)
    return_comment: str | None = None
    edited_at: datetime
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    created_at: datetime
    updated_at: datetime


class CommitmentPage(Schema):
    items: list[CommitmentPublic]
    total: int
    limit: int
    offset: int


class CellMemberCommitment(Schema):
    member_id: int
    full_name: str
    member_kind: str
    commitment_id: int | None = None
    status: CommitmentStatus | None = None  # None: not registered (or only a draft, which is private)
    items: int = 0
    results: int = 0


class CellCommitments(Schema):
    """A cell's year at a glance: every member now in the cell and where their commitment stands."""

    cell_id: int
    year: int
    members: list[CellMemberCommitment]
    counts: dict[str, int]  # by status, plus "none" (not registered) and "total"


class CellCommitmentCount(Schema):
    cell_id: int
    name: str
    members: int  # members now in the cell
    submitted: int = 0  # awaiting a decision
    approved: int = 0
    returned: int = 0
    with_results: int = 0  # approved ones with at least one result written


class CommitmentSummary(Schema):
    """Where the commitments of a year stand, cell by cell, under an organisation (staff's view)."""

    org_id: int
    year: int
    cells: list[CellCommitmentCount]
    totals: CellCommitmentCount  # cell_id is the organisation's, name its name
