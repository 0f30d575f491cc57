"""Scheduled work of meetings and documents: reminders, publication, closing, drafts, absence flags."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.documents.jobs import document_jobs
from server.meetings.jobs import meeting_jobs
from server.meetings.models import Attendance, Meeting
from server.notifications.models import Notification
from server.scheduler.clock import FakeClock
from server.scheduler.service import Runner
from server.timeutil import utcnow
from tests.server.documents.factories import create_doc
from tests.server.meetings.factories import make_meeting, mark
from tests.server.sync.helpers import Device


def _count(db, kind, **where):
    db.rollback()  # a fresh snapshot: the runner commits through its own connections
    q = select(func.count()).select_from(Notification).where(Notification.kind == kind)
    for key, value in where.items():
        q = q.where(getattr(Notification, key) == value)
    return db.execute(q).scalar_one()


def test_reminders_a_day_and_two_hours_before_once(app, world, db):
    starts = utcnow() + timedelta(hours=30)
    meeting = make_meeting(db, world.cell, starts_at=starts)
    make_meeting(db, world.other_cell, starts_at=starts + timedelta(days=5))
    db.commit()
    clock = FakeClock(utcnow())
    first, second = Runner(app.state.db, meeting_jobs(), clock), Runner(app.state.db, meeting_jobs(), clock)
    try:
        first.run_due()
        assert _count(db, "meeting_reminder") == 0  # 30 hours ahead: nothing yet
        clock.set(starts - timedelta(hours=23))
        first.run_due()
        second.run_due()
        cell_users = {world.secretary.user.id, world.member.user.id, world.member2.user.id}
        db.rollback()
        rows = db.execute(select(Notification.user_id).where(Notification.kind == "meeting_reminder"))
        rows = rows.scalars()
        assert set(rows) == cell_users
        clock.advance(minutes=30)
        first.run_due()
        assert _count(db, "meeting_reminder") == 3
        clock.set(starts - timedelta(minutes=90))
        first.run_due()
        first.run_due()
        assert _count(db, "meeting_reminder") == 6
        assert _count(db, "meeting_reminder", ref_id=meeting.id) == 6
    finally:
        first.stop()
        second.stop()


def test_reminders_stopped_halfway_go_on_from_where_they_stopped(app, world, db, monkeypatch):
    """Each meeting's reminders are their own transaction: a failure keeps those sent, gives the period
    back, and the next tick sends only the rest (one reminder per member and meeting, never two)."""
    from server.notifications import events

    starts = utcnow() + timedelta(hours=20)
    cells = [world.cell, world.sibling_cell, world.other_cell]
    ids = [make_meeting(db, c, starts_at=starts + timedelta(minutes=i)).id for i, c in enumerate(cells)]
    db.commit()
    remind, calls = events.meeting_reminder, []

    def failing_on_the_second(session, meeting_id, *args):
        calls.append(meeting_id)
        if len(calls) == 2:
            raise RuntimeError("the server stopped here")
        return remind(session, meeting_id, *args)

    def sent() -> dict[int, int]:
        return {i: _count(db, "meeting_reminder", ref_id=i) for i in ids}

    monkeypatch.setattr(events, "meeting_reminder", failing_on_the_second)
    runner = Runner(app.state.db, meeting_jobs(), FakeClock(utcnow()))
    try:
        runner.run_due()
        first = sent()
        assert first[calls[0]] > 0 and sum(first.values()) == first[calls[0]]  # the first meeting only
        monkeypatch.setattr(events, "meeting_reminder", remind)
        runner.run_due()  # the same period again: the failure gave it back
        second = sent()
        assert all(n > 0 for n in second.values()) and second[calls[0]] == first[calls[0]]
        runner.run_due()
        assert sent() == second  # done for this period: nothing twice
    finally:
        runner.stop()


def test_scheduled_document_published_and_reaches_devices(app, client, world, login, db):
    staff = login(world.province_staff)
    publish_at = utcnow() + timedelta(hours=3)
    doc = create_doc(client, staff, "Kế hoạch học tập chuyên đề 2027", [world.province.id],
                     publish_at=publish_at.isoformat())
    assert doc["status"] == "scheduled"
    device = Device(client, login(world.member))
    device.pull()
    assert device.of_type("document") == {}
    clock = FakeClock(utcnow())
    runner = Runner(app.state.db, document_jobs(), clock)
    try:
        runner.run_due()
        device.pull()
        assert device.of_type("document") == {}
        clock.set(publish_at + timedelta(minutes=2))  # the server was down at publish time
        runner.run_due()
        runner.run_due()
    finally:
        runner.stop()
    device.pull()
    assert device.of_type("document")[doc["id"]]["status"] == "published"
    notes = [n for n in device.of_type("notification").values() if n["kind"] == "document_published"]
    assert len(notes) == 1 and notes[0]["ref_id"] == doc["id"]


def test_overdue_meeting_closed_with_absentees(app, world, db):
    starts = utcnow() - timedelta(days=1)
    meeting = make_meeting(db, world.cell, starts_at=starts)
    mark(db, meeting, world.member, "present")
    db.commit()
    runner = Runner(app.state.db, meeting_jobs(), FakeClock(utcnow()))
    try:
        runner.run_due()
    finally:
        runner.stop()
    db.rollback()
    assert db.execute(select(Meeting.status).where(Meeting.id == meeting.id)).scalar_one() == "closed"
    statuses = dict(db.execute(select(Attendance.member_id, Attendance.status)
                               .where(Attendance.meeting_id == meeting.id)).all())
    assert statuses[world.member.member.id] == "present"
    assert statuses[world.member2.member.id] == "absent"
    assert statuses[world.secretary.member.id] == "absent"


def test_next_month_drafted_from_the_20th_once_and_secretary_asked(app, world, db):
    cell = world.cell
    cell.meeting_day, cell.meeting_time = 4, "19:30"
    db.add(cell)
    db.commit()
    local_19th = utcnow().astimezone().replace(day=19, hour=9)
    clock = FakeClock(local_19th)
    runner = Runner(app.state.db, meeting_jobs(), clock)
    try:
        runner.run_due()
        db.rollback()
        assert db.execute(select(func.count()).select_from(Meeting)).scalar_one() == 0
        clock.advance(days=2)  # the 21st: down on the 20th, caught up now
        runner.run_due()
        runner.run_due()
    finally:
        runner.stop()
    db.rollback()
    [drafted] = db.execute(select(Meeting)).scalars().all()
    assert drafted.status == "draft" and drafted.org_id == cell.id
    assert drafted.regular_month is not None
    assert drafted.starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).day == 4
    asked = db.execute(select(Notification.user_id).where(Notification.kind == "meeting_draft")).scalars()
    asked = list(asked)
    assert asked == [world.secretary.user.id]


def test_three_absences_in_a_row_flag_once(app, world, db):
    for weeks in (9, 6, 3):
        meeting = make_meeting(db, world.cell, starts_at=utcnow() - timedelta(weeks=weeks), status="closed")
        mark(db, meeting, world.member2, "absent")
        mark(db, meeting, world.member, "present")
    db.commit()
    clock = FakeClock(utcnow())
    runner = Runner(app.state.db, meeting_jobs(), clock)
    try:
        runner.run_due()
        clock.advance(days=1)
        runner.run_due()
    finally:
        runner.stop()
    db.rollback()
    users = db.execute(select(Notification.user_id).where(Notification.kind == "absence_flag")).scalars()
    users = list(users)
    assert sorted(users) == sorted([world.member2.user.id, world.secretary.user.id])
