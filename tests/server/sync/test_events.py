"""Live push over SSE: hints after commit, notifications, Last-Event-ID, heartbeats, and two workers."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.config import Settings
from server.db import Database
from server.notifications.service import notify
from tests import factories
from tests.conftest import _pg_database, make_settings
from tests.server.sync.servers import SSEReader, login, server_process


def _arrange(settings: Settings) -> dict[str, int]:
    db = Database(settings)
    try:
        with db.transaction() as s:
            w = factories.make_world(s)
            return {"cell": w.cell.id, "other_cell": w.other_cell.id, "member_user": w.member.user.id}
    finally:
        db.dispose()


def _notify(settings: Settings, **kwargs) -> None:
    db = Database(settings)
    try:
        with db.transaction() as s:
            notify(s, **kwargs)
    finally:
        db.dispose()


@pytest.fixture
def sqlite_settings(tmp_path: Path, sqlite_template: Path) -> Settings:
    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    return make_settings(tmp_path)


@pytest.fixture
def pg_settings(tmp_path: Path, pg_template: str) -> Iterator[Settings]:
    for url in _pg_database(pg_template):
        yield make_settings(tmp_path, database_url=url)


@pytest.mark.slow
def test_single_process_stream(sqlite_settings):
    ids = _arrange(sqlite_settings)
    with server_process(sqlite_settings.data_dir, str(sqlite_settings.database_url)) as base:
        member = login(base, "dangvien.a", factories.PASSWORD)
        staff = login(base, "canbo.a", factories.PASSWORD)
        outsider = login(base, "dangvien.b", factories.PASSWORD)
        mine = SSEReader(f"{base}/api/v1/events", member).start()
        other = SSEReader(f"{base}/api/v1/events", outsider).start()
        first = mine.next("sync")
        other.next("sync")
        mine.next("ping", timeout=5)  # heartbeats keep proxies from closing an idle stream
        resp = httpx.patch(f"{base}/api/v1/orgs/{ids['cell']}", json={"name": "Chi bộ đổi tên"},
                           headers=staff)
        assert resp.status_code == 200, resp.text
        hint = mine.next("sync")
        assert int(hint["id"]) > int(first["id"])
        assert hint["json"]["version"] == int(hint["id"])
        # The hint is only a hint: the feed has the change.
        feed = httpx.get(f"{base}/api/v1/sync", headers=member).json()
        while feed["has_more"]:
            feed = httpx.get(f"{base}/api/v1/sync", params={"cursor": feed["cursor"]}, headers=member).json()
        # The outsider's stream got nothing for a change outside its view.
        assert [e for e in other.drain() if e.get("event") == "sync"] == []

        # Reconnect with Last-Event-ID: missed changes announced at once; up to date: nothing but pings.
        stale = SSEReader(f"{base}/api/v1/events", {**member, "Last-Event-ID": first["id"]}).start()
        assert stale.next("sync")["id"] == hint["id"]
        current = SSEReader(f"{base}/api/v1/events", {**member, "Last-Event-ID": hint["id"]}).start()
        current.next("ping", timeout=5)
        current.next("ping", timeout=5)
        assert [e for e in current.drain() if e.get("event") == "sync"] == []
        for r in (mine, other, stale, current):
            r.stop()


@pytest.mark.slow
def test_stream_auth_header_or_short_ticket(sqlite_settings):
    _arrange(sqlite_settings)
    with server_process(sqlite_settings.data_dir, str(sqlite_settings.database_url)) as base:
        assert httpx.get(f"{base}/api/v1/events").status_code == 401
        assert httpx.get(f"{base}/api/v1/events", params={"ticket": "forged"}).status_code == 401
        member = login(base, "dangvien.a", factories.PASSWORD)
        ticket = httpx.post(f"{base}/api/v1/events/ticket", headers=member).json()
        assert ticket["expires_in"] <= 60
        reader = SSEReader(f"{base}/api/v1/events?ticket={ticket['ticket']}", {}).start()
        reader.next("sync")
        reader.stop()
        # Spent: the same ticket opens nothing a second time (seen in a log, a proxy's history).
        again = httpx.get(f"{base}/api/v1/events", params={"ticket": ticket["ticket"]})
        assert again.status_code == 401 and again.json()["code"] == "invalid_ticket"
        # An access token is not a ticket.
        token = member["Authorization"].split()[1]
        assert httpx.get(f"{base}/api/v1/events", params={"ticket": token}).status_code == 401


@pytest.mark.slow
def test_stream_ends_when_the_device_signs_out(sqlite_settings):
    _arrange(sqlite_settings)
    with server_process(sqlite_settings.data_dir, str(sqlite_settings.database_url)) as base:
        member = login(base, "dangvien.a", factories.PASSWORD)
        reader = SSEReader(f"{base}/api/v1/events", member).start()
        reader.next("sync")
        assert httpx.post(f"{base}/api/v1/auth/logout", headers=member).status_code == 204
        assert reader.closed_within(10)  # rechecked every 4 pings (2 s here)


@pytest.mark.slow
@pytest.mark.postgres
def test_change_through_one_worker_reaches_client_of_another(pg_settings):
    ids = _arrange(pg_settings)
    url = str(pg_settings.database_url)
    with server_process(pg_settings.data_dir / "a", url) as a, \
            server_process(pg_settings.data_dir / "b", url) as b:
        member_b = login(b, "dangvien.a", factories.PASSWORD)
        outsider_b = login(b, "dangvien.b", factories.PASSWORD)
        stream = SSEReader(f"{b}/api/v1/events", member_b).start()
        other = SSEReader(f"{b}/api/v1/events", outsider_b).start()
        first = stream.next("sync")
        other.next("sync")
        staff_a = login(a, "canbo.a", factories.PASSWORD)
        resp = httpx.patch(f"{a}/api/v1/orgs/{ids['cell']}", json={"name": "Chi bộ qua tiến trình A"},
                           headers=staff_a)
        assert resp.status_code == 200, resp.text
        hint = stream.next("sync")
        assert int(hint["id"]) > int(first["id"])
        # A notification committed elsewhere (here: this test process) arrives as a notification event.
        _notify(pg_settings, org_ids=[ids["cell"]], kind="meeting_scheduled", title="Họp chi bộ tháng 12")
        note = stream.next("notification")
        assert note["json"]["title"] == "Họp chi bộ tháng 12"
        stream.next("sync", where=lambda e: int(e["id"]) >= int(note["id"]))
        assert [e for e in other.drain() if e.get("event") in ("sync", "notification")] == []
        stream.stop()
        other.stop()


@pytest.mark.slow
def test_two_workers_on_sqlite_share_hints_through_redis(sqlite_settings):
    from tests.requirements import _port_open, need

    need(_port_open("127.0.0.1", 6379), "Redis is not reachable on 127.0.0.1:6379")
    ids = _arrange(sqlite_settings)
    url, redis_url = str(sqlite_settings.database_url), "redis://127.0.0.1:6379/0"
    data = sqlite_settings.data_dir
    with server_process(data, url, SOTAY_REDIS_URL=redis_url) as a, \
            server_process(data, url, SOTAY_REDIS_URL=redis_url) as b:
        stream = SSEReader(f"{b}/api/v1/events", login(b, "dangvien.a", factories.PASSWORD)).start()
        first = stream.next("sync")
        staff_a = login(a, "canbo.a", factories.PASSWORD)
        resp = httpx.patch(f"{a}/api/v1/orgs/{ids['cell']}", json={"name": "Chi bộ qua Redis"},
                           headers=staff_a)
        assert resp.status_code == 200, resp.text
        assert int(stream.next("sync")["id"]) > int(first["id"])
        stream.stop()


@pytest.mark.slow
def test_two_workers_on_sqlite_without_redis_share_hints_through_the_change_log(sqlite_settings):
    """`serve --workers 2` on SQLite with no Redis: a change made through one worker reaches a device
    streaming from the other, and only the devices it concerns."""
    ids = _arrange(sqlite_settings)
    url, data = str(sqlite_settings.database_url), sqlite_settings.data_dir
    with server_process(data, url, SOTAY_WORKERS="2") as a, server_process(data, url, SOTAY_WORKERS="2") as b:
        stream = SSEReader(f"{b}/api/v1/events", login(b, "dangvien.a", factories.PASSWORD)).start()
        other = SSEReader(f"{b}/api/v1/events", login(b, "dangvien.b", factories.PASSWORD)).start()
        first = stream.next("sync")
        other.next("sync")
        staff_a = login(a, "canbo.a", factories.PASSWORD)
        resp = httpx.patch(f"{a}/api/v1/orgs/{ids['cell']}", json={"name": "Chi bộ qua nhật ký thay đổi"},
                           headers=staff_a)
        assert resp.status_code == 200, resp.text
        hint = stream.next("sync")
        assert int(hint["id"]) > int(first["id"])
        # The device of another district hears nothing of it (its stream goes on: pings only).
        other.next("ping")
        other.next("ping")
        assert [e for e in other.drain() if e.get("event") in ("sync", "notification")] == []
        stream.stop()
        other.stop()


def test_ticket_expires_after_a_minute_unspent(client, world, login):
    import time_machine

    with time_machine.travel("2026-12-31T16:59:00+00:00", tick=False) as clock:  # 23:59 in Vietnam
        ticket = client.post("/api/v1/events/ticket", headers=login(world.member)).json()["ticket"]
        clock.shift(61)
        late = client.get("/api/v1/events", params={"ticket": ticket})
        assert late.status_code == 401 and late.json()["code"] == "invalid_ticket"
        # Issuing the next ticket clears expired ones: no row is left behind.
        client.post("/api/v1/events/ticket", headers=login(world.member))
        from server.sync.models_ext import EventTicket

        with client.app.state.db.session() as s:
            assert len(s.query(EventTicket).all()) == 1


def test_a_ticket_of_an_ended_session_or_of_another_type_is_refused(client, world, login):
    from server.auth import security

    member = login(world.member)
    ticket = client.post("/api/v1/events/ticket", headers=member).json()["ticket"]
    access = member["Authorization"].removeprefix("Bearer ")
    secret = client.app.state.settings.resolved_secret()
    # Each kind is read only as itself: a ticket opens no route, an access token no stream.
    assert security.read_event_ticket(secret, ticket) is not None
    assert security.read_access_token(secret, ticket) is None
    assert security.read_access_token(secret, access) is not None
    assert security.read_event_ticket(secret, access) is None
    as_bearer = client.get("/api/v1/sync", headers={"Authorization": f"Bearer {ticket}"})
    assert as_bearer.status_code == 401 and as_bearer.json()["code"] == "invalid_token"
    as_ticket = client.get("/api/v1/events", params={"ticket": access})
    assert as_ticket.status_code == 401 and as_ticket.json()["code"] == "invalid_ticket"
    # The session ended (signed out) after the ticket was issued: the ticket is refused like its token.
    assert client.post("/api/v1/auth/logout", headers=member).status_code == 204
    ended = client.get("/api/v1/events", params={"ticket": ticket})
    assert ended.status_code == 401 and ended.json()["code"] == "session_revoked"
