"""Scheduler: one leader per deployment, each (job, period) once, missed work done once on start."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.app import create_app
from server.auth.models import DeviceSession
from server.db import Database
from server.housekeeping import cleanup
from server.notifications.models import Notification
from server.notifications.service import notify
from server.records.changelog import record_change
from server.scheduler.clock import FakeClock
from server.scheduler.models import JobRun
from server.scheduler.service import Job, Runner, daily, monthly_from_day, once
from server.sync import service as sync_service
from shared.enums import OrgKind
from tests import factories


def _count_notes(db: Database, kind: str) -> int:
    with db.transaction() as s:
        return int(s.execute(select(func.count()).select_from(Notification).where(Notification.kind == kind))
                   .scalar_one())


def _jobs(org_id: int) -> list[Job]:
    def monthly(session, ctx):
        notify(session, org_ids=[org_id], kind="monthly", title=f"Tháng {ctx.local_now:%m/%Y}")
        return "sent"

    def per_item(session, ctx):
        sent = 0
        for item in ("a", "b"):
            if once(session, "per_item", item):
                notify(session, org_ids=[org_id], kind="per_item", title=item)
                sent += 1
        return str(sent)

    return [Job("monthly", monthly_from_day(20), monthly), Job("per_item", daily, per_item)]


def _two_instances(any_settings):
    first, second = Database(any_settings), Database(any_settings)
    with first.transaction() as s:
        org = factories.make_org(s, kind=OrgKind.province)
        org_id = org.id
    return first, second, org_id


def test_two_instances_each_job_once(any_settings):
    first, second, org_id = _two_instances(any_settings)
    clock = FakeClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))  # 21/11 09:00 in Hà Nội
    a, b = Runner(first, _jobs(org_id), clock), Runner(second, _jobs(org_id), clock)
    try:
        ran_a = a.run_due()
        ran_b = b.run_due()
        assert sorted(ran_a) == [("monthly", "2026-11"), ("per_item", "2026-11-21")]
        assert ran_b == []  # not the leader
        clock.advance(minutes=1)
        assert a.run_due() == [] and b.run_due() == []
        assert _count_notes(first, "monthly") == 1
        assert _count_notes(first, "per_item") == 2
        # Next day: the daily job runs again, its per-item work does not repeat.
        clock.advance(days=1)
        assert a.run_due() == [("per_item", "2026-11-22")]
        assert _count_notes(first, "per_item") == 2
        # The leader goes away: the other instance takes over, and still does nothing twice.
        a.stop()
        assert b.run_due() == []
        clock.advance(days=1)
        assert b.run_due() == [("per_item", "2026-11-23")]
        assert _count_notes(first, "monthly") == 1
    finally:
        a.stop()
        b.stop()
        first.dispose()
        second.dispose()


def test_job_runs_once_even_without_the_lock(any_settings):
    """Idempotency does not rest on the lock alone: two leaders by mistake still run a period once."""
    first, second, org_id = _two_instances(any_settings)
    clock = FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    a, b = Runner(first, _jobs(org_id), clock), Runner(second, _jobs(org_id), clock)
    b.lock.acquire = lambda: True  # type: ignore[method-assign]
    try:
        assert len(a.run_due()) == 2
        assert b.run_due() == []
        assert _count_notes(first, "monthly") == 1
    finally:
        a.stop()
        first.dispose()
        second.dispose()


def test_missed_work_runs_once_after_restart(any_settings):
    first, _second, org_id = _two_instances(any_settings)
    _second.dispose()
    clock = FakeClock(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    runner = Runner(first, _jobs(org_id), clock)
    assert [j for j, _ in runner.run_due()] == ["per_item"]  # before the 20th: no monthly draft yet
    runner.stop()
    # Down from the 19th to the 23rd; on restart the month's job (due on the 20th) runs once.
    clock.set(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    restarted = Runner(first, _jobs(org_id), clock)
    try:
        assert sorted(j for j, _ in restarted.run_due()) == ["monthly", "per_item"]
        assert restarted.run_due() == []
        assert _count_notes(first, "monthly") == 1
        with first.transaction() as s:
            runs = select(func.count()).select_from(JobRun).where(JobRun.job == "monthly")
            assert s.execute(runs).scalar_one() == 1
    finally:
        restarted.stop()
        first.dispose()


def test_failed_job_is_retried_next_tick(any_settings):
    first, second, org_id = _two_instances(any_settings)
    second.dispose()
    calls = []

    def flaky(session, ctx):
        calls.append(ctx.now)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return "ok"

    clock = FakeClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))
    runner = Runner(first, [Job("flaky", daily, flaky)], clock)
    try:
        assert runner.run_due() == []
        assert runner.run_due() == [("flaky", "2026-11-21")]
        assert runner.run_due() == []
        assert len(calls) == 2
    finally:
        runner.stop()
        first.dispose()


def test_cleanup_prunes_log_and_expired_sessions(any_settings):
    db = Database(any_settings)
    try:
        with db.transaction() as s:
            org = factories.make_org(s, kind=OrgKind.province)
            person = factories.make_member(s, org)
            s.add(DeviceSession(user_id=person.user.id, expires_at=datetime(2026, 1, 1, tzinfo=UTC)))
            later = datetime.now(UTC) + timedelta(days=any_settings.sync_log_days + 1)
            # Signed out long ago but not yet expired: gone too. One in use stays.
            s.add(DeviceSession(user_id=person.user.id, expires_at=later + timedelta(days=30),
                                revoked_at=later - timedelta(days=8)))
            s.add(DeviceSession(user_id=person.user.id, expires_at=later + timedelta(days=30)))
            record_change(s, "organization", org.id, org_ids=[org.id])
        runner = Runner(db, [Job("cleanup", daily, cleanup)], FakeClock(later))
        try:
            assert [j for j, _ in runner.run_due()] == ["cleanup"]
        finally:
            runner.stop()
        with db.transaction() as s:
            assert sync_service.horizon(s) >= 1
            assert s.execute(select(func.count()).select_from(DeviceSession)).scalar_one() == 1
    finally:
        db.dispose()


def test_app_lifespan_starts_scheduler_and_runs_missed_jobs(settings):
    from fastapi.testclient import TestClient

    settings.run_scheduler = True
    app = create_app(settings, migrate=False)
    app.state.clock = FakeClock(datetime(2026, 11, 21, 2, 0, tzinfo=UTC))
    with TestClient(app):
        runner = app.state.job_runner
        # the first tick runs at start; wait for it through the runner rather than sleeping blindly
        for _ in range(200):
            with app.state.db.transaction() as s:
                if s.execute(select(JobRun).where(JobRun.job == "cleanup")).first():
                    break
            import time

            time.sleep(0.05)
        assert runner.lock.held
    with app.state.db.transaction() as s:
        rows = s.execute(select(JobRun.key).where(JobRun.job == "cleanup")).scalars().all()
    assert rows == ["2026-11-21"]
