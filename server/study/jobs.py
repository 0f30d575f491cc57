"""Jobs of study checks: telling the audience's devices that a check opened, or closed.

The sync feed is change-based and a check's payload depends on the clock (the questions from opens_at,
the key of a check hiding scores from closes_at): without a change at those moments a device would hold
the check as it was. Every minute, each check whose opens_at (or, hiding scores, closes_at) has passed
and was not announced yet gets a change for its audience, in its own short transaction (the live hint
goes at commit). The claim is the row's own `*_announced_at`: a second run, or a second server, finds it
done; a close pushed back after it was announced (PATCH) is announced again at the new close.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from server.records.changelog import record_change
from server.scheduler.service import Job, JobContext, every_minutes, rowcount
from server.study import access
from server.study.models import StudyCheck
from server.study.service import ENTITY


def _due(session: Session, at: Any, done: Any, now: datetime, *extra: Any) -> list[int]:
    rows = session.execute(
        select(col(StudyCheck.id)).where(at <= now, or_(done.is_(None), done < at), *extra)
        .order_by(at, col(StudyCheck.id))
    ).scalars()
    return [int(r) for r in rows]


def _announce(ctx: JobContext, ids: list[int], at: Any, done: Any) -> int:
    told = 0
    for check_id in ids:
        with ctx.db.background_transaction() as writer:
            claimed = writer.execute(
                update(StudyCheck)
                .where(col(StudyCheck.id) == check_id, at <= ctx.now, or_(done.is_(None), done < at))
                .values({done: ctx.now})
                .execution_options(synchronize_session=False)
            )
            if rowcount(claimed):
                record_change(writer, ENTITY, check_id, org_ids=access.audience_of(writer, check_id))
                told += 1
    return told


def announce_checks(session: Session, ctx: JobContext) -> str:
    """Checks that opened, and checks hiding scores that closed, since the last run: a change each."""
    opened = _due(session, col(StudyCheck.opens_at), col(StudyCheck.opened_announced_at), ctx.now)
    closed = _due(session, col(StudyCheck.closes_at), col(StudyCheck.closed_announced_at), ctx.now,
                  col(StudyCheck.show_score).is_(False))
    session.rollback()  # nothing more to read: no snapshot kept open while writing
    told_open = _announce(ctx, opened, col(StudyCheck.opens_at), col(StudyCheck.opened_announced_at))
    told_closed = _announce(ctx, closed, col(StudyCheck.closes_at), col(StudyCheck.closed_announced_at))
    return f"opened={told_open} closed={told_closed}"


def study_jobs() -> list[Job]:
    return [Job("announce_study_checks", every_minutes(1), announce_checks, chunked=True)]
