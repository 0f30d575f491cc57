"""Where the member's-year benches (year_summary, study_summary, review_summary) run and how they time it: a
scratch province built straight into SQLite, or the generated province (`--province SOURCE`, read only).

Both give a `Place`: the province, one of its districts and a staff account of each. `time_staff` times the
service function a figures route calls, in-process, for the province's staff (every cell) and the
district's; `http_times` (`--http`, generated province only) times the route itself over real HTTP against
`python -m server serve` on a scratch copy (signing in writes a session: the province stays as generated).
Each bench prints one JSON line of figures (`report`).
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import insert, text
from sqlmodel import Session

from bench import province as generated
from bench.oversized_bodies import ROOT, stop_server
from bench.poll_rate import serve
from server.auth.principal import Principal, load_roles
from server.config import Settings
from server.db import Database
from server.migrate import upgrade
from server.records.members import Member, RoleAssignment, User
from server.records.orgs import Organization, OrgClosure
from server.year.models import Commitment, CommitmentItem
from shared.enums import Role

YEAR = 2026  # the scratch province's year and the generated one's (--until 2026-12-01)
T = TypeVar("T")


@dataclass
class Place:
    """The data a bench times on."""

    settings: Settings
    db: Database
    province: int
    district: int
    province_staff: int  # user ids
    district_staff: int
    data: str  # "province" (generated) or "scratch"
    engine: str
    source: str | None = None  # --province
    rng: random.Random | None = None  # scratch: the random source its rows came from, to add more

    def count(self, sql: str, **params: Any) -> int:
        with self.db.transaction() as s:
            return int(s.execute(text(sql), params).scalar_one())


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=10000, help="scratch province: cells")
    parser.add_argument("--members", type=int, default=12, help="scratch province: members per cell")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--province", metavar="SOURCE",
                        help="the generated province: its data directory (SQLite) or database URL")
    parser.add_argument("--http", action="store_true",
                        help="with --province: also time the route over HTTP on a scratch copy")
    parser.add_argument("--profile", action="store_true")
    return parser.parse_args()


@contextmanager
def place(args: argparse.Namespace) -> Iterator[Place]:
    if args.province:
        with generated_place(args.province) as p:
            yield p
    else:
        with scratch_place(args) as p:
            yield p


@contextmanager
def generated_place(source_text: str) -> Iterator[Place]:
    """The generated province, read only: its province, the district of median size (by cells, then id)
    and the first staff account of each."""
    source = generated.Province(source_text)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=source.url, secret_key="b" * 48,
                            run_scheduler=False)
        db = Database(settings)
        try:
            with db.transaction() as s:
                province = int(s.execute(text(
                    "SELECT id FROM organization WHERE kind = 'province'")).scalar_one())
                districts = s.execute(text("""
                    SELECT c.ancestor_id FROM org_closure c
                    JOIN organization d ON d.id = c.ancestor_id AND d.kind = 'district'
                    JOIN organization o ON o.id = c.descendant_id AND o.kind = 'cell'
                    GROUP BY c.ancestor_id ORDER BY count(*), c.ancestor_id""")).scalars().all()
                district = int(districts[len(districts) // 2])
                staff = {org: int(s.execute(text(
                    "SELECT min(user_id) FROM role_assignment WHERE role = 'staff' AND org_id = :o"),
                    {"o": org}).scalar_one()) for org in (province, district)}
            yield Place(settings, db, province, district, staff[province], staff[district], "province",
                        source.engine_name, source=source_text)
        finally:
            db.dispose()


def build(db: Database, cells: int, per_cell: int, rng: random.Random) -> tuple[int, int]:
    """20 districts x cells/500 communes x 25 cells, `per_cell` members each and, for 90% of them, this year's
    commitment of 3 items (approved, half with a result; some submitted or returned); staff users 1 (the
    province) and 2 (the first district)."""
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


@contextmanager
def scratch_place(args: argparse.Namespace) -> Iterator[Place]:
    """A fresh SQLite database holding the province `build` makes, removed on leaving."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="b" * 48, run_scheduler=False)
        upgrade(settings)
        db = Database(settings)
        rng = random.Random(13)
        started = time.perf_counter()
        province, district = build(db, args.cells, args.members, rng)
        print(f"build took {time.perf_counter() - started:.1f} s")
        try:
            yield Place(settings, db, province, district, 1, 2, "scratch", "SQLite", rng=rng)
        finally:
            db.dispose()


