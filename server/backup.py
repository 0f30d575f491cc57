"""Consistent backups while the server writes, and restores: the database first, then the files it names.

Order matters: stored files are content-addressed and only ever added, and a `file_blob` row is committed
after its file is in place. A database snapshot therefore names only files that already exist, and copying
exactly those files after the snapshot gives a backup where every attachment has its file. Copying the
files first (as a hand-made backup tends to) misses the uploads that land between the two copies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.config import Settings
from server.documents.storage import LocalFileStore

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SQLITE_NAME = "sotay.db"
PG_NAME = "database.dump"
FILES = "files"
FORMAT = 1
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


@dataclass
class Summary:
    engine: str
    tables: dict[str, int]
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq: drop SQLAlchemy's driver suffix (postgresql+psycopg:// -> postgresql://)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _table_counts(url: str) -> tuple[dict[str, int], list[str]]:
    """Rows per table and the stored files' SHA-256, read from one database (a snapshot or a restore)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                names = [r[0] for r in conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"))]
            else:
                names = [r[0] for r in conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
            # Full-text shadow tables (FTS5) are rebuilt data, not records: counting them adds nothing.
            names = sorted(n for n in names if "_fts_" not in n)
            counts = {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}
            shas = [r[0] for r in conn.execute(text("SELECT sha256 FROM file_blob ORDER BY sha256"))] \
                if "file_blob" in counts else []
    finally:
        engine.dispose()
    return counts, shas


def _sqlite_path(settings: Settings) -> Path:
    url = make_url(str(settings.database_url))
    if not url.database:
        raise BackupError("Không xác định được tệp cơ sở dữ liệu SQLite.")
    return Path(url.database)


def _backup_sqlite(settings: Settings, target: Path) -> None:
    source = _sqlite_path(settings)
    if not source.exists():
        raise BackupError(f"Không tìm thấy cơ sở dữ liệu {source}.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # The online backup API copies one consistent snapshot while other connections keep writing;
        # copying in steps would restart whenever a writer commits, so copy in one pass.
        src.backup(dst)
        row = dst.execute("PRAGMA integrity_check").fetchone()
        if row is None or row[0] != "ok":
            raise BackupError(f"Bản sao cơ sở dữ liệu không toàn vẹn: {row}")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _backup_postgres(settings: Settings, target: Path) -> None:
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
           _libpq_url(str(settings.database_url))]
    try:
        # pg_dump runs in one repeatable-read transaction: a consistent snapshot while writers go on.
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError("Cần cài pg_dump (gói postgresql-client) để sao lưu PostgreSQL.") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_dump thất bại: {exc.stderr.strip()}") from exc


def backup(settings: Settings, directory: Path) -> Summary:
    """Write a backup into an empty (or new) directory: database, then files, then the manifest."""
    directory = directory.expanduser().resolve()
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"Thư mục {directory} không trống: chọn một thư mục mới cho bản sao lưu.")
    directory.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    if settings.is_sqlite:
        _backup_sqlite(settings, directory / SQLITE_NAME)
        counts, shas = _table_counts(f"sqlite:///{directory / SQLITE_NAME}")
    else:
        _backup_postgres(settings, directory / PG_NAME)
        counts, shas = _pg_dump_counts(settings, directory / PG_NAME)
    if settings.file_store == "database":
        shas = []  # the files are rows of file_chunk: the dump already holds them
    store = LocalFileStore(settings.files_dir)
    files_root = directory / FILES
    missing: list[str] = []
    total = 0
    entries: dict[str, int] = {}
    for sha in shas:
        source = store.path_for(sha)
        if not source.exists():
            missing.append(sha)
            continue
        target = files_root / source.relative_to(store.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if _sha256(target) != sha:
            raise BackupError(f"Tệp {sha} trong kho không khớp mã SHA-256: kho tệp đã hỏng.")
        entries[sha] = target.stat().st_size
        total += entries[sha]
    if missing:
        # Never a silent gap: the backup is still written, but the admin is told what the store lacks.
        log.error("backup: %d stored files named by the database are missing: %s", len(missing), missing[:5])
    secret = settings.data_dir / "secret_key"
    if secret.exists():
        fd = os.open(directory / "secret_key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret.read_text())
    manifest = {
        "format": FORMAT,
        "engine": "sqlite" if settings.is_sqlite else "postgresql",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "tables": counts,
        "files": entries,
        "missing_files": missing,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(manifest["engine"], counts, len(entries), total)


def _scratch_pg(settings: Settings) -> tuple[str, str]:
    """A throw-away PostgreSQL database beside the configured one (name, URL)."""
    url = make_url(str(settings.database_url))
    name = f"sotay_backup_check_{os.getpid()}"
    return name, url.set(database=name).render_as_string(hide_password=False)


def _pg_dump_counts(settings: Settings, dump: Path) -> tuple[dict[str, int], list[str]]:
    """Counts of what the dump holds (not of the live database, which moved on): restore it into a
    scratch database, count, drop it."""
    name, url = _scratch_pg(settings)
    admin = create_engine(str(settings.database_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            _pg_restore(url, dump)
            return _table_counts(url)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _pg_restore(url: str, dump: Path) -> None:
    cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
           f"--dbname={_libpq_url(url)}", str(dump)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError("Cần cài pg_restore (gói postgresql-client) để khôi phục PostgreSQL.") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"pg_restore thất bại: {exc.stderr.strip()}") from exc


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} không phải bản sao lưu (thiếu {MANIFEST}).")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("Bản sao lưu có định dạng khác phiên bản này.")
    return dict(manifest)


def verify(directory: Path) -> Summary:
    """Check a backup without restoring it: every file is there with its SHA-256; SQLite is intact."""
    directory = directory.expanduser().resolve()
    manifest = read_manifest(directory)
    for sha, size in manifest["files"].items():
        path = directory / FILES / sha[:2] / sha[2:4] / sha
        if not path.exists() or path.stat().st_size != size or _sha256(path) != sha:
            raise BackupError(f"Bản sao lưu thiếu hoặc hỏng tệp {sha}.")
    if manifest["engine"] == "sqlite":
        counts, _ = _table_counts(f"sqlite:///{directory / SQLITE_NAME}")
        if counts != manifest["tables"]:
            raise BackupError("Số bản ghi trong bản sao lưu không khớp bảng kê.")
    return Summary(manifest["engine"], manifest["tables"], len(manifest["files"]),
                   sum(manifest["files"].values()))


def restore(settings: Settings, directory: Path, *, force: bool = False) -> Summary:
    """Bring a backup back into the configured installation. The server must be stopped."""
    directory = directory.expanduser().resolve()
    summary = verify(directory)
    manifest = read_manifest(directory)
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(f"Bản sao lưu của {manifest['engine']} không khôi phục vào {engine}: "
                          "dùng lệnh copy-db để chuyển giữa hai loại cơ sở dữ liệu.")
    if settings.is_sqlite:
        _restore_sqlite(settings, directory / SQLITE_NAME, force=force)
    else:
        if not force and _has_rows(str(settings.database_url)):
            raise BackupError("Cơ sở dữ liệu đích đã có dữ liệu: thêm --force để ghi đè.")
        _pg_restore(str(settings.database_url), directory / PG_NAME)
    store = LocalFileStore(settings.files_dir)
    for sha in manifest["files"]:
        target = store.path_for(sha)
        if target.exists() and _sha256(target) == sha:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="restore-", dir=target.parent)
        os.close(fd)
        shutil.copyfile(directory / FILES / sha[:2] / sha[2:4] / sha, tmp)
        os.replace(tmp, target)
    secret = directory / "secret_key"
    if secret.exists() and not settings.secret_key:
        settings.ensure_data_dir()
        fd = os.open(settings.data_dir / "secret_key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret.read_text())
    counts, _ = _table_counts(str(settings.database_url))
    if counts != manifest["tables"]:
        raise BackupError("Sau khi khôi phục, số bản ghi không khớp bảng kê của bản sao lưu.")
    return summary


def _has_rows(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'organization'")).first()
            return bool(found) and bool(conn.execute(text("SELECT 1 FROM organization LIMIT 1")).first())
    finally:
        engine.dispose()


def _restore_sqlite(settings: Settings, source: Path, *, force: bool) -> None:
    target = _sqlite_path(settings)
    if target.exists() and not force:
        raise BackupError(f"{target} đã tồn tại: dừng máy chủ rồi thêm --force để ghi đè.")
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    # Copy into a temporary file, check it, then swap it in: a failed restore leaves the old database.
    fd, tmp_name = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        row = dst.execute("PRAGMA integrity_check").fetchone()
        if row is None or row[0] != "ok":
            raise BackupError(f"Bản sao lưu không toàn vẹn: {row}")
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)
