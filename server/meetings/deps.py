"""A short path for check-ins: authenticate on a read session, then do the whole write in ONE thread.

The generic `DbSession` takes SQLite's write lock in a dependency's worker thread and keeps it across the
further thread hops of the route (principal, endpoint). Check-ins come in bursts, so their route holds the
lock only while it writes; like every writing route it first passes `server.deps.write_gate`.
"""

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from server.db import Database

T = TypeVar("T")


def in_write_transaction(db: Database, work: Callable[[Session], T]) -> T:
    """Run `work` on a write session in the calling thread; it commits itself (once)."""
    session = db.session(write=True)
    try:
        return work(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
