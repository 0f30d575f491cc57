"""Skips for tests that need PostgreSQL or Chromium; SOTAY_REQUIRE_ALL=1 (CI) turns them into failures."""

import os
import shutil
import socket

import pytest

REQUIRE_ALL = os.environ.get("SOTAY_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("SOTAY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = os.environ.get("SOTAY_CHROMIUM", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need(condition: bool, reason: str) -> None:
    """Skip (or fail under SOTAY_REQUIRE_ALL=1) when a required service is missing."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"SOTAY_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


def need_postgres() -> str:
    need(_port_open("127.0.0.1", 5432), "PostgreSQL is not reachable on 127.0.0.1:5432")
    return PG_URL


def need_chromium() -> str:
    need(os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "the playwright package is not installed")
    need(shutil.which("python3") is not None, "python3 not on PATH")
    return CHROMIUM
