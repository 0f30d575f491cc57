"""A province's meeting evening: 5,000 check-ins from 500 clients across 250 meetings, over real HTTP.

    PYTHONPATH=. python bench/checkin_evening.py [--meetings 250] [--per-meeting 20] [--clients 500]
        [--rate 500] [--server-root PATH] [--workers N]

Two runs against a server process (`python -m server serve`, by default with its default workers: the
cores; `--workers -1` runs one uvicorn worker on the app factory, as the benches before it),
each on a fresh database: closed loop (500 clients, each sending its members' check-ins one after the
other, all starting at once) and open loop (the check-ins sent at `rate` per second whatever the answers).
The load comes from this process on plain asyncio connections (keep-alive). Prints one JSON line per
run: recorded rows, errors, throughput and its ratio to `/api/v1/health` (wrk, same run), latency
percentiles. `--province SOURCE` runs each mode on a scratch copy of the generated province
(bench/province.py): 250 of its cells spread over the province get a meeting open tonight, 20 of each
cell's members a session.
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import bindparam, create_engine, text

from bench import province as generated
from bench.oversized_bodies import ROOT, start_server, stop_server
from bench.pgdb import fresh_database
from bench.poll_rate import wrk
from server.app import create_app
from server.auth import security
from server.auth.models import DeviceSession
from server.config import Settings
from server.meetings.models import Meeting
from server.records.members import Member, Membership, User
from shared.enums import OrgKind
from tests.factories import make_org, make_world


def prepare(data_dir: Path, secret: str, meetings: int, per_meeting: int, database_url: str | None = None
            ) -> list[tuple[int, str, str]]:
    """Cells with an open meeting each and members with sessions: (meeting id, TOTP secret, token)."""
    settings = Settings(data_dir=data_dir, secret_key=secret, run_scheduler=False,
                        **({"database_url": database_url} if database_url else {}))
    app = create_app(settings)
    now = datetime.now(UTC)
    out = []
    with app.state.db.transaction() as s:
        world = make_world(s)
        for c in range(meetings):
            cell = make_org(s, f"Chi bộ tối {c}", OrgKind.cell, world.grassroots)
            s.flush()
            totp_secret = pyotp.random_base32()
            meeting_id = s.execute(Meeting.__table__.insert().values(
                org_id=cell.id, kind="regular", status="in_progress", title=f"Sinh hoạt chi bộ {c}",
                starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                checkin_before_minutes=30, checkin_after_minutes=60, grace_minutes=10,
                checkin_secret=totp_secret, checkin_interval=30, checkin_opened_at=now - timedelta(minutes=5),
                created_at=now, updated_at=now)).inserted_primary_key[0]
            for i in range(per_meeting):
                member_id = s.execute(Member.__table__.insert().values(
                    full_name=f"Đảng viên {c}-{i}", name_folded=f"dang vien {c}-{i}", kind="official",
                    org_id=cell.id, created_at=now, updated_at=now)).inserted_primary_key[0]
                s.execute(Membership.__table__.insert().values(member_id=member_id, org_id=cell.id,
                                                               started_on=now.date(), created_at=now))
                user_id = s.execute(User.__table__.insert().values(
                    username=f"toi.{c}.{i}", password_hash="!", member_id=member_id, is_active=True,
                    is_demo=False, password_changed_at=now, created_at=now)).inserted_primary_key[0]
                session_id = s.execute(text_insert_session(), {"u": user_id, "now": now,
                                                               "exp": now + timedelta(days=1)}).scalar_one()
                token = security.make_access_token(settings.resolved_secret(), user_id=user_id,
                                                   session_id=session_id, minutes=120)[0]
                out.append((meeting_id, totp_secret, token))
    app.state.db.dispose()
    return out


def text_insert_session():
    """INSERT of a device session returning its id (tokens are minted here: this measures check-ins)."""
    table = DeviceSession.__table__
    return table.insert().values(user_id=bindparam("u"), created_at=bindparam("now"),
                                 last_seen_at=bindparam("now"), expires_at=bindparam("exp")
                                 ).returning(table.c.id)


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: httpx's pool spent more CPU here than the
    server spent answering (the load must not compete with the server for the machine's two cores)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line and reused:
            # The server closed this keep-alive connection while it sat idle (uvicorn: after 5 s), before
            # reading the request: send it again on a new one, as HTTP clients do.
            self.writer.close()
            self.writer = None
            return await self.post(path, body, token)
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        return int(status_line.split()[1]), payload


async def check_in(conn: Connection, job: tuple[int, str, str], out: list) -> None:
    meeting_id, totp_secret, token = job
    body = json.dumps({"code": pyotp.TOTP(totp_secret).now(), "client_id": uuid.uuid4().hex}).encode()
    sent = time.monotonic()
    try:
        status, payload = await conn.post(f"/api/v1/meetings/{meeting_id}/check-ins", body, token)
        code = json.loads(payload).get("code", "") if status >= 400 else ""
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        status, code = 0, type(exc).__name__
        conn.writer = None
    out.append((time.monotonic() - sent, status, code))


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


async def closed_loop(base: str, jobs: list, clients: int) -> tuple[list, float]:
    """`clients` connections, each sending its share one after the other, all starting at once."""
    out: list = []
    host, port = _address(base)

    async def client(mine: list) -> None:
        conn = Connection(host, port)
        for job in mine:
            await check_in(conn, job, out)

    start = time.monotonic()
    await asyncio.gather(*(client(jobs[i::clients]) for i in range(clients)))
    return out, time.monotonic() - start


async def open_loop(base: str, jobs: list, rate: float) -> tuple[list, float]:
    """Each check-in sent at its time (i / rate) on a free connection, whatever became of the others."""
    out: list = []
    host, port = _address(base)
    idle: list[Connection] = []

    async def one(job: tuple[int, str, str]) -> None:
        conn = idle.pop() if idle else Connection(host, port)
        await check_in(conn, job, out)
        idle.append(conn)

    start = time.monotonic()
    tasks = []
    for i, job in enumerate(jobs):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(job)))
    await asyncio.gather(*tasks)
    return out, time.monotonic() - start


def recorded(data_dir: Path, database_url: str | None, meeting_ids: list[int]) -> int:
    """Check-ins recorded at the bench's meetings (a generated province has its own from past meetings)."""
    engine = create_engine(database_url or f"sqlite:///{data_dir / 'sotay.db'}")
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM attendance WHERE source = 'checkin' AND meeting_id IN :ids"
                         ).bindparams(bindparam("ids", expanding=True))
            return int(conn.execute(query, {"ids": meeting_ids}).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=250)
    parser.add_argument("--per-meeting", type=int, default=20)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    parser.add_argument("--modes", default="closed,open")
    parser.add_argument("--workers", type=int, default=0,
                        help="serve --workers: 0 = its default (the cores); -1 = one uvicorn worker")
    parser.add_argument("--postgres", metavar="URL", help="run on fresh databases beside this one")
    parser.add_argument("--province", metavar="SOURCE",
                        help="the generated province: its data directory (SQLite) or database URL")
    parser.add_argument("--warmup", type=int, default=500,
                        help="check-ins at other meetings sent first at the same rate, not counted")
    args = parser.parse_args()
    meetings = args.meetings + -(-args.warmup // args.per_meeting)
    if args.province:
        source = generated.Province(args.province)
        secret = secrets.token_urlsafe(48)
        for mode in args.modes.split(","):
            with source.scratch() as (data_dir, url):
                jobs = generated.evening(url or f"sqlite:///{data_dir / 'sotay.db'}", secret, meetings,
                                         args.per_meeting)
                run(args, mode, data_dir, secret, *_warmup(jobs, args.meetings), url)
        return
    template = Path(tempfile.mkdtemp(prefix="sotay-evening-"))
    secret = secrets.token_urlsafe(48)
    jobs = [] if args.postgres else prepare(template, secret, meetings, args.per_meeting)
    for mode in args.modes.split(","):
        data_dir = Path(tempfile.mkdtemp(prefix=f"sotay-evening-{mode}-"))
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(fresh_database(args.postgres)) if args.postgres else None
            if url:
                jobs = prepare(data_dir, secret, meetings, args.per_meeting, url)
            else:
                shutil.copy(template / "sotay.db", data_dir / "sotay.db")
            run(args, mode, data_dir, secret, *_warmup(jobs, args.meetings), url)


def _warmup(jobs: list, measured: int) -> tuple[list, list]:
    """(the measured check-ins: those of the first `measured` meetings, the warm-up's: the rest).

    The server is started by the bench just before: without a warm-up its first half second (SQLite's
    page cache over the province's indexes still cold, the pool's connections not yet open) was 90 ms
    at p50 and up to 330 ms, then 30-45 ms for the rest of the run, and the p99 of the whole was that
    half second's. A server on a real evening has been serving all day. The warm-up's check-ins are
    other members at other meetings, sent on connections of their own, so the measured ones still open
    theirs."""
    order = list(dict.fromkeys(j[0] for j in jobs))
    keep = set(order[:measured])
    return [j for j in jobs if j[0] in keep], [j for j in jobs if j[0] not in keep]


def run(args: argparse.Namespace, mode: str, data_dir: Path, secret: str, jobs: list, warm: list,
        database_url: str | None) -> None:
    workers = None if args.workers < 0 else args.workers
    proc, base = start_server(args.server_root.resolve(), data_dir, secret, workers=workers,
                              database_url=database_url)
    try:
        health = wrk(base + "/api/v1/health", 5, 16, {})
        if warm:
            asyncio.run(open_loop(base, warm, args.rate))
        if mode == "closed":
            out, wall = asyncio.run(closed_loop(base, jobs, args.clients))
        else:
            out, wall = asyncio.run(open_loop(base, jobs, args.rate))
    finally:
        stop_server(proc)
    seconds = sorted(o[0] for o in out)
    q = statistics.quantiles(seconds, n=100)
    errors: dict[str, int] = {}
    for _, status, code in out:
        if status not in (200, 201):
            errors[f"{status} {code}"] = errors.get(f"{status} {code}", 0) + 1
    rate = len(out) / wall
    print(json.dumps({
        "bench": "checkin_evening", "mode": mode, "data": "province" if args.province else "own",
        "server": str(args.server_root), "sent": len(jobs), "warmup": len(warm),
        "recorded": recorded(data_dir, database_url, sorted({j[0] for j in jobs})),
        "engine": "PostgreSQL" if database_url else "SQLite",
        "errors": errors, "seconds": round(wall, 2),
        "per_second": round(rate, 1), "health_per_second": round(health[0]),
        "ratio_to_health": round(rate / health[0], 3), "p50_ms": round(q[49] * 1000),
        "p99_ms": round(q[98] * 1000), "max_ms": round(seconds[-1] * 1000),
        "workers": "uvicorn 1" if workers is None else (workers or os.cpu_count()),
        **({"clients": args.clients} if mode == "closed" else {"offered_per_second": args.rate}),
    }, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
