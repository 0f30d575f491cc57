"""kill -9 during check-ins, uploads and an import: every acknowledged write survives, nothing half-made."""

import csv
import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from server.auth import security
from server.auth.models import DeviceSession
from server.config import Settings
from server.db import Database
from tests import clock, factories
from tests.conftest import SECRET
from tests.server.documents.factories import pdf_bytes
from tests.server.meetings.factories import code_at, make_meeting
from tests.server.members.factories import HEADERS
from tests.server.sync.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@contextmanager
def live(settings: Settings) -> Iterator[tuple[str, subprocess.Popen]]:
    """A uvicorn process on the settings' database; the caller may SIGKILL it."""
    port = free_port()
    env = {**os.environ, "SOTAY_DATA_DIR": str(settings.data_dir),
           "SOTAY_DATABASE_URL": str(settings.database_url), "SOTAY_SECRET_KEY": SECRET,
           "SOTAY_RUN_SCHEDULER": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "server exited at start"
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def kill9(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)


def integrity_ok(settings: Settings) -> bool:
    conn = sqlite3.connect(settings.data_dir / "sotay.db")
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def query(settings: Settings, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(settings.data_dir / "sotay.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.mark.skipif(clock.moved(), reason="the server process runs on the real clock, the test on a moved "
                                           "one: their check-in codes and meeting windows would not agree")
@pytest.mark.parametrize("kill_after", [0.1, 0.5, 0.9])
def test_kill_during_checkin_burst(settings: Settings, kill_after: float):
    members = 120
    db = Database(settings)
    now = datetime.now(UTC)
    with db.transaction() as s:
        world = factories.make_world(s)
        people = [factories.make_member(s, world.cell, username=f"crash.{i}") for i in range(members)]
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        meeting_id = meeting.id
        tokens = []
        for p in people:  # minted directly: the test is about check-ins, not argon2
            device = DeviceSession(user_id=p.user.id, created_at=now, last_seen_at=now,
                                   expires_at=now + timedelta(days=1))
            s.add(device)
            s.flush()
            tokens.append((p.member.id, security.make_access_token(
                SECRET, user_id=p.user.id, session_id=device.id, minutes=60)[0]))
        secret_meeting = meeting
    db.dispose()
    client_ids = {member_id: uuid.uuid4().hex for member_id, _ in tokens}
    acked: set[int] = set()
    lock = threading.Lock()
    killed = threading.Event()

    # The last phones of the burst hold their check-in until the kill: however fast the server writes,
    # some check-ins are in flight when it dies and some never reached it.
    held = {member_id for member_id, _ in tokens[int(members * kill_after):]}

    def send(base: str, member_id: int, token: str, replay: bool = False) -> None:
        if not replay and member_id in held:
            killed.wait(timeout=60)
        if killed.is_set() and not replay:
            return
        try:
            # A check-in the server recorded is replayed exactly as first sent (the code turns every 30 s,
            # and a changed body under the same client_id is refused as reuse); one it never saw is a new
            # attempt with the code shown now.
            if replay and member_id in recorded:
                code = sent_codes[member_id]
            else:
                code = sent_codes[member_id] = code_at(secret_meeting)
            r = httpx.post(f"{base}/api/v1/meetings/{meeting_id}/check-ins", timeout=30,
                           json={"code": code, "client_id": client_ids[member_id]},
                           headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            if replay:
                refused[member_id] = repr(exc)
            return  # not acknowledged: the phone keeps it and sends it again
        if r.status_code in (200, 201):
            with lock:
                acked.add(member_id)
        elif replay:
            refused[member_id] = f"{r.status_code} {r.text[:200]}"

    refused: dict[int, str] = {}
    sent_codes: dict[int, str] = {}
    recorded: dict[int, int] = {}
    with live(settings) as (base, proc):
        with ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(send, base, m, t) for m, t in tokens]
            deadline = time.monotonic() + 120
            while len(acked) < int(members * kill_after * 0.9):
                assert time.monotonic() < deadline, f"only {len(acked)} check-ins acknowledged in 2 minutes"
                time.sleep(0.01)
            kill9(proc)
            killed.set()
            for f in futures:
                f.result()
    assert 0 < len(acked) < members
    assert integrity_ok(settings)
    rows = query(settings, "SELECT member_id, count(*) FROM attendance WHERE meeting_id = ? "
                           "AND status = 'present' GROUP BY member_id", meeting_id)
    recorded = {m: n for m, n in rows}
    assert acked <= set(recorded)  # every acknowledged check-in is there
    assert all(n == 1 for n in recorded.values())
    # After the restart every phone replays its check-in: each member ends with exactly one record.
    with live(settings) as (base, _proc):
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda mt: send(base, *mt, replay=True), tokens))
    assert acked == set(client_ids), refused
    rows = query(settings, "SELECT member_id, count(*) FROM attendance WHERE meeting_id = ? "
                           "GROUP BY member_id", meeting_id)
    counts = dict(rows)
    assert all(counts[m] == 1 for m in client_ids)


