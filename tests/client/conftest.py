"""The client's fixtures: a real server app on a free port in a thread (integration tests); a settable clock
and an app factory over FakeApi (state tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from tests.client.fakes import ME, FakeApi


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app: FastAPI):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True  # open event streams must not hold the shutdown
        if self._thread is not None:
            self._thread.join(timeout=10)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clock() -> list[datetime]:
    """The client's clock, settable: [now]."""
    return [datetime(2026, 12, 31, 16, 59, tzinfo=UTC)]  # 23:59 on 31/12 in Vietnam


@pytest.fixture
def made(tmp_path: Path, clock: list[datetime]):
    apis: list[FakeApi] = []

    def make(prefs: MemoryPrefs | None = None, me: dict = ME) -> tuple[AppState, list[FakeApi]]:
        def factory(url: str, **kw: Any) -> FakeApi:
            api = FakeApi(url, me=me, **kw)
            apis.append(api)
            return api

        app = AppState(
            ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: clock[0]),
            prefs or MemoryPrefs(),
            api_factory=factory,
        )  # type: ignore[arg-type]
        return app, apis

    return make
