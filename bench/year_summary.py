"""Commitments cell by cell at province scale: times GET /year/orgs/{id}/commitments/summary's work.

    PYTHONPATH=. .venv/bin/python bench/year_summary.py [--cells 10000] [--members 12] [--runs 9]
    PYTHONPATH=. .venv/bin/python bench/year_summary.py --province SOURCE [--http] [--runs 9]

Without `--province`: builds a province (20 districts x N/500 communes x 25 cells) straight into a fresh
SQLite database with bulk INSERTs, `--members` members per cell and, for 90% of them, this year's commitment
of 3 items (bench/year_place.py `build`). With it: the generated province (`python -m server generate`, its
data directory or database URL, read only; bench/province.py), which holds the year's commitments. Then
times server.year.stats.summary for the province's staff (every cell) and a district's staff, and prints one
JSON line: p50 and max of each (and over HTTP with `--http`).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.year_place import YEAR, arguments, http_times, place, profile_province, report, time_staff  # noqa: E402
from server.year import stats  # noqa: E402


def main() -> None:
    args = arguments()
    with place(args) as p:
        def summary(s, who, org_id):
            return stats.summary(s, who, org_id, YEAR)

        if args.profile:
            profile_province(p, summary)
        timed = time_staff(p, args.runs, summary)
        route = f"/api/v1/year/orgs/{{}}/commitments/summary?year={YEAR}"
        http = http_times(p, args.runs, route.format) if args.http and p.source else None
        totals = timed["province"][0].totals
        report("year_summary", p, args.runs, timed, {k: len(v[0].cells) for k, v in timed.items()}, http,
               members=totals.members, approved=totals.approved,
               commitments=p.count("SELECT count(*) FROM commitment WHERE year = :y", y=YEAR),
               items=p.count("SELECT count(*) FROM commitment_item"))


if __name__ == "__main__":
    main()
