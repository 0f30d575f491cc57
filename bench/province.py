"""The generated province as the benches' data (`--province SOURCE` of poll_rate, checkin_evening, sse_fanout
and search_bench), instead of the data each bench builds for itself.

SOURCE is a data directory holding a database made by `python -m server generate` (its sotay.db), or the
URL of a PostgreSQL database it filled (`SOTAY_DATABASE_URL=postgresql+psycopg://... python -m server
generate`). It is generated once and never written to: a bench that writes (sessions, meetings, documents,
check-ins) runs on a scratch copy (the SQLite file copied beside it; `CREATE DATABASE ... TEMPLATE` on
PostgreSQL), dropped afterwards.

Accounts are picked from the data, deterministically (same seed, same picks): see `member`, `evening`,
`devices`, `district_staff`. Sessions and access tokens are minted in the database as `checkin_evening`
does for its own members (argon2 for 10,000 sign-ins would measure the password hash, not the bench);
the accounts that sign in through the API use the generator's password.
"""

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import Connection, create_engine, text

from server.auth import security
from server.auth.models import DeviceSession
from server.meetings.models import Meeting

PASSWORD = "tinh-thu-2026"  # the generator's default: every account's password


@dataclass(frozen=True)
class Account:
    username: str
    user_id: int
    member_id: int
    cell_id: int
    district_id: int


@dataclass(frozen=True)
class Province:
    source: str

    @property
    def postgres(self) -> bool:
        return self.source.startswith("postgresql")

    @property
    def engine_name(self) -> str:
        return "PostgreSQL" if self.postgres else "SQLite"

    @property
    def url(self) -> str:
        """The generated database itself (read only: search)."""
        return self.source if self.postgres else f"sqlite:///{Path(self.source).resolve() / 'sotay.db'}"

    @property
    def files_dir(self) -> Path | None:
        """The generated attachments (SQLite: beside the database; PostgreSQL: not known, none served)."""
        return None if self.postgres else Path(self.source).resolve() / "files"

    @contextmanager
    def scratch(self) -> Iterator[tuple[Path, str | None]]:
        """A copy a bench may write to: (the server's data directory, the database URL or None for the
        data directory's sotay.db). Copying takes a few seconds (1.5 GB)."""
        parent = None if self.postgres else Path(self.source).resolve().parent
        data_dir = Path(tempfile.mkdtemp(prefix="sotay-province-", dir=parent))
        started = time.monotonic()
        try:
            if not self.postgres:
                for name in ("sotay.db", "sotay.db-wal"):  # the log is empty once generate has finished
                    if (Path(self.source) / name).exists():
                        shutil.copyfile(Path(self.source) / name, data_dir / name)
                os.sync()  # the copy's 1.5 GB written out now, not as disk flushes in the bench's timings
                print(f"scratch copy of {self.source} in {time.monotonic() - started:.1f} s", flush=True)
                yield data_dir, None
                return
            base, name = self.source.rsplit("/", 1)
            scratch = f"sotay_scratch_{uuid.uuid4().hex[:8]}"
            admin = create_engine(self.source, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}" STRATEGY FILE_COPY'))
                admin.dispose()  # the template must have no connections for the next copy
                print(f"scratch copy of {name} in {time.monotonic() - started:.1f} s", flush=True)
                yield data_dir, f"{base}/{scratch}"
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
                admin.dispose()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def database(url: str) -> Iterator[Connection]:
    """One transaction on `url`, committed at the end."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def member(conn: Connection) -> Account:
    """A member whose device has a year of meetings to fetch: of the cells under a district, the one at the
    90th percentile by meetings then members (busier than most, not the extreme); its last member, not a
    leader (leaders are the cell's first members)."""
    cells = conn.execute(text("""
        SELECT o.id, d.ancestor_id,
               (SELECT count(*) FROM meeting m WHERE m.org_id = o.id) AS meetings,
               (SELECT count(*) FROM member x WHERE x.org_id = o.id) AS members
        FROM organization o
        JOIN org_closure d ON d.descendant_id = o.id
        JOIN organization dist ON dist.id = d.ancestor_id AND dist.kind = 'district'
        WHERE o.kind = 'cell'
        ORDER BY meetings, members, o.id""")).all()
    cell_id, district_id = cells[int(len(cells) * 0.9)][:2]
    row = conn.execute(text("""
        SELECT u.username, u.id, m.id FROM member m JOIN user_account u ON u.member_id = m.id
        WHERE m.org_id = :cell ORDER BY m.id DESC LIMIT 1"""), {"cell": cell_id}).one()
    return Account(row[0], row[1], row[2], cell_id, district_id)


def admin_username(conn: Connection) -> str:
    return str(conn.execute(text("""
        SELECT u.username FROM user_account u JOIN role_assignment r ON r.user_id = u.id
        WHERE r.role = 'admin' ORDER BY u.id LIMIT 1""")).scalar_one())


def district_staff(conn: Connection, district_id: int) -> int:
    """The first staff account of a district's committee (user id)."""
    return int(conn.execute(text("""
        SELECT user_id FROM role_assignment WHERE role = 'staff' AND org_id = :d ORDER BY user_id LIMIT 1"""),
        {"d": district_id}).scalar_one())


def mint(conn: Connection, secret: str, user_ids: list[int]) -> list[str]:
    """A device session and a two-hour access token per user, written directly."""
    now = datetime.now(UTC)
    table = DeviceSession.__table__  # type: ignore[attr-defined]
    ids = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True),
                       [{"user_id": u, "created_at": now, "last_seen_at": now,
                         "expires_at": now + timedelta(days=1)} for u in user_ids]).scalars().all()
    return [security.make_access_token(secret, user_id=u, session_id=s, minutes=120)[0]
            for u, s in zip(user_ids, ids, strict=True)]


