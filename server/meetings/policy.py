"""Defaults of the attendance rules and the check-in protocol (per meeting values override the first 3)."""

from datetime import timedelta

CHECKIN_BEFORE_MINUTES = 30  # check-in opens this long before the start
CHECKIN_AFTER_MINUTES = 60  # ... and closes this long after it
GRACE_MINUTES = 10  # after start + grace a check-in counts as late
CODE_INTERVAL_SECONDS = 30  # a code rotates every 30 s (RFC 6238 step)
CODE_VALID_WINDOW = 1  # also accept the code of the step just before/after (screen and clock lag)
EXPIRED_LOOKBACK_STEPS = 20  # a code valid within the last 10 minutes is "expired", not "wrong"
OFFLINE_ACCEPT = timedelta(hours=72)  # a queued offline check-in may arrive this long after the window
CLOCK_SKEW = timedelta(minutes=2)  # a device clock this far ahead is tolerated
DEFAULT_DURATION = timedelta(hours=2)
DEFAULT_MEETING_TIME = "19:30"
APP_LINK = "sotay://check-in"