def _staff_headers(base: str, world: factories.World) -> dict[str, str]:
    token = httpx.post(f"{base}/api/v1/auth/login", json={
        "username": world.staff.username, "password": world.staff.password}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_kill_during_uploads(settings: Settings):
    db = Database(settings)
    with db.transaction() as s:
        world = factories.make_world(s)
    db.dispose()
    acked: list[str] = []
    with live(settings) as (base, proc):
        headers = _staff_headers(base, world)
        doc = httpx.post(f"{base}/api/v1/documents", headers=headers, json={
            "title": "Tệp đính kèm khi mất điện", "doc_type": "resolution", "category": "documents",
            "audience_org_ids": [world.cell.id]}).json()
        stop = threading.Event()

        def upload(n: int) -> None:
            # Large enough that some uploads are mid-stream when the process dies.
            content = pdf_bytes(f"tep {n}") + os.urandom(256 * 1024)
            while not stop.is_set():
                try:
                    r = httpx.post(f"{base}/api/v1/documents/{doc['id']}/attachments", headers=headers,
                                   files={"file": (f"tep-{n}.pdf", content, "application/pdf")}, timeout=30)
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    acked.append(r.json()["sha256"])
                n += 1000
                content = pdf_bytes(f"tep {n}") + os.urandom(256 * 1024)

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        while len(acked) < 12:
            time.sleep(0.01)
        kill9(proc)
        stop.set()
        for t in threads:
            t.join(30)
    assert integrity_ok(settings)
    blobs = dict(query(settings, "SELECT sha256, size FROM file_blob"))
    assert set(acked) <= set(blobs)
    files = settings.files_dir
    for sha, size in blobs.items():  # no row without its whole file
        path = files / sha[:2] / sha[2:4] / sha
        assert path.stat().st_size == size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    # The server comes back and serves what it acknowledged.
    with live(settings) as (base, _proc):
        headers = _staff_headers(base, world)
        atts = httpx.get(f"{base}/api/v1/documents/{doc['id']}", headers=headers).json()["attachments"]
        assert set(acked) <= {a["sha256"] for a in atts}


def test_kill_during_import_is_all_or_nothing(settings: Settings):
    db = Database(settings)
    with db.transaction() as s:
        world = factories.make_world(s)
        cell_code = world.cell.code
    db.dispose()
    before = query(settings, "SELECT count(*) FROM member")[0][0]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    for i in range(3000):
        writer.writerow([str(i + 1), f"Nguyễn Văn Thử {i}", "12/03/1990", f"9{i:08d}", "19/5/2015",
                         "19/05/2016", "Chính thức", cell_code, None, None])
    content = buf.getvalue().encode()
    with live(settings) as (base, proc):
        headers = _staff_headers(base, world)
        result: dict[str, int] = {}

        def run_import() -> None:
            try:
                r = httpx.post(f"{base}/api/v1/members/import", headers=headers, timeout=120,
                               files={"file": ("dang-vien.csv", content, "text/csv")})
                result["status"] = r.status_code
            except httpx.HTTPError:
                result["status"] = -1

        t = threading.Thread(target=run_import)
        t.start()
        # Kill while the import holds the writer (its rows are going in), before it has answered.
        deadline = time.monotonic() + 60
        while "status" not in result and not _writer_busy(settings):
            assert time.monotonic() < deadline, "the import never took the write lock"
            time.sleep(0.005)
        kill9(proc)
        t.join(30)
    assert integrity_ok(settings)
    after = query(settings, "SELECT count(*) FROM member")[0][0]
    assert "status" not in result or result["status"] == -1  # killed before it answered
    assert after in (before, before + 3000)  # never a half-imported file
    with live(settings) as (base, _proc):
        assert httpx.get(f"{base}/api/v1/health").status_code == 200


def _writer_busy(settings: Settings) -> bool:
    """True while another connection holds SQLite's write lock."""
    conn = sqlite3.connect(settings.data_dir / "sotay.db", timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()
