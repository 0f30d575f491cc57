"""The sync engine against a fake feed: paging, deletes, 410 reset, offline queue, replay, refusals."""

import pytest

from client.api import ApiError, OfflineError
from client.store import SqliteStore
from client.sync import CHECK_IN, READ, SyncEngine
from tests.client.fakes import FakeFeed


@pytest.fixture
def store(tmp_path):
    return SqliteStore(tmp_path / "s.db")


async def test_pull_follows_pages_to_the_end_and_applies_deletes(store):
    feed = FakeFeed()
    for i in range(1, 8):
        feed.change("document", i, {"id": i, "title": f"Văn bản {i}"})
    feed.change("document", 3, None, op="delete")
    engine = SyncEngine(feed, store, page_limit=3)
    assert await engine.pull() == 8
    assert sorted(d["id"] for d in store.all("document")) == [1, 2, 4, 5, 6, 7]
    assert store.cursor == "8"
    feed.change("meeting", 1, {"id": 1, "title": "Sinh hoạt tháng 11"})
    assert await engine.pull() == 1  # continues from the cursor, not from scratch
    assert store.get("meeting", 1)["title"] == "Sinh hoạt tháng 11"


async def test_stale_cursor_starts_again_and_drops_what_is_gone(store):
    feed = FakeFeed()
    feed.change("document", 1, {"id": 1, "title": "Cũ"})
    feed.change("document", 2, {"id": 2, "title": "Giữ"})
    engine = SyncEngine(feed, store)
    await engine.pull()
    feed.change("document", 1, None, op="delete")  # its tombstone is cleaned up before we come back
    feed.change("document", 2, {"id": 2, "title": "Giữ (sửa)"})
    feed.compact()
    feed.change("document", 3, {"id": 3, "title": "Mới"})
    await engine.pull()
    assert sorted((d["id"], d["title"]) for d in store.all("document")) == [(2, "Giữ (sửa)"), (3, "Mới")]


async def test_actions_wait_offline_and_are_sent_once_when_back(store):
    feed = FakeFeed()
    engine = SyncEngine(feed, store)
    feed.offline = True
    engine.queue(CHECK_IN, {"meeting_id": 5, "code": "482913", "checked_in_at": "2026-11-23T12:00:00+00:00"})
    engine.queue(READ, {"document_id": 9})
    assert await engine.sync_now() is False
    assert engine.online is False
    assert len(store.outbox("pending")) == 2
    feed.offline = False
    assert await engine.sync_now() is True
    assert engine.online is True
    assert store.outbox() == []
    assert len(feed.applied) == 2
    await engine.sync_now()
    assert feed.push_calls == 1  # nothing left to send


async def test_lost_answer_replay_changes_nothing(store):
    feed = FakeFeed()
    engine = SyncEngine(feed, store)
    item = engine.queue(CHECK_IN, {"meeting_id": 5, "code": "111111"})
    await feed.sync_push([{"client_id": item.client_id, "type": CHECK_IN, "payload": item.payload}])
    report = await engine.push()  # the app never saw the first answer and sends again
    assert report.sent == 1 and report.refused == []
    assert list(feed.applied) == [item.client_id]


async def test_refused_action_is_kept_with_the_servers_reason(store):
    feed = FakeFeed()
    feed.refuse_codes["000000"] = "check_in_code_invalid"
    engine = SyncEngine(feed, store)
    engine.queue(CHECK_IN, {"meeting_id": 5, "code": "000000"})
    report = await engine.push()
    assert [i.payload["code"] for i in report.refused] == ["000000"]
    failed = store.outbox("failed")
    assert failed[0].error_code == "check_in_code_invalid"
    assert failed[0].error_message == "Mã điểm danh không đúng."
    await engine.push()
    assert feed.push_calls == 1  # a refused action is not sent again and again


async def test_server_without_push_endpoint_gets_actions_one_by_one(store):
    feed = FakeFeed()
    feed.has_push = False
    engine = SyncEngine(feed, store)
    a = engine.queue(READ, {"document_id": 1})
    b = engine.queue(CHECK_IN, {"meeting_id": 2, "code": "123456"})
    report = await engine.push()
    assert report.sent == 2
    assert feed.sent_one_by_one == [a.client_id, b.client_id]


async def test_pull_offline_raises_and_marks_offline(store):
    feed = FakeFeed()
    statuses = []
    engine = SyncEngine(feed, store, on_status=statuses.append)
    feed.offline = True
    with pytest.raises(OfflineError):
        await engine.pull()
    feed.offline = False
    await engine.pull()
    assert statuses == [False, True]


async def test_event_hint_triggers_a_pull(store):
    import asyncio

    feed = FakeFeed()
    feed.change("notification", 1, {"id": 1, "title": "Lịch sinh hoạt mới"})
    feed.notifications.append({"id": 1, "kind": "checkin_opened", "title": "Đã mở điểm danh"})
    changed, told = [], []
    engine = SyncEngine(feed, store, on_change=lambda: changed.append(1), on_notification=told.append)
    stop = asyncio.Event()

    async def stop_soon():
        await asyncio.sleep(0.05)
        stop.set()
        engine.wake()

    await asyncio.gather(engine.run(stop), stop_soon())
    assert store.get("notification", 1)["title"] == "Lịch sinh hoạt mới"
    assert changed
    assert told and told[0]["title"] == "Đã mở điểm danh"


async def test_server_side_failure_keeps_the_action_queued_for_the_next_push(store):
    # action_failed / action_conflict say nothing about the action: the member's check-in is not dropped.
    feed = FakeFeed()
    feed.refuse_codes["222222"] = "action_failed"
    engine = SyncEngine(feed, store)
    item = engine.queue(CHECK_IN, {"meeting_id": 5, "code": "222222"})
    report = await engine.push()
    assert report.refused == [] and report.pending == 1 and store.outbox("failed") == []
    del feed.refuse_codes["222222"]
    report = await engine.push()
    assert report.sent == 1 and list(feed.applied) == [item.client_id]


async def test_full_server_disk_keeps_every_queued_action(store):
    # 507 storage_full: the server saved nothing, so nothing is dropped or marked refused.
    feed = FakeFeed()
    feed.storage_full = True
    engine = SyncEngine(feed, store)
    items = [engine.queue(CHECK_IN, {"meeting_id": 5, "code": "123456"}),
             engine.queue(CHECK_IN, {"meeting_id": 6, "code": "123456"})]
    with pytest.raises(ApiError) as refused:
        await engine.push()
    assert refused.value.status == 507
    assert [i.client_id for i in store.outbox("pending")] == [i.client_id for i in items]
    assert store.outbox("failed") == []
    feed.storage_full = False
    report = await engine.push()
    assert report.sent == 2 and sorted(feed.applied) == sorted(i.client_id for i in items)


async def test_a_long_offline_queue_goes_in_batches_the_server_takes(store):
    feed = FakeFeed()
    engine = SyncEngine(feed, store)
    items = [engine.queue(READ, {"document_id": n}) for n in range(450)]
    report = await engine.push()
    assert report.sent == 450 and report.pending == 0 and report.refused == []
    assert feed.push_calls == 3  # 200 + 200 + 50, oldest first
    assert list(feed.applied) == [i.client_id for i in items]
    assert store.outbox("pending") == []
