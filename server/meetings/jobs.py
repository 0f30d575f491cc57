"""Jobs of meetings: reminders, closing, monthly drafts, absence flags."""

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from server.meetings import attendance, regular, repository, stats
from server.notifications import events
from server.records.members import Member
from server.records.orgs import Organization
from server.scheduler.service import Job, JobContext, daily, every_minutes, monthly_from_day, once
from shared.enums import OrgKind

REMIND_DAY = timedelta(hours=24)
REMIND_SOON = timedelta(hours=2)


def meeting_reminders(session: Session, ctx: JobContext) -> str:
    """A day and two hours before each scheduled meeting, once each (a rescheduled meeting again).

    Chunked: each meeting's reminders are their own short transaction, so check-ins flow while the
    province's evening of meetings is reminded (it was one transaction of 24,160 rows, 18.7 s of writer).
    """
    due = list(repository.upcoming_reminders(session, ctx.now, ctx.now + REMIND_DAY))
    session.rollback()  # nothing more to read: no snapshot kept open while writing
    sent = 0
    for r in due:
        soon = r.starts_at - ctx.now <= REMIND_SOON
        kind = "reminder-2h" if soon else "reminder-24h"
        if not r.user_ids:
            continue
        with ctx.db.background_transaction() as writer:
            if once(writer, kind, f"{r.meeting_id}@{r.starts_at:%Y%m%dT%H%M}"):
                events.meeting_reminder(writer, r.meeting_id, r.title, r.starts_at, r.user_ids,
                                        "2 giờ nữa" if soon else "ngày mai")
                sent += 1
    return f"sent={sent}"


def close_meetings(session: Session, ctx: JobContext) -> str:
    """Meetings left open after their check-in window and end: closed, absentees recorded."""
    closed = attendance.close_overdue(session, ctx.now)
    return f"closed={len(closed)}"


def draft_next_month(session: Session, ctx: JobContext) -> str:
    """From the 20th: next month's regular meeting of every cell with a rule, and a request to confirm it."""
    month = regular.next_month(ctx.now)
    created = regular.draft_regular_for_all(session, month)
    asked = 0
    for meeting in created:
        leaders = repository.leader_user_ids(session, meeting.org_id)
        if leaders and meeting.id is not None and once(session, "meeting-draft", str(meeting.id)):
            events.meeting_draft(session, meeting.id, meeting.title, meeting.starts_at, leaders)
            asked += 1
    return f"month={month} drafted={len(created)} asked={asked}"


def absence_flags(session: Session, ctx: JobContext) -> str:
    """Members absent 3+ times in a row this year: the member and their cell's leaders are told, once per run
    length."""
    year = ctx.local_now.year
    start, end = stats.year_bounds(year)
    cells = select(col(Organization.id)).where(col(Organization.kind) == OrgKind.cell.value)
    raised = 0
    for member_id, best in session.execute(stats._flagged_sql(cells, start, end)).all():
        member = session.get(Member, int(member_id))
        if member is None or member.id is None:
            continue
        users = sorted(set(repository.user_ids_of_members(session, [member.id])
                           + repository.leader_user_ids(session, member.org_id)))
        if users and once(session, "absence-flag", f"{member.id}:{year}:{int(best)}"):
            events.absence_flag(session, users, member.full_name, int(best), year, member.id)
            raised += 1
    return f"flags={raised}"


def meeting_jobs() -> list[Job]:
    return [
        Job("meeting_reminders", every_minutes(5), meeting_reminders, chunked=True),
        Job("close_meetings", every_minutes(5), close_meetings),
        Job("draft_next_month", monthly_from_day(20), draft_next_month),
        Job("absence_flags", daily, absence_flags),
    ]
