"""Wire schemas of meetings: planning, check-in, attendance, absence requests, minutes, statistics."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, field_validator, model_validator

from shared.schemas.common import Month, RequestSchema, Schema
from shared.schemas.documents import DocumentReadRatesItemPublic
from shared.text import nfc


class MeetingKind(StrEnum):
    regular = "regular"  # sinh hoạt thường kỳ
    thematic = "thematic"  # sinh hoạt chuyên đề
    extraordinary = "extraordinary"  # sinh hoạt bất thường


class MeetingStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    in_progress = "in_progress"
    closed = "closed"
    cancelled = "cancelled"


class AttendanceStatus(StrEnum):
    present = "present"  # có mặt
    late = "late"  # đến muộn
    excused = "excused"  # vắng có lý do
    absent = "absent"  # vắng không lý do


class AbsenceStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


MEETING_KIND_LABELS = {
    MeetingKind.regular: "Sinh hoạt thường kỳ",
    MeetingKind.thematic: "Sinh hoạt chuyên đề",
    MeetingKind.extraordinary: "Sinh hoạt bất thường",
}
MEETING_STATUS_LABELS = {
    MeetingStatus.draft: "Bản nháp",
    MeetingStatus.scheduled: "Đã lên lịch",
    MeetingStatus.in_progress: "Đang diễn ra",
    MeetingStatus.closed: "Đã kết thúc",
    MeetingStatus.cancelled: "Đã hủy",
}
ATTENDANCE_LABELS = {
    AttendanceStatus.present: "Có mặt",
    AttendanceStatus.late: "Đến muộn",
    AttendanceStatus.excused: "Vắng có lý do",
    AttendanceStatus.absent: "Vắng không lý do",
}
ABSENCE_LABELS = {
    AbsenceStatus.pending: "Chờ duyệt",
    AbsenceStatus.approved: "Đã chấp thuận",
    AbsenceStatus.rejected: "Không chấp thuận",
}

ATTENDANCE_TARGET = 0.85  # Hướng dẫn 12-HD/BTCTW: attendance above 85%
CONSECUTIVE_ABSENCE_FLAG = 3


def _clean(value: str | None) -> str | None:
    return nfc(value) if value is not None else None


def _in_range(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("Thời điểm phải trong khoảng năm 2000-2100")
    return value


ID_MAX = 2_147_483_647  # ids are 32-bit on every engine
DbId = Annotated[int, Field(ge=1, le=ID_MAX)]

# An instant with its offset, within years a meeting can have (also keeps date arithmetic from overflowing).
Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]


class AgendaItemIn(RequestSchema):
    title: str = Field(min_length=1, max_length=300)
    presenter: str | None = Field(default=None, max_length=120)
    notes: str | None = Field(default=None, max_length=5000)
    document_ids: list[DbId] = Field(default_factory=list, max_length=50)

    _n = field_validator("title", "presenter")(_clean)


class AgendaItemPublic(Schema):
    id: int
    position: int
    title: str
    presenter: str | None = None
    notes: str | None = None
    document_ids: list[int] = Field(default_factory=list)


class AgendaUnreadMember(Schema):
    """A member of the cell who has not opened some of an agenda item's documents yet."""

    member_id: int
    full_name: str
    document_ids: list[int] = Field(default_factory=list, description="Tài liệu của mục này chưa đọc")


class AgendaItemUnread(Schema):
    position: int
    title: str
    document_ids: list[int] = Field(default_factory=list)
    # Each document's rate in the cell (those the caller cannot see, or gone since, are left out).
    documents: list[DocumentReadRatesItemPublic] = Field(default_factory=list)
    unread: list[AgendaUnreadMember] = Field(default_factory=list)
    reminded_at: datetime | None = Field(default=None, description="Đã nhắc đọc lúc (chỉ nhắc một lần)")


class AgendaUnread(Schema):
    """GET /meetings/{id}/agenda/unread: per agenda item, who has not read its documents yet."""

    meeting_id: int
    items: list[AgendaItemUnread]


class AgendaReminderPublic(Schema):
    """POST /meetings/{id}/agenda/{position}/remind: how many members were reminded, and when."""

    meeting_id: int
    position: int
    notified: int
    reminded_at: datetime


