"""Party members, their roles and transfers between cells."""

from datetime import date, datetime

from pydantic import Field, field_validator

from shared.enums import MemberKind, Role
from shared.schemas.auth import PASSWORD_MAX, PASSWORD_MIN, RawPassword
from shared.schemas.common import Day, RequestSchema, Schema
from shared.text import nfc

CARD_PATTERN = r"^[0-9]{6,12}$"
PHONE_PATTERN = r"^\+?[0-9 .-]{8,15}$"


class _MemberFields(RequestSchema):
    @field_validator("full_name", "position", check_fields=False)
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        return nfc(value) if value is not None else None


class MemberCreate(_MemberFields):
    full_name: str = Field(min_length=2, max_length=120)
    birth_date: Day | None = None
    card_number: str | None = Field(default=None, pattern=CARD_PATTERN, description="Số thẻ đảng viên")
    admitted_on: Day | None = Field(default=None, description="Ngày vào Đảng")
    official_on: Day | None = Field(default=None, description="Ngày chính thức")
    kind: MemberKind = MemberKind.official
    org_id: int = Field(description="Chi bộ sinh hoạt")
    position: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    username: str | None = Field(default=None, min_length=3, max_length=60, pattern=r"^[a-z0-9._-]+$")
    password: RawPassword | None = Field(default=None, min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class MemberUpdate(_MemberFields):
    full_name: str | None = Field(default=None, min_length=2, max_length=120)
    birth_date: Day | None = None
    card_number: str | None = Field(default=None, pattern=CARD_PATTERN)
    admitted_on: Day | None = None
    official_on: Day | None = None
    kind: MemberKind | None = None
    position: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    is_active: bool | None = Field(default=None, description="Tắt để khóa tài khoản")


class MemberPublic(Schema):
    id: int
    full_name: str
    birth_date: date | None
    card_number: str | None
    admitted_on: date | None
    official_on: date | None
    kind: MemberKind
    org_id: int
    org_name: str | None = None
    position: str | None
    phone: str | None
    username: str | None = None
    is_active: bool | None = None


class RoleAssign(RequestSchema):
    role: Role
    org_id: int | None = None


class RolePublic(Schema):
    id: int
    user_id: int
    role: Role
    org_id: int | None
    org_name: str | None = None
    created_at: datetime


class TransferRequest(RequestSchema):
    to_org_id: int
    effective_on: Day | None = None
    note: str | None = Field(default=None, max_length=500)


class MembershipPublic(Schema):
    org_id: int
    org_name: str | None = None
    started_on: date
    ended_on: date | None
    note: str | None


class ImportRowResult(Schema):
    row: int
    status: str  # created | updated | rejected | unchanged
    card_number: str | None = None
    full_name: str | None = None
    member_id: int | None = None
    org_id: int | None = Field(default=None, description="Chi bộ của dòng (sau khi nhập)")
    changes: list[str] = Field(default=[],
                               description="Trường thay đổi khi cập nhật; org_id = chuyển sinh hoạt")
    errors: list[str] = []


class ImportReport(Schema):
    applied: bool = Field(description="True khi dữ liệu đã được ghi")
    dry_run: bool = False
    file_type: str | None = Field(default=None, description="csv | xlsx, nhận theo nội dung tệp")
    ignored_columns: list[str] = []
    created: int
    updated: int
    rejected: int
    unchanged: int
    rows: list[ImportRowResult]


class AuditEntryPublic(Schema):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_name: str | None = None
    action: str
    target_type: str | None
    target_id: str | None
    org_id: int | None
    client_address: str | None
    detail: dict | None = None
