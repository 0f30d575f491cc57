"""Display of instants for people: Asia/Ho_Chi_Minh, dd/mm/yyyy."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def fmt_month(value: str | None) -> str:
    """A month as people write it: "2026-12" (the API's form) -> "12/2026"; anything else unchanged."""
    if not value:
        return ""
    year, sep, month = value.partition("-")
    if sep and year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12:
        return f"{int(month):02d}/{year}"
    return value
