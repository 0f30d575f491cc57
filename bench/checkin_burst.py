"""Check-in burst: N members of one cell check in at the same instant against a real uvicorn server.

Prints throughput and latency percentiles; exits non-zero if any member ends up with other than one record.
Usage: python -m bench.checkin_burst [members] [sqlite|postgres]
(postgres: a scratch database is created on 127.0.0.1:5432 and dropped afterwards.)
"""

import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from bench.checkins import mint_tokens
from server.app import create_app
from server.config import Settings
from server.meetings.models import Attendance
from tests.factories import make_member, make_world
from tests.server.meetings.factories import code_at, make_meeting
from tests.server.meetings.test_concurrency import ServerThread

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_database(engine_name: str) -> Iterator[str | None]:
    if engine_name != "postgres":
        yield None
        return
    name = f"sotay_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with scratch_database(sys.argv[2] if len(sys.argv) > 2 else "sqlite") as url:
        return run(members, url)


def run(members: int, url: str | None) -> int:
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()), secret_key="b" * 48, run_scheduler=False, database_url=url
    )
    app = create_app(settings)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        people = [make_member(s, world.cell, username=f"bench.{i}") for i in range(members)]
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        meeting_id, code = meeting.id, code_at(meeting)
        tokens = mint_tokens(s, settings, [p.user.id for p in people], now)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    with ServerThread(app) as base:
        barrier = threading.Barrier(members)

        def send(token: str) -> None:
            with httpx.Client(base_url=base, timeout=120) as c:
                barrier.wait()
                t0 = time.perf_counter()
                r = c.post(
                    f"/api/v1/meetings/{meeting_id}/check-ins",
                    json={"code": code, "client_id": uuid.uuid4().hex},
                    headers={"Authorization": f"Bearer {token}"},
                )
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    statuses.append(r.status_code)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=members) as pool:
            list(pool.map(send, tokens))
        wall = time.perf_counter() - start
    with app.state.db.transaction() as s:
        per_member = s.execute(
            select(Attendance.member_id, func.count())
            .where(Attendance.meeting_id == meeting_id)
            .group_by(Attendance.member_id)
        ).all()
    app.state.db.dispose()
    q = statistics.quantiles(latencies, n=100)
    engine = "postgresql" if url else "sqlite"
    print(
        f"{engine}: {members} simultaneous check-ins in {wall:.2f}s ({members / wall:.0f}/s); "
        f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"statuses {sorted(set(statuses))}; records {len(per_member)}"
    )
    ok = len(per_member) == members and all(n == 1 for _, n in per_member) and set(statuses) == {201}
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
