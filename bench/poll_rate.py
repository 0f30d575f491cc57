"""Request rate of an up-to-date sync poll against the demo server, as a ratio to /api/v1/health.

    PYTHONPATH=. python bench/poll_rate.py [--seconds 10] [--connections 16] [--server-root PATH]

The server is `python -m server serve --demo` in its own process (SQLite, one worker); the load is wrk,
another process, over real HTTP with keep-alive. Both figures come from the same run, so the ratio holds
on a noisy machine where the absolute numbers do not. `--server-root` serves another checkout, to compare
a change with the code before it (`git archive <commit> | tar -x -C DIR`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.oversized_bodies import ROOT, _free_port, stop_server

MEMBER = ("dangvien.tcdv", "demo12345")


def serve(root: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir), "PYTHONPATH": str(root),
           "SOTAY_RUN_SCHEDULER": "false"}
    env.pop("SOTAY_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "server", "serve", "--demo", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=root, env=env,
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


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> tuple[float, str, int]:
    """(requests per second, p99 latency as wrk prints it, non-2xx answers)."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="sotay-poll-"))
    proc, base = serve(args.server_root.resolve(), data_dir)
    try:
        token = httpx.post(base + "/api/v1/auth/login",
                           json={"username": MEMBER[0], "password": MEMBER[1]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        cursor = None
        while True:  # follow the feed to its end: the device is up to date
            page = httpx.get(base + "/api/v1/sync", params={"cursor": cursor} if cursor else {},
                             headers=headers).json()
            cursor = page["cursor"]
            if not page.get("has_more"):
                break
        health = wrk(base + "/api/v1/health", args.seconds, args.connections, {})
        poll = wrk(f"{base}/api/v1/sync?cursor={cursor}", args.seconds, args.connections, headers)
    finally:
        stop_server(proc)
    print(f"server {args.server_root}, {args.connections} connections, {args.seconds} s each:")
    print(f"  GET /api/v1/health: {health[0]:.0f} req/s, p99 {health[1]}, non-2xx {health[2]}")
    print(f"  up-to-date poll:    {poll[0]:.0f} req/s, p99 {poll[1]}, non-2xx {poll[2]}; "
          f"ratio to health {poll[0] / health[0]:.3f}")


if __name__ == "__main__":
    main()
