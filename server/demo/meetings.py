"""Demo meetings: a year of held meetings with attendance, minutes and resolutions, plus upcoming ones.

Each demo cell gets a profile so every statistic shows something: a model cell, one that skipped this
month's meeting, one without a thematic meeting this quarter, one with a member absent 3 times in a row,
and a mountain cell under the 85% attendance criterion.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server.meetings import minutes as minutes_service
from server.meetings import policy, regular
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting, Resolution
from server.records.members import Member
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.enums import MemberKind
from shared.timefmt import VN_TZ

# cell key -> (attendance probability, skip this month's meeting, skip this quarter's thematic)
PROFILES = {
    "tcdv": (0.96, False, False),
    "thcs": (0.93, True, False),
    "tccb": (0.94, False, True),
    "banpoong": (0.91, False, False),
    "bancham": (0.78, False, False),
}
REGULAR_TOPICS = [
    "Kiểm điểm việc thực hiện nhiệm vụ tháng {prev}, triển khai nhiệm vụ tháng {month}",
    "Quán triệt văn bản mới của cấp ủy cấp trên",
    "Thông tin thời sự, tình hình địa phương, đơn vị",
    "Ý kiến của đảng viên; công tác phát triển đảng viên",
]
THEMATIC = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh: chuyên đề năm",
    "Nâng cao chất lượng sinh hoạt chi bộ theo Hướng dẫn 12-HD/BTCTW",
    "Thực hiện Quy định 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên",
    "Chuyển đổi số trong công tác đảng và quản lý đảng viên",
]
EXCUSES = [
    "Đi công tác theo phân công của cơ quan",
    "Ốm, điều trị tại bệnh viện huyện",
    "Gia đình có việc hiếu",
    "Đi học lớp bồi dưỡng tập trung",
]
RESOLUTIONS = {
    "tcdv": (
        "Nghị quyết lãnh đạo thực hiện nhiệm vụ chính trị năm {year}",
        "Chi bộ thống nhất các chỉ tiêu: 100% đảng viên hoàn thành tốt nhiệm vụ; tham mưu kịp thời công "
        "tác tổ chức đảng, đảng viên; thực hiện nghiêm Quy định 124-QĐ/TW về đánh giá, xếp loại.",
    ),
    "banpoong": (
        "Nghị quyết về phát triển kinh tế, giảm nghèo bền vững ở bản Poòng",
        "Chi bộ lãnh đạo nhân dân trồng rừng gỗ lớn, chăn nuôi trâu bò vỗ béo; phấn đấu giảm 5 hộ "
        "nghèo; mỗi đảng viên giúp đỡ một hộ khó khăn.",
    ),
}


def _regular_agenda(month: int) -> list[str]:
    prev = 12 if month == 1 else month - 1
    return [REGULAR_TOPICS[0].format(prev=f"{prev:02d}", month=f"{month:02d}")] + REGULAR_TOPICS[1:]


def _place(org: Organization) -> str:
    """Where a cell meets: village cells in their cultural house, office cells in a meeting room."""
    if org.name.startswith("Chi bộ bản "):
        return "Nhà văn hóa " + org.name.removeprefix("Chi bộ ")
    return f"Phòng họp {org.name}"


def _local(year: int, month: int, day: int, hhmm: str) -> datetime:
    hh, mm = (int(p) for p in hhmm.split(":"))
    return datetime(year, month, day, hh, mm, tzinfo=VN_TZ).astimezone(UTC)


def _months_back(now_local: datetime, n: int) -> tuple[int, int]:
    index = now_local.year * 12 + now_local.month - 1 - n
    return index // 12, index % 12 + 1


def _agenda(session: Session, meeting: Meeting, titles: list[str]) -> None:
    for position, title in enumerate(titles, start=1):
        session.add(
            AgendaItem(
                meeting_id=meeting.id or 0,
                position=position,
                title=title,
                presenter="Bí thư chi bộ" if position == 1 else None,
            )
        )


def _meeting(
    session: Session,
    org: Organization,
    starts: datetime,
    kind: str,
    title: str,
    status: str,
    regular_month: str | None = None,
) -> Meeting:
    m = Meeting(
        org_id=org.id or 0,
        kind=kind,
        status=status,
        title=title,
        starts_at=starts,
        ends_at=starts + policy.DEFAULT_DURATION,
        location=_place(org),
        regular_month=regular_month,
        created_at=starts - timedelta(days=12),
        updated_at=starts + timedelta(hours=2) if status == "closed" else starts - timedelta(days=12),
    )
    if status == "closed":
        m.checkin_opened_at = starts - timedelta(minutes=30)
        m.closed_at = starts + timedelta(hours=2)
    session.add(m)
    session.flush()
    return m


def _attend(
    session: Session, ctx: Any, m: Meeting, members: list[Member], p_attend: float, forced_absent: set[int]
) -> None:
    """Exactly round((1 - p) * expected) absences per meeting (at least the forced ones), so each cell's
    rate sits on its profile whatever the date: one meeting into a year says the same as twelve. The
    other absences rotate through the cell, so nobody but the forced member misses two in a row."""
    rng = ctx.rng
    expected = [x.id for x in members if x.kind != MemberKind.exempt.value]
    others = [i for i in expected if i not in forced_absent]
    extra = min(max(0, round((1 - p_attend) * len(expected)) - len(forced_absent)), len(others))
    start = (m.id or 0) * extra
    absent_ids = set(forced_absent) | {others[(start + k) % len(others)] for k in range(extra)}
    for member in members:
        assert member.id is not None
        exempt = member.kind == MemberKind.exempt.value
        if exempt and rng.random() > 0.15:
            continue  # exempt members rarely come and are not expected
        roll = rng.random()
        if member.id in absent_ids:
            status = "excused" if roll < 0.5 else "absent"
        else:
            status = "late" if rng.random() < 0.08 else "present"
        row = Attendance(
            meeting_id=m.id or 0,
            member_id=member.id,
            status=status,
            expected=not exempt,
            source="close" if status == "absent" else "manual",
            updated_at=m.starts_at,
        )
        if status in ("present", "late"):
            at = m.starts_at + (
                timedelta(minutes=rng.randint(15, 45))
                if status == "late"
                else -timedelta(minutes=rng.randint(0, 25))
            )
            row.source = "checkin"
            row.client_id = f"demo-{m.id}-{member.id}"
            row.checkin_status, row.checked_in_at, row.checkin_recorded_at = status, at, at
        elif status == "excused":
            reason = rng.choice(EXCUSES)
            row.source, row.note = "absence_request", reason
            session.add(
                AbsenceRequest(
                    meeting_id=m.id or 0,
                    member_id=member.id,
                    reason=reason,
                    status="approved",
                    decided_at=m.starts_at - timedelta(days=1),
                    created_at=m.starts_at - timedelta(days=2),
                    updated_at=m.starts_at - timedelta(days=1),
                )
            )
        session.add(row)


def _minutes(m: Meeting, org: Organization) -> str:
    local = m.starts_at.astimezone(VN_TZ)
    return (
        f"BIÊN BẢN SINH HOẠT {org.name.upper()}\n"
        f"Thời gian: {local:%H giờ %M}, ngày {local:%d/%m/%Y}. Địa điểm: {m.location}.\n"
        f"Nội dung: {m.title}.\n"
        "1. Bí thư chi bộ đánh giá kết quả thực hiện nhiệm vụ, thông tin thời sự.\n"
        "2. Đảng viên thảo luận, đóng góp ý kiến; chi bộ thống nhất nhiệm vụ thời gian tới.\n"
        "Cuộc họp kết thúc lúc 21 giờ 15 cùng ngày."
    )


def report_month(session: Session, ctx: Any, now: datetime) -> tuple[int, int]:
    """The latest month whose regular meeting is behind every demo cell: the month the demo's profiles
    ("skipped this month's meeting", ...) describe. Before the meeting days of a month, the one before."""
    now_local = now.astimezone(VN_TZ)
    for back in (0, 1):
        year, month = _months_back(now_local, back)
        orgs = [session.get(Organization, ctx.orgs[key]) for key in PROFILES]
        if all(
            _local(year, month, o.meeting_day or 4, o.meeting_time or policy.DEFAULT_MEETING_TIME)
            <= now - timedelta(hours=3)
            for o in orgs
            if o is not None
        ):
            return year, month
    return _months_back(now_local, 2)


def seed(session: Session, ctx: Any) -> None:
    now = utcnow()
    now_local = now.astimezone(VN_TZ)
    ref = report_month(session, ctx, now)
    ref_back = next(b for b in range(3) if _months_back(now_local, b) == ref)
    ctx.report_month = f"{ref[0]:04d}-{ref[1]:02d}"
    for key, (p_attend, skip_this_month, skip_thematic) in PROFILES.items():
        org = session.get(Organization, ctx.orgs[key])
        assert org is not None and org.id is not None
        members = list(
            session.execute(
                select(Member).where(col(Member.org_id) == org.id).order_by(col(Member.id))
            ).scalars()
        )
        day, hhmm = org.meeting_day or 4, org.meeting_time or policy.DEFAULT_MEETING_TIME
        # the member absent at every meeting of the last 3 months up to the report month (flagged)
        flagged = {members[3].id or 0} if key == "banpoong" and len(members) > 3 else set()
        held: list[Meeting] = []
        for back in range(12, -1, -1):
            year, month = _months_back(now_local, back)
            starts = _local(year, month, day, hhmm)
            if back == 0 and starts > now - timedelta(hours=3):
                continue
            if skip_this_month and back == ref_back:
                continue
            forced = flagged if ref_back <= back <= ref_back + 2 else set()
            m = _meeting(
                session,
                org,
                starts,
                "regular",
                f"Sinh hoạt chi bộ thường kỳ tháng {month:02d}/{year}",
                "closed",
                regular_month=f"{year:04d}-{month:02d}",
            )
            _agenda(session, m, _regular_agenda(month))
            _attend(session, ctx, m, members, p_attend, forced)
            held.append(m)
            if month % 3 == 2:  # a thematic meeting in the middle month of each quarter
                t_starts = _local(year, month, 15, hhmm)
                current_quarter = (year, (month - 1) // 3) == (now_local.year, (now_local.month - 1) // 3)
                if t_starts < now - timedelta(hours=3) and not (skip_thematic and current_quarter):
                    t = _meeting(session, org, t_starts, "thematic", ctx.rng.choice(THEMATIC), "closed")
                    _agenda(session, t, ["Báo cáo chuyên đề", "Thảo luận, liên hệ thực tiễn đơn vị"])
                    _attend(session, ctx, t, members, p_attend, forced)
                    held.append(t)
        session.flush()
        for m in held:
            m.minutes_text = _minutes(m, org)
            m.minutes_published_at = (m.closed_at or m.starts_at) + timedelta(days=1)
        if key in RESOLUTIONS and held:
            target = next((m for m in reversed(held) if m.kind == "regular"), held[-1])
            vb = minutes_service.voting_base(session, target)
            title, text = RESOLUTIONS[key]
            votes_for = max(vb.attending - 1, 0)
            session.add(
                Resolution(
                    meeting_id=target.id or 0,
                    title=title.format(year=now_local.year + 1),
                    text=text,
                    votes_for=votes_for,
                    votes_against=0,
                    votes_abstain=vb.attending - votes_for,
                    base=vb.base,
                    base_roster=vb.roster,
                    base_exempt_absent=vb.exempt_absent,
                    base_excused=vb.excused,
                    created_at=target.starts_at + timedelta(hours=2),
                    updated_at=target.starts_at + timedelta(hours=2),
                )
            )
        # upcoming: this month's meeting if still ahead, next month's drafted from the rule
        this_month = _local(now_local.year, now_local.month, day, hhmm)
        if this_month > now:
            m = _meeting(
                session,
                org,
                this_month,
                "regular",
                f"Sinh hoạt chi bộ thường kỳ tháng {now_local.month:02d}/{now_local.year}",
                "scheduled",
                regular_month=f"{now_local.year:04d}-{now_local.month:02d}",
            )
            _agenda(session, m, _regular_agenda(now_local.month))
        draft, _ = regular.draft_next_regular(session, org.id, regular.next_month(now))
        if key in ("tcdv", "banpoong"):
            # Confirmed by the secretary, so the demo members see an upcoming meeting; others wait.
            draft.status = "scheduled"
            draft.location = _place(org)
            _agenda(session, draft, _regular_agenda(draft.starts_at.astimezone(VN_TZ).month))
        if key == "tcdv":
            member_id = ctx.members.get("dangvien.tcdv")
            if member_id:
                session.add(
                    AbsenceRequest(
                        meeting_id=draft.id or 0,
                        member_id=member_id,
                        reason="Dự lớp bồi dưỡng kiến thức quốc phòng, an ninh",
                        status="pending",
                    )
                )
            in_nine_days = (now_local + timedelta(days=9)).date()
            thematic_at = _local(in_nine_days.year, in_nine_days.month, in_nine_days.day, "14:00")
            thematic = _meeting(session, org, thematic_at, "thematic", THEMATIC[3], "scheduled")
            _agenda(session, thematic, ["Báo cáo chuyên đề", "Thảo luận"])
    session.flush()
