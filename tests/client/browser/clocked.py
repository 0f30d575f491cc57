"""Run the real server or client entry point on a test's calendar, moved by the test while it runs.

    SOTAY_LIVE_CLOCK_FILE=/tmp/x/clock.json python tests/client/browser/clocked.py server serve --port ...
    SOTAY_LIVE_CLOCK_FILE=/tmp/x/clock.json python tests/client/browser/clocked.py client --server ...

(Run by path from the checkout that holds `server`/`client`; `python -m tests.client.browser.clocked`
works too from this one.)

The file says which instant the calendar showed at which real moment: `{"instant": ISO, "real": epoch,
"seq": n}`.
Every process reading it shows `instant + (real now - real)`, so the server, the client and a server
restarted mid-test agree on the time, and it ticks on. A daemon thread re-reads the file (every 100 ms)
and moves this process's clock when the test writes a new instant (`write_clock`).

time-machine moves the wall clock only (time.time, datetime.now, CLOCK_REALTIME...): time.monotonic and
perf_counter stay real, so asyncio's timers, uvicorn and httpx timeouts are untouched by a jump. Test-only:
the product code neither knows nor imports any of this. Without the variable the entry point runs as is.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

ENV = "SOTAY_LIVE_CLOCK_FILE"
POLL_SECONDS = 0.1
ENTRY_POINTS = {"server", "client"}


def write_clock(path: Path, instant: datetime) -> int:
    """Set the calendar of every process watching `path` to `instant`, from now on (atomically); returns
    the move's number, which the processes print to stderr once they have moved ("moved (#n)")."""
    if instant.tzinfo is None:
        raise ValueError("the live clock takes an aware instant")
    seq = json.loads(path.read_text())["seq"] + 1 if path.exists() else 1
    body = json.dumps({"instant": instant.isoformat(), "real": _real_time(), "seq": seq})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body)
    os.replace(tmp, path)
    return seq


def read_clock(text: str) -> datetime:
    """The instant the calendar shows now, from the file's text (in UTC: no TZ change in the process)."""
    data = json.loads(text)
    shown = datetime.fromisoformat(data["instant"]).timestamp() + (_real_time() - float(data["real"]))
    return datetime.fromtimestamp(shown, tz=UTC)


def _real_time() -> float:
    import time_machine

    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    import time

    return time.time()


def _watch(path: Path, seen: str, traveller) -> None:
    import time  # monotonic sleeps: real

    while True:
        time.sleep(POLL_SECONDS)
        try:
            text = path.read_text()
        except OSError:
            continue
        if text and text != seen:
            try:
                instant = read_clock(text)
            except (ValueError, KeyError):
                continue  # not a whole file yet; the test writes atomically, so this is someone else's
            seen = text
            traveller.move_to(instant)
            seq = json.loads(text).get("seq")
            print(f"[clocked] moved (#{seq}) to {instant.isoformat()}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ENTRY_POINTS:
        raise SystemExit("usage: python tests/client/browser/clocked.py server|client ARGS...")
    module, rest = argv[0], argv[1:]
    clock_file = os.environ.get(ENV)
    if clock_file:
        import time_machine

        path = Path(clock_file)
        seen = path.read_text()
        traveller = time_machine.travel(read_clock(seen), tick=True).start()
        print(f"[clocked] {module} starts at {datetime.now(UTC).isoformat()}", file=sys.stderr, flush=True)
        threading.Thread(target=_watch, args=(path, seen, traveller), name="live-clock", daemon=True).start()
    # as `python -m server` would: the entry point's package from the working directory, not from here
    sys.path[0] = os.getcwd()
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
