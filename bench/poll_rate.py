"""Request rate of an up-to-date sync poll against the demo server, as a ratio to /api/v1/health.

    PYTHONPATH=. python bench/poll_rate.py [--seconds 10] [--connections 16] [--server-root PATH]

The server is `python -m server serve --demo` in its own process (SQLite, its default workers); the load
is wrk, another process, over real HTTP with keep-alive. Both figures come from the same run, so the
ratio holds on a noisy machine where the absolute numbers do not. `--server-root` serves another
checkout, to compare a change with the code before it (`git archive <commit> | tar -x -C DIR`).
Two figures: an up-to-date device's poll, and a device 20 documents behind (gzip, as devices ask).
`--province SOURCE` runs on a scratch copy of the generated province (bench/province.py) instead of the demo
data: a member of a busy cell (a year of meetings), the 20 documents published to the member's district.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import province as generated
from bench.oversized_bodies import ROOT, _free_port, stop_server
from bench.pgdb import on_engine

MEMBER = ("dangvien.tcdv", "demo12345")
ADMIN = ("admin", "demo12345")


def serve(root: Path, data_dir: Path, workers: int = 0, database_url: str | None = None, demo: bool = True
          ) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir), "PYTHONPATH": str(root),
           "SOTAY_RUN_SCHEDULER": "false", "SOTAY_SECRET_KEY": "bench-" + "k" * 48}
    env.pop("SOTAY_DATABASE_URL", None)
    if database_url:
        env["SOTAY_DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", *(["--demo"] if demo else []),
                             "--host", "127.0.0.1", "--port", str(port),
                             *(["--workers", str(workers)] if workers else [])],
                            cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str], script: Path | None = None
        ) -> tuple[float, str, int]:
    """(requests per second, p99 latency as wrk prints it, non-2xx answers); `script`: wrk's Lua."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's line (a stdev column such as "75.99%" must not match).
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    parser.add_argument("--workers", type=int, default=0, help="serve --workers (0: its default, the cores)")
    parser.add_argument("--postgres", metavar="URL", help="run on a fresh database beside this one")
    parser.add_argument("--province", metavar="SOURCE",
                        help="the generated province: its data directory (SQLite) or database URL")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if args.province:
        source = generated.Province(args.province)
        with generated.database(source.url) as conn:
            account = generated.member(conn)
            admin = generated.admin_username(conn)
        print(f"province member {account.username} (cell {account.cell_id}, district {account.district_id})")
        if source.files_dir:
            os.environ["SOTAY_FILES_DIR"] = str(source.files_dir)
        with source.scratch() as (data_dir, url):
            run(args, url, data_dir, (account.username, generated.PASSWORD), (admin, generated.PASSWORD),
                account.district_id)
        return
    on_engine(args.postgres, lambda url: run(args, url, Path(tempfile.mkdtemp(prefix="sotay-poll-"))))


