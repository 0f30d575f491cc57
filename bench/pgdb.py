"""A fresh PostgreSQL database for one bench run, dropped afterwards (`--postgres URL` of the benches)."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def fresh_database(base_url: str) -> Iterator[str]:
    """Create an empty database beside `base_url`'s (e.g. postgresql+psycopg://postgres@127.0.0.1/test);
    yield its URL; drop it at the end."""
    name = f"sotay_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def on_engine(postgres: str | None, run: Callable[[str | None], None]) -> None:
    """`run(database_url)`: on a fresh PostgreSQL database beside `postgres`, or on SQLite (None)."""
    if postgres:
        with fresh_database(postgres) as url:
            run(url)
    else:
        run(None)
