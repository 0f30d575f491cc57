"""How values read to members: dates dd/mm/yyyy in Vietnam time, countdowns, labels of enums."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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