def run(args: argparse.Namespace, database_url: str | None, data_dir: Path, member: tuple[str, str] = MEMBER,
        admin: tuple[str, str] = ADMIN, audience: int | None = None) -> None:
    proc, base = serve(args.server_root.resolve(), data_dir, args.workers, database_url,
                       demo=not args.province)
    try:
        first = first_sync(base, member)
        token = httpx.post(base + "/api/v1/auth/login", timeout=60,
                           json={"username": member[0], "password": member[1]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        cursor = None
        while True:  # follow the feed to its end: the device is up to date
            page = httpx.get(base + "/api/v1/sync", params={"cursor": cursor} if cursor else {},
                             headers=headers, timeout=120).json()
            cursor = page["cursor"]
            if not page.get("has_more"):
                break
        health = wrk(base + "/api/v1/health", args.seconds, args.connections, {})
        poll = wrk(f"{base}/api/v1/sync?cursor={cursor}", args.seconds, args.connections, headers)
        behind_cursor = publish_documents(base, 20, member, admin, audience)
        behind = wrk(f"{base}/api/v1/sync?cursor={behind_cursor}", args.seconds, args.connections,
                     {**headers, "Accept-Encoding": "gzip"})
    finally:
        stop_server(proc)
    engine = "PostgreSQL" if database_url else "SQLite"
    data = "the generated province" if args.province else "demo data"
    print(f"server {args.server_root} on {engine}, {data}, {args.connections} connections, "
          f"{args.seconds} s each:")
    print(f"  first sync of a member device: {first[0]:.0f} ms, {first[1] / 1024:.1f} KB on the wire")
    print(f"  GET /api/v1/health: {health[0]:.0f} req/s, p99 {health[1]}, non-2xx {health[2]}")
    print(f"  up-to-date poll:    {poll[0]:.0f} req/s, p99 {poll[1]}, non-2xx {poll[2]}; "
          f"ratio to health {poll[0] / health[0]:.3f}")
    print(f"  20 documents behind: {behind[0]:.0f} req/s, p99 {behind[1]}, non-2xx {behind[2]}; "
          f"ratio to health {behind[0] / health[0]:.3f}")
    print(json.dumps({"bench": "poll_rate", "engine": engine, "data": "province" if args.province else "demo",
                      "member": member[0], "workers": args.workers or os.cpu_count(),
                      "health_per_second": round(health[0]), "idle_ratio": round(poll[0] / health[0], 3),
                      "idle_p99": poll[1], "behind20_ratio": round(behind[0] / health[0], 3),
                      "behind20_p99": behind[1], "first_sync_ms": round(first[0]),
                      "first_sync_kb": round(first[1] / 1024, 1)}), flush=True)


def first_sync(base: str, member: tuple[str, str] = MEMBER) -> tuple[float, int]:
    """(milliseconds, bytes on the wire) of a member device's first sync: sign-in excluded, every page of
    the snapshot fetched one after the other, gzip accepted as the app's httpx does."""
    token = httpx.post(base + "/api/v1/auth/login", timeout=60,
                       json={"username": member[0], "password": member[1]}).json()["access_token"]
    wire = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        http.timeout = httpx.Timeout(120)
        http.get("/api/v1/health")  # the connection is open, as on a device that just signed in
        start = time.perf_counter()
        cursor = None
        while True:
            resp = http.get("/api/v1/sync", params={"cursor": cursor} if cursor else {})
            wire += resp.num_bytes_downloaded
            page = resp.json()
            cursor = page["cursor"]
            if not page.get("has_more"):
                break
        return (time.perf_counter() - start) * 1000, wire


def publish_documents(base: str, count: int, member: tuple[str, str] = MEMBER,
                      admin: tuple[str, str] = ADMIN, audience: int | None = None) -> str:
    """The member's cursor, then `count` documents published to `audience` (default: the province; the
    admin publishes them): polling with that cursor is a device `count` documents behind."""
    token = httpx.post(base + "/api/v1/auth/login", timeout=60,
                       json={"username": member[0], "password": member[1]}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    cursor = None
    while True:
        page = httpx.get(base + "/api/v1/sync", params={"cursor": cursor} if cursor else {},
                         headers=headers, timeout=120).json()
        cursor = page["cursor"]
        if not page.get("has_more"):
            break
    signed_in = httpx.post(base + "/api/v1/auth/login", timeout=60,
                           json={"username": admin[0], "password": admin[1]}).json()["access_token"]
    staff = {"Authorization": f"Bearer {signed_in}"}
    root = audience or httpx.get(base + "/api/v1/orgs", params={"limit": 1},
                                 headers=staff).json()["items"][0]["id"]
    for n in range(count):
        resp = httpx.post(base + "/api/v1/documents", headers=staff, json={
            "title": f"Hướng dẫn số {n + 1} về sinh hoạt chi bộ", "doc_type": "guidance",
            "category": "documents",
            "number": f"{n + 1}-HD/TU", "summary": "Tóm tắt " * 20, "body": "Nội dung hướng dẫn. " * 200,
            "audience_org_ids": [root]}, timeout=60)
        if resp.status_code != 201:
            raise RuntimeError(f"publishing failed: {resp.status_code} {resp.text}")
    return str(cursor)


if __name__ == "__main__":
    main()
