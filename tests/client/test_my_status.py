"""Issue 12, item 18: a meeting's "my status" has one source, the member's attendance record from the feed
(and a check-in still waiting in the outbox, shown as pending); nothing is written into the stored meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from client.state.meetings import PENDING, MeetingsState
from tests.client.fakes import FakeFeed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MEETING = {
    "id": 5,
    "title": "Sinh hoạt tháng 11",
    "status": "in_progress",
    "starts_at": (NOW - timedelta(minutes=5)).isoformat(),
}


def record(status: str, id_: int = 41, member_id: int = 3) -> dict[str, Any]:
    return {
        "id": id_,
        "meeting_id": 5,
        "member_id": member_id,
        "status": status,
        "expected": True,
        "source": "checkin",
        "updated_at": NOW.isoformat(),
    }


async def _member_with_feed(made):
    """A signed-in member whose server has a feed: a check-in makes the attendance record there."""
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    api, feed = apis[-1], FakeFeed()
    feed.change("meeting", 5, dict(MEETING))
    api.sync_pull = feed.sync_pull  # type: ignore[method-assign]

    async def post_json(path: str, body: Any = None) -> Any:
        api._check()
        api.posted.append((path, body))
        if path == "/meetings/5/check-ins":
            feed.change("attendance", 41, record("present"))
            return {"meeting_id": 5, "member_id": 3, "status": "present"}
        return None

    async def sync_push(actions: list) -> list:
        api._check()
        for a in actions:
            if a["type"] == "meeting.check_in":
                feed.change("attendance", 41, record("late"))
        return [{"client_id": a["client_id"], "status": "applied"} for a in actions]

    api.post_json = post_json  # type: ignore[method-assign]
    api.sync_push = sync_push  # type: ignore[method-assign]
    assert await app.sync_now()
    return app, api, feed


async def test_the_status_comes_from_the_attendance_record_and_follows_the_secretarys_changes(made):
    app, api, feed = await _member_with_feed(made)
    state = MeetingsState(app, now=lambda: NOW)
    assert state.my_status(5) is None

    outcome = await state.check_in(5, "123456")
    assert outcome.ok and outcome.message == "Đã điểm danh: có mặt."
    assert state.my_status(5) == "present"  # the record synced from the server, at once
    assert state.get(5)["my_status"] == "present"
    assert "my_status" not in app.store.get("meeting", 5)  # nothing written into the meeting

    feed.change("attendance", 41, record("excused"))  # the secretary corrects the record
    await app.sync_now()
    assert state.my_status(5) == "excused"
    assert [m["my_status"] for m in state.all()] == ["excused"]

    feed.change("attendance", 41, None, op="delete")  # ... or takes it back (undo of a stray choice)
    await app.sync_now()
    assert state.my_status(5) is None
    assert state.get(5)["my_status"] is None
    assert "my_status" not in app.store.get("meeting", 5)


async def test_an_offline_check_in_is_pending_until_the_servers_record_arrives(made):
    app, api, feed = await _member_with_feed(made)
    state = MeetingsState(app, now=lambda: NOW)
    api.offline = True
    feed.offline = True
    outcome = await state.check_in(5, "123456")
    assert outcome.queued
    assert state.my_status(5) == PENDING
    assert state.get(5)["my_status"] == PENDING
    assert "my_status" not in app.store.get("meeting", 5)

    api.offline = feed.offline = False
    assert await app.sync_now()
    assert state.my_status(5) == "late"  # the server's verdict, not what the device guessed
    assert "my_status" not in app.store.get("meeting", 5)


async def test_the_rest_meeting_does_not_bring_its_own_copy_of_the_status(made):
    """GET /meetings answers with the caller's my_status: merging it into the stored meeting would give the
    meeting a second, soon stale, copy."""
    app, api, feed = await _member_with_feed(made)
    feed.change("attendance", 41, record("present"))
    await app.sync_now()
    own = {"my_status": "absent", "my_absence_request": "pending"}
    api.answers["/meetings"] = {"items": [{**MEETING, **own}]}
    api.answers["/meetings/5"] = {**MEETING, "my_status": "absent"}
    state = MeetingsState(app, now=lambda: NOW)
    await state.refresh()
    await state.load_detail(5)
    stored = app.store.get("meeting", 5)
    assert "my_status" not in stored and "my_absence_request" not in stored
    assert state.my_status(5) == "present"
    assert state.get(5)["my_absence_request"] is None
