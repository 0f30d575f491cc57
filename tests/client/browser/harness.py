"""Real server and client processes on free ports, and Playwright helpers for the Flet canvas UI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from tests.client.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
# Run the API server from another checkout (e.g. a local merge of unmerged server branches).
SERVER_ROOT = Path(os.environ.get("SOTAY_E2E_SERVER_ROOT") or ROOT)
SHOTS = ROOT / "test-artifacts" / "screenshots"
CLOCKED = Path(__file__).resolve().parent / "clocked.py"


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer: {log.read_text()[-3000:]}")


def _wait_log(log: Path, text: str, proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"process exited: {log.read_text()[-3000:]}")
        time.sleep(0.05)
    raise RuntimeError(f"{log} never said {text!r}: {log.read_text()[-3000:]}")


class Proc:
    """A child process started by a test, stopped by its pid (never by name)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, health: str, cwd: Path = ROOT):
        self.args, self.env, self.log, self.health, self.cwd = args, env, log, health, cwd
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.args, cwd=self.cwd, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        _wait_http(self.health, self.proc, self.log)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


class Stack:
    """The API server (on a prepared data dir) and the web client pointing at it."""

    def __init__(
        self, data_dir: Path, secret: str, server_log_level: str = "warning", clock: datetime | None = None
    ):
        """`server_log_level="info"` adds uvicorn's access log to server.log: one line per API request, for
        tests that count them. `clock`: both processes run on a calendar starting at that instant (ticking,
        moved by `set_clock`, see clocked.py); without it they read the real clock, as in production."""
        self.data_dir = data_dir
        self.clock_file: Path | None = None
        self.api_port, self.web_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        env = {
            **os.environ,
            "SOTAY_DATA_DIR": str(data_dir),
            "SOTAY_SECRET_KEY": secret,
            "SOTAY_RUN_SCHEDULER": "false",
            "SOTAY_API_DOCS": "true",  # the tests read the route table to skip flows a server lacks
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": "",
        }
        server_args = ["-m", "server"]
        client_args = ["-m", "client"]
        workers: list[str] = []
        if clock is not None:
            from tests.client.browser.clocked import ENV, write_clock

            self.clock_file = data_dir / "clock.json"
            write_clock(self.clock_file, clock)
            env[ENV] = str(self.clock_file)
            # by path, not `-m tests...`: the server may run from another checkout (SOTAY_E2E_SERVER_ROOT)
            server_args = [str(CLOCKED), "server"]
            client_args = [str(CLOCKED), "client"]
            workers = ["--workers", "1"]  # spawned workers would start on the real clock
        self.server = Proc(
            [
                sys.executable,
                *server_args,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
                "--log-level",
                server_log_level,
                *workers,
            ],
            env,
            data_dir / "server.log",
            self.api_url + "/api/v1/health",
            SERVER_ROOT,
        )
        self.client = Proc(
            [
                sys.executable,
                *client_args,
                "--server",
                self.api_url,
                "--port",
                str(self.web_port),
                "--data",
                str(data_dir / "client"),
                "--fixed-server",
            ],
            {**env, "SOTAY_DEVICE_NAME": "Trình duyệt thử"},
            data_dir / "client.log",
            self.web_url,
        )

    def start(self) -> None:
        self.server.start()
        self.client.start()

    def stop(self) -> None:
        self.client.stop()
        self.server.stop()

    def set_clock(self, instant: datetime) -> None:
        """Move the calendar of both processes (and of a server started later) to `instant`, ticking on from
        there; returns once both have moved (they re-read the clock file every 100 ms)."""
        from tests.client.browser.clocked import write_clock

        if self.clock_file is None:
            raise RuntimeError("this stack reads the real clock: give Stack a clock to move it")
        seq = write_clock(self.clock_file, instant)
        for proc in (self.server, self.client):
            if proc.proc is not None and proc.proc.poll() is None:
                _wait_log(proc.log, f"[clocked] moved (#{seq})", proc.proc)

    def now(self) -> datetime:
        """What the stack's clock shows now (the real time for a stack without a clock)."""
        from datetime import UTC

        if self.clock_file is None:
            return datetime.now(UTC)
        from tests.client.browser.clocked import read_clock

        return read_clock(self.clock_file.read_text())


# --- browser helpers ------------------------------------------------------------------------------------


def launch(playwright, chromium: str):
    return playwright.chromium.launch(
        executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-quic"]
    )


def phone(browser):
    """A phone-sized context that cannot reach anything but this host."""
    ctx = browser.new_context(
        viewport={"width": 412, "height": 915}, device_scale_factor=2, locale="vi-VN", accept_downloads=True
    )
    ctx.route(
        "**/*",
        lambda r: (
            r.continue_() if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")) else r.abort()
        ),
    )
    ctx.set_default_timeout(20_000)
    return ctx


def open_app(ctx, url: str):
    page = ctx.new_page()
    goto(page, url)
    return page


def goto(page, url: str, new_session: bool = False) -> None:
    """Load the app at `url` in `page` and turn on Flutter's semantics tree (what the tests read).

    `new_session`: clear sessionStorage first, so the load starts a new Flet session that must restore the
    saved sign-in from its refresh token alone (as reopening the app does)."""
    if new_session:
        page.evaluate("() => { try { sessionStorage.clear(); } catch (e) {} }")
    page.goto(url)
    ready(page)


def ready(page) -> None:
    """Wait for the app to load in `page` (after a goto, a reload...), then turn on Flutter's semantics tree:
    the tests read and tap its nodes."""
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.evaluate("() => document.querySelector('flt-semantics-placeholder').click()")


def el(page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]').first


def fill(page, identifier: str, value: str) -> None:
    from playwright.sync_api import expect

    box = el(page, identifier).locator("input, textarea").first
    for attempt in range(3):
        box.wait_for(state="attached")
        box.dispatch_event("click")  # not a positioned click: see click()
        box.focus()
        box.fill(value)
        try:  # Flutter may still be swapping in its editing element: then type again
            expect(box).to_have_value(value, timeout=2_000 if attempt < 2 else 5_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    page.wait_for_timeout(350)  # let the change event reach the app before anything is clicked


def click(page, identifier: str) -> None:
    """Tap through the semantics node itself, not by screen position: a position can be stale while
    Flutter scrolls, and then the tap lands on whatever moved under it."""
    node = el(page, identifier)
    node.wait_for(state="attached")
    if node.get_attribute("flt-tappable") is None:
        inner = node.locator("[flt-tappable]").first
        if inner.count():
            node = inner
    node.dispatch_event("click")


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    return path


def sign_in(page, username: str, password: str) -> None:
    from playwright.sync_api import expect

    fill(page, "username", username)
    fill(page, "password", password)
    click(page, "login")
    expect(el(page, "greeting")).to_be_attached(timeout=30_000)


def text_of(page, identifier: str) -> str:
    """Everything a screen reader would say for the tagged control (labels and text of its subtree)."""
    loc = page.locator(f'[flt-semantics-identifier="{identifier}"]')
    if loc.count() == 0:
        return ""
    return loc.first.evaluate(
        "e => [e, ...e.querySelectorAll('*')].map(n => (n.getAttribute('aria-label') || '') + ' ' +"
        " Array.from(n.childNodes).filter(c => c.nodeType === 3).map(c => c.textContent).join(' ')).join(' ')"
    )


def expect_says(page, identifier: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    said = ""
    while time.monotonic() < deadline:
        said = text_of(page, identifier)
        if text in said:
            return said
        page.wait_for_timeout(250)
    raise AssertionError(f"{identifier!r} does not say {text!r}; it says {said!r}")
