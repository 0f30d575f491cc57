"""Check-ins while the reminder job runs at start-up on a meeting evening (a restart at the worst moment).

    PYTHONPATH=. python bench/reminders_during_checkins.py [--meetings 80] [--per-cell 300] [--rate 40]
        [--server-root PATH]

The database holds `meetings` cells of `per-cell` members each, every cell with a meeting starting in
20 hours (so the 24-hour reminders are due), and one cell whose meeting is open for check-in. The server
starts with its scheduler on, which runs the due jobs at once; check-ins arrive meanwhile at `rate` per
second from this process over real HTTP (open loop). Prints their latency while the job ran and after,
and how long the job took (from its run record).
"""

import argparse
import secrets
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.checkins import CheckinLoad, mint_tokens, report
from bench.oversized_bodies import ROOT, start_server, stop_server
from server.app import create_app
from server.config import Settings
from server.records.members import Member, Membership, User
from shared.enums import OrgKind
from tests.factories import make_member, make_org, make_world
from tests.server.meetings.factories import make_meeting


def prepare(data_dir: Path, secret: str, meetings: int, per_cell: int, members: int):
    settings = Settings(data_dir=data_dir, secret_key=secret, run_scheduler=False)
    app = create_app(settings)
    now = datetime.now(UTC)
    with app.state.db.transaction() as s:
        world = make_world(s)
        people = [make_member(s, world.cell, username=f"bench.{i}") for i in range(members)]
        open_meeting = make_meeting(s, world.cell, starts_at=now, opened_at=now - timedelta(minutes=5))
        tokens = mint_tokens(s, settings, [p.user.id for p in people], now)
        for c in range(meetings):
            cell = make_org(s, f"Chi bộ nhắc {c}", OrgKind.cell, world.grassroots)
            s.flush()
            # Plain rows (the factory's ORM objects would take minutes for tens of thousands).
            ids = [s.execute(Member.__table__.insert().values(
                full_name=f"Đảng viên {c}-{i}", name_folded=f"dang vien {c}-{i}", kind="official",
                org_id=cell.id, created_at=now, updated_at=now)).inserted_primary_key[0]
                for i in range(per_cell)]
            s.execute(Membership.__table__.insert(), [
                {"member_id": i, "org_id": cell.id, "started_on": now.date(), "created_at": now}
                for i in ids])
            s.execute(User.__table__.insert(), [
                {"username": f"nhac.{c}.{n}", "password_hash": "!", "member_id": i, "is_active": True,
                 "is_demo": False, "password_changed_at": now, "created_at": now} for n, i in enumerate(ids)])
            make_meeting(s, cell, starts_at=now + timedelta(hours=20))
        assert open_meeting.id is not None and open_meeting.checkin_secret
        result = open_meeting.id, open_meeting.checkin_secret, tokens
    app.state.db.dispose()
    return result


def job_run(data_dir: Path) -> tuple[str, str] | None:
    """(started, finished) of the reminder job once it has finished."""
    with sqlite3.connect(data_dir / "sotay.db", timeout=30) as conn:
        row = conn.execute("SELECT started_at, finished_at FROM job_run WHERE job = 'meeting_reminders' "
                           "AND finished_at IS NOT NULL").fetchone()
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=80)
    parser.add_argument("--per-cell", type=int, default=300)
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    args = parser.parse_args()
    data_dir, secret = Path(tempfile.mkdtemp(prefix="sotay-bench-")), secrets.token_urlsafe(48)
    meeting_id, totp_secret, tokens = prepare(data_dir, secret, args.meetings, args.per_cell, args.members)
    proc, base = start_server(args.server_root.resolve(), data_dir, secret, scheduler=True)
    started = time.monotonic()
    load = CheckinLoad(base, meeting_id, totp_secret)
    done: dict[str, float] = {}

    def watch() -> None:
        while "at" not in done and time.monotonic() - started < 600:
            if job_run(data_dir):
                done["at"] = time.monotonic()
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=400) as pool:
            for i, token in enumerate(tokens):
                delay = started + i / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(load.check_in, token)
                if "at" in done and time.monotonic() > done["at"] + 3:
                    break
        watcher.join()
    finally:
        stop_server(proc)
    run = job_run(data_dir)
    end = done.get("at", time.monotonic())
    during = [r for r in load.results if r[0] <= end]
    after = [r for r in load.results if r[0] > end]
    print(f"server {args.server_root}: reminder job for {args.meetings} meetings x {args.per_cell} members "
          f"({args.meetings * args.per_cell} reminders) ran {run}")
    for label, part in (("while the job ran", during), ("after", after)):
        report(label, part, args.rate)


if __name__ == "__main__":
    main()
