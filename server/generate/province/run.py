"""The command's entry: check the options, empty the database with --force, run the steps in one
transaction."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy import text
from sqlmodel import Session

from server.config import Settings
from server.db import Database
from server.generate.province.base import (
    GenerateError,
    Options,
    Progress,
    Summary,
)
from server.generate.province.generator import Generator
from shared.schemas.auth import PASSWORD_MAX, PASSWORD_MIN


def check(options: Options) -> None:
    """Refuse sizes the tree cannot be built with."""
    if options.cells < 5:
        raise GenerateError("Cần ít nhất 5 chi bộ (--cells).")
    if options.members < 3 * options.cells:
        raise GenerateError("Mỗi chi bộ cần ít nhất 3 đảng viên: --members phải ít nhất gấp 3 lần --cells.")
    if options.documents < 0 or options.months < 0:
        raise GenerateError("--documents và --months không được âm.")
    if not PASSWORD_MIN <= len(options.password) <= PASSWORD_MAX:
        raise GenerateError(f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự.")


def run(settings: Settings, options: Options, out: TextIO = sys.stderr) -> Summary:
    """Generate into the configured (migrated) database, one transaction per phase."""
    check(options)
    progress = Progress(out)
    db = Database(settings)
    try:
        gen = Generator(db, settings, options, progress)
        with transaction(db) as session:
            gen.prepare(session)
            gen.organisations(session)
        with transaction(db) as session:
            gen.members(session)
        gen.store_files()
        with transaction(db) as session:
            gen.documents(session)
        with transaction(db) as session:
            gen.reads(session)
            gen.comments(session)
        with transaction(db) as session:
            gen.meetings(session)
        with transaction(db) as session:
            gen.year(session)
        with transaction(db) as session:
            gen.notifications(session)
        gen.finish()
        return gen.summary()
    finally:
        db.dispose()


@contextmanager
def transaction(db: Database) -> Iterator[Session]:
    """A write transaction; on SQLite with a 256 MB page cache (2 MB by default), or each row inserted
    into the random-order indexes (attendance by member, read receipts by user) reads pages from disk
    once the tables outgrow the cache."""
    with db.transaction() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA cache_size = -262144"))
        yield session
