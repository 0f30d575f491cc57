"""Oversized bodies against a real uvicorn process: four 200 MB anonymous bodies at once, one declared 6 GB.

    python bench/oversized_bodies.py [--size-mb 200] [--clients 4] [--server-root PATH] [--timeout 30]

The server runs in its own process so its memory is its own: the script samples VmRSS from /proc every
20 ms and reads VmHWM (the peak) at the end. The bodies are streamed from a generator (chunked, no
Content-Length), so the client never holds them. `--server-root` runs the server from another checkout
(e.g. `git archive <commit> | tar -x -C /tmp/old`) to compare with the code before the limits.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/api/v1/auth/login"
CHUNK = b"x" * 65536


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class RssSampler:
    """Samples a process's resident memory in a thread; `peak_mb` is the largest sample."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb(self.pid, "VmRSS"))
            self._stop.wait(0.02)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def start_server(root: Path, data_dir: Path, secret: str | None = None,
                 scheduler: bool = False, workers: int | None = None, database_url: str | None = None
                 ) -> tuple[subprocess.Popen[bytes], str]:
    """A server process of `root`'s code on `data_dir`; (process, base URL) once /health answers.

    `workers`: None runs one uvicorn worker on the app factory (as every bench before `serve --workers`);
    a number runs `python -m server serve --workers N`, 0 meaning its default (the cores)."""
    port = _free_port()
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir),
           "SOTAY_SECRET_KEY": secret or secrets.token_urlsafe(48),
           "SOTAY_RUN_SCHEDULER": str(scheduler).lower(), "PYTHONPATH": str(root)}
    env.pop("SOTAY_DATABASE_URL", None)
    if database_url:
        env["SOTAY_DATABASE_URL"] = database_url
    if workers is None:
        command = ["-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "error"]
    else:
        command = ["-m", "server", "serve", "--port", str(port), "--log-level", "error"]
        command += ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen([sys.executable, *command], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def body(size: int) -> Iterator[bytes]:
    yield b'{"username": "'
    for _ in range(size // len(CHUNK)):
        yield CHUNK
    yield b'", "password": "x"}'


def send_big(base: str, size: int, timeout: float) -> tuple[str, float]:
    """One anonymous streamed body; (outcome, seconds until the server answered or gave up)."""
    started = time.monotonic()
    try:
        with httpx.Client(timeout=timeout) as http:
            resp = http.post(base + LOGIN, content=body(size), headers={"Content-Type": "application/json"})
            outcome = f"{resp.status_code} {resp.json().get('code', '')}"
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    return outcome, time.monotonic() - started


def send_declared(base: str, declared: int, timeout: float) -> tuple[str, float]:
    """Headers only, announcing `declared` bytes that never come."""
    host, port = base.removeprefix("http://").split(":")
    head = (f"POST {LOGIN} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}\r\n\r\n").encode()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            first = sock.recv(4096)
        except TimeoutError:
            return f"no answer within {timeout:.0f} s", time.monotonic() - started
    status = first.split(b"\r\n", 1)[0].decode("latin-1")
    return status or "closed without an answer", time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--declared-gb", type=float, default=6)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sotay-bench-"))
    proc, base = start_server(args.server_root.resolve(), data_dir)
    try:
        pid = proc.pid
        rest = _status_kb(pid, "VmRSS") / 1024
        print(f"server {args.server_root} pid {pid}: RSS at rest {rest:.0f} MB")
        with RssSampler(pid) as sampler:
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                jobs = [pool.submit(send_big, base, args.size_mb * 1024 * 1024, args.timeout)
                        for _ in range(args.clients)]
                results = [j.result() for j in jobs]
            for outcome, seconds in results:
                print(f"  {args.size_mb} MB streamed body: {outcome} after {seconds:.2f} s")
            print(f"  peak RSS while the {args.clients} bodies arrived: {sampler.peak_mb:.0f} MB")
            outcome, seconds = send_declared(base, int(args.declared_gb * 1024**3), args.timeout)
            print(f"  declared {args.declared_gb:g} GB, no body sent: {outcome} after {seconds:.3f} s")
        print(f"  RSS after: {_status_kb(pid, 'VmRSS') / 1024:.0f} MB; "
              f"peak RSS of the process (VmHWM): {_status_kb(pid, 'VmHWM') / 1024:.0f} MB")
        print(f"  server still answers: GET /health {httpx.get(base + '/api/v1/health').status_code}")
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