class _CheckinSettings(RequestSchema):
    checkin_before_minutes: int | None = Field(
        default=None, ge=0, le=240, description="Mở điểm danh trước giờ họp (phút)"
    )
    checkin_after_minutes: int | None = Field(
        default=None, ge=5, le=480, description="Đóng điểm danh sau giờ họp (phút)"
    )
    grace_minutes: int | None = Field(default=None, ge=0, le=120, description="Quá số phút này là đến muộn")


class MeetingCreate(_CheckinSettings):
    title: str = Field(min_length=2, max_length=300)
    kind: MeetingKind
    starts_at: Instant = Field(description="ISO 8601 có múi giờ, ví dụ 2026-12-04T19:30:00+07:00")
    ends_at: Instant | None = None
    location: str | None = Field(default=None, max_length=300)
    online_link: str | None = Field(default=None, max_length=500, pattern=r"^https://\S+$")
    description: str | None = Field(default=None, max_length=5000)
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=50)
    org_id: DbId | None = Field(default=None, description="Chi bộ; mặc định chi bộ người tạo lãnh đạo")
    status: MeetingStatus = Field(
        default=MeetingStatus.scheduled, description="draft (nháp) hoặc scheduled (đã lên lịch)"
    )

    _n = field_validator("title", "location")(_clean)

    @model_validator(mode="after")
    def _check(self) -> "MeetingCreate":
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at phải sau starts_at")
        if self.status not in (MeetingStatus.draft, MeetingStatus.scheduled):
            raise ValueError("status khi tạo chỉ là draft hoặc scheduled")
        return self


class MeetingUpdate(_CheckinSettings):
    title: str | None = Field(default=None, min_length=2, max_length=300)
    kind: MeetingKind | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    location: str | None = Field(default=None, max_length=300)
    online_link: str | None = Field(default=None, max_length=500, pattern=r"^https://\S+$")
    description: str | None = Field(default=None, max_length=5000)
    agenda: list[AgendaItemIn] | None = Field(default=None, max_length=50)

    _n = field_validator("title", "location")(_clean)


class MeetingCancel(RequestSchema):
    reason: str = Field(min_length=2, max_length=500)


class MeetingPublic(Schema):
    id: int
    org_id: int
    org_name: str | None = None
    kind: MeetingKind
    status: MeetingStatus
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    location: str | None = None
    online_link: str | None = None
    description: str | None = None
    regular_month: str | None = None
    checkin_before_minutes: int
    checkin_after_minutes: int
    grace_minutes: int
    checkin_open: bool = False
    checkin_opens_at: datetime | None = None
    checkin_closes_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    minutes_published: bool = False
    agenda: list[AgendaItemPublic] = Field(default_factory=list)
    my_status: AttendanceStatus | None = None
    my_absence_request: AbsenceStatus | None = None
    created_at: datetime
    updated_at: datetime


class DraftRegularRequest(RequestSchema):
    month: Month
    org_id: DbId | None = None


class CheckinCode(Schema):
    code: str
    expires_at: datetime
    interval: int
    qr_payload: str
    window_opens_at: datetime
    window_closes_at: datetime


class CheckinCodeStep(Schema):
    code: str
    valid_from: datetime
    valid_until: datetime
    qr_payload: str


class CheckinCodeSchedule(Schema):
    """The codes of the rest of the window, for a secretary's screen that may lose the network."""

    meeting_id: int
    interval: int
    steps: list[CheckinCodeStep]


class CheckinRequest(RequestSchema):
    code: str = Field(pattern=r"^\d{6}$")
    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    checked_in_at: Instant | None = Field(
        default=None, description="Thời điểm điểm danh khi máy không có mạng"
    )


class CheckinPublic(Schema):
    meeting_id: int
    member_id: int
    client_id: str | None
    status: AttendanceStatus
    checked_in_at: datetime
    recorded_at: datetime
    offline: bool


class AttendanceSet(RequestSchema):
    status: AttendanceStatus | None = Field(description="null để xóa bản ghi (chỉ khi chưa kết thúc)")
    note: str | None = Field(default=None, max_length=500)


class AttendanceBulkItem(AttendanceSet):
    member_id: DbId


class AttendanceBulk(RequestSchema):
    items: list[AttendanceBulkItem] = Field(min_length=1, max_length=500)


