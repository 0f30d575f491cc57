"""Concurrent writers committing through real sessions never make a following cursor skip a change."""

import random
import threading
import time

import pytest

from server.auth.principal import build
from server.db import Database
from server.records.changelog import record_change
from server.sync import service
from tests import factories

WRITERS = 4
PER_WRITER = 15


@pytest.mark.slow
def test_cursor_never_skips_concurrent_commits(any_settings):
    db = Database(any_settings)
    try:
        with db.transaction() as s:
            world = factories.make_world(s)
            cell_id = world.cell.id
            user = world.member.user
        written: list[int] = []
        lock = threading.Lock()
        next_id = iter(range(10_000_000, 20_000_000))

        def writer(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(PER_WRITER):
                with lock:
                    entity = next(next_id)
                session = db.session(write=True)
                try:
                    record_change(session, "organization", entity, org_ids=[cell_id])
                    time.sleep(rng.random() * 0.01)  # hold the transaction open while others queue
                    session.commit()
                    with lock:
                        written.append(entity)
                finally:
                    session.close()

        seen: set[int] = set()
        versions: list[int] = []
        cursor: str | None = None

        def pull() -> None:
            nonlocal cursor
            session = db.session()
            try:
                principal = build(session, user, None, None)
                while True:
                    page = service.feed(session, principal, cursor, limit=7)
                    for change in page.changes:
                        if change.id >= 10_000_000:
                            seen.add(change.id)
                            versions.append(change.version)
                    cursor = page.cursor
                    session.rollback()  # next page in a fresh snapshot, as a new request would be
                    if not page.has_more:
                        return
            finally:
                session.close()

        pull()  # the initial snapshot
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            pull()
            time.sleep(0.002)
        pull()
        assert len(written) == WRITERS * PER_WRITER
        assert seen == set(written)
        assert versions == sorted(versions)
    finally:
        db.dispose()
