"""Bulk INSERTs in chunks (never one ORM object per row), and the documents as the steps hand them on."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Table, insert, text
from sqlmodel import Session, SQLModel

import server.models  # noqa: F401  (every table in the metadata, for --force)
from server.db import UTCDateTime
from server.generate.province.base import CHUNK
from server.records.changelog import next_version
from server.sync.models_ext import SyncHorizon


@dataclass
class Doc:
    """What later phases need of a document (the row itself is written and dropped)."""

    id: int
    published_at: datetime | None
    live: bool
    category: str
    ranges: list[tuple[int, int]]
    comments_open: bool
    audience: list[int]
    title: str
    summary: str
    doc_type: str = ""


class Writer:
    """Rows buffered per table and written CHUNK at a time, parent tables first (foreign keys are checked
    row by row, so a child must never reach the database before its parent)."""

    def __init__(self, session: Session, models: Sequence[type[SQLModel]]):
        self.session = session
        self.tables: list[Table] = [m.__table__ for m in models]  # type: ignore[attr-defined]
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in self.tables}
        self.counts: dict[str, int] = {t.name: 0 for t in self.tables}

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        """Buffer one row (written at the next step() or flush())."""
        self.rows[str(model.__tablename__)].append(row)

    def step(self) -> None:
        """Write once a buffer is full; called between whole entities, so a parent row is never left
        behind its children."""
        if any(len(buf) >= CHUNK for buf in self.rows.values()):
            self.flush()

    def flush(self) -> None:
        """Write every buffer, in the order the tables were given."""
        for table in self.tables:
            buf = self.rows[table.name]
            if buf:
                write(self.session, table, buf)
                self.counts[table.name] += len(buf)
                buf.clear()


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> int:
    """Bulk INSERT in chunks."""
    table = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        write(session, table, rows[start:start + CHUNK])
    return len(rows)


def write(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany INSERT of rows that all have the same keys.

    PostgreSQL takes the Core INSERT. On SQLite the rows go to the driver as tuples with their values
    already in the text form SQLAlchemy stores: its per-value type processing made the Core INSERT three
    times slower than the database itself (16 µs against 5 µs a row of attendance, measured).
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(insert(table), list(rows))
        return
    keys = list(rows[0])
    columns = []
    for key in keys:
        values = [row[key] for row in rows]
        convert = _sqlite_form(table.c[key].type)
        if convert is json.dumps:
            values = [None if v is None else json.dumps(v) for v in values]
        elif convert is not None:
            # Dates repeat (every attendance row of a meeting closes at the same time): convert each once.
            seen: dict[Any, Any] = {None: None}
            values = [seen[v] if v in seen else seen.setdefault(v, convert(v)) for v in values]
        columns.append(values)
    sql = f'INSERT INTO "{table.name}" ({", ".join(keys)}) VALUES ({", ".join("?" * len(keys))})'
    session.connection().exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _sqlite_form(type_: Any) -> Any:
    """How SQLAlchemy writes a value of this column type to SQLite, or None when the driver's own
    conversion is the same (text, numbers, booleans)."""
    if isinstance(type_, UTCDateTime):
        return _utc_text
    if isinstance(type_, Date):
        return date.isoformat
    if isinstance(type_, JSON):
        return json.dumps
    return None


def _utc_text(value: datetime) -> str:
    """SQLAlchemy's SQLite form of an aware datetime: naive UTC, always with microseconds."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def wipe(session: Session) -> None:
    """--force: empty every table but the migrations' bookkeeping and the sync counter. The sync horizon
    moves past every cursor handed out before, so devices that synced get 410 and download afresh."""
    keep = {"alembic_version", "sync_counter", "sync_horizon"}
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in keep]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE"))
    else:
        session.execute(text("DELETE FROM document_fts"))
        for table in tables:
            session.execute(table.delete())
    version = next_version(session)
    horizon = session.get(SyncHorizon, 1)
    if horizon is None:
        session.add(SyncHorizon(id=1, version=version, pruned_at=datetime.now(UTC)))
    else:
        horizon.version, horizon.pruned_at = version, datetime.now(UTC)
    session.flush()
