"""Self-review levels cell by cell at province scale: times GET /year/orgs/{id}/reviews/summary's work.

    .venv/bin/python bench/review_summary.py [--cells 10000] [--members 12] [--runs 9]

Builds the province of bench/year_summary.py (20 districts x N/500 communes x 25 cells, `--members` members
per cell, their commitments) straight into a fresh SQLite database, then gives 95% of the members a
self-review of the year (2% exempt; the rest sent, most proposed by the cell, half of those confirmed, with
levels spread over the four); then times server.year.review_stats.summary for the province's staff (every
cell) and a district's staff (a twentieth), and prints p50 and max.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from bench.year_summary import YEAR, build, time_staff  # noqa: E402
from server.auth.principal import Principal, load_roles  # noqa: E402
from server.config import Settings  # noqa: E402
from server.db import Database  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.records.members import Member, User  # noqa: E402
from server.year import review_stats  # noqa: E402
from server.year.models import SelfReview  # noqa: E402

LEVELS = ["excellent", "good", "done", "failed"]
WEIGHTS = [0.15, 0.65, 0.18, 0.02]


def add_reviews(db: Database, rng: random.Random) -> int:
    now = datetime.now(UTC)
    rows = []
    with db.transaction() as s:
        members = s.execute(select(Member.id, Member.org_id)).all()
    for member_id, org_id in members:
        roll = rng.random()
        if roll >= 0.95:
            continue
        row = {"member_id": member_id, "org_id": org_id, "year": YEAR, "edited_at": now, "created_at": now,
               "updated_at": now, "status": "submitted", "submitted_at": now,
               "self_level": rng.choices(LEVELS, WEIGHTS)[0]}
        if roll < 0.02:
            row.update(status="exempt", exempt_reason="Miễn sinh hoạt", self_level=None, submitted_at=None)
        elif roll < 0.8:
            row.update(status="proposed", proposed_level=rng.choices(LEVELS, WEIGHTS)[0], proposed_at=now)
            if rng.random() < 0.5:
                row.update(status="confirmed", confirmed_level=row["proposed_level"], confirmed_at=now)
        rows.append(row)
    with db.transaction() as s:
        for start in range(0, len(rows), 20000):
            s.execute(insert(SelfReview), rows[start:start + 20000])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=10000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="b" * 48, run_scheduler=False)
        upgrade(settings)
        db = Database(settings)
        started = time.perf_counter()
        rng = random.Random(13)
        province, district = build(db, args.cells, args.members, rng)
        print(f"reviews: {add_reviews(db, rng)}; build took {time.perf_counter() - started:.1f} s")
        if args.profile:
            import cProfile

            with db.transaction() as s:
                user = s.get(User, 1)
                assert user is not None
                who = Principal(user=user, member=None, session_id=None, roles=load_roles(s, 1))
                cProfile.runctx("review_stats.summary(s, who, province, YEAR, 0.2)", globals(), locals(),
                                sort="tottime")
        for label, out, times in time_staff(
                db, args.runs, province, district,
                lambda s, who, org_id: review_stats.summary(s, who, org_id, YEAR, settings.review_top_share)):
            warned = sum(1 for c in out.cells if c.warnings)
            print(f"{label}: {len(out.cells)} cells, p50 {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms (sent {out.totals.submitted}/{out.totals.members}, "
                  f"cells with a cap warning {warned})")
        db.dispose()


if __name__ == "__main__":
    main()
