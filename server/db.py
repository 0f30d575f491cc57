"""Database engine, sessions and column types shared by every domain."""

import threading
import time
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
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes can fail with SQLITE_BUSY without waiting;
        # IMMEDIATE makes writers queue on busy_timeout instead.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def begin_write(session: Session) -> None:
    """End the session's read transaction and start a write transaction (SQLite: BEGIN IMMEDIATE).

    For the rare request that must do slow work (password hashing) before it writes: read, compute,
    then take the lock. Objects loaded before are expired; load what you write again.
    """
    session.rollback()
    session.connection(execution_options=WRITE)


class Database:
    """Engine plus session factory for one configured database."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings)
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
        self.engine.dispose()
