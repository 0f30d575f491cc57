"""Time the sync feed on a fresh SQLite database with a busy change log; prints figures.

Usage: PYTHONPATH=. python bench/sync_feed.py [changes]   (default 50000)

The log holds `changes` entries spread over 200 cells (a province's day of check-ins and reads); one
member follows it. Figures: a delta page when nothing concerns the member, a page of 200 relevant
changes, and the request rate of an up-to-date device polling.
"""

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.records.changelog import record_change
from shared.enums import OrgKind
from tests.factories import PASSWORD, make_member, make_org


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    data = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data, secret_key=secrets.token_urlsafe(48), run_scheduler=False)
    app = create_app(settings)
    with app.state.db.transaction() as s:
        province = make_org(s, kind=OrgKind.province)
        district = make_org(s, kind=OrgKind.district, parent=province)
        grassroots = make_org(s, kind=OrgKind.grassroots, parent=district)
        cells = [make_org(s, kind=OrgKind.cell, parent=grassroots) for _ in range(200)]
        person = make_member(s, cells[0])
    t0 = time.perf_counter()
    with app.state.db.transaction() as s:
        for i in range(n):
            cell = cells[1 + i % 199]
            record_change(s, "attendance", i + 1, org_ids=[cell.id])
    print(f"log of {n} changes written in {time.perf_counter() - t0:.1f}s")
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login",
                            json={"username": person.username, "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        cursor = client.get("/api/v1/sync", headers=headers).json()["cursor"]

        def timed(params: dict) -> tuple[float, dict]:
            start = time.perf_counter()
            body = client.get("/api/v1/sync", params=params, headers=headers).json()
            return (time.perf_counter() - start) * 1000, body

        idle = [timed({"cursor": cursor})[0] for _ in range(50)]
        print(f"up-to-date poll: p50 {statistics.median(idle):.1f} ms, max {max(idle):.1f} ms")
        with app.state.db.transaction() as s:
            for i in range(200):
                record_change(s, "organization", cells[0].id, org_ids=[cells[0].id])
                record_change(s, "attendance", n + i + 1, org_ids=[cells[5].id])
        ms, body = timed({"cursor": cursor, "limit": 200})
        print(f"page after 400 new changes (200 relevant, one entity): {ms:.1f} ms, "
              f"{len(body['changes'])} change(s) after dedup")
        fresh = [timed({})[0] for _ in range(20)]
        print(f"fresh snapshot: p50 {statistics.median(fresh):.1f} ms")


if __name__ == "__main__":
    main()
