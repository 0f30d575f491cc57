"""Shapes every part of the API shares: errors, pages, and the bounded types of request fields."""

import re
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")

# Dates a party record can carry (births from 1900, plans until 2200). Outside, date arithmetic and the
# databases' own ranges break long before any person could mean the value.
YEAR_MIN, YEAR_MAX = 1900, 2200
_YEARS = f"Năm phải trong khoảng {YEAR_MIN}-{YEAR_MAX}"

# C0/C1 controls other than tab and line breaks, and lone surrogates: no keyboard types them, XML (XLSX,
# DOCX) cannot hold them, PostgreSQL refuses NUL, and UTF-8 cannot encode a lone surrogate.
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def year_in_range(value: date) -> date:
    """Refuse a date (or datetime) whose year lies outside YEAR_MIN..YEAR_MAX (in its own offset)."""
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(_YEARS)
    return value


def _moment_in_range(value: datetime) -> datetime:
    year_in_range(value)
    return value


def _month_in_range(value: str) -> str:
    if not YEAR_MIN <= int(value[:4]) <= YEAR_MAX:
        raise ValueError(_YEARS)
    return value


def unsafe_text(value: str) -> bool:
    return _UNSAFE_CHARS.search(value) is not None


def safe_text(value: str) -> str:
    """The text without the characters `unsafe_text` finds (for exports of what is already stored)."""
    return _UNSAFE_CHARS.sub("", value)


# A calendar date in the years above.
Day = Annotated[date, AfterValidator(year_in_range)]
# An instant with its offset (naive is refused: 19:30 where?) in the years above.
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]
# A month "YYYY-MM" in the years above.
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Tháng YYYY-MM"),
                  AfterValidator(_month_in_range)]


def _check_text(value: Any) -> Any:
    if isinstance(value, str):
        if unsafe_text(value):
            raise ValueError("Có ký tự điều khiển không được phép")
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    return value


class Schema(BaseModel):
    """Base for wire models: read from ORM objects, reject unknown fields in requests."""

    model_config = ConfigDict(from_attributes=True)


class RequestSchema(BaseModel):
    """Base of every request body: unknown fields, control characters and lone surrogates refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _check_text(value)


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """The one error shape: `code` for programs, `message` (Vietnamese) for people."""

    code: str
    message: str
    errors: list[FieldError] | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


