"""The instants the calendar-sensitive tests must pass at, and the session-wide clock they can be run at.

`SOTAY_TEST_NOW=2026-12-31T23:59:00+07:00 pytest ...` runs the whole session with the clock moved there
(time-machine moves datetime.now, date.today and time.time; the clock keeps ticking from that instant).
`scripts/calendar-check.sh` runs the date-sensitive tests at every instant below.
"""

import os
from datetime import datetime

import time_machine

from shared.timefmt import VN_TZ

# Local (Asia/Ho_Chi_Minh) instants where month, quarter and year logic usually breaks.
INSTANTS = {
    "first-of-month": datetime(2026, 12, 1, 0, 30, tzinfo=VN_TZ),
    "before-meeting-day": datetime(2026, 12, 2, 12, 0, tzinfo=VN_TZ),
    "twentieth": datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ),
    "last-day-of-month": datetime(2027, 2, 28, 18, 0, tzinfo=VN_TZ),
    "new-year-eve-2359": datetime(2026, 12, 31, 23, 59, tzinfo=VN_TZ),
    "new-year-0001": datetime(2027, 1, 1, 0, 1, tzinfo=VN_TZ),
    "quarter-turn-2359": datetime(2027, 3, 31, 23, 59, tzinfo=VN_TZ),
}

_traveller: time_machine.travel | None = None


def start_from_env() -> str | None:
    """Move the clock for the whole session when SOTAY_TEST_NOW is set; returns the instant used."""
    global _traveller
    value = os.environ.get("SOTAY_TEST_NOW")
    if not value:
        return None
    when = INSTANTS[value] if value in INSTANTS else datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=VN_TZ)
    _traveller = time_machine.travel(when, tick=True)
    _traveller.start()
    return when.isoformat()


def moved() -> bool:
    """Whether this session runs on a moved clock: servers started in another process keep the real one."""
    return _traveller is not None


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
