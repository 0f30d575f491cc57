"""The sync engine against the real server app: feed into the store, changes and removals, offline
actions pushed once, the live event stream."""

from __future__ import annotations

import asyncio

import pytest

from client.api import Api, OfflineError
from client.store import SqliteStore
from client.sync import READ, SyncEngine

NOT_OPEN = "Điểm danh chưa được mở. Hãy chờ bí thư mở điểm danh rồi thử lại."


async def _signed_in(url: str, person) -> Api:
    api = Api(url)
    await api.login(person.username, person.password, "Điện thoại thử")
    return api


async def test_feed_fills_the_store_with_the_members_view(live_server, world, tmp_path):
    api = await _signed_in(live_server.url, world.member)
    store = SqliteStore(tmp_path / "s.db")
    engine = SyncEngine(api, store, page_limit=2)
    assert await engine.pull() > 0
    org_ids = {o["id"] for o in store.all("organization")}
    assert {world.cell.id, world.grassroots.id, world.district.id, world.province.id} <= org_ids
    assert world.other_cell.id not in org_ids and world.sibling_cell.id not in org_ids
    [me] = store.all("member")
    assert me["full_name"] == "Trần Thị Đảng"
    cursor = store.cursor
    assert cursor

    # a change made by staff reaches the device on the next pull, and only that
    staff = await _signed_in(live_server.url, world.province_staff)
    await staff.request("PATCH", f"/orgs/{world.cell.id}", json={"name": "Chi bộ thôn A1-1 (mới)"})
    assert await engine.pull() >= 1
    assert store.get("organization", world.cell.id)["name"] == "Chi bộ thôn A1-1 (mới)"
    assert await engine.pull() == 0  # nothing new: the cursor held
    await api.aclose()
    await staff.aclose()


class _LosesFirstAnswer:
    """The network drops the first answer after the server has acted on the request."""

    def __init__(self, api: Api):
        self.api, self.lost = api, False

    async def _lose(self, coro):
        result = await coro
        if not self.lost:
            self.lost = True
            raise OfflineError("answer lost")
        return result

    async def sync_pull(self, cursor, limit):
        return await self.api.sync_pull(cursor, limit)

    async def sync_push(self, actions):
        return await self._lose(self.api.sync_push(actions))

    async def send_action(self, kind, payload, client_id, made_at):
        return await self._lose(self.api.send_action(kind, payload, client_id, made_at))

    def events(self, last_event_id=None):
        return self.api.events(last_event_id)


async def test_offline_read_mark_is_applied_once(live_server, world, tmp_path):
    staff = await _signed_in(live_server.url, world.staff)
    doc = await staff.post_json(
        "/documents",
        {
            "title": "Nghị quyết về công tác xây dựng Đảng",
            "doc_type": "resolution",
            "number": "21-NQ/TW",
            "category": "documents",
            "audience_org_ids": [world.district.id],
        },
    )
    api = await _signed_in(live_server.url, world.member)
    store = SqliteStore(tmp_path / "s.db")
    lossy = _LosesFirstAnswer(api)
    engine = SyncEngine(lossy, store)
    engine.queue(READ, {"document_id": doc["id"], "studied": False})
    with pytest.raises(OfflineError):
        await engine.push()  # the server acted, but the answer was lost on the way back
    assert len(store.outbox("pending")) == 1
    report = await engine.push()  # sent again with the same client id and time
    assert report.sent == 1 and report.refused == []
    assert store.outbox() == []
    detail = await api.get_json(f"/documents/{doc['id']}")
    assert detail["read_at"]
    await api.aclose()
    await staff.aclose()


async def test_event_stream_says_sync_at_once(live_server, world):
    api = await _signed_in(live_server.url, world.member)

    async def first_event():
        async for event, data, event_id in api.events():
            return event, data, event_id

    event, data, event_id = await asyncio.wait_for(first_event(), timeout=10)
    assert event == "sync" and "cursor" in data and event_id
    await api.aclose()


@pytest.mark.parametrize("limit", [1])
async def test_engine_run_follows_hints_until_stopped(live_server, world, tmp_path, limit):
    api = await _signed_in(live_server.url, world.member)
    store = SqliteStore(tmp_path / "s.db")
    engine = SyncEngine(api, store, page_limit=limit)
    stop = asyncio.Event()
    runner = asyncio.create_task(engine.run(stop))
    for _ in range(100):
        if store.get("member", world.member.member.id):
            break
        await asyncio.sleep(0.05)
    staff = await _signed_in(live_server.url, world.province_staff)
    await staff.request("PATCH", f"/orgs/{world.grassroots.id}", json={"name": "Đảng bộ xã A1 (đổi tên)"})
    for _ in range(100):
        org = store.get("organization", world.grassroots.id)
        if org and org["name"] == "Đảng bộ xã A1 (đổi tên)":
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the change did not arrive while the engine was running")
    stop.set()
    engine.wake()
    await api.aclose()  # ends the open event stream
    await asyncio.wait_for(runner, timeout=10)
    await staff.aclose()


class _BatchOnly:
    """Fails if the engine falls back to per-action routes: the batch endpoint must take these types."""

    def __init__(self, api: Api):
        self.api = api

    async def sync_pull(self, cursor, limit):
        return await self.api.sync_pull(cursor, limit)

    async def sync_push(self, actions):
        return await self.api.sync_push(actions)

    async def send_action(self, kind, payload, client_id, made_at):
        raise AssertionError(f"{kind} went around /sync/push")

    def events(self, last_event_id=None):
        return self.api.events(last_event_id)


