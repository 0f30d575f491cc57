"""`python -m server backup|restore`: a consistent copy taken while a live server uploads and writes."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from server.config import Settings
from server.db import Database
from tests import factories
from tests.conftest import SECRET
from tests.server.documents.factories import pdf_bytes
from tests.server.sync.servers import server_process

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOTAY_DATA_DIR": str(settings.data_dir),
           "SOTAY_DATABASE_URL": str(settings.database_url), "SOTAY_SECRET_KEY": SECRET}
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _rows(url: str, sql: str) -> set[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {tuple(r) for r in conn.execute(text(sql))}
    finally:
        engine.dispose()


class Writer:
    """Creates documents and uploads a distinct PDF to each until stopped; remembers what was acknowledged."""

    def __init__(self, base: str, headers: dict[str, str], org_id: int):
        self.base, self.headers, self.org_id = base, headers, org_id
        self.acked: list[str] = []
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=30) as http:
            n = 0
            while not self.stop.is_set() and n < 400:
                n += 1
                doc = http.post("/api/v1/documents", json={
                    "title": f"Tài liệu sao lưu {n}", "doc_type": "resolution", "category": "documents",
                    "audience_org_ids": [self.org_id]})
                if doc.status_code != 201:
                    self.errors.append(doc.text)
                    continue
                content = pdf_bytes(f"tep so {n} " + "x" * (n * 97 % 5000))
                up = http.post(f"/api/v1/documents/{doc.json()['id']}/attachments",
                               files={"file": (f"tep-{n}.pdf", content, "application/pdf")})
                if up.status_code == 201:
                    self.acked.append(up.json()["sha256"])
                else:
                    self.errors.append(up.text)


def _seed(settings: Settings) -> factories.World:
    db = Database(settings)
    try:
        with db.transaction() as session:
            world = factories.make_world(session)
    finally:
        db.dispose()
    return world


def test_backup_under_write_load_then_restore(any_settings: Settings, tmp_path: Path):
    settings = any_settings
    world = _seed(settings)
    backup_dir = tmp_path / "backup"
    with server_process(settings.data_dir, str(settings.database_url), SOTAY_FILES_DIR=str(settings.files_dir)
                        ) as base:
        token = httpx.post(f"{base}/api/v1/auth/login", json={
            "username": world.staff.username, "password": world.staff.password}).json()["access_token"]
        writer = Writer(base, {"Authorization": f"Bearer {token}"}, world.cell.id)
        writer.thread.start()
        # Take the backup once the load is really running, and keep it running until after the backup.
        deadline = threading.Event()
        while len(writer.acked) < 15 and writer.thread.is_alive():
            deadline.wait(0.05)
        before = len(writer.acked)
        result = _cli(settings, "backup", str(backup_dir))
        after_backup = len(writer.acked)
        while len(writer.acked) < after_backup + 10 and writer.thread.is_alive():
            deadline.wait(0.05)
        writer.stop.set()
        writer.thread.join(60)
    assert result.returncode == 0, result.stderr
    assert "Đã sao lưu" in result.stdout
    assert not writer.errors, writer.errors[:3]
    assert len(writer.acked) > after_backup  # writes went on during and after the backup

    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["missing_files"] == []
    backed_up = set(manifest["files"])
    # Everything acknowledged before the backup started is in it; nothing acknowledged after it finished
    # had to be, and the backup is a snapshot: some prefix of the writes, never a file without its row.
    assert set(writer.acked[:before]) <= backed_up
    assert not backed_up & set(writer.acked[after_backup + 1:])
    for sha in manifest["files"]:
        stored = backup_dir / "files" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha

    # Restore into a fresh installation of the same engine and compare with the source.
    target_dir = tmp_path / "restored"
    if settings.is_sqlite:
        target = Settings(data_dir=target_dir, secret_key=SECRET)
    else:
        target = _fresh_pg(settings, target_dir)
    out = _cli(target, "restore", str(backup_dir))
    assert out.returncode == 0, out.stderr
    assert "Đã khôi phục" in out.stdout
    restored_url = str(target.database_url)
    source_url = str(settings.database_url)
    sql = "SELECT sha256, size FROM file_blob"
    restored_blobs = _rows(restored_url, sql)
    assert {sha for sha, _ in restored_blobs} == backed_up
    assert restored_blobs <= _rows(source_url, sql)
    docs_sql = "SELECT id, title FROM document"
    assert _rows(restored_url, docs_sql) <= _rows(source_url, docs_sql)
    for sha, size in restored_blobs:
        path = target.files_dir / sha[:2] / sha[2:4] / sha
        assert path.stat().st_size == size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    if target.is_sqlite:
        conn = sqlite3.connect(target_dir / "sotay.db")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()

    # A server on the restored copy signs the staff member in and lists the restored documents.
    with server_process(target.data_dir, restored_url, SOTAY_FILES_DIR=str(target.files_dir)) as base:
        resp = httpx.post(f"{base}/api/v1/auth/login", json={
            "username": world.staff.username, "password": world.staff.password})
        assert resp.status_code == 200


def _fresh_pg(source: Settings, data_dir: Path) -> Settings:
    from sqlalchemy.engine import make_url

    url = make_url(str(source.database_url))
    name = f"{url.database}_r"
    admin = create_engine(str(source.database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return Settings(data_dir=data_dir, secret_key=SECRET,
                    database_url=url.set(database=name).render_as_string(hide_password=False))


def test_restore_refuses_to_overwrite_and_a_damaged_backup(settings: Settings, tmp_path: Path):
    _seed(settings)
    backup_dir = tmp_path / "b"
    assert _cli(settings, "backup", str(backup_dir)).returncode == 0
    # Into a non-empty directory: refused, nothing overwritten.
    again = _cli(settings, "backup", str(backup_dir))
    assert again.returncode == 2 and "không trống" in again.stderr
    # Onto an existing database without --force: refused.
    out = _cli(settings, "restore", str(backup_dir))
    assert out.returncode == 2 and "--force" in out.stderr
    assert _cli(settings, "restore", "--force", str(backup_dir)).returncode == 0
    # A manifest whose counts do not match the database is a damaged backup.
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    manifest["tables"]["member"] += 1
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    target = Settings(data_dir=tmp_path / "t", secret_key=SECRET)
    bad = _cli(target, "restore", str(backup_dir))
    assert bad.returncode == 2 and "không khớp" in bad.stderr
    assert not (tmp_path / "t" / "sotay.db").exists()
