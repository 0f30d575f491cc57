"""Field helpers for table models (columns that SQLModel cannot express by annotation alone)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field

from server.db import UTCDateTime
from server.timeutil import utcnow


def utc_field(*, nullable: bool = False, default_now: bool = False, index: bool = False) -> Any:
    """An aware-UTC datetime column."""
    kwargs: dict[str, Any] = {}
    if default_now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs["default"] = None
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kwargs)


__all__ = ["utc_field", "datetime"]
