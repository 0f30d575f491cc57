"""Meetings state with fake HTTP and storage: check-in sent, queued or refused on the device, upcoming and
past, own attendance from the feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from client.api import ApiError
from client.state.documents import DocumentsState
from client.state.meetings import MeetingsState
from tests.client.fakes import NOT_OPEN


async def test_check_in_validates_then_sends_or_queues(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put(
        "meeting",
        5,
        {
            "id": 5,
            "title": "Sinh hoạt tháng 11",
            "status": "scheduled",
            "starts_at": (now + timedelta(minutes=10)).isoformat(),
        },
    )
    assert (await state.check_in(5, "12a456")).message == "Mã điểm danh gồm 6 chữ số."
    api = apis[-1]
    api.answers["/meetings/5/check-ins"] = ApiError(400, "checkin_code_invalid", "Mã điểm danh không đúng.")
    wrong = await state.check_in(5, "000000")
    assert (wrong.ok, wrong.message) == (False, "Mã điểm danh không đúng.")
    api.answers["/meetings/5/check-ins"] = {"status": "present"}
    ok = await state.check_in(5, "123 456")
    assert ok.ok and ok.message == "Đã điểm danh: có mặt."
    assert api.posted[-1][1]["code"] == "123456"
    assert "my_status" not in app.store.get("meeting", 5)  # the attendance record says it (issue 12, item 18)

    api.offline = True
    queued = await state.check_in(5, "654321")
    # Not a success yet: the server has not seen it.
    assert (queued.ok, queued.queued) == (False, True)
    assert queued.message == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."
    [item] = app.store.outbox("pending")
    assert item.kind == "meeting.check_in"
    assert item.payload == {"meeting_id": 5, "code": "654321"}  # exactly what /sync/push takes
    assert item.created_at == now  # sent as made_at: the server checks the code against that moment
    assert state.queued_check_in(5)
    assert state.my_status(5) == "pending"
    api.offline = False
    assert await app.sync_now() is True
    assert app.store.outbox() == []


async def test_meetings_split_upcoming_and_past(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    for i, (delta, status) in enumerate(
        [(2, "scheduled"), (-30, "closed"), (1, "scheduled"), (3, "cancelled"), (5, "draft")], 1
    ):
        app.store.put(
            "meeting", i, {"id": i, "status": status, "starts_at": (now + timedelta(days=delta)).isoformat()}
        )
    assert [m["id"] for m in state.upcoming()] == [3, 1]
    assert state.next_meeting()["id"] == 3
    assert [m["id"] for m in state.past()] == [4, 2]  # drafts are the secretary's business


async def test_own_state_comes_from_the_feeds_own_entities(made):
    """The feed sends the meeting and the document as they are for everyone; own attendance, absence
    requests, read marks and bookmarks arrive as their own entities (a leader's device holds others' too)."""
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    store = app.store
    store.put("meeting", 5, {"id": 5, "status": "closed", "starts_at": "2026-11-04T12:00:00+00:00"})
    store.put("attendance", 1, {"id": 1, "meeting_id": 5, "member_id": 99, "status": "absent"})  # another
    store.put("attendance", 2, {"id": 2, "meeting_id": 5, "member_id": 3, "status": "late"})  # me (member 3)
    store.put("absence_request", 7, {"id": 7, "meeting_id": 5, "member_id": 3, "status": "rejected"})
    meeting = MeetingsState(app).get(5)
    assert meeting["my_status"] == "late" and meeting["my_absence_request"] == "rejected"
    store.put("document", 1, {"id": 1, "title": "Nghị quyết", "status": "published", "category": "documents"})
    store.put("document", 2, {"id": 2, "title": "Chỉ thị", "status": "published", "category": "documents"})
    store.put("read_mark", 10, {"id": 10, "document_id": 1, "read_at": "2026-11-20T01:00:00+00:00"})
    store.put("bookmark", 2, {"id": 2, "document_id": 2, "created_at": "2026-11-20T01:00:00+00:00"})
    docs = DocumentsState(app)
    assert [d["id"] for d in docs.unread()] == [2]
    docs.bookmarked_only = True
    assert [d["id"] for d in docs.results()] == [2]
    assert await docs.toggle_bookmark(2) is False
    assert docs.results() == []
    assert store.get("bookmark", 2) is None
    assert store.outbox() == []  # the removal went to the server at once


def _meeting_opening(now: datetime, **extra: Any) -> dict[str, Any]:
    """A scheduled meeting as the feed sends it: its check-in window travels with it."""
    starts = now + timedelta(minutes=10)
    return {
        "id": 5,
        "org_id": 4,
        "title": "Sinh hoạt tháng 11",
        "status": "scheduled",
        "starts_at": starts.isoformat(),
        "checkin_opens_at": (starts - timedelta(minutes=30)).isoformat(),
        "checkin_closes_at": (starts + timedelta(minutes=60)).isoformat(),
        **extra,
    }


async def test_an_offline_check_in_says_saved_then_only_the_servers_refusal(made):
    """Issue 12, item 6: offline the device says the check-in is saved and will be confirmed; once the
    server refuses it (check-in never opened), only the server's words are said, not both."""
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put("meeting", 5, _meeting_opening(now))
    api = apis[-1]
    api.push_answers["111111"] = {"status": "refused", "code": "checkin_not_open",
                                  "message": NOT_OPEN}
    api.offline = True
    queued = await state.check_in(5, "111111")
    assert queued.queued and not queued.ok
    assert state.check_in_message(5) == queued
    assert queued.message == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."

    api.offline = False
    assert await app.sync_now() is True
    said = state.check_in_message(5)
    assert said is not None and (said.ok, said.queued) == (False, False)
    assert said.message == NOT_OPEN
    assert not state.queued_check_in(5)
    # A new screen (the member comes back to the meeting later) says the same, from the outbox.
    again = MeetingsState(app, now=lambda: now)
    assert again.check_in_message(5) == said


