"""Statistics and alerts: per meeting, per member per year, per cell, and per subtree for staff."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import NotFound
from server.meetings import attendance, regular, repository, service
from server.meetings.models import Attendance, Meeting
from server.orgs import service as orgs
from server.records.members import Member
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.enums import OrgKind
from shared.schemas.meetings import (
    CONSECUTIVE_ABSENCE_FLAG,
    CellRef,
    CellStats,
    FlaggedMember,
    MeetingCounts,
    MeetingKind,
    MeetingStatus,
    MemberYearStats,
    MonthHeld,
    SubtreeOverview,
)
from shared.timefmt import VN_TZ

S = MeetingStatus
HELD = [S.in_progress.value, S.closed.value]
ABSENCES = ("absent", "excused")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime(year, 1, 1, tzinfo=VN_TZ).astimezone(UTC),
        datetime(year + 1, 1, 1, tzinfo=VN_TZ).astimezone(UTC),
    )


def local_now() -> datetime:
    return utcnow().astimezone(VN_TZ)


# ---- per meeting ----


def meeting_counts(session: Session, principal: Principal, meeting_id: int) -> MeetingCounts:
    meeting = service.get_readable(session, principal, meeting_id)
    return attendance.counts(attendance.rows(session, meeting))


# ---- per member ----


def _member_year(member: Member, year: int, statuses: Sequence[str]) -> MemberYearStats:
    """`statuses`: the member's statuses at the closed meetings where they were expected, in time order."""
    assert member.id is not None
    run = best = 0
    for status in statuses:
        run = run + 1 if status in ABSENCES else 0
        best = max(best, run)
    n = {s: sum(1 for x in statuses if x == s) for s in ("present", "late", "excused", "absent")}
    return MemberYearStats(
        member_id=member.id,
        full_name=member.full_name,
        year=year,
        meetings_expected=len(statuses),
        present=n["present"],
        late=n["late"],
        excused=n["excused"],
        absent=n["absent"],
        absences=n["excused"] + n["absent"],
        max_consecutive_absences=best,
        current_consecutive_absences=run,
        flagged=best >= CONSECUTIVE_ABSENCE_FLAG,
        rate=round((n["present"] + n["late"]) / len(statuses), 4) if statuses else None,
    )