class AttendanceRow(Schema):
    member_id: int
    full_name: str
    card_number: str | None = None
    member_kind: str
    expected: bool
    status: AttendanceStatus | None = None
    source: str | None = None
    note: str | None = None
    checked_in_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: int | None = None
    absence_request: AbsenceStatus | None = None


class MeetingCounts(Schema):
    expected: int
    present: int
    late: int
    excused: int
    absent: int
    unrecorded: int
    attended: int
    extra_attended: int = Field(description="Đảng viên miễn sinh hoạt vẫn đến dự")
    rate: float | None = Field(description="(có mặt + đến muộn) / số phải dự")
    meets_target: bool | None = None


class AttendanceSheet(Schema):
    meeting_id: int
    status: MeetingStatus
    items: list[AttendanceRow]
    counts: MeetingCounts


class AttendanceChangePublic(Schema):
    id: int
    member_id: int
    full_name: str | None = None
    old_status: AttendanceStatus | None = None
    new_status: AttendanceStatus | None = None
    source: str
    note: str | None = None
    by_user_id: int | None = None
    by_name: str | None = None
    at: datetime


class AbsenceRequestCreate(RequestSchema):
    reason: str = Field(min_length=3, max_length=1000)

    _n = field_validator("reason")(_clean)


class AbsenceDecision(RequestSchema):
    approve: bool
    note: str | None = Field(default=None, max_length=500)


class AbsenceRequestPublic(Schema):
    id: int
    meeting_id: int
    member_id: int
    full_name: str | None = None
    reason: str
    status: AbsenceStatus
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    created_at: datetime
    updated_at: datetime


class MinutesUpdate(RequestSchema):
    text: str = Field(min_length=1, max_length=200_000)
    publish: bool = False


class MinutesPublic(Schema):
    meeting_id: int
    text: str | None
    published: bool
    published_at: datetime | None = None
    resolutions: list["ResolutionPublic"] = Field(default_factory=list)


class ResolutionIn(RequestSchema):
    title: str = Field(min_length=2, max_length=300)
    text: str | None = Field(default=None, max_length=100_000)
    votes_for: int = Field(ge=0, le=10_000)
    votes_against: int = Field(ge=0, le=10_000)
    votes_abstain: int = Field(ge=0, le=10_000)

    _n = field_validator("title")(_clean)


class ResolutionPublic(Schema):
    id: int
    meeting_id: int
    title: str
    text: str | None = None
    votes_for: int
    votes_against: int
    votes_abstain: int
    base: int = Field(description="Số đảng viên làm căn cứ biểu quyết")
    base_roster: int
    base_exempt_absent: int
    base_excused: int
    passed: bool = Field(description="Tán thành > 1/2 căn cứ")
    created_at: datetime
    updated_at: datetime


class MemberYearStats(Schema):
    member_id: int
    full_name: str
    year: int
    meetings_expected: int
    present: int
    late: int
    excused: int
    absent: int
    absences: int = Field(description="Vắng (có và không lý do)")
    max_consecutive_absences: int
    current_consecutive_absences: int
    flagged: bool = Field(description="Vắng từ 3 lần liên tiếp trở lên trong năm")
    rate: float | None = None


class MonthHeld(Schema):
    month: str
    regular_held: bool
    meetings: int


class CellStats(Schema):
    org_id: int
    org_name: str
    year: int
    months: list[MonthHeld]
    quarters_with_thematic: list[int]
    current_month_held: bool | None = None
    current_quarter_thematic: bool | None = None
    meetings_closed: int
    expected: int
    attended: int
    rate: float | None
    meets_target: bool | None
    absent_without_reason: int
    members: list[MemberYearStats]
    flagged_member_ids: list[int]


class CellRef(Schema):
    org_id: int
    org_name: str
    rate: float | None = None


class FlaggedMember(Schema):
    member_id: int
    full_name: str
    org_id: int
    org_name: str
    consecutive_absences: int


class SubtreeOverview(Schema):
    org_id: int
    month: str
    year: int
    cells: int
    cells_without_meeting: list[CellRef]
    cells_under_target: list[CellRef]
    flagged_members: list[FlaggedMember]


class CalendarLink(Schema):
    token: str
    url: str
    created_at: datetime


MinutesPublic.model_rebuild()
