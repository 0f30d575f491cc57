"""After the server restarts, the client resyncs within seconds (issue 12, item 14: it took ~27 s).
A real server on a free port is stopped and started again on the same port while the sync loop runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from client.api import Api
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs


async def until(condition: Callable[[], bool], what: str, timeout: float = 10) -> float:
    """Wait for a condition with a deadline; returns how long it took."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, what
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_client_resyncs_within_seconds_after_a_server_restart(live_server, world, tmp_path):
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await app.sign_in(live_server.url, world.member.username, world.member.password)
    assert app.engine is not None and app.store is not None
    engine, store = app.engine, app.store

    failures = 0
    real_sync_now = engine.sync_now

    async def counted_sync_now() -> bool:
        nonlocal failures
        ok = await real_sync_now()
        failures += 0 if ok else 1
        return ok

    engine.sync_now = counted_sync_now  # type: ignore[method-assign]
    loop = asyncio.create_task(app.run_sync())
    try:
        bus = live_server.app.state.bus
        await until(lambda: bus.subscriber_count == 1, "the sync loop never opened the event stream")
        assert store.get("organization", world.cell.id)["name"] != "Chi bộ sau khởi động lại"

        live_server.stop()
        await until(lambda: not app.online, "the client did not notice the server went away")
        # Down long enough for several failed tries, as a real restart is: the backoff must not run away.
        await until(lambda: failures >= 4, "the client stopped retrying while the server was down", 20)

        live_server.start()  # the same port
        staff = Api(live_server.url)
        await staff.login(world.province_staff.username, world.province_staff.password, "Máy cán bộ")
        await staff.request("PATCH", f"/orgs/{world.cell.id}", json={"name": "Chi bộ sau khởi động lại"})
        await staff.aclose()

        renamed = "Chi bộ sau khởi động lại"
        took = await until(
            lambda: (store.get("organization", world.cell.id) or {}).get("name") == renamed,
            "the change made after the restart did not reach the client within 5 s",
            timeout=5,
        )
        assert app.online
        assert took < 5, took
    finally:
        app.pause()
        await asyncio.gather(loop, return_exceptions=True)
        await app._close(wipe=False)