def _statuses(
    session: Session, year: int, *, member_ids: Iterable[int] | None = None, org_id: int | None = None
) -> dict[int, list[str]]:
    start, end = year_bounds(year)
    q = (
        select(col(Attendance.member_id), col(Attendance.status))
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(
            col(Meeting.status) == S.closed.value,
            col(Attendance.expected).is_(True),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    if member_ids is not None:
        q = q.where(col(Attendance.member_id).in_(list(member_ids)))
    if org_id is not None:
        q = q.where(col(Meeting.org_id) == org_id)
    out: dict[int, list[str]] = {}
    for member_id, status in session.execute(q):
        out.setdefault(int(member_id), []).append(status)
    return out


def member_year(
    session: Session, principal: Principal, member_id: int, year: int | None = None
) -> MemberYearStats:
    """A member's year, over every cell they attended: the member, their cell's leaders and staff above."""
    member = session.get(Member, member_id)
    own = principal.member is not None and principal.member.id == member_id
    if member is None or not (
        own
        or principal.is_admin
        or principal.leads_cell(member.org_id)
        or (bool(principal.staff_org_ids) and principal.manages(session, member.org_id))
    ):
        raise NotFound("Không tìm thấy đảng viên.", code="member_not_found")
    year = year or local_now().year
    return _member_year(member, year, _statuses(session, year, member_ids=[member_id]).get(member_id, []))


# ---- per cell ----


def _require_cell_stats(session: Session, principal: Principal, cell_id: int) -> Organization:
    org = service.require_cell_org(session, principal, cell_id)
    if not (
        principal.is_admin
        or principal.leads_cell(cell_id)
        or (bool(principal.staff_org_ids) and principal.manages(session, cell_id))
    ):
        principal.require_leads_cell(cell_id)
    return org


def cell_year(session: Session, principal: Principal, cell_id: int, year: int | None = None) -> CellStats:
    org = _require_cell_stats(session, principal, cell_id)
    return compute_cell_year(session, org, year or local_now().year)


def compute_cell_year(session: Session, org: Organization, year: int) -> CellStats:
    assert org.id is not None
    start, end = year_bounds(year)
    held = session.execute(
        select(col(Meeting.kind), col(Meeting.starts_at)).where(
            col(Meeting.org_id) == org.id,
            col(Meeting.status).in_(HELD),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
    ).all()
    months = []
    thematic_quarters: set[int] = set()
    for month in range(1, 13):
        in_month = [(k, s) for k, s in held if s.astimezone(VN_TZ).month == month]
        months.append(
            MonthHeld(
                month=f"{year:04d}-{month:02d}",
                meetings=len(in_month),
                regular_held=any(k == MeetingKind.regular.value for k, _ in in_month),
            )
        )
    for kind, starts in held:
        if kind == MeetingKind.thematic.value:
            thematic_quarters.add((starts.astimezone(VN_TZ).month - 1) // 3 + 1)
    now = local_now()
    current = now.year == year
    statuses = _statuses(session, year, org_id=org.id)
    members = {m.id: m for m in repository.cell_members(session, org.id)}
    missing = set(statuses) - set(members)
    if missing:
        members.update(
            {m.id: m for m in session.execute(select(Member).where(col(Member.id).in_(missing))).scalars()}
        )
    per_member = [
        _member_year(m, year, statuses.get(m.id or 0, []))
        for m in sorted(members.values(), key=lambda m: (m.name_folded, m.id or 0))
        if m.id in statuses or (m.org_id == org.id and service.is_expected(m))
    ]
    expected = sum(len(v) for v in statuses.values())
    attended = sum(1 for v in statuses.values() for s in v if s in attendance.ATTENDED)
    rate = round(attended / expected, 4) if expected else None
    closed = session.execute(
        select(func.count())
        .select_from(Meeting)
        .where(
            col(Meeting.org_id) == org.id,
            col(Meeting.status) == S.closed.value,
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
    ).scalar_one()
    return CellStats(
        org_id=org.id,
        org_name=org.name,
        year=year,
        months=months,
        quarters_with_thematic=sorted(thematic_quarters),
        current_month_held=months[now.month - 1].regular_held if current else None,
        current_quarter_thematic=((now.month - 1) // 3 + 1) in thematic_quarters if current else None,
        meetings_closed=int(closed),
        expected=expected,
        attended=attended,
        rate=rate,
        meets_target=attendance.meets_target(attended, expected),
        absent_without_reason=sum(1 for v in statuses.values() for s in v if s == "absent"),
        members=per_member,
        flagged_member_ids=[m.member_id for m in per_member if m.flagged],
    )


# ---- per subtree (staff) ----


def _flagged_sql(cell_ids_q, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    """Longest run of absences per member (gaps and islands), members with a run >= the flag only."""
    is_absence = case((col(Attendance.status).in_(ABSENCES), 1), else_=0)
    order = (col(Meeting.starts_at), col(Meeting.id))
    ranked = (
        select(
            col(Attendance.member_id).label("member_id"),
            is_absence.label("a"),
            (
                func.row_number().over(partition_by=col(Attendance.member_id), order_by=order)
                - func.row_number().over(partition_by=(col(Attendance.member_id), is_absence), order_by=order)
            ).label("grp"),
        )
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(
            col(Meeting.status) == S.closed.value,
            col(Attendance.expected).is_(True),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
            col(Meeting.org_id).in_(cell_ids_q),
        )
    ).subquery()
    runs = (
        select(ranked.c.member_id, func.count().label("n"))
        .where(ranked.c.a == 1)
        .group_by(ranked.c.member_id, ranked.c.grp)
    ).subquery()
    return (
        select(runs.c.member_id, func.max(runs.c.n).label("best"))
        .group_by(runs.c.member_id)
        .having(func.max(runs.c.n) >= CONSECUTIVE_ABSENCE_FLAG)
    )


def overview(
    session: Session, principal: Principal, org_id: int, month: str | None = None
) -> SubtreeOverview:
    """For staff: cells that have not held the month's regular meeting, cells under 85% this year
    (to the end of the month), members flagged for 3 absences in a row."""
    org = session.get(Organization, org_id)
    if org is None or not (
        principal.is_admin
        or principal.leads_cell(org_id)
        or (bool(principal.staff_org_ids) and principal.manages(session, org_id))
    ):
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    ym = month or f"{local_now().year:04d}-{local_now().month:02d}"
    year, mon = regular.parse_month(ym)
    m_start, m_end = repository.local_month_bounds(year, mon)
    y_start, _ = year_bounds(year)
    cells_q = select(col(Organization.id)).where(
        col(Organization.kind) == OrgKind.cell.value, col(Organization.id).in_(orgs.subtree_ids(org_id))
    )
    cells = dict(
        session.execute(
            select(col(Organization.id), col(Organization.name))
            .where(col(Organization.id).in_(cells_q))
            .order_by(col(Organization.name))
        ).all()
    )
    held = set(
        session.execute(
            select(col(Meeting.org_id))
            .where(
                col(Meeting.org_id).in_(cells_q),
                col(Meeting.kind) == MeetingKind.regular.value,
                col(Meeting.status).in_(HELD),
                col(Meeting.starts_at) >= m_start,
                col(Meeting.starts_at) < m_end,
            )
            .distinct()
        ).scalars()
    )
    attended = func.sum(case((col(Attendance.status).in_(tuple(attendance.ATTENDED)), 1), else_=0))
    rates = session.execute(
        select(col(Meeting.org_id), func.count(col(Attendance.id)), attended)
        .join(Attendance, col(Attendance.meeting_id) == col(Meeting.id))
        .where(
            col(Meeting.org_id).in_(cells_q),
            col(Meeting.status) == S.closed.value,
            col(Attendance.expected).is_(True),
            col(Meeting.starts_at) >= y_start,
            col(Meeting.starts_at) < m_end,
        )
        .group_by(col(Meeting.org_id))
    ).all()
    under = []
    for cell_id, total, att in rates:
        rate = round(int(att or 0) / int(total), 4) if total else None
        if attendance.meets_target(int(att or 0), int(total)) is False:
            under.append(CellRef(org_id=cell_id, org_name=cells.get(cell_id, ""), rate=rate))
    flagged_rows = session.execute(_flagged_sql(cells_q, y_start, m_end)).all()
    flagged = []
    if flagged_rows:
        best = {int(m): int(n) for m, n in flagged_rows}
        for member in session.execute(
            select(Member).where(col(Member.id).in_(list(best))).order_by(col(Member.name_folded))
        ).scalars():
            assert member.id is not None
            flagged.append(
                FlaggedMember(
                    member_id=member.id,
                    full_name=member.full_name,
                    org_id=member.org_id,
                    org_name=cells.get(member.org_id, ""),
                    consecutive_absences=best[member.id],
                )
            )
    return SubtreeOverview(
        org_id=org_id,
        month=f"{year:04d}-{mon:02d}",
        year=year,
        cells=len(cells),
        cells_without_meeting=[CellRef(org_id=c, org_name=n) for c, n in cells.items() if c not in held],
        cells_under_target=sorted(under, key=lambda c: (c.rate or 0, c.org_name)),
        flagged_members=flagged,
    )
