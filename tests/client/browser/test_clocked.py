"""The live processes' clock (clocked.py), without a browser: the file's instant ticks on from when it was
written, a new one moves a travelling process within the poll, and the monotonic clock is never moved."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.client.browser import clocked

NOV_20 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def test_the_file_says_the_instant_and_it_ticks_on(tmp_path):
    path = tmp_path / "clock.json"
    assert clocked.write_clock(path, NOV_20) == 1
    shown = clocked.read_clock(path.read_text())
    assert timedelta(0) <= shown - NOV_20 < timedelta(seconds=5)
    assert shown.tzinfo is UTC  # no zone name: time-machine leaves the process's TZ alone
    assert clocked.write_clock(path, NOV_20 + timedelta(days=12)) == 2
    with pytest.raises(ValueError):
        clocked.write_clock(path, datetime(2026, 12, 3, 19, 20))  # naive: which zone?


def test_a_new_instant_moves_a_travelling_process_and_not_its_monotonic_clock(tmp_path):
    path = tmp_path / "clock.json"
    clocked.write_clock(path, NOV_20)
    seen = path.read_text()
    traveller = time_machine.travel(clocked.read_clock(seen), tick=True)
    moving = traveller.start()
    try:
        threading.Thread(target=clocked._watch, args=(path, seen, moving), daemon=True).start()
        assert datetime.now(UTC).date().isoformat() == "2026-11-20"
        before = time.monotonic()
        clocked.write_clock(path, datetime(2026, 12, 3, 12, 20, tzinfo=UTC))
        deadline = before + 5
        while datetime.now(UTC).date().isoformat() != "2026-12-03" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert datetime.now(UTC).date().isoformat() == "2026-12-03"
        assert time.monotonic() - before < 5  # thirteen days on the wall clock, not on the monotonic one
    finally:
        traveller.stop()
