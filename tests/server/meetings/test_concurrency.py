"""Many members checking in at once, over real HTTP against uvicorn, on SQLite and PostgreSQL."""

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from server.app import create_app
from server.meetings.models import Attendance, AttendanceChange
from tests.factories import make_member, make_world
from tests.server.meetings.factories import code_at, make_meeting

MEMBERS = 24


class ServerThread:
    """uvicorn on 127.0.0.1, port chosen by the OS, in a daemon thread."""

    def __init__(self, app):
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.mark.slow
def test_concurrent_check_ins_make_one_record_each(any_settings):
    app = create_app(any_settings, migrate=False)
    with app.state.db.transaction() as s:
        world = make_world(s)
        people = [world.member, world.member2] + [
            make_member(s, world.cell, username=f"dv.dong.{i}") for i in range(MEMBERS - 2)
        ]
        now = datetime.now(UTC)
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        meeting_id, code = meeting.id, code_at(meeting)
        credentials = [(p.username, p.password, p.member.id) for p in people]
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        tokens = {}
        for username, password, member_id in credentials:
            resp = http.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert resp.status_code == 200, resp.text
            tokens[member_id] = resp.json()["access_token"]
        jobs = []
        for member_id, token in tokens.items():
            same = {"code": code, "client_id": uuid.uuid4().hex}
            jobs += [
                (member_id, token, same),
                (member_id, token, same),
                (member_id, token, {"code": code, "client_id": uuid.uuid4().hex}),
            ]
        barrier = threading.Barrier(len(jobs))

        def send(job):
            member_id, token, body = job
            with httpx.Client(base_url=base, timeout=60) as c:
                barrier.wait()
                resp = c.post(
                    f"/api/v1/meetings/{meeting_id}/check-ins",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                )
            return member_id, resp.status_code, resp.json()

        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            results = list(pool.map(send, jobs))
    assert not [r for r in results if r[1] not in (200, 201)], [r for r in results if r[1] not in (200, 201)]
    created = Counter(member_id for member_id, status_code, _ in results if status_code == 201)
    assert created == Counter({member_id: 1 for member_id in tokens})
    for member_id in tokens:
        bodies = [body for m, _, body in results if m == member_id]
        assert all(b == bodies[0] for b in bodies)  # every answer is the one record
    with app.state.db.transaction() as s:
        rows = s.execute(
            select(Attendance.member_id, func.count())
            .where(Attendance.meeting_id == meeting_id)
            .group_by(Attendance.member_id)
        ).all()
        assert dict(rows) == {member_id: 1 for member_id in tokens}
        assert s.execute(select(func.count()).select_from(AttendanceChange)).scalar_one() == MEMBERS
    app.state.db.dispose()


@pytest.mark.slow
def test_burst_on_generic_write_routes(any_settings):
    """80 members report absence at once (a route on the generic DbSession): all succeed, none is 'locked'."""
    from server.auth import security
    from server.auth.models import DeviceSession

    app = create_app(any_settings, migrate=False)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        people = [make_member(s, world.cell, username=f"dv.vang.{i}") for i in range(80)]
        meeting_id = make_meeting(s, world.cell, starts_at=now + timedelta(days=2)).id
        tokens = []
        for p in people:  # minted directly: this is about the write path, not about argon2
            device = DeviceSession(
                user_id=p.user.id, created_at=now, last_seen_at=now, expires_at=now + timedelta(days=1)
            )
            s.add(device)
            s.flush()
            tokens.append(
                security.make_access_token(
                    any_settings.resolved_secret(), user_id=p.user.id, session_id=device.id, minutes=30
                )[0]
            )
    with ServerThread(app) as base:
        barrier = threading.Barrier(len(tokens))

        def send(token):
            with httpx.Client(base_url=base, timeout=120) as c:
                barrier.wait()
                return c.post(
                    f"/api/v1/meetings/{meeting_id}/absence-requests",
                    json={"reason": "Đi công tác"},
                    headers={"Authorization": f"Bearer {token}"},
                ).status_code

        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            statuses = Counter(pool.map(send, tokens))
    app.state.db.dispose()
    assert statuses == Counter({201: 80})
