"""A full disk is the server's problem: 507 storage_full with Retry-After, logged, nothing lost or half-saved.

The disk is real: a small tmpfs filled with a ballast file, for the stored files and for the SQLite database.
"""

import errno
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from server.app import create_app
from server.documents.models import Attachment
from server.errors import storage_exhausted
from server.notifications.service import notify
from tests import factories
from tests.conftest import make_settings
from tests.requirements import need
from tests.server.documents.factories import API, create_doc, pdf_bytes
from tests.signin import bearer

PUSH = "/api/v1/sync/push"


@dataclass
class SmallDisk:
    path: Path

    def fill(self) -> None:
        """Write a ballast file until the disk says it is full."""
        block = b"\0" * 65536
        with open(self.path / "ballast", "ab") as f:
            try:
                while True:
                    f.write(block)
                    f.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        # Python's buffer may hold a partial block: the disk is full all the same.

    def free(self) -> None:
        (self.path / "ballast").unlink(missing_ok=True)


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    need(_can_mount(), "mounting a small tmpfs needs root (the full-disk tests fill a real disk)")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True)
    need(done.returncode == 0, f"could not mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield SmallDisk(mnt)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _assert_storage_full(resp) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == 507, resp.text
    assert resp.json()["code"] == "storage_full"
    assert "hết chỗ lưu trữ" in resp.json()["message"]
    assert int(resp.headers["Retry-After"]) > 0


def test_upload_on_a_full_disk_is_507_and_leaves_nothing(small_disk, tmp_path, sqlite_template, caplog):
    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    settings = make_settings(tmp_path, SOTAY_FILES_DIR=small_disk.path / "files")
    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.session(write=True) as s:
            world = factories.make_world(s)
            s.commit()
        staff = bearer(client, world.staff)
        doc = create_doc(client, staff, "Nghị quyết có tệp", [world.cell.id])
        content = pdf_bytes() + os.urandom(1024 * 1024)  # a megabyte: more than the full disk has left
        small_disk.fill()
        with caplog.at_level(logging.ERROR, logger="server.errors"):
            resp = client.post(f"{API}/{doc['id']}/attachments", headers=staff,
                               files={"file": ("nghi-quyet.pdf", content, "application/pdf")})
        _assert_storage_full(resp)
        assert any("storage full" in r.getMessage() for r in caplog.records), "the operator must see it"
        # No half-written temp file holds the space, and no attachment row points at a missing file.
        leftovers = [p for p in (small_disk.path / "files").rglob("*") if p.is_file()]
        assert leftovers == []
        with app.state.db.session() as s:
            assert s.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0
        # Room again: the client's retry of the same file succeeds.
        small_disk.free()
        again = client.post(f"{API}/{doc['id']}/attachments", headers=staff,
                            files={"file": ("nghi-quyet.pdf", content, "application/pdf")})
        assert again.status_code == 201, again.text


def test_full_database_disk_answers_507_to_sign_in_and_push(small_disk, sqlite_template, caplog):
    shutil.copy(sqlite_template, small_disk.path / "sotay.db")
    settings = make_settings(small_disk.path)
    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.session(write=True) as s:
            world = factories.make_world(s)
            [note] = notify(s, user_ids=[world.member.user.id], kind="k", title="Họp chi bộ tháng 12")
            s.commit()
        member = bearer(client, world.member)
        # Empty the WAL, so that the next write has to grow a file on the full disk.
        with app.state.db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        small_disk.fill()

        credentials = {"username": world.member.username, "password": world.member.password}
        with caplog.at_level(logging.ERROR, logger="server.errors"):
            _assert_storage_full(client.post("/api/v1/auth/login", json=credentials))
            # The offline queue's batch: refused as a whole, so the device keeps every action for later.
            action = {"client_id": str(uuid.uuid4()), "type": "notification.read",
                      "payload": {"ids": [note.id]}, "made_at": "2026-12-03T12:00:00+00:00"}
            _assert_storage_full(client.post(PUSH, json={"actions": [action]}, headers=member))
        assert sum("storage full" in r.getMessage() for r in caplog.records) == 2

        small_disk.free()
        assert client.post("/api/v1/auth/login", json=credentials).status_code == 200
        again = client.post(PUSH, json={"actions": [action]}, headers=member)
        assert again.status_code == 200, again.text
        assert again.json()["results"][0]["status"] == "applied"
        assert client.get("/api/v1/notifications", headers=member).json()["unread"] == 0
        with app.state.db.session() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"


def test_postgres_disk_full_is_recognised():
    # psycopg's own error class for SQLSTATE 53100, as the server receives it wrapped by SQLAlchemy.
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("INSERT ...", {}, psycopg.errors.DiskFull("could not extend file"))
    assert storage_exhausted(wrapped)
    assert not storage_exhausted(OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled("timeout")))
    assert storage_exhausted(OSError(errno.ENOSPC, "No space left on device"))
    assert not storage_exhausted(OSError(errno.EACCES, "Permission denied"))

