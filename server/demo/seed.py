"""Entry point of demo seeding: runs each domain's seeder once, into an empty database."""

import logging
from collections.abc import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from server.config import Settings
from server.db import Database
from server.demo import documents, foundation
from server.demo import meetings as demo_meetings
from server.demo import study as demo_study
from server.demo import sync as sync_demo
from server.demo import year as demo_year
from server.demo.context import DEMO_PASSWORD, DemoContext  # noqa: F401  (DEMO_PASSWORD: the CLI and tests)
from server.records.orgs import Organization

log = logging.getLogger(__name__)


def _seeders() -> list[Callable[[Session, DemoContext], None]]:
    return [foundation.seed, demo_meetings.seed, documents.seed, sync_demo.seed, demo_year.seed,
            demo_study.seed]


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
