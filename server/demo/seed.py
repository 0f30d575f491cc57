"""Entry point of demo seeding: runs each domain's seeder once, into an empty database."""

import logging
import random
from collections.abc import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from server.config import Settings
from server.db import Database
from server.records.orgs import Organization

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo12345"


def _seeders() -> list[Callable[[Session, "DemoContext"], None]]:
    from server.demo import documents, foundation
    from server.demo import meetings as demo_meetings
    from server.demo import sync as sync_demo

    return [foundation.seed, demo_meetings.seed, documents.seed, sync_demo.seed]


class DemoContext:
    """What one seeder leaves for the next: ids by key, a fixed random source, settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.rng = random.Random(2023)
        self.orgs: dict[str, int] = {}
        self.members: dict[str, int] = {}  # by username or "cell:index"
        self.users: dict[str, int] = {}
        self.cell_members: dict[str, list[int]] = {}
        self.report_month = ""  # "YYYY-MM" the meeting profiles describe (see demo.meetings.report_month)


def seed(session: Session, settings: Settings) -> DemoContext:
    ctx = DemoContext(settings)
    for seeder in _seeders():
        seeder(session, ctx)
        session.flush()
    return ctx


def seed_if_empty(settings: Settings) -> bool:
    db = Database(settings)
    try:
        with db.transaction() as session:
            if session.execute(select(func.count()).select_from(Organization)).scalar_one():
                log.info("database not empty: demo data not created")
                return False
            seed(session, settings)
        log.info("demo data created")
        return True
    finally:
        db.dispose()
