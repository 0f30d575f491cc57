"""Each offline action is applied or refused on its own: a bad one never takes the batch down with it."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.notifications.models import Notification
from server.notifications.service import notify
from server.sync import actions
from server.sync.models_ext import SyncAction
from server.timeutil import utcnow
from tests.server.meetings.factories import make_meeting

PUSH = "/api/v1/sync/push"


def _read(client_id, ids, made_at="2026-11-20T19:30:00+07:00"):
    return {"client_id": client_id, "type": "notification.read", "payload": {"ids": ids}, "made_at": made_at}


def _notes(db, world, n):
    notes = [notify(db, user_ids=[world.member.user.id], kind="k", title=f"t{i}")[0] for i in range(n)]
    db.commit()
    return [note.id for note in notes]


def _unread(client, headers) -> int:
    return client.get("/api/v1/notifications", headers=headers).json()["unread"]


@pytest.mark.parametrize("made_at", [
    "2026-11-20T19:30:00",  # no offset: which 19:30?
    "9999-12-31T23:30:00-05:00",  # beyond year 9999 once in UTC
    "0001-01-01T00:30:00+07:00",  # before year 1 once in UTC
    "2500-01-01T00:00:00+00:00",
    "1800-06-01T08:00:00+07:00",
])
def test_bad_made_at_refuses_only_that_action(client, world, login, db, made_at):
    ids = _notes(db, world, 3)
    headers = login(world.member)
    batch = {"actions": [_read("good-0001", [ids[0]]), _read("bad-00001", [ids[1]], made_at),
                         _read("good-0002", [ids[2]])]}
    resp = client.post(PUSH, json=batch, headers=headers)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("applied", None), ("refused", "invalid_made_at"), ("applied", None)]
    assert "múi giờ" in results[1]["message"] or "năm" in results[1]["message"]
    assert _unread(client, headers) == 1  # the refused one left its notification unread
    replay = client.post(PUSH, json=batch, headers=headers).json()["results"]
    assert [(r["status"], r["code"]) for r in replay] == [
        ("already_applied", None), ("refused", "invalid_made_at"), ("already_applied", None)]


def test_made_at_a_handler_refuses_is_a_kept_refusal(client, world, login, db):
    """1950 is a date, but no meeting's check-in: refused as the domain's input error, never retried."""
    meeting = make_meeting(db, world.cell, opened_at=utcnow())
    [note] = _notes(db, world, 1)
    headers = login(world.member)
    batch = {"actions": [
        {"client_id": "old-00001", "type": "meeting.check_in", "made_at": "1950-01-01T19:30:00+07:00",
         "payload": {"meeting_id": meeting.id, "code": "123456"}},
        _read("good-0001", [note]),
    ]}
    results = client.post(PUSH, json=batch, headers=headers).json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("refused", "invalid_payload"), ("applied", None)]
    again = client.post(PUSH, json=batch, headers=headers).json()["results"]
    assert [(r["status"], r["code"]) for r in again] == [("refused", "invalid_payload"),
                                                         ("already_applied", None)]


@pytest.fixture
def broken_handlers() -> Iterator[dict[str, int]]:
    """Handlers that fail the way bugs and races do, registered like any domain's handler."""
    calls = {"boom": 0, "integrity": 0}

    def boom(session, principal, action):
        calls["boom"] += 1
        # a half-done write before the crash: must not survive
        session.add(Notification(user_id=principal.user_id, kind="half", title="half-done"))
        session.flush()
        raise RuntimeError("a bug in a handler")

    def integrity(session, principal, action):
        calls["integrity"] += 1
        session.add(Notification(user_id=principal.user_id, kind="half", title="half-done"))
        session.flush()
        raise IntegrityError("INSERT", {}, Exception("unique"))

    registry = actions.handlers()
    registry["test.boom"], registry["test.integrity"] = boom, integrity
    yield calls
    del registry["test.boom"], registry["test.integrity"]


def test_unexpected_errors_refuse_only_their_action(client, world, login, db, broken_handlers):
    ids = _notes(db, world, 2)
    headers = login(world.member)
    batch = {"actions": [
        _read("good-0001", [ids[0]]),
        {"client_id": "boom-0001", "type": "test.boom", "payload": {}},
        {"client_id": "race-0001", "type": "test.integrity", "payload": {}},
        _read("good-0002", [ids[1]]),
    ]}
    resp = client.post(PUSH, json=batch, headers=headers)
    assert resp.status_code == 200, resp.text
    assert [(r["status"], r["code"]) for r in resp.json()["results"]] == [
        ("applied", None), ("refused", "action_failed"), ("refused", "action_conflict"), ("applied", None)]
    assert _unread(client, headers) == 0
    db.expire_all()
    assert db.execute(select(func.count()).select_from(Notification)
                      .where(Notification.kind == "half")).scalar_one() == 0
    # No receipt is kept for a failure that is not the action's fault: the device may send it again later.
    stored = set(db.execute(select(SyncAction.client_id)).scalars())
    assert stored == {"good-0001", "good-0002"}
    assert broken_handlers == {"boom": 1, "integrity": 2}  # a unique-key race is retried once
    replay = client.post(PUSH, json=batch, headers=headers).json()["results"]
    assert [r["status"] for r in replay] == ["already_applied", "refused", "refused", "already_applied"]
    assert broken_handlers == {"boom": 2, "integrity": 4}
