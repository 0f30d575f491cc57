"""Check-ins while a 20,000-row member import runs: their latency before and during the import.

    PYTHONPATH=. python bench/import_during_checkins.py [--rows 20000] [--rate 40] [--server-root PATH]

SQLite has one writer, so whatever the import does under the write lock, every check-in of the province
waits for. The server runs in its own process (uvicorn, one worker, as `serve` starts it); the check-ins
come from this one over real HTTP at a steady rate (open loop: members do not wait for each other), each
from its own member with a code computed when it is sent. After a few seconds the committee's import (an
XLSX file) is posted. `--server-root` serves another checkout (`git archive <commit> | tar -x -C DIR`) to
compare with the code before a change; the database is prepared by this checkout's code.
"""

import argparse
import io
import secrets
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from openpyxl import Workbook

from bench.checkins import CheckinLoad, mint_tokens, report
from bench.oversized_bodies import ROOT, start_server, stop_server
from server.app import create_app
from server.config import Settings
from tests.factories import make_member, make_org, make_world
from tests.server.meetings.factories import make_meeting

HEADERS = ["Họ và tên", "Ngày sinh", "Số thẻ đảng viên", "Ngày vào Đảng", "Loại đảng viên", "Mã chi bộ"]


def workbook(rows: int, codes: list[str]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for i in range(rows):
        ws.append([f"Nguyễn Văn Thử {i}", "01/02/1980", f"{30_000_000 + i}", "03/02/2010", "Chính thức",
                   codes[i % len(codes)]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def prepare(data_dir: Path, secret: str, members: int) -> tuple[int, str, list[str], str, str, list[str]]:
    """The database: a world, 50 cells to import into, one open meeting and `members` signed-in members."""
    settings = Settings(data_dir=data_dir, secret_key=secret, run_scheduler=False)
    app = create_app(settings)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        codes = [make_org(s, f"Chi bộ nhập {i}", parent=world.grassroots).code for i in range(50)]
        people = [make_member(s, world.cell, username=f"bench.{i}") for i in range(members)]
        meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        tokens = mint_tokens(s, settings, [p.user.id for p in people], now)
        assert meeting.id is not None and meeting.checkin_secret
        result = (meeting.id, meeting.checkin_secret, tokens, world.staff.username, world.staff.password,
                  codes)
    app.state.db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=40, help="check-ins per second")
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--lead", type=float, default=4, help="seconds of check-ins before the import")
    parser.add_argument("--server-root", type=Path, default=ROOT)
    args = parser.parse_args()
    data_dir, secret = Path(tempfile.mkdtemp(prefix="sotay-bench-")), secrets.token_urlsafe(48)
    meeting_id, totp_secret, tokens, staff, password, codes = prepare(data_dir, secret, args.members)
    content = workbook(args.rows, codes)
    proc, base = start_server(args.server_root.resolve(), data_dir, secret)
    importing: dict[str, float] = {}

    load = CheckinLoad(base, meeting_id, totp_secret)

    def run_import() -> None:
        with httpx.Client(base_url=base, timeout=600) as http:
            login = http.post("/api/v1/auth/login", json={"username": staff, "password": password})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            importing["start"] = time.monotonic()
            r = http.post("/api/v1/members/import", headers=headers,
                          files={"file": ("dang-vien.xlsx", content, "application/octet-stream")})
            importing["end"] = time.monotonic()
            importing["status"] = r.status_code
            importing["created"] = r.json().get("created", -1) if r.status_code == 200 else -1

    try:
        started = time.monotonic()
        importer = threading.Thread(target=lambda: (time.sleep(args.lead), run_import()))
        importer.start()
        with ThreadPoolExecutor(max_workers=400) as pool:
            for i, token in enumerate(tokens):
                # Open loop: the i-th member sends at i / rate, whether or not earlier ones were answered.
                delay = started + i / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(load.check_in, token)
                if "end" in importing and time.monotonic() > importing["end"] + args.lead:
                    break
        importer.join()
    finally:
        stop_server(proc)
    during = [r for r in load.results if importing["start"] <= r[0] <= importing["end"]]
    before = [r for r in load.results if r[0] < importing["start"]]
    after = [r for r in load.results if r[0] > importing["end"]]
    print(f"server {args.server_root}: import of {args.rows} rows (XLSX, {len(content) / 1e6:.1f} MB) "
          f"answered {importing['status']} with {importing['created']} created in "
          f"{importing['end'] - importing['start']:.1f} s")
    # The check-ins sent in each second from the import's start: where in the import the wait happens.
    timeline = []
    for second in range(int(importing["end"] - importing["start"]) + 2):
        sent = [r[1] for r in load.results if second <= r[0] - importing["start"] < second + 1]
        timeline.append(f"{max(sent) * 1000:.0f}" if sent else "-")
    print("  slowest check-in sent in each second of the import (ms): " + " ".join(timeline))
    for label, part in (("before the import", before), ("during the import", during), ("after", after)):
        report(label, part, args.rate)


if __name__ == "__main__":
    main()
