"""Check-ins sent from a bench process at a steady rate, and their latency report."""

import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta

import httpx
import pyotp
from sqlmodel import Session

from server.auth import security
from server.auth.models import DeviceSession
from server.config import Settings


def mint_tokens(session: Session, settings: Settings, user_ids: list[int], now: datetime) -> list[str]:
    """A device session and an access token per user, made directly: benches measure check-ins, not argon2."""
    tokens = []
    for user_id in user_ids:
        device = DeviceSession(user_id=user_id, created_at=now, last_seen_at=now,
                               expires_at=now + timedelta(days=1))
        session.add(device)
        session.flush()
        tokens.append(security.make_access_token(settings.resolved_secret(), user_id=user_id,
                                                 session_id=device.id, minutes=120)[0])
    return tokens


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else float("nan")


class CheckinLoad:
    """Members checking in to one meeting, each with the code current when they send it.

    One client for every member: a client per request spent more CPU here (on the server's machine) than
    the server spent answering.
    """

    def __init__(self, base: str, meeting_id: int, totp_secret: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=120,
                                 limits=httpx.Limits(max_connections=500, max_keepalive_connections=500))
        self.meeting_id, self.totp = meeting_id, pyotp.TOTP(totp_secret, interval=30)
        self.results: list[tuple[float, float, int, str]] = []  # (sent at, seconds, status, code)
        self._lock = threading.Lock()

    def check_in(self, token: str) -> None:
        sent = time.monotonic()
        try:
            r = self.http.post(f"/api/v1/meetings/{self.meeting_id}/check-ins",
                               json={"code": self.totp.now(), "client_id": uuid.uuid4().hex},
                               headers={"Authorization": f"Bearer {token}"})
            status, code = r.status_code, (r.json().get("code", "") if r.status_code >= 400 else "")
        except httpx.HTTPError as exc:
            status, code = 0, type(exc).__name__
        with self._lock:
            self.results.append((sent, time.monotonic() - sent, status, code))


def report(label: str, part: list[tuple[float, float, int, str]], rate: float) -> None:
    """One line: how many, latency percentiles, and what was not recorded (by status and code)."""
    seconds = [r[1] for r in part]
    refused: dict[str, int] = {}
    for r in part:
        if r[2] != 201:
            refused[f"{r[2]} {r[3]}"] = refused.get(f"{r[2]} {r[3]}", 0) + 1
    if seconds:
        print(f"  check-ins {label}: {len(part)} at {rate:g}/s; p50 {pct(seconds, 50):.0f} ms, "
              f"p99 {pct(seconds, 99):.0f} ms, max {max(seconds) * 1000:.0f} ms; not recorded: "
              f"{refused or 'none'}")
