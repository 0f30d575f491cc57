"""Database engine, sessions and column types shared by every domain."""

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

from server.config import Settings

log = logging.getLogger(__name__)
# Engines whose connections leave checkpoints to a Checkpointer thread.
_BACKGROUND_CHECKPOINT: "weakref.WeakSet[Engine]" = weakref.WeakSet()


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in and out on every engine; a naive value is a bug and is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


WRITE = {"sqlite_immediate": True}


def make_engine(settings: Settings) -> Engine:
    url = str(settings.database_url)
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so write transactions can take the lock up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine in _BACKGROUND_CHECKPOINT:
            cur.execute("PRAGMA wal_autocheckpoint=0")  # see Checkpointer
        cur.close()

    lock_path = f"{engine.url.database}-writer" if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes can fail with SQLITE_BUSY without waiting;
        # IMMEDIATE makes writers queue on busy_timeout instead.
        if conn.get_execution_options().get("sqlite_immediate"):
            if lock_path is not None:
                _take_writer_lock(conn.info, lock_path)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release_writer_lock(conn.info)
                raise
        else:
            conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _release_writer_lock(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _release_writer_lock(conn.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        _release_writer_lock(record.info)


WRITER_WAIT = 30.0  # as busy_timeout


def _take_writer_lock(info: dict, path: str) -> None:
    """Queue for SQLite's writer on a file lock, beside its own lock.

    Several worker processes share one file. SQLite's own wait is a sleep that grows to 100 ms between
    tries, so a process that writes again at once keeps the lock while the other sleeps: with two workers
    a check-in waited up to a second (bench/checkin_evening.py, open loop). This lock is tried every
    fraction of a millisecond, so the writer changes hands as soon as it is free. Each connection opens its
    own descriptor: a flock is per open file, so threads of one process exclude each other too.
    """
    if info.get("writer_lock") is not None:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + WRITER_WAIT
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            info["writer_lock"] = fd
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise sqlite3.OperationalError("database is locked") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.002)


def _release_writer_lock(info: dict) -> None:
    fd = info.pop("writer_lock", None)
    if fd is not None:
        os.close(fd)  # closing the descriptor releases its flock


class Checkpointer:
    """Copies SQLite's write-ahead log into the database from its own thread, every `interval` seconds.

    By default the commit that fills the log past 1,000 pages does this copy and its fsync itself, while
    its request still holds the write gate: on a meeting evening every check-in waited 0.5-0.8 s behind it
    (bench/checkin_evening.py, open loop). A PASSIVE checkpoint here holds no write lock, so writers go on
    appending to the log meanwhile (sqlite3 lets go of the GIL while it works).
    """

    def __init__(self, engine: Engine, interval: float = 1.0) -> None:
        self.engine, self.interval = engine, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()

    def checkpoint(self) -> None:
        try:
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                raw.close()
        except Exception as exc:  # noqa: BLE001 - the next round tries again; commits go on without it
            log.warning("WAL checkpoint failed: %s", exc)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.checkpoint()  # leave a short log behind


def begin_write(session: Session) -> None:
    """End the session's read transaction and start a write transaction (SQLite: BEGIN IMMEDIATE).

    For the rare request that must do slow work (password hashing) before it writes: read, compute,
    then take the lock. Objects loaded before are expired; load what you write again.
    """
    session.rollback()
    session.connection(execution_options=WRITE)


class Database:
    """Engine plus session factory for one configured database."""

    def __init__(self, settings: Settings, *, background_checkpoint: bool = False):
        self.settings = settings
        self.engine = make_engine(settings)
        # A server checkpoints SQLite's log in a thread of its own (Checkpointer), started by its lifespan.
        self.checkpointer: Checkpointer | None = None
        if background_checkpoint and settings.is_sqlite:
            _BACKGROUND_CHECKPOINT.add(self.engine)
            self.checkpointer = Checkpointer(self.engine)
        self._factory = sessionmaker(bind=self.engine, class_=Session, expire_on_commit=False)
        # Writing requests queued or running (server.deps.write_gate): background jobs let them go first.
        self.request_writers = 0
        self._writers_lock = threading.Lock()

    @contextmanager
    def request_writing(self) -> Iterator[None]:
        """Held by a writing request from the moment it queues for the writer until it is answered."""
        with self._writers_lock:
            self.request_writers += 1
        try:
            yield
        finally:
            with self._writers_lock:
                self.request_writers -= 1

    @contextmanager
    def background_transaction(self, max_wait: float = 1.0) -> Iterator[Session]:
        """A short write transaction of a background job, taken when no request is waiting to write (for
        at most `max_wait` seconds). SQLite's waiting writers poll with growing sleeps, so a job that
        commits and begins again at once would keep the writer from them: check-ins waited seconds."""
        deadline = time.monotonic() + max_wait
        while self.request_writers and time.monotonic() < deadline:
            time.sleep(0.002)
        with self.transaction() as session:
            yield session

    def session(self, *, write: bool = False) -> Session:
        session = self._factory()
        if write:
            session.connection(execution_options=WRITE)
        return session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction outside a request (CLI, scheduler, demo seeding)."""
        session = self.session(write=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()