def district_members(conn: Connection, district_id: int, count: int) -> list[int]:
    """`count` member accounts of the district, spread over its cells (every n-th by id)."""
    users = conn.execute(text("""
        SELECT u.id FROM user_account u JOIN member m ON m.id = u.member_id
          JOIN org_closure c ON c.descendant_id = m.org_id
        WHERE c.ancestor_id = :d AND u.is_active ORDER BY u.id"""), {"d": district_id}).scalars().all()
    step = max(1, len(users) // count)
    return list(users[::step][:count])


def devices(url: str, secret: str, count: int) -> list[str]:
    """`count` members spread over the whole province (every n-th account by id), each with a session."""
    with database(url) as conn:
        users = conn.execute(text(
            "SELECT u.id FROM user_account u WHERE u.member_id IS NOT NULL AND u.is_active ORDER BY u.id"
        )).scalars().all()
        step = max(1, len(users) // count)
        return mint(conn, secret, list(users[::step][:count]))


def evening(url: str, secret: str, meetings: int, per_meeting: int) -> list[tuple[int, str, str]]:
    """`meetings` cells of the province spread evenly (by id, among those with `per_meeting` members or
    more), each with a meeting open for check-in tonight and `per_meeting` of its members signed in:
    (meeting id, TOTP secret, token) per member, as checkin_evening.prepare returns."""
    now = datetime.now(UTC)
    out = []
    with database(url) as conn:
        cells = conn.execute(text("""
            SELECT o.id FROM organization o WHERE o.kind = 'cell'
              AND (SELECT count(*) FROM member m JOIN user_account u ON u.member_id = m.id
                   WHERE m.org_id = o.id AND u.is_active) >= :n
            ORDER BY o.id"""), {"n": per_meeting}).scalars().all()
        step = max(1, len(cells) // meetings)
        table = Meeting.__table__  # type: ignore[attr-defined]
        for c, cell_id in enumerate(cells[::step][:meetings]):
            totp_secret = pyotp.random_base32()
            meeting_id = conn.execute(table.insert().values(
                org_id=cell_id, kind="regular", status="in_progress", title=f"Sinh hoạt chi bộ tối nay {c}",
                starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                checkin_before_minutes=30, checkin_after_minutes=60, grace_minutes=10,
                checkin_secret=totp_secret, checkin_interval=30, checkin_opened_at=now - timedelta(minutes=5),
                created_at=now, updated_at=now).returning(table.c.id)).scalar_one()
            users = conn.execute(text("""
                SELECT u.id FROM member m JOIN user_account u ON u.member_id = m.id
                WHERE m.org_id = :cell AND u.is_active ORDER BY m.id LIMIT :n"""),
                {"cell": cell_id, "n": per_meeting}).scalars().all()
            out += [(meeting_id, totp_secret, token) for token in mint(conn, secret, list(users))]
    if len(out) != meetings * per_meeting:
        raise RuntimeError(f"the province has too few cells of {per_meeting} members: {len(out)} check-ins")
    return out
