"""Sign-in burst: N concurrent sign-ins (+ refresh) against a real uvicorn server; prints latency figures.

    python bench/login_burst.py [--clients 50] [--postgres postgresql+psycopg://postgres@127.0.0.1/test]

The burst the product must survive: a cell meeting starts and everyone opens the app at once. On SQLite
the argon2 verification runs outside the write lock, so sign-ins overlap on the CPU cores and other writes
do not queue behind them.
"""

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.app import create_app  # noqa: E402
from server.config import Settings  # noqa: E402
from tests import factories  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--postgres", help="base URL of a PostgreSQL server to create a scratch database on")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sotay-bench-"))
    url, scratch, admin = None, None, None
    if args.postgres:
        scratch = f"sotay_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        url = args.postgres.rsplit("/", 1)[0] + "/" + scratch
    settings = Settings(data_dir=data_dir, database_url=url, login_max_failures_address=10**6)
    app = create_app(settings)
    with app.state.db.transaction() as session:
        world = factories.make_world(session)
        people = [factories.make_member(session, world.cell) for _ in range(args.clients)]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"

    def one(person: factories.Person) -> tuple[float, float, int]:
        with httpx.Client(base_url=base, timeout=120) as http:
            t0 = time.perf_counter()
            body = {"username": person.username, "password": person.password}
            r = http.post("/api/v1/auth/login", json=body)
            t1 = time.perf_counter()
            r2 = http.post("/api/v1/auth/refresh", json={"refresh_token": r.json()["refresh_token"]})
            t2 = time.perf_counter()
            return t1 - t0, t2 - t1, max(r.status_code, r2.status_code)

    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            results = list(pool.map(one, people))
        total = time.perf_counter() - start
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.db.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()
    logins = sorted(r[0] for r in results)
    refreshes = sorted(r[1] for r in results)
    engine = "postgresql" if url else "sqlite"
    print(f"engine={engine} clients={args.clients} total={total:.2f}s "
          f"errors={sum(r[2] != 200 for r in results)}")
    for name, xs in (("login", logins), ("refresh", refreshes)):
        p95 = xs[int(len(xs) * 0.95) - 1]
        print(f"  {name:8s} p50={statistics.median(xs) * 1000:.0f}ms p95={p95 * 1000:.0f}ms "
              f"max={xs[-1] * 1000:.0f}ms")


if __name__ == "__main__":
    main()
