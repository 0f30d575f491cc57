"""The device's offline store: synced entities, the sync cursor and the outbox of queued actions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from shared.text import fold

# Fields whose text makes an entity findable offline (tone marks folded away).
_SEARCH_FIELDS = (
    "title",
    "number",
    "summary",
    "doc_type_label",
    "issuer",
    "code",
    "name",
    "full_name",
    "body",
)


@dataclass
class OutboxItem:
    client_id: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    status: str = "pending"  # pending | failed
    attempts: int = 0
    error_code: str | None = None
    error_message: str | None = None


@dataclass
class Change:
    type: str
    op: str
    id: str
    version: int = 0
    data: dict[str, Any] | None = field(default=None)


class Store(Protocol):
    """What the app needs from local storage; tests may pass any object with these methods."""

    def get(self, type_: str, id_: Any) -> dict[str, Any] | None: ...
    def all(self, type_: str) -> list[dict[str, Any]]: ...
    def put(self, type_: str, id_: Any, data: dict[str, Any], version: int = 0) -> None: ...
    def delete(self, type_: str, id_: Any) -> None: ...
    def apply(self, changes: Iterable[Change], cursor: str | None) -> None: ...
    def replace_all(self, type_: str, items: Iterable[dict[str, Any]], key: str = "id") -> None: ...
    def search(self, type_: str, query: str) -> list[dict[str, Any]]: ...
    def clear_entities(self) -> None: ...
    def get_meta(self, key: str, default: Any = None) -> Any: ...
    def set_meta(self, key: str, value: Any) -> None: ...
    @property
    def cursor(self) -> str | None: ...
    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        client_id: str | None = None,
        made_at: datetime | None = None,
    ) -> OutboxItem: ...
    def outbox(self, status: str | None = None) -> list[OutboxItem]: ...
    def outbox_done(self, client_id: str) -> None: ...
    def outbox_failed(self, client_id: str, code: str, message: str) -> None: ...
    def outbox_attempted(self, client_id: str) -> None: ...
    def wipe(self) -> None: ...
    def close(self) -> None: ...
    @property
    def files_dir(self) -> Path: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entity (
    type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL, folded TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (type, id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    client_id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    error_code TEXT, error_message TEXT, seq INTEGER
);
"""


def _folded(data: dict[str, Any]) -> str:
    return fold(" ".join(str(data[k]) for k in _SEARCH_FIELDS if data.get(k)))


