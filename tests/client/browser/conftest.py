"""Fixtures for browser tests: a prepared database, the running stack, Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from server.db import Database
from server.migrate import upgrade
from tests import factories
from tests.client.browser.harness import Stack, launch
from tests.conftest import SECRET, make_settings
from tests.requirements import need_chromium


@pytest.fixture
def chromium() -> str:
    return need_chromium()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    settings = make_settings(tmp_path)
    upgrade(settings)
    return tmp_path


@pytest.fixture
def arrange(data_dir: Path):
    """arrange(fn) runs fn(session) on the stack's database and commits."""
    db = Database(make_settings(data_dir))

    def _arrange(fn):
        with db.transaction() as session:
            return fn(session)

    yield _arrange
    db.dispose()


def make_world(session: Session) -> dict:
    """The usual cast; plain values (usernames, ids) since the session is gone after arranging."""
    w = factories.make_world(session)
    session.flush()
    out = {
        name: {"username": p.user.username, "member_id": p.member.id if p.member else None}
        for name, p in vars(w).items()
        if isinstance(p, factories.Person)
    }
    out["cell_id"] = w.cell.id
    out["province_id"] = w.province.id
    out["district_id"] = w.district.id
    out["password"] = factories.PASSWORD
    return out


@pytest.fixture
def world(arrange) -> dict:
    """The usual cast (see make_world), made on the real clock."""
    return arrange(make_world)


@pytest.fixture
def stack(data_dir: Path, chromium: str) -> Iterator[Stack]:
    s = Stack(data_dir, SECRET)
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p, chromium)
        try:
            yield b
        finally:
            b.close()
