"""An evening's check-ins that arrive together are written together (group commit), each answered as the
full route would answer it: refusals, replays, offline check-ins and ended sessions included."""

import json
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import event, func, select

from server.app import create_app
from server.auth.models import DeviceSession
from server.meetings.models import Attendance, AttendanceChange
from server.records.audit import AuditEntry
from server.records.changelog import Change, ChangeScope
from tests.factories import make_member, make_world
from tests.server.meetings.factories import code_at, make_meeting
from tests.server.meetings.test_concurrency import ServerThread

MEMBERS = 12


def _login(http: httpx.Client, username: str, password: str) -> str:
    resp = http.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def test_check_ins_that_arrive_together_share_one_transaction_and_each_gets_its_answer(settings):
    app = create_app(settings, migrate=False)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        people = [world.member, world.member2] + [
            make_member(s, world.cell, username=f"dv.toi.{i}") for i in range(MEMBERS - 2)]
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        meeting_id, code = meeting.id, code_at(meeting)
        credentials = [(p.username, p.password, p.member.id) for p in people]
        # A member of the sibling cell and one of another district: the meeting is not theirs.
        outsiders = [(p.username, p.password) for p in (world.sibling_member, world.other_member)]
        secretary_user = world.secretary.user.id
        member_users = {p.member.id: p.user.id for p in people}
    commits = []
    event.listen(app.state.db.engine, "commit", lambda conn: commits.append(1))
    url = f"/api/v1/meetings/{meeting_id}/check-ins"
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        tokens = {member_id: _login(http, u, p) for u, p, member_id in credentials}
        outsider_tokens = [_login(http, *o) for o in outsiders]
        ids = list(tokens)
        late_comer, wrong, offline, ended = ids[-4:]
        with app.state.db.transaction() as s:  # the phone of `ended` was reported lost meanwhile
            s.execute(DeviceSession.__table__.update().where(DeviceSession.user_id == member_users[ended])
                      .values(revoked_at=now, revoked_reason="ended_by_staff"))
        replayed = {"code": code, "client_id": uuid.uuid4().hex}
        jobs = [(m, tokens[m], url, {"code": code, "client_id": uuid.uuid4().hex}) for m in ids[:-4]]
        jobs += [
            (ids[0], tokens[ids[0]], url, replayed),  # a second check-in of the same member
            (wrong, tokens[wrong], url, {"code": "000000" if code != "000000" else "111111",
                                         "client_id": uuid.uuid4().hex}),
            (offline, tokens[offline], url, {"code": code, "client_id": uuid.uuid4().hex,
                                             "checked_in_at": now.isoformat()}),
            (ended, tokens[ended], url, {"code": code, "client_id": uuid.uuid4().hex}),
            *[(None, t, url, {"code": code, "client_id": uuid.uuid4().hex}) for t in outsider_tokens],
            (late_comer, None, url, {"code": code, "client_id": uuid.uuid4().hex}),
        ]
        answers: list[tuple] = []
        # Another writer holds the database while every check-in arrives, so they queue together.
        writer = sqlite3.connect(settings.data_dir / "sotay.db", timeout=5, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        commits.clear()

        def send(job) -> None:
            member_id, token, path, body = job
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            with httpx.Client(base_url=base, timeout=60) as c:
                resp = c.post(path, json=body, headers=headers)
            answers.append((member_id, path, body, resp.status_code, resp.json()))

        threads = [threading.Thread(target=send, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 30
            # The plain check-ins wait in the batch; the others wait at the full route's gate.
            while app.state.db.request_writers < len(ids) - 4 + 1:
                assert time.monotonic() < deadline, app.state.db.request_writers
                time.sleep(0.01)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        for t in threads:
            t.join(timeout=30)
    app.state.db.dispose()

    by = {(a[0], a[1], a[2]["client_id"]): a for a in answers}
    assert len(answers) == len(jobs)
    plain = [by[(m, url, body["client_id"])] for m, _, _, body in jobs[:len(ids) - 4]]
    # The member who sent two check-ins: whichever came first is recorded, the other answered with it.
    twice = sorted([a for a in plain if a[0] == ids[0]] + [by[(ids[0], url, replayed["client_id"])]],
                   key=lambda a: a[3])
    assert [a[3] for a in twice] == [200, 201] and twice[0][4] == twice[1][4]
    once = [a for a in plain if a[0] != ids[0]] + [twice[1]]
    assert all(a[3] == 201 and a[4]["status"] == "present" and not a[4]["offline"] for a in once), once
    refused = next(a for a in answers if a[0] == wrong)
    assert refused[3] == 400 and refused[4]["code"] == "checkin_code_invalid"
    assert next(a for a in answers if a[0] == offline)[3] == 201
    assert next(a for a in answers if a[0] == ended)[4]["code"] == "session_ended_by_staff"
    outsiders = [a for a in answers if a[0] is None]
    assert [a[3] for a in outsiders] == [404, 404]
    assert next(a for a in answers if a[0] == late_comer)[3] == 401
    # The plain ones were written in one transaction (and its read-only sibling of the replay, the
    # refusal, the offline check-in and the ended session each in its own): far fewer than one per check-in.
    assert len(commits) <= 1 + 5, len(commits)

    with app.state.db.transaction() as s:
        rows = dict(s.execute(select(Attendance.member_id, func.count()).where(
            Attendance.meeting_id == meeting_id).group_by(Attendance.member_id)).all())
        assert rows == {m: 1 for m in [*ids[:-4], offline]}
        assert s.execute(select(func.count()).select_from(AttendanceChange)).scalar_one() == len(rows)
        audits = [json.loads(d) for d in s.execute(select(AuditEntry.detail).where(
            AuditEntry.action == "attendance.checkin")).scalars()]
        assert sorted(a["member_id"] for a in audits) == sorted(rows)
        assert {a["status"] for a in audits} == {"present"}
        # Each record reaches its member's devices and the secretary's, as through the full route.
        row_ids = dict(s.execute(select(Attendance.member_id, Attendance.id)).all())
        for member_id, row_id in row_ids.items():
            versions = s.execute(select(Change.version).where(
                Change.entity_type == "attendance", Change.entity_id == row_id)).scalars().all()
            assert len(versions) == 1
            users = set(s.execute(select(ChangeScope.user_id).where(
                ChangeScope.version == versions[0])).scalars())
            assert users == {member_users[member_id], secretary_user}


def test_a_code_typed_late_in_the_grace_time_is_late_through_the_batch(settings):
    app = create_app(settings, migrate=False)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        # Started 15 minutes ago with 10 minutes of grace: a check-in now is late.
        meeting = make_meeting(s, world.cell, starts_at=now - timedelta(minutes=15),
                               opened_at=now - timedelta(minutes=30))
        meeting_id, code = meeting.id, code_at(meeting)
        username, password = world.member.username, world.member.password
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        token = _login(http, username, password)
        resp = http.post(f"/api/v1/meetings/{meeting_id}/check-ins",
                         json={"code": code, "client_id": uuid.uuid4().hex},
                         headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 201, resp.text
        assert resp.json()["status"] == "late"
        lead = _login(http, world.secretary.username, world.secretary.password)
        sheet = http.get(f"/api/v1/meetings/{meeting_id}/attendance",
                         headers={"Authorization": f"Bearer {lead}"})
    app.state.db.dispose()
    assert sheet.status_code == 200, sheet.text
    mine = [r for r in sheet.json()["items"] if r["member_id"] == world.member.member.id]
    assert mine and mine[0]["status"] == "late"
