"""Real uvicorn server processes for live-push tests, and a small SSE reader."""

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_process(data_dir: Path, database_url: str, **env: str) -> Iterator[str]:
    port = free_port()
    environ = {**os.environ, "SOTAY_DATA_DIR": str(data_dir), "SOTAY_DATABASE_URL": database_url,
               "SOTAY_SECRET_KEY": SECRET, "SOTAY_RUN_SCHEDULER": "false", "SOTAY_SSE_PING_SECONDS": "0.5",
               **env}
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=root, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"server exited: {out}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class SSEReader:
    """Reads an event stream in a thread; events land in a queue as dicts (event, id, data, or ping)."""

    url: str
    headers: dict[str, str]
    events: "queue.Queue[dict[str, Any]]" = field(default_factory=queue.Queue)
    status: int | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "SSEReader":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._read()
        except httpx.HTTPError:
            pass  # the server went away at the end of the test

    def _read(self) -> None:
        with httpx.Client(timeout=httpx.Timeout(30, read=30)) as c, \
                c.stream("GET", self.url, headers=self.headers) as resp:
            self.status = resp.status_code
            if resp.status_code != 200:
                self.events.put({"event": "error", "status": resp.status_code, "data": resp.read().decode()})
                return
            current: dict[str, Any] = {}
            for line in resp.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self.events.put({"event": "ping"})
                elif line == "":
                    if current:
                        self.events.put(current)
                        current = {}
                else:
                    name, _, value = line.partition(":")
                    current[name] = value[1:] if value.startswith(" ") else value

    def next(self, event: str, timeout: float = 15, where: Any = None) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} event within {timeout}s")
            try:
                item = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if item.get("event") == "error":
                raise AssertionError(f"stream refused: {item}")
            if item.get("event") == event:
                if event != "ping":
                    item["json"] = json.loads(item["data"])
                if where is None or where(item):
                    return item

    def drain(self) -> list[dict[str, Any]]:
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out

    def stop(self) -> None:
        self._stop.set()

    def closed_within(self, seconds: float) -> bool:
        """True when the server ended the stream within `seconds`."""
        assert self._thread is not None
        self._thread.join(timeout=seconds)
        return not self._thread.is_alive()


def login(base: str, username: str, password: str) -> dict[str, str]:
    resp = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