async def test_an_offline_check_in_the_server_takes_says_only_how_it_was_recorded(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    state = MeetingsState(app, now=lambda: now)
    app.store.put("meeting", 5, _meeting_opening(now, status="in_progress"))
    api = apis[-1]
    api.push_answers["222222"] = {"status": "applied", "result": {"status": "late", "meeting_id": 5}}
    api.offline = True
    assert (await state.check_in(5, "222222")).queued
    api.offline = False
    await app.sync_now()
    said = state.check_in_message(5)
    assert said is not None and (said.ok, said.queued) == (True, False)
    assert said.message == "Đã điểm danh: đến muộn."
    # The feed's own attendance entity, once pulled, says the same.
    app.store.put("attendance", 1, {"id": 1, "meeting_id": 5, "member_id": 3, "status": "late"})
    assert MeetingsState(app, now=lambda: now).check_in_message(5) == said


@pytest.mark.parametrize(
    ("minutes", "status", "said"),
    [
        (-120, "scheduled", "Chưa đến giờ điểm danh: buổi sinh hoạt mở điểm danh lúc 18:40 23/11/2026."),
        (200, "scheduled", "Đã hết giờ điểm danh buổi sinh hoạt này (đóng lúc 20:10 23/11/2026)."),
        (200, "closed", "Đã hết giờ điểm danh buổi sinh hoạt này (đóng lúc 20:10 23/11/2026)."),
        (0, "cancelled", "Buổi sinh hoạt đã bị hủy nên không điểm danh được."),
    ],
)
async def test_offline_a_meeting_known_not_to_be_open_is_refused_on_the_device(made, minutes, status, said):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 19:00 in Vietnam; the meeting starts at 19:10
    app.store.put("meeting", 5, _meeting_opening(now, status=status))
    state = MeetingsState(app, now=lambda: now + timedelta(minutes=minutes))
    apis[-1].offline = True
    outcome = await state.check_in(5, "123456")
    assert (outcome.ok, outcome.queued, outcome.message) == (False, False, said)
    assert app.store.outbox() == []  # nothing queued: no promise the server is sure to break
    assert state.check_in_message(5) == outcome


async def test_offline_a_meeting_in_progress_or_within_its_window_is_queued(made):
    """The secretary may have opened check-in since the device last synced: the server decides."""
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    apis[-1].offline = True
    app.store.put("meeting", 5, _meeting_opening(now))
    assert (await MeetingsState(app, now=lambda: now).check_in(5, "123456")).queued
    app.store.put("meeting", 5, _meeting_opening(now, status="in_progress"))
    late = MeetingsState(app, now=lambda: now + timedelta(hours=5))
    assert (await late.check_in(5, "123457")).queued
