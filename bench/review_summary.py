"""Self-review levels cell by cell at province scale: times GET /year/orgs/{id}/reviews/summary's work.

    .venv/bin/python bench/review_summary.py [--cells 10000] [--members 12] [--runs 9]

Builds the province of bench/year_summary.py (20 districts x N/500 communes x 25 cells, `--members` members
per cell, their commitments) straight into a fresh SQLite database, then gives 95% of the members a
self-review of the year (2% exempt; the rest sent, most proposed by the cell, half of those confirmed, with
levels spread over the four); then times server.year.review_stats.summary for the province's staff (every
cell) and a district's staff (a twentieth), and prints p50 and max.
"""

import random
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.year_summary import YEAR, arguments, profile_province, scratch_province, time_staff  # noqa: E402
from server.auth.principal import Principal  # noqa: E402
from server.db import Database  # noqa: E402
from server.records.members import Member  # noqa: E402
from server.year import review_stats  # noqa: E402
from server.year.models import SelfReview  # noqa: E402
from shared.schemas.review import ReviewSummary  # noqa: E402

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
    args = arguments()
    with scratch_province(args) as (settings, db, province, district, rng):
        print(f"reviews: {add_reviews(db, rng)}")
        def levels(s: Session, who: Principal, org_id: int) -> ReviewSummary:
            return review_stats.summary(s, who, org_id, YEAR, settings.review_top_share)

        if args.profile:
            profile_province(db, province, levels)
        for label, out, times in time_staff(db, args.runs, province, district, levels):
            warned = sum(1 for c in out.cells if c.warnings)
            print(f"{label}: {len(out.cells)} cells, p50 {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms (sent {out.totals.submitted}/{out.totals.members}, "
                  f"cells with a cap warning {warned})")


if __name__ == "__main__":
    main()