class SqliteStore:
    """stdlib sqlite3 store in one file; one per signed-in user (see `user_store_dir`)."""

    def __init__(self, path: Path | str):
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the UI task and the sync task of a session, guarded by a lock.
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # --- entities -----------------------------------------------------------------------------------

    def get(self, type_: str, id_: Any) -> dict[str, Any] | None:
        rows = self._rows("SELECT data FROM entity WHERE type=? AND id=?", (type_, str(id_)))
        return json.loads(rows[0][0]) if rows else None

    def all(self, type_: str) -> list[dict[str, Any]]:
        return [
            json.loads(r[0])
            for r in self._rows("SELECT data FROM entity WHERE type=? ORDER BY rowid", (type_,))
        ]

    def _put(
        self, conn: sqlite3.Connection, type_: str, id_: Any, data: dict[str, Any], version: int
    ) -> None:
        conn.execute(
            "INSERT INTO entity(type, id, version, data, folded) VALUES (?,?,?,?,?) "
            "ON CONFLICT(type, id) DO UPDATE SET version=excluded.version, data=excluded.data, "
            "folded=excluded.folded",
            (type_, str(id_), version, json.dumps(data, default=str), _folded(data)),
        )

    def put(self, type_: str, id_: Any, data: dict[str, Any], version: int = 0) -> None:
        with self._tx() as conn:
            self._put(conn, type_, id_, data, version)

    def delete(self, type_: str, id_: Any) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM entity WHERE type=? AND id=?", (type_, str(id_)))

    def apply(self, changes: Iterable[Change], cursor: str | None) -> None:
        """Apply one page of the feed and move the cursor in the same transaction: a crash between
        the two would otherwise skip or replay changes."""
        with self._tx() as conn:
            for ch in changes:
                if ch.op == "delete" or ch.data is None:
                    conn.execute("DELETE FROM entity WHERE type=? AND id=?", (ch.type, str(ch.id)))
                else:
                    self._put(conn, ch.type, ch.id, ch.data, ch.version)
            if cursor is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('cursor', ?)", (json.dumps(cursor),)
                )

    def replace_all(self, type_: str, items: Iterable[dict[str, Any]], key: str = "id") -> None:
        """Cache a full list fetched from a list endpoint (used where no feed exists yet)."""
        with self._tx() as conn:
            conn.execute("DELETE FROM entity WHERE type=?", (type_,))
            for item in items:
                self._put(conn, type_, item[key], item, 0)

    def search(self, type_: str, query: str) -> list[dict[str, Any]]:
        words = fold(query).split()
        sql = "SELECT data FROM entity WHERE type=?" + " AND folded LIKE ? ESCAPE '\\'" * len(words)
        args = [type_] + [f"%{_like_escape(w)}%" for w in words]
        return [json.loads(r[0]) for r in self._rows(sql + " ORDER BY rowid", tuple(args))]

    def clear_entities(self) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM entity")
            conn.execute("DELETE FROM meta WHERE key='cursor'")

    # --- meta ----------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: Any = None) -> Any:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: Any) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value, default=str))
            )

    @property
    def cursor(self) -> str | None:
        return self.get_meta("cursor")

    # --- outbox --------------------------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        client_id: str | None = None,
        made_at: datetime | None = None,
    ) -> OutboxItem:
        item = OutboxItem(
            client_id=client_id or str(uuid.uuid4()),
            kind=kind,
            payload=payload,
            created_at=made_at or datetime.now(UTC),
        )
        with self._tx() as conn:
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0]
            conn.execute(
                "INSERT OR IGNORE INTO outbox(client_id, kind, payload, created_at, seq) VALUES (?,?,?,?,?)",
                (item.client_id, kind, json.dumps(payload, default=str), item.created_at.isoformat(), seq),
            )
        return item

    def outbox(self, status: str | None = None) -> list[OutboxItem]:
        sql = (
            "SELECT client_id, kind, payload, created_at, status, attempts, error_code, error_message "
            "FROM outbox"
        )
        args: tuple = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        return [
            OutboxItem(
                client_id=r[0],
                kind=r[1],
                payload=json.loads(r[2]),
                created_at=datetime.fromisoformat(r[3]),
                status=r[4],
                attempts=r[5],
                error_code=r[6],
                error_message=r[7],
            )
            for r in self._rows(sql + " ORDER BY seq", args)
        ]

    def outbox_done(self, client_id: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM outbox WHERE client_id=?", (client_id,))

    def outbox_failed(self, client_id: str, code: str, message: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE outbox SET status='failed', error_code=?, error_message=?, attempts=attempts+1 "
                "WHERE client_id=?",
                (code, message, client_id),
            )

    def outbox_attempted(self, client_id: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE outbox SET attempts=attempts+1 WHERE client_id=?", (client_id,))

    # --- lifecycle -----------------------------------------------------------------------------------

    @property
    def files_dir(self) -> Path:
        """Downloaded attachments live beside the database so a wipe removes them too."""
        base = self.path.parent if self.path is not None else Path("/tmp/sotay-memory-store")
        return base / "files"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def wipe(self) -> None:
        """Forget everything of this user on this device (sign-out, revoked session)."""
        self.close()
        if self.path is not None:
            shutil.rmtree(self.path.parent, ignore_errors=True)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def user_store_dir(root: Path, server_url: str, user_id: int) -> Path:
    """One directory per (server, user): two people signing in on one host never share a store."""
    return root / "users" / f"{fold(server_url).replace('/', '_').replace(':', '_')}-u{user_id}"


def open_user_store(root: Path, server_url: str, user_id: int) -> SqliteStore:
    return SqliteStore(user_store_dir(root, server_url, user_id) / "store.db")
