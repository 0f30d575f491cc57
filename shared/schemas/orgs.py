"""The organisation tree: đảng bộ and chi bộ."""

from datetime import datetime

from pydantic import Field

from shared.enums import OrgKind
from shared.schemas.common import RequestSchema, Schema


class OrganizationCreate(RequestSchema):
    name: str = Field(min_length=2, max_length=200)
    kind: OrgKind
    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$")
    parent_id: int | None = None
    meeting_day: int | None = Field(default=None, ge=1, le=28, description="Ngày sinh hoạt hằng tháng")
    meeting_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class OrganizationUpdate(RequestSchema):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    code: str | None = Field(default=None, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9._-]+$")
    parent_id: int | None = None
    meeting_day: int | None = Field(default=None, ge=1, le=28)
    meeting_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class OrganizationPublic(Schema):
    id: int
    name: str
    kind: OrgKind
    code: str
    parent_id: int | None
    depth: int
    meeting_day: int | None = None
    meeting_time: str | None = None
    member_count: int | None = None
    created_at: datetime
