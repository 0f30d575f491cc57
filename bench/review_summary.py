"""Self-review levels cell by cell at province scale: times GET /year/orgs/{id}/reviews/summary's work.

    PYTHONPATH=. .venv/bin/python bench/review_summary.py [--cells 10000] [--members 12] [--runs 9]
    PYTHONPATH=. .venv/bin/python bench/review_summary.py --province SOURCE [--http] [--runs 9]

Without `--province`: builds the scratch province of bench/year_place.py (20 districts x N/500 communes x 25
cells, `--members` members per cell, their commitments) straight into a fresh SQLite database, then gives 95%
of the members a self-review of the year (2% exempt; the rest sent, most proposed by the cell, half of those
confirmed, with levels spread over the four). With it: the generated province's reviews (the December review
season: drafts, sent, proposed, some confirmed, exempt). Then times server.year.review_stats.summary for the
province's staff (every cell) and a district's staff, and prints one JSON line: p50 and max of each (and
over HTTP with `--http`).
"""

import random
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.year_place import YEAR, arguments, http_times, place, profile_province, report, time_staff  # noqa: E402
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
    with place(args) as p:
        if p.rng is not None:
            print(f"reviews: {add_reviews(p.db, p.rng)}")

        def levels(s: Session, who: Principal, org_id: int) -> ReviewSummary:
            return review_stats.summary(s, who, org_id, YEAR, p.settings.review_top_share)

        if args.profile:
            profile_province(p, levels)
        timed = time_staff(p, args.runs, levels)
        http = (http_times(p, args.runs, lambda org: f"/api/v1/year/orgs/{org}/reviews/summary?year={YEAR}")
                if args.http and p.source else None)
        out = timed["province"][0]
        report("review_summary", p, args.runs, timed, {k: len(v[0].cells) for k, v in timed.items()}, http,
               members=out.totals.members, submitted=out.totals.submitted,
               reviews=p.count("SELECT count(*) FROM self_review WHERE year = :y", y=YEAR),
               cells_warned=sum(1 for c in out.cells if c.warnings))


if __name__ == "__main__":
    main()
