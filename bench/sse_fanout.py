"""Live push to a province's phones: N devices hold the event stream open, one document is published to
the whole province; how many hear of it, how fast, and what the server's processes weigh meanwhile.

    PYTHONPATH=. python bench/sse_fanout.py [--clients 10000] [--wave 250] [--server-root PATH]
        [--workers N]

The server is `python -m server serve` (its default workers) on a fresh SQLite database: cells of 20
members, each member one device with a signed-in session. The streams are opened from this process on
plain asyncio connections, `wave` at a time, each counted open once its first `sync` event (the
catch-up) arrived. Then an administrator publishes one document to the province over HTTP, and every
stream's next `sync` event is timed from the moment the publish was sent (its own request included:
a single worker may push before the publisher has its answer). Prints one JSON line.
`--province SOURCE` runs on a scratch copy of the generated province (bench/province.py): the devices are
members spread over the whole province (every n-th account), the publisher its administrator.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench import province as generated
from bench.checkin_evening import prepare
from bench.oversized_bodies import ROOT, start_server, stop_server
from bench.pgdb import on_engine
from tests.factories import PASSWORD


class Stream:
    """One device's open event stream."""

    def __init__(self) -> None:
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.events = 0

    async def open(self, host: str, port: int, token: str) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write((f"GET /api/v1/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                           "Accept: text/event-stream\r\n\r\n").encode())
        status = await self.reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(status.decode(errors="replace").strip())
        while (await self.reader.readline()) not in (b"\r\n", b""):
            pass
        self.events = 1  # open: a catch-up event may follow, below the version the publish makes

    async def next_sync(self, after: int) -> None:
        """Read until the end of a `sync` event newer than version `after` (pings, notifications and the
        catch-up skipped)."""
        assert self.reader is not None
        name, version = None, 0
        while True:
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("stream closed")
            text = line.strip()
            if text.startswith(b"event:"):
                name = text[6:].strip()
            elif text.startswith(b"id:"):
                version = int(text[3:].strip() or 0)
            elif text == b"" and name is not None:
                if name == b"sync" and version > after:
                    self.events += 1
                    return
                name = None
            # chunked framing lines (sizes) and data lines are skipped


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                pids.append(int(entry.name))
    total = 0
    for p in pids:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total / 1024 / 1024


def top_version(data_dir: Path, database_url: str | None) -> int:
    engine = create_engine(database_url or f"sqlite:///{data_dir / 'sotay.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT version FROM sync_counter WHERE id = 1")).scalar() or 0)
    finally:
        engine.dispose()


async def fan_out(base: str, tokens: list[str], wave: int, proc_pid: int, data_dir: Path,
                  database_url: str | None, admin: tuple[str, str] = ("quantri", PASSWORD)) -> dict:
    host, port = base.removeprefix("http://").split(":")
    streams = [Stream() for _ in tokens]
    failed_open = 0
    opened_at = time.monotonic()
    for i in range(0, len(tokens), wave):
        results = await asyncio.gather(*(s.open(host, int(port), t) for s, t in
                                         zip(streams[i:i + wave], tokens[i:i + wave], strict=True)),
                                       return_exceptions=True)
        failed_open += sum(1 for r in results if isinstance(r, BaseException))
    open_seconds = time.monotonic() - opened_at
    live = [s for s in streams if s.events == 1]
    memory = rss_mb(proc_pid)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        login = await http.post("/api/v1/auth/login", json={"username": admin[0], "password": admin[1]})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        root = (await http.get("/api/v1/orgs", params={"limit": 1}, headers=admin)).json()["items"][0]["id"]
        waits: list[float] = []

        before = top_version(data_dir, database_url)

        async def hear(stream: Stream) -> None:
            await stream.next_sync(before)
            waits.append(time.monotonic() - sent)

        listeners = [asyncio.create_task(hear(s)) for s in live]
        sent = time.monotonic()
        resp = await http.post("/api/v1/documents", headers=admin, json={
            "title": "Nghị quyết của Tỉnh ủy về công tác cán bộ", "doc_type": "resolution",
            "category": "documents", "number": "99-NQ/TU", "audience_org_ids": [root]})
        if resp.status_code != 201:
            raise RuntimeError(resp.text)
        done, pending = await asyncio.wait(listeners, timeout=30)
        for task in pending:
            task.cancel()
    for s in streams:
        if s.writer is not None:
            s.writer.close()
    waits.sort()
    within_2s = sum(1 for w in waits if w <= 2)
    return {"clients": len(tokens), "opened": len(live), "failed_open": failed_open,
            "open_seconds": round(open_seconds, 1), "server_rss_mb": round(memory),
            "heard": len(waits), "heard_within_2s": within_2s,
            "p50_ms": round(statistics.median(waits) * 1000) if waits else None,
            "p99_ms": round(waits[min(len(waits) - 1, int(len(waits) * 0.99))] * 1000) if waits else None,
            "last_ms": round(waits[-1] * 1000) if waits else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--wave", type=int, default=250)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    parser.add_argument("--workers", type=int, default=0, help="serve --workers (0: its default, the cores)")
    parser.add_argument("--postgres", metavar="URL", help="run on a fresh database beside this one")
    parser.add_argument("--province", metavar="SOURCE",
                        help="the generated province: its data directory (SQLite) or database URL")
    args = parser.parse_args()
    if args.province:
        source = generated.Province(args.province)
        with source.scratch() as (data_dir, url):
            with generated.database(url or f"sqlite:///{data_dir / 'sotay.db'}") as conn:
                admin = generated.admin_username(conn)
            secret = secrets.token_urlsafe(48)
            tokens = generated.devices(url or f"sqlite:///{data_dir / 'sotay.db'}", secret, args.clients)
            measure(args, data_dir, secret, tokens, url, (admin, generated.PASSWORD))
        return
    on_engine(args.postgres, lambda url: run(args, url))


def run(args: argparse.Namespace, database_url: str | None) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="sotay-sse-"))
    secret = secrets.token_urlsafe(48)
    cells = max(1, args.clients // 20)
    # Each member of `prepare` has a session and an access token (its open meetings are not used here).
    tokens = [t for _, _, t in prepare(data_dir, secret, cells, 20, database_url)][:args.clients]
    try:
        measure(args, data_dir, secret, tokens, database_url)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, data_dir: Path, secret: str, tokens: list[str],
            database_url: str | None, admin: tuple[str, str] = ("quantri", PASSWORD)) -> None:
    proc, base = start_server(args.server_root.resolve(), data_dir, secret, workers=args.workers,
                              database_url=database_url)
    try:
        out = asyncio.run(fan_out(base, tokens, args.wave, proc.pid, data_dir, database_url, admin))
    finally:
        stop_server(proc)
    print(json.dumps({"bench": "sse_fanout", "engine": "PostgreSQL" if database_url else "SQLite",
                      "data": "province" if args.province else "own",
                      "workers": args.workers or os.cpu_count(), **out}), flush=True)


if __name__ == "__main__":
    main()
