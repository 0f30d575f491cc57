"""Shapes every part of the API shares: errors and pages."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Schema(BaseModel):
    """Base for wire models: read from ORM objects, reject unknown fields in requests."""

    model_config = ConfigDict(from_attributes=True)


class RequestSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
