"""Injected time: the system clock in production, a settable one in tests."""

from datetime import datetime, timedelta
from typing import Protocol

from server.timeutil import utcnow


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FakeClock:
    def __init__(self, start: datetime):
        assert start.tzinfo is not None
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, value: datetime) -> None:
        self._now = value

    def advance(self, **kwargs: float) -> datetime:
        self._now += timedelta(**kwargs)
        return self._now
