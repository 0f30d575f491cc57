"""Jobs and the runner: each job names the period it is due for; a (job, period) runs once, ever.

The runner is called every minute by APScheduler and once at start-up, so work missed while the server
was down is done once on start. Time comes from an injected clock.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.db import Database
from server.scheduler.clock import Clock, SystemClock
from server.scheduler.leader import LeaderLock
from server.scheduler.models import JobRun

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    now: datetime
    tz: ZoneInfo
    db: Database

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)


@dataclass
class Job:
    name: str
    period: Callable[[JobContext], str | None]  # the period due now, or None when nothing is due
    run: Callable[[Session, JobContext], str | None]  # does the work; returns a short detail
    # A chunked job gets a read session and writes through `ctx.db.transaction()` in small pieces, each
    # claimed with `once`, so it never holds SQLite's writer for long and resumes where a crash left it.
    chunked: bool = False


def every_minutes(minutes: int) -> Callable[[JobContext], str]:
    def period(ctx: JobContext) -> str:
        t = ctx.now
        floored = t.replace(minute=t.minute - t.minute % minutes, second=0, microsecond=0)
        return floored.strftime("%Y-%m-%dT%H:%M")
    return period


def daily(ctx: JobContext) -> str:
    return ctx.local_now.strftime("%Y-%m-%d")


def monthly_from_day(day: int) -> Callable[[JobContext], str | None]:
    """Due once a month, from local `day` on (so a server down on the 20th does it on the 21st)."""
    def period(ctx: JobContext) -> str | None:
        local = ctx.local_now
        return local.strftime("%Y-%m") if local.day >= day else None
    return period


def once(session: Session, job: str, key: str, owner: str | None = None) -> bool:
    """Claim (job, key) inside the caller's transaction; False when it was done before.

    Jobs use it for per-item work too (e.g. "reminder-24h", "meeting:42").
    """
    if session.execute(select(col(JobRun.id)).where(col(JobRun.job) == job, col(JobRun.key) == key)).first():
        return False
    nested = session.begin_nested()
    try:
        session.add(JobRun(job=job, key=key, owner=owner))
        session.flush()
        nested.commit()
    except IntegrityError:
        nested.rollback()
        return False
    return True


class Runner:
    def __init__(self, db: Database, jobs: list[Job], clock: Clock | None = None, owner: str | None = None):
        self.db = db
        self.jobs = jobs
        self.clock = clock or SystemClock()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.lock = LeaderLock(db)
        self.tz = ZoneInfo(db.settings.timezone)

    def run_due(self) -> list[tuple[str, str]]:
        """Run every job due now that has not run for its period. Only the leader acts."""
        if not self.lock.acquire():
            return []
        done: list[tuple[str, str]] = []
        ctx = JobContext(now=self.clock.now(), tz=self.tz, db=self.db)
        for job in self.jobs:
            key = job.period(ctx)
            if key is None:
                continue
            try:
                ran = self._run_chunked(job, key, ctx) if job.chunked else self._run_whole(job, key, ctx)
                if ran:
                    done.append((job.name, key))
            except Exception:  # noqa: BLE001 - one failing job must not stop the others; retried next tick
                log.exception("scheduled job %s (%s) failed", job.name, key)
        return done

    def _run_whole(self, job: Job, key: str, ctx: JobContext) -> bool:
        """Claim, work and record in one transaction: all or nothing."""
        with self.db.transaction() as session:
            if not once(session, job.name, key, self.owner):
                return False
            self._finish(session, job, key, job.run(session, ctx))
        return True

    def _run_chunked(self, job: Job, key: str, ctx: JobContext) -> bool:
        """Claim in a short transaction, work in the job's own small ones, record at the end; a failure
        gives the claim back so the next tick goes on from what is not done yet."""
        with self.db.transaction() as session:
            if not once(session, job.name, key, self.owner):
                return False
        try:
            with self.db.session() as reader:
                detail = job.run(reader, ctx)
        except BaseException:
            with self.db.transaction() as session:
                session.execute(delete(JobRun).where(col(JobRun.job) == job.name, col(JobRun.key) == key))
            raise
        with self.db.transaction() as session:
            self._finish(session, job, key, detail)
        return True

    def _finish(self, session: Session, job: Job, key: str, detail: str | None) -> None:
        run = session.execute(
            select(JobRun).where(col(JobRun.job) == job.name, col(JobRun.key) == key)).scalar_one()
        run.finished_at = self.clock.now()
        run.detail = detail

    def stop(self) -> None:
        self.lock.release()


def rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