def _principal(s: Session, user_id: int) -> Principal:
    user = s.get(User, user_id)
    assert user is not None
    return Principal(user=user, member=None, session_id=None, roles=load_roles(s, user_id))


def time_staff(p: Place, runs: int, call: Callable[[Session, Principal, int], T]
               ) -> dict[str, tuple[T, list[float], list[float]]]:
    """`call(session, principal, org_id)` timed `runs` times for the province's staff (every cell) and the
    district's: {"province" | "district": (last answer, seconds of each run, CPU seconds of each run)}.

    The CPU time is this process's: on SQLite the whole of the work (the database runs in-process), on
    PostgreSQL only the Python side. On a loaded machine it is what the wall time would be alone."""
    out = {}
    for label, user_id, org_id in (("province", p.province_staff, p.province),
                                   ("district", p.district_staff, p.district)):
        times, cpu, answer = [], [], None
        for _ in range(runs):
            with p.db.transaction() as s:
                who = _principal(s, user_id)
                t0, c0 = time.perf_counter(), time.process_time()
                answer = call(s, who, org_id)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        assert answer is not None
        out[label] = (answer, times, cpu)
    return out


def profile_province(p: Place, call: Callable[[Session, Principal, int], object]) -> None:
    """cProfile of one `call` for the province's staff, by time spent in each function."""
    import cProfile  # only with --profile

    with p.db.transaction() as s:
        who = _principal(s, p.province_staff)
        province = p.province
        cProfile.runctx("call(s, who, province)", globals(), locals(), sort="tottime")


def http_times(p: Place, runs: int, path: Callable[[int], str]) -> dict[str, list[float]]:
    """GET `path(org_id)` `runs` times over HTTP as the province's and the district's staff (signed in with
    the generator's password), on a server of its own over a scratch copy of the province: seconds each."""
    assert p.source is not None
    source = generated.Province(p.source)
    with p.db.transaction() as s:
        names = {u: str(s.execute(text("SELECT username FROM user_account WHERE id = :u"), {"u": u}
                                  ).scalar_one()) for u in (p.province_staff, p.district_staff)}
    out: dict[str, list[float]] = {}
    p.db.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    with source.scratch() as (data_dir, url):
        proc, base = serve(ROOT, data_dir, workers=1, database_url=url, demo=False)
        try:
            with httpx.Client(base_url=base, timeout=300) as client:
                for label, user_id, org_id in (("province", p.province_staff, p.province),
                                               ("district", p.district_staff, p.district)):
                    login = client.post("/api/v1/auth/login",
                                        json={"username": names[user_id], "password": generated.PASSWORD})
                    login.raise_for_status()
                    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
                    # Untimed: the worker's first request of a route pays its lazy imports and a cold cache.
                    client.get(path(org_id), headers=headers).raise_for_status()
                    times = []
                    for _ in range(runs):
                        t0 = time.perf_counter()
                        client.get(path(org_id), headers=headers).raise_for_status()
                        times.append(time.perf_counter() - t0)
                    out[label] = times
        finally:
            stop_server(proc)
    return out


def ms(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)}


def report(bench: str, p: Place, runs: int, timed: dict[str, tuple[Any, list[float], list[float]]],
           cells: dict[str, int],
           http: dict[str, list[float]] | None = None, **figures: Any) -> None:
    """The one JSON line: engine, data, load average, cells and p50/max (ms) for each staff."""
    line: dict[str, Any] = {"bench": bench, "engine": p.engine, "data": p.data, "runs": runs,
                            "load_average": round(os.getloadavg()[0], 1), **figures}
    for label, (_answer, times, cpu) in timed.items():
        line[label] = {"cells": cells[label], **ms(times), "cpu_p50_ms": ms(cpu)["p50_ms"]}
        if http:
            line[label]["http"] = ms(http[label])
    print(json.dumps(line, ensure_ascii=False), flush=True)
