"""Attendance exports a secretary hands in: CSV (UTF-8 with BOM, for Excel) and XLSX, Vietnamese headers."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from server import tables
from server.auth.principal import Principal
from server.meetings import attendance, repository, service, stats
from server.meetings.models import Attendance, Meeting
from server.records.members import Member
from shared.enums import MEMBER_KIND_LABELS, MemberKind
from shared.schemas.meetings import ATTENDANCE_LABELS, MEETING_KIND_LABELS, AttendanceStatus, MeetingKind
from shared.timefmt import fmt_date, fmt_datetime, to_local

SHORT = {"present": "x", "late": "M", "excused": "P", "absent": "K"}  # x, muộn, phép, không phép
KIND_SHORT = {"regular": "TK", "thematic": "CĐ", "extraordinary": "BT"}  # thường kỳ, chuyên đề, bất thường
LEGEND = "x: có mặt; M: đến muộn; P: vắng có lý do; K: vắng không lý do"

MEETING_HEADERS = [
    "STT",
    "Họ và tên",
    "Số thẻ đảng viên",
    "Loại đảng viên",
    "Phải dự",
    "Trạng thái",
    "Giờ điểm danh",
    "Ghi chú",
]


def _label(status: str | None) -> str:
    return ATTENDANCE_LABELS[AttendanceStatus(status)] if status else "Chưa ghi nhận"


def _kind(kind: str) -> str:
    try:
        return MEMBER_KIND_LABELS[MemberKind(kind)]
    except ValueError:
        return kind


def meeting_table(
    session: Session, principal: Principal, meeting_id: int
) -> tuple[str, list[str], list[list]]:
    meeting = service.get_readable(session, principal, meeting_id)
    service.require_leader_or_staff(session, principal, meeting)
    rows = attendance.rows(session, meeting)
    c = attendance.counts(rows)
    title = (
        f"Điểm danh: {meeting.title} ({MEETING_KIND_LABELS[MeetingKind(meeting.kind)]}), "
        f"{fmt_datetime(meeting.starts_at)}"
    )
    body = [
        [
            i,
            r.full_name,
            r.card_number or "",
            _kind(r.member_kind),
            "Có" if r.expected else "Không",
            _label(r.status),
            to_local(r.checked_in_at).strftime("%H:%M %d/%m/%Y") if r.checked_in_at else "",
            r.note or "",
        ]
        for i, r in enumerate(rows, start=1)
    ]
    body.append([])
    body.append(["", "Tổng số phải dự", c.expected, "Có mặt", c.present, "Đến muộn", c.late, ""])
    body.append(
        [
            "",
            "Vắng có lý do",
            c.excused,
            "Vắng không lý do",
            c.absent,
            "Tỷ lệ dự họp",
            f"{c.rate * 100:.1f}%" if c.rate is not None else "",
            "",
        ]
    )
    return title, MEETING_HEADERS, body


def year_table(
    session: Session, principal: Principal, cell_id: int, year: int
) -> tuple[str, list[str], list[list]]:
    org = stats._require_cell_stats(session, principal, cell_id)
    start, end = stats.year_bounds(year)
    meetings = list(
        session.execute(
            select(Meeting)
            .where(
                col(Meeting.org_id) == cell_id,
                col(Meeting.status) == "closed",
                col(Meeting.starts_at) >= start,
                col(Meeting.starts_at) < end,
            )
            .order_by(col(Meeting.starts_at), col(Meeting.id))
        ).scalars()
    )
    ids = [m.id for m in meetings]
    marks: dict[tuple[int, int], str] = {}
    member_ids: set[int] = set()
    if ids:
        for a in session.execute(select(Attendance).where(col(Attendance.meeting_id).in_(ids))).scalars():
            marks[(a.member_id, a.meeting_id)] = a.status
            member_ids.add(a.member_id)
    current = repository.cell_members(session, cell_id)
    member_ids |= {m.id for m in current if m.id is not None}
    members = list(
        session.execute(
            select(Member)
            .where(col(Member.id).in_(member_ids))
            .order_by(col(Member.name_folded), col(Member.id))
        ).scalars()
    )
    summary = stats.compute_cell_year(session, org, year)
    per = {m.member_id: m for m in summary.members}
    headers = (
        ["STT", "Họ và tên", "Số thẻ đảng viên"]
        + [f"{fmt_date(m.starts_at)} ({KIND_SHORT.get(m.kind, '')})" for m in meetings]
        + ["Có mặt", "Đến muộn", "Vắng có lý do", "Vắng không lý do", "Vắng liên tiếp nhiều nhất", "Cảnh báo"]
    )
    body: list[list] = []
    for i, member in enumerate(members, start=1):
        assert member.id is not None
        s = per.get(member.id)
        body.append(
            [i, member.full_name, member.card_number or ""]
            + [SHORT.get(marks.get((member.id, m.id or 0), ""), "") for m in meetings]
            + (
                [
                    s.present,
                    s.late,
                    s.excused,
                    s.absent,
                    s.max_consecutive_absences,
                    "Vắng 3 lần liên tiếp" if s.flagged else "",
                ]
                if s
                else ["", "", "", "", "", ""]
            )
        )
    body.append([])
    body.append(["", LEGEND])
    body.append(
        [
            "",
            "Tỷ lệ dự họp cả năm",
            f"{summary.rate * 100:.1f}%" if summary.rate is not None else "",
            "Tiêu chí: trên 85%",
        ]
    )
    return f"Điểm danh năm {year}: {org.name}", headers, body


def render(fmt: str, title: str, headers: Sequence[str], body: Sequence[Sequence]) -> tuple[bytes, str]:
    return tables.render(fmt, headers, body, title=title, sheet="Điểm danh", freeze="C3")
