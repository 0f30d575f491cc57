"""`python -m server copy-db --to URL`: move an installation from SQLite to PostgreSQL, verified.

Rows go table by table in foreign-key order through the same table definitions the app uses (so aware
UTC datetimes, booleans and text arrive as they left), then the id sequences are moved past the copied
ids, the full-text index is rebuilt from the source's, and each table is compared by row count and by a
SHA-256 over its rows in key order. With `--files-to-database` the stored files move into the target's
file_chunk table, each checked against its SHA-256, for installations on several hosts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import server.models  # noqa: F401  (registers every table)
from server.config import Settings
from server.documents.dbstore import DatabaseFileStore, read_all
from server.documents.search import _PG_UPDATE
from server.documents.storage import LocalFileStore
from server.migrate import upgrade

log = logging.getLogger(__name__)

BATCH = 2000


class CopyError(Exception):
    """A copy that cannot go on or did not verify; the message says why, in Vietnamese."""


@dataclass
class CopyReport:
    tables: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _order(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)


def _rows(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in key order, in batches (keyset pagination would need per-table code; OFFSET on
    the key order is fine at this project's sizes and keeps every batch small)."""
    offset = 0
    stmt = select(table).order_by(*_order(table))
    while True:
        batch = [dict(r._mapping) for r in conn.execute(stmt.limit(BATCH).offset(offset))]
        if not batch:
            return
        yield batch
        offset += len(batch)


def _norm(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_digest(conn: Connection, table: Table) -> tuple[int, str]:
    """Rows and a SHA-256 over them in key order, the same on both engines for the same content."""
    digest = hashlib.sha256()
    count = 0
    names = [c.name for c in table.columns]
    for batch in _rows(conn, table):
        for row in batch:
            digest.update(json.dumps([_norm(row[n]) for n in names], ensure_ascii=False,
                                     default=str).encode())
            count += 1
    return count, digest.hexdigest()


_RECORDS = ("organization", "user_account", "member", "document", "meeting")


def _target_empty(conn: Connection, tables: list[Table]) -> bool:
    """No records yet (migrations seed a few bookkeeping rows, such as the change counter: those the
    copy replaces with the source's)."""
    return all(conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
               for t in tables if t.name in _RECORDS)


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and
                                                 column.type.python_type is int and
                                                 len(table.primary_key.columns) == 1):
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": table.name, "c": column.name}).scalar()
                if seq:
                    conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT max(\"{column.name}\") "
                                      f"FROM \"{table.name}\"), 0) + 1, false)"))


def _copy_search_index(source: Connection, target: Connection) -> int:
    """PostgreSQL's tsvector from SQLite's FTS rows: both index the same pre-folded tokens."""
    rows = [dict(r._mapping) for r in source.execute(text(
        "SELECT rowid AS id, title, summary, body FROM document_fts"))]
    if rows:
        for start in range(0, len(rows), BATCH):
            target.execute(_PG_UPDATE, rows[start:start + BATCH])
    return len(rows)


def copy_database(settings: Settings, target_url: str, *, files_to_database: bool = False,
                  progress: Callable[[str], None] | None = None) -> CopyReport:
    """Copy the configured SQLite database into an empty PostgreSQL database and verify it."""
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    if not settings.is_sqlite:
        raise CopyError("copy-db chuyển cài đặt SQLite sang PostgreSQL: nguồn hiện tại không phải SQLite.")
    if not target_url.startswith("postgresql"):
        raise CopyError("Đích phải là PostgreSQL (postgresql+psycopg://...).")
    target_settings = settings.model_copy(update={"database_url": target_url, "file_store": "local"})
    upgrade(target_settings)  # the schema, at the same migration as the source
    tables = _tables()
    source_engine = create_engine(str(settings.database_url))
    target_engine = create_engine(target_url)
    report = CopyReport()
    try:
        with source_engine.connect() as src, target_engine.begin() as dst:
            if not _target_empty(dst, tables):
                raise CopyError("Cơ sở dữ liệu đích đã có dữ liệu: dùng một cơ sở dữ liệu PostgreSQL trống.")
            for table in reversed(tables):
                dst.execute(table.delete())
            for table in tables:
                n = 0
                for batch in _rows(src, table):
                    dst.execute(table.insert(), batch)
                    n += len(batch)
                report.tables[table.name] = n
                say(f"{table.name}: {n}")
            _reset_sequences(dst, tables)
            say(f"chỉ mục tìm kiếm: {_copy_search_index(src, dst)} văn bản")
        _verify(source_engine, target_engine, tables, report)
        if files_to_database:
            _move_files(settings, target_settings, target_engine, src_engine=source_engine, report=report)
    finally:
        source_engine.dispose()
        target_engine.dispose()
    return report


def _verify(source: Engine, target: Engine, tables: list[Table], report: CopyReport) -> None:
    with source.connect() as src, target.connect() as dst:
        for table in tables:
            a = table_digest(src, table)
            b = table_digest(dst, table)
            if a != b:
                raise CopyError(f"Bảng {table.name} khác nhau sau khi sao chép ({a[0]} / {b[0]} dòng).")
            report.checksums[table.name] = a[1]


def _move_files(settings: Settings, target_settings: Settings, target_engine: Engine, *,
                src_engine: Engine, report: CopyReport) -> None:
    local = LocalFileStore(settings.files_dir)
    store = DatabaseFileStore(target_engine, target_settings.data_dir / "upload-tmp")
    with src_engine.connect() as conn:
        blobs = list(conn.execute(text("SELECT sha256, size FROM file_blob ORDER BY sha256")))
    for sha, size in blobs:
        if not local.exists(sha):
            raise CopyError(f"Thiếu tệp {sha} trong {settings.files_dir}: không chuyển được kho tệp.")
        with local.open(sha) as fh:
            store.put_bytes(sha, fh)
        if hashlib.sha256(read_all(store, sha)).hexdigest() != sha or store.size(sha) != size:
            raise CopyError(f"Tệp {sha} khác sau khi chuyển vào cơ sở dữ liệu.")
        report.files += 1
        report.file_bytes += size