async def test_queued_check_in_and_absence_go_through_the_batch(live_server, world, tmp_path):
    from datetime import UTC, datetime, timedelta

    from client.sync import ABSENCE, CHECK_IN

    sec = await _signed_in(live_server.url, world.secretary)
    now = datetime.now(UTC)
    meeting = await sec.post_json(
        "/meetings",
        {
            "title": "Sinh hoạt tháng 11",
            "kind": "regular",
            "starts_at": (now + timedelta(minutes=10)).isoformat(),
        },
    )
    later = await sec.post_json(
        "/meetings",
        {
            "title": "Sinh hoạt chuyên đề tháng 12",
            "kind": "thematic",  # one regular meeting a month: the other one may share its month
            "starts_at": (now + timedelta(days=10)).isoformat(),
        },
    )
    code = (await sec.post_json(f"/meetings/{meeting['id']}/check-in/open"))["code"]
    api = await _signed_in(live_server.url, world.member)
    store = SqliteStore(tmp_path / "s.db")
    engine = SyncEngine(_BatchOnly(api), store)
    wrong = "000000" if code != "000000" else "111111"
    engine.queue(CHECK_IN, {"meeting_id": meeting["id"], "code": wrong})  # a mistyped code is refused
    engine.queue(CHECK_IN, {"meeting_id": meeting["id"], "code": code}, made_at=datetime.now(UTC))
    engine.queue(ABSENCE, {"meeting_id": later["id"], "reason": "Đi công tác tỉnh ngoài"})
    report = await engine.push()
    assert report.sent == 2
    [refused] = report.refused
    failed = store.outbox("failed")
    assert failed[0].error_message and "Mã điểm danh" in failed[0].error_message
    sheet = await sec.get_json(f"/meetings/{meeting['id']}/attendance")
    assert {r["member_id"]: r["status"] for r in sheet["items"]}[world.member.member.id] == "present"
    requests = await sec.get_json(f"/meetings/{later['id']}/absence-requests")
    assert [r["reason"] for r in requests] == ["Đi công tác tỉnh ngoài"]
    await engine.pull()  # and the device learns its own state from the feed
    mine = [a for a in store.all("attendance") if a["member_id"] == world.member.member.id]
    assert [a["status"] for a in mine] == ["present"]
    await api.aclose()
    await sec.aclose()


async def test_an_offline_check_in_for_a_meeting_not_opened_ends_with_only_the_servers_words(
    live_server, world, tmp_path
):
    """Issue 12, item 6 against the real server: the member checks in offline to a meeting whose
    check-in the secretary never opened; the device says it is saved, then only what the server said."""
    from datetime import UTC, datetime, timedelta

    from client.state.app import AppState, ClientConfig
    from client.state.meetings import MeetingsState
    from client.state.prefs import MemoryPrefs

    sec = await _signed_in(live_server.url, world.secretary)
    meeting = await sec.post_json(
        "/meetings",
        {"title": "Sinh hoạt tháng 11", "kind": "regular",
         "starts_at": (datetime.now(UTC) + timedelta(minutes=10)).isoformat()},
    )
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await app.sign_in(live_server.url, world.member.username, world.member.password)
    state = MeetingsState(app)
    await state.refresh()
    assert state.next_meeting()["id"] == meeting["id"]  # the device knows it, within its window

    api = app.require_api()
    post_json = api.post_json

    async def no_network(path: str, body: object = None) -> object:
        raise OfflineError("no network")

    api.post_json = no_network  # type: ignore[method-assign]
    queued = await state.check_in(meeting["id"], "123456")
    assert (queued.ok, queued.queued) == (False, True)
    assert state.check_in_message(meeting["id"]) == queued
    assert queued.message == "Đã lưu điểm danh, sẽ xác nhận khi có mạng."

    api.post_json = post_json  # type: ignore[method-assign]
    assert await app.sync_now() is True
    said = state.check_in_message(meeting["id"])
    assert said is not None and (said.ok, said.queued) == (False, False)
    assert said.message == NOT_OPEN
    assert MeetingsState(app).check_in_message(meeting["id"]) == said  # the next screen says the same
    await app.sign_out()
    await sec.aclose()


async def test_my_status_follows_the_attendance_record_the_secretary_changes(live_server, world, tmp_path):
    """Issue 12, item 18: the member's status at a meeting is what the attendance record from the feed says;
    the secretary's later change reaches the member; the stored meeting holds no copy of it."""
    from datetime import UTC, datetime, timedelta

    from client.state.app import AppState, ClientConfig
    from client.state.meetings import MeetingsState
    from client.state.prefs import MemoryPrefs

    sec = await _signed_in(live_server.url, world.secretary)
    meeting = await sec.post_json(
        "/meetings",
        {
            "title": "Sinh hoạt tháng 11",
            "kind": "regular",
            "starts_at": (datetime.now(UTC) + timedelta(minutes=10)).isoformat(),
        },
    )
    mid = meeting["id"]
    code = (await sec.post_json(f"/meetings/{mid}/check-in/open"))["code"]
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await app.sign_in("", world.member.username, world.member.password)
    state = MeetingsState(app)
    await state.refresh()
    assert state.my_status(mid) is None

    outcome = await state.check_in(mid, code)
    assert outcome.ok and not outcome.queued, outcome.message
    assert state.my_status(mid) == "present"  # the attendance record, synced at once
    assert "my_status" not in app.require_store().get("meeting", mid)

    member_id = world.member.member.id
    await sec.request("PUT", f"/meetings/{mid}/attendance/{member_id}", json={"status": "excused"})
    await app.sync_now()
    assert state.my_status(mid) == "excused"
    await state.refresh()  # the REST list carries my_status too: it must not become a second copy
    await state.load_detail(mid)
    assert state.get(mid)["my_status"] == "excused"
    assert "my_status" not in app.require_store().get("meeting", mid)
    await app._close(wipe=True)
    await sec.aclose()
