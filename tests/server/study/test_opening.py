"""A check's questions reach members only once it opens, and the minute job tells the devices at the
opening (the questions) and at the close of a check hiding scores (the key): once each."""

from datetime import timedelta

from sqlalchemy import func, select

from server.records import hints
from server.records.changelog import Change
from server.scheduler.clock import FakeClock
from server.scheduler.service import Runner
from server.study.jobs import study_jobs
from server.study.models import StudyCheck
from server.timeutil import utcnow
from tests.server.study.factories import answers_body, check_body, make_check, make_study_doc
from tests.server.sync.helpers import Device, fresh_view

BASE = "/api/v1/study/checks"
SECRETS = ("Câu hỏi số", "Phương án", "Ý một")  # question texts and options of tests/server/study/factories


class Recorder:
    def __init__(self) -> None:
        self.hints: list[hints.Hint] = []

    def publish(self, hint: hints.Hint) -> None:
        self.hints.append(hint)


def _run_at(app, when) -> None:
    runner = Runner(app.state.db, study_jobs(), FakeClock(when))
    try:
        runner.run_due()
    finally:
        runner.stop()


def _announcements(db, check_id: int) -> int:
    db.rollback()  # a fresh snapshot: the runner commits through its own connections
    return db.execute(
        select(func.count()).select_from(Change).where(
            Change.entity_type == "study_check", Change.entity_id == check_id
        )
    ).scalar_one()


def test_questions_reach_the_phone_at_the_opening_and_the_key_at_the_close(app, client, world, login, db,
                                                                            clock):
    doc = make_study_doc(db, [world.district])
    db.commit()
    staff = login(world.staff)
    start = utcnow()
    opens, closes = start + timedelta(minutes=5), start + timedelta(minutes=12)
    created = client.post(
        BASE,
        json=check_body(doc.id, [world.cell.id], opens_at=opens.isoformat(), closes_at=closes.isoformat(),
                        show_score=False),
        headers=staff,
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    member = Device(client, login(world.member))
    member.pull()

    # Before the opening: the check without a word of its questions, in the feed as through REST.
    raw = client.get("/api/v1/sync", params={"limit": 1000}, headers=member.headers).text
    rest = client.get(f"{BASE}/{cid}", headers=member.headers)
    listed = client.get(BASE, headers=member.headers).text
    for text in (raw, rest.text, listed):
        assert not any(s in text for s in SECRETS), text
    held = member.of_type("study_check")[cid]
    assert held["questions"] == [] and held["question_count"] == 5
    assert held["title"] == created.json()["title"] and held["time_limit_minutes"] == 30
    assert rest.json()["questions"] == [] and rest.json()["question_count"] == 5
    managed = client.get(f"{BASE}/{cid}", headers=staff).json()  # its managers see everything
    assert len(managed["questions"]) == 5 and managed["questions"][0]["correct"] == [1]

    # The job a minute after the opening: the next poll brings the questions (no key), and a live hint.
    recorder, previous = Recorder(), hints._buses.get(app.state.db.engine)
    hints.attach(app.state.db.engine, recorder)
    try:
        clock.move_to(opens + timedelta(minutes=1))
        _run_at(app, utcnow())
    finally:
        if previous is not None:
            hints.attach(app.state.db.engine, previous)
    assert any(world.cell.id in h.org_ids for h in recorder.hints), recorder.hints
    member.pull()
    held = member.of_type("study_check")[cid]
    assert [q["text"] for q in held["questions"]][0] == "Câu hỏi số 1 về Nghị quyết?"
    assert [q["correct"] for q in held["questions"]] == [None] * 5
    opened = client.get(f"{BASE}/{cid}", headers=member.headers).json()
    assert len(opened["questions"]) == 5 and opened["key_shown"] is False

    answered = utcnow()
    taken = client.post(
        f"{BASE}/{cid}/attempts", headers=member.headers,
        json=answers_body(answered - timedelta(seconds=30), answered),
    )
    assert taken.status_code == 201 and taken.json()["score"] is None, taken.text
    member.pull()
    assert member.of_type("study_check")[cid]["key_shown"] is False

    # The close: the poll after the job brings the key and the score.
    clock.move_to(closes + timedelta(minutes=1))
    _run_at(app, utcnow())
    member.pull()
    held = member.of_type("study_check")[cid]
    assert held["key_shown"] is True and held["my_attempt"]["score"] == 5
    assert held["questions"][0]["correct"] == [1]
    assert member.store == fresh_view(client, member.headers)


def test_each_opening_and_close_is_announced_once(app, world, db, clock):
    doc = make_study_doc(db, [world.district])
    start = utcnow()
    hiding = make_check(db, doc, [world.cell], opens_at=start + timedelta(minutes=5),
                        closes_at=start + timedelta(hours=2), show_score=False)
    showing = make_check(db, doc, [world.cell], opens_at=start + timedelta(minutes=5),
                         closes_at=start + timedelta(hours=2))
    db.commit()
    ids = (hiding.id, showing.id)
    _run_at(app, start)
    assert [_announcements(db, i) for i in ids] == [0, 0]  # not open yet
    for minutes in (6, 6, 7, 30):  # twice in one minute, then on later minutes: once
        _run_at(app, start + timedelta(minutes=minutes))
    assert [_announcements(db, i) for i in ids] == [1, 1]
    for minutes in (121, 122):  # the close: only the check hiding scores has news (its key)
        _run_at(app, start + timedelta(minutes=minutes))
    assert [_announcements(db, i) for i in ids] == [2, 1]
    # Its close pushed back after it was announced (PATCH allows a later close): told again at the new one.
    row = db.get(StudyCheck, hiding.id)
    assert row is not None and row.closed_announced_at is not None
    row.closes_at = start + timedelta(hours=3)
    db.commit()
    _run_at(app, start + timedelta(minutes=150))
    assert _announcements(db, hiding.id) == 2
    _run_at(app, start + timedelta(minutes=181))
    _run_at(app, start + timedelta(minutes=182))
    assert [_announcements(db, i) for i in ids] == [3, 1]
