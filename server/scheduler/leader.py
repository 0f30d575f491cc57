"""The leader lock: only the process holding it runs jobs (pg advisory lock, or a file lock on SQLite)."""

import contextlib
import fcntl
import logging
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from server.db import Database

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x50_54_44_56  # any constant unique to this application


class LeaderLock:
    """Held for the life of the process once taken; a crashed holder releases it (connection/file closes)."""

    def __init__(self, db: Database):
        self.db = db
        self._conn: Connection | None = None
        self._file: IO[Any] | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None

    def acquire(self) -> bool:
        if self.held:
            return self._still_held()
        if self.db.settings.is_sqlite:
            path = self.db.settings.data_dir / "scheduler.lock"
            handle = open(path, "a+")  # noqa: SIM115 - kept open while leading
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._file = handle
            return True
        conn = self.db.engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def _still_held(self) -> bool:
        if self._conn is None:
            return True
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:  # noqa: BLE001 - lost the connection: lost the lock
            log.warning("scheduler leader connection lost")
            self.release()
            return False

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.commit()
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
