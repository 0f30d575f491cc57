"""`python -m server serve --workers 2`: two processes answer, and only one of them runs the scheduler."""

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.server.sync.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    """Live child processes of `pid`, read from /proc (Linux)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            out.append(int(entry.name))
    return out


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.slow
def test_serve_with_two_workers_answers_from_both_and_runs_jobs_once(tmp_path):
    port = free_port()
    env = {**os.environ, "SOTAY_DATA_DIR": str(tmp_path), "SOTAY_SECRET_KEY": "k" * 48,
           "SOTAY_RUN_SCHEDULER": "true"}
    for name in ("SOTAY_DATABASE_URL", "SOTAY_DEMO", "SOTAY_WORKERS", "SOTAY_REDIS_URL"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--workers", "2", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    engine = create_engine(f"sqlite:///{tmp_path / 'sotay.db'}")
    try:
        def healthy() -> bool:
            assert proc.poll() is None, "serve exited"
            try:
                return httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(healthy, 60, "the server did not answer")

        def workers() -> list[int]:
            # uvicorn's supervisor spawns the workers (plus, on some Pythons, a resource tracker).
            found = [p for p in _children(proc.pid)
                     if "uvicorn" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")
                     or b"multiprocessing" in Path(f"/proc/{p}/cmdline").read_bytes()]
            return found if len(found) >= 2 else []

        assert len(_wait(workers, 60, "two worker processes")) >= 2

        def owners() -> set[str]:
            with engine.connect() as conn:
                tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
                if "job_run" not in tables:
                    return set()
                return {r[0].rsplit(":", 2)[1] for r in conn.execute(text("SELECT owner FROM job_run"))}

        # The jobs due at start ran, all in one process: the one holding the scheduler's lock.
        ran_in = _wait(owners, 60, "no scheduled job ran")
        assert len(ran_in) == 1, ran_in
        with open(tmp_path / "scheduler.lock", "a+") as lock, pytest.raises(OSError):
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Both workers serve: many short connections all get an answer.
        with httpx.Client(base_url=base, timeout=10) as http:
            for _ in range(20):
                assert http.get("/api/v1/health", headers={"Connection": "close"}).status_code == 200
    finally:
        engine.dispose()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
