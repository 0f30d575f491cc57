"""How values read to members: dates dd/mm/yyyy in Vietnam time, countdowns, labels of enums."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.timefmt import VN_TZ, fmt_date, fmt_datetime, to_local

MEETING_KIND = {
    "regular": "Sinh hoạt thường kỳ",
    "thematic": "Sinh hoạt chuyên đề",
    "extraordinary": "Sinh hoạt bất thường",
}
MEETING_STATUS = {
    "draft": "Bản nháp",
    "scheduled": "Đã lên lịch",
    "in_progress": "Đang diễn ra",
    "closed": "Đã kết thúc",
    "cancelled": "Đã hủy",
}
ATTENDANCE = {
    "present": "Có mặt",
    "late": "Đến muộn",
    "excused": "Vắng có lý do",
    "absent": "Vắng không lý do",
}
# The member's own status at a meeting also has "pending": checked in offline, not yet confirmed.
MY_ATTENDANCE = {**ATTENDANCE, "pending": "Chờ xác nhận"}
ABSENCE = {"pending": "Chờ duyệt", "approved": "Đã chấp thuận", "rejected": "Không chấp thuận"}
DOC_TYPES = {
    "resolution": "Nghị quyết",
    "directive": "Chỉ thị",
    "conclusion": "Kết luận",
    "regulation": "Quy định",
    "decision": "Quyết định",
    "statute": "Quy chế",
    "guidance": "Hướng dẫn",
    "plan": "Kế hoạch",
    "notice": "Thông báo",
    "report": "Báo cáo",
    "scheme": "Đề án",
    "letter": "Công văn",
}
DOC_CATEGORY = {"documents": "Văn bản", "study": "Tài liệu học tập", "meeting": "Tài liệu sinh hoạt"}


def parse_dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day(value: Any) -> str:
    """dd/mm/yyyy of a date or an instant (Vietnam time)."""
    if isinstance(value, str):
        value = parse_dt(value) if "T" in value else parse_date(value)
    return fmt_date(value)


def when(value: Any) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time."""
    return fmt_datetime(parse_dt(value))


def weekday_when(value: Any) -> str:
    dt = parse_dt(value)
    if dt is None:
        return ""
    names = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    local = to_local(dt)
    return f"{names[local.weekday()]}, {local.strftime('%H:%M %d/%m/%Y')}"


def countdown(target: Any, now: datetime | None = None) -> str:
    """'Còn 2 ngày 3 giờ' / 'Còn 45 phút' / 'Đang diễn ra'."""
    dt = parse_dt(target)
    if dt is None:
        return ""
    now = now or datetime.now(UTC)
    left = dt - now
    if left <= timedelta(0):
        return "Đã bắt đầu"
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"Còn {days} ngày {hours} giờ"
    if hours:
        return f"Còn {hours} giờ {mins} phút"
    return f"Còn {max(mins, 1)} phút"


def local_input_to_utc(day_text: str, time_text: str) -> datetime:
    """'04/12/2026' + '19:30' typed in Vietnam time -> aware datetime (ValueError says what is wrong)."""
    try:
        d = datetime.strptime(day_text.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise ValueError("Ngày phải có dạng dd/mm/yyyy, ví dụ 04/12/2026.") from exc
    try:
        t = datetime.strptime(time_text.strip(), "%H:%M").time()
    except ValueError as exc:
        raise ValueError("Giờ phải có dạng HH:MM, ví dụ 19:30.") from exc
    return datetime.combine(d, t, tzinfo=VN_TZ)


def local_today(now: datetime) -> date:
    """The calendar day in Vietnam at an instant (at 00:30 on 1 January it is still 31 December in UTC)."""
    return to_local(now).date()


def day_input(value: date) -> str:
    """A day as the meeting form's field holds it, whether typed or picked: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")


def time_input(value: time) -> str:
    """A time as the meeting form's field holds it: HH:MM, 24-hour."""
    return value.strftime("%H:%M")


def picked_day(value: Any) -> date | None:
    """The calendar day a DatePicker returned. Flutter's picker gives midnight of the chosen day; it reaches
    Python as a date, a naive datetime, or an aware one, possibly shifted to UTC (midnight in Vietnam is 17:00
    the day before in UTC). Rounding the UTC instant to the nearest midnight recovers the chosen day for any
    device time zone within 12 hours of UTC, so the field never shows the day before."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = parse_dt(value) if "T" in value else parse_date(value)
        if value is None:
            return None
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None or value.time() == time(0, 0):
        return value.date()
    return (value.astimezone(UTC) + timedelta(hours=12)).date()


def picked_time(value: Any) -> time | None:
    """The time a TimePicker returned (a time, or 'HH:MM' text)."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    try:
        return datetime.strptime(str(value).strip()[:5], "%H:%M").time()
    except ValueError:
        return None


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def size(n: int | None) -> str:
    if not n:
        return ""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


AUDIT_ACTIONS = {
    "auth.login": "Đăng nhập",
    "auth.login_failed": "Đăng nhập sai",
    "auth.logout": "Đăng xuất",
    "auth.password_changed": "Đổi mật khẩu",
    "auth.session_revoked": "Đăng xuất thiết bị",
    "meeting.create": "Lên lịch sinh hoạt",
    "meeting.update": "Sửa buổi sinh hoạt",
    "meeting.cancel": "Hủy buổi sinh hoạt",
    "meeting.close": "Kết thúc buổi sinh hoạt",
    "meeting.checkin_open": "Mở điểm danh",
    "meeting.resolution": "Ghi biểu quyết",
    "meeting.minutes": "Ghi biên bản",
    "attendance.set": "Sửa điểm danh",
    "absence.request": "Xin vắng",
    "absence.decide": "Duyệt đơn xin vắng",
    "document.create": "Tạo văn bản",
    "document.publish": "Phát hành văn bản",
    "document.update": "Sửa văn bản",
    "document.withdraw": "Thu hồi văn bản",
    "document.secret_refused": "Từ chối tài liệu mật",
    "member.create": "Thêm đảng viên",
    "member.update": "Sửa hồ sơ đảng viên",
    "member.transfer": "Chuyển sinh hoạt",
    "org.create": "Thêm tổ chức",
}


def audit_action(action: str | None) -> str:
    return AUDIT_ACTIONS.get(action or "", action or "")
