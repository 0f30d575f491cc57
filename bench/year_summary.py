"""Commitments cell by cell at province scale: times GET /year/orgs/{id}/commitments/summary's work.

    .venv/bin/python bench/year_summary.py [--cells 10000] [--members 12] [--runs 9]

Builds a province (20 districts x N/500 communes x 25 cells) straight into a fresh SQLite database with bulk
INSERTs, `--members` members per cell and, for 90% of them, this year's commitment of 3 items (approved,
half with a result; some submitted or returned); then times server.year.stats.summary for the province's
staff (every cell) and a district's staff (a twentieth), and prints p50 and max.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from server.auth.principal import Principal, load_roles  # noqa: E402
from server.config import Settings  # noqa: E402
from server.db import Database  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.records.members import Member, RoleAssignment, User  # noqa: E402
from server.records.orgs import Organization, OrgClosure  # noqa: E402
from server.year import stats  # noqa: E402
from server.year.models import Commitment, CommitmentItem  # noqa: E402
from shared.enums import Role  # noqa: E402

YEAR = 2026
T = TypeVar("T")


def build(db: Database, cells: int, per_cell: int, rng: random.Random) -> tuple[int, int]:
    now = datetime.now(UTC)
    orgs: list[dict] = []
    closure: list[dict] = []

    def org(name: str, kind: str, parent: dict | None) -> dict:
        row = {"id": len(orgs) + 1, "name": name, "kind": kind, "code": f"O{len(orgs) + 1}",
               "parent_id": parent["id"] if parent else None, "depth": parent["depth"] + 1 if parent else 0,
               "created_at": now, "updated_at": now, "_up": (parent["_up"] if parent else [])}
        row["_up"] = [*row["_up"], row["id"]]
        orgs.append(row)
        for distance, ancestor in enumerate(reversed(row["_up"])):
            closure.append({"ancestor_id": ancestor, "descendant_id": row["id"], "distance": distance})
        return row

    province = org("Đảng bộ tỉnh", "province", None)
    districts = [org(f"Huyện {d}", "district", province) for d in range(20)]
    cell_rows = []
    per_district = max(1, cells // 20)
    for d, district in enumerate(districts):
        for c in range(per_district):
            if c % 25 == 0:
                commune = org(f"Xã {d}-{c // 25}", "grassroots", district)
            cell_rows.append(org(f"Chi bộ {d}-{c}", "cell", commune))
    members, commitments, items = [], [], []
    for cell in cell_rows:
        for _ in range(per_cell):
            mid = len(members) + 1
            members.append({"id": mid, "full_name": f"Đảng viên {mid}", "name_folded": f"dang vien {mid}",
                            "kind": "official", "org_id": cell["id"], "created_at": now, "updated_at": now})
            if rng.random() < 0.9:
                cid = len(commitments) + 1
                status = rng.choices(["approved", "submitted", "returned"], [0.85, 0.1, 0.05])[0]
                commitments.append({"id": cid, "member_id": mid, "org_id": cell["id"], "year": YEAR,
                                    "status": status, "edited_at": now, "created_at": now, "updated_at": now})
                done = status == "approved" and rng.random() < 0.5
                items.extend({"commitment_id": cid, "position": p, "text": f"Cam kết {p}",
                              "result": "Đã thực hiện" if done and p == 1 else None} for p in (1, 2, 3))
    with db.transaction() as s:
        s.execute(insert(Organization), [{k: v for k, v in o.items() if k != "_up"} for o in orgs])
        s.execute(insert(OrgClosure), closure)
        for model, rows in ((Member, members), (Commitment, commitments), (CommitmentItem, items)):
            for start in range(0, len(rows), 20000):
                s.execute(insert(model), rows[start:start + 20000])
        s.add(User(id=1, username="tinh", password_hash="x"))
        s.add(User(id=2, username="huyen", password_hash="x"))
        s.flush()
        s.add(RoleAssignment(user_id=1, role=Role.staff.value, org_id=province["id"]))
        s.add(RoleAssignment(user_id=2, role=Role.staff.value, org_id=districts[0]["id"]))
    print(f"built: {len(cell_rows)} cells, {len(members)} members, {len(commitments)} commitments, "
          f"{len(items)} items")
    return province["id"], districts[0]["id"]


def time_staff(db: Database, runs: int, province: int, district: int,
               call: Callable[[Session, Principal, int], T]) -> list[tuple[str, T, list[float]]]:
    """`call(session, principal, org_id)` timed `runs` times for the province's staff (every cell) and a
    district's (a twentieth): (label, last answer, seconds of each run)."""
    out = []
    for label, user_id, org_id in (("province staff, every cell", 1, province),
                                   ("district staff, its cells", 2, district)):
        times, answer = [], None
        for _ in range(runs):
            with db.transaction() as s:
                user = s.get(User, user_id)
                assert user is not None
                who = Principal(user=user, member=None, session_id=None, roles=load_roles(s, user_id))
                t0 = time.perf_counter()
                answer = call(s, who, org_id)
                times.append(time.perf_counter() - t0)
        assert answer is not None
        out.append((label, answer, times))
    return out


def profile_province(db: Database, province: int, call: Callable[[Session, Principal, int], object]) -> None:
    """cProfile of one `call` for the province's staff, by time spent in each function."""
    import cProfile  # only with --profile

    with db.transaction() as s:
        user = s.get(User, 1)
        assert user is not None
        who = Principal(user=user, member=None, session_id=None, roles=load_roles(s, 1))
        cProfile.runctx("call(s, who, province)", globals(), locals(), sort="tottime")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=10000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    return parser.parse_args()


@contextmanager
def scratch_province(args: argparse.Namespace
                     ) -> Iterator[tuple[Settings, Database, int, int, random.Random]]:
    """A fresh SQLite database holding the province `build` makes, removed on leaving: (settings, database,
    the province's id, a district's id, the random source the rows came from, to add more)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="b" * 48, run_scheduler=False)
        upgrade(settings)
        db = Database(settings)
        rng = random.Random(13)
        started = time.perf_counter()
        province, district = build(db, args.cells, args.members, rng)
        print(f"build took {time.perf_counter() - started:.1f} s")
        try:
            yield settings, db, province, district, rng
        finally:
            db.dispose()


def main() -> None:
    args = arguments()
    with scratch_province(args) as (_, db, province, district, _rng):
        if args.profile:
            profile_province(db, province, lambda s, who, org_id: stats.summary(s, who, org_id, YEAR))
        for label, out, times in time_staff(db, args.runs, province, district,
                                            lambda s, who, org_id: stats.summary(s, who, org_id, YEAR)):
            print(f"{label}: {len(out.cells)} cells, p50 {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms (approved {out.totals.approved}/{out.totals.members})")


if __name__ == "__main__":
    main()
