"""A check-in is judged when it reached the server: a member whose right code waited for the writer on a
busy evening is recorded, not refused because the code turned meanwhile."""

import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest

from server.app import create_app
from server.meetings import checkin
from server.meetings.checkin import CheckinRejected
from shared.schemas.meetings import CheckinRequest
from tests.factories import make_world
from tests.server.meetings.factories import code_at, make_meeting, principal
from tests.server.meetings.test_concurrency import ServerThread

ARRIVED = datetime(2026, 12, 20, 12, 35, tzinfo=UTC)  # 19:35 on the 20th in Vietnam, five minutes in


def test_the_code_is_judged_at_arrival_not_when_the_writer_is_free(db, world):
    meeting = make_meeting(db, world.cell, starts_at=ARRIVED - timedelta(minutes=5),
                           opened_at=ARRIVED - timedelta(minutes=20))
    db.commit()
    typed = code_at(meeting, ARRIVED)
    later = ARRIVED + timedelta(minutes=2)  # four codes later
    with pytest.raises(CheckinRejected) as refused:  # judged at processing time, as before
        checkin.check_in(db, principal(db, world.member), meeting.id,
                         CheckinRequest(code=typed, client_id=uuid.uuid4().hex), now=later)
    assert refused.value.code == "checkin_code_expired"
    db.rollback()
    out, created = checkin.check_in(db, principal(db, world.member), meeting.id,
                                    CheckinRequest(code=typed, client_id=uuid.uuid4().hex),
                                    now=later, arrived_at=ARRIVED)
    assert created and out.status == "present"  # on time when they arrived (grace: 10 minutes)
    assert out.checked_in_at == ARRIVED


def test_a_check_in_queued_behind_the_writer_keeps_its_code(settings):
    """Real HTTP: the database's writer is held while the code the member sent turns twice over."""
    app = create_app(settings, migrate=False)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        # Codes that turn every 2 s: the wait below outlives the code without a long test.
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5),
                               checkin_interval=2)
        meeting_id, secret = meeting.id, meeting.checkin_secret
        username, password = world.member.username, world.member.password
    totp = pyotp.TOTP(secret, interval=2)
    answer: dict[str, httpx.Response] = {}
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        token = http.post("/api/v1/auth/login", json={"username": username, "password": password}).json()
        writer = sqlite3.connect(settings.data_dir / "sotay.db", timeout=5, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another long write holds the database
        try:
            code = totp.now()

            def send() -> None:
                answer["r"] = http.post(f"/api/v1/meetings/{meeting_id}/check-ins",
                                        json={"code": code, "client_id": uuid.uuid4().hex},
                                        headers={"Authorization": f"Bearer {token['access_token']}"})

            sender = threading.Thread(target=send)
            sender.start()
            deadline = time.monotonic() + 30
            while totp.verify(code, valid_window=1):  # wait until the code is no longer accepted
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert "r" not in answer  # still queued behind the writer
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        sender.join(timeout=30)
    resp = answer["r"]
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "present"
    app.state.db.dispose()
