"""Time a member import of N rows (CSV and XLSX) on a fresh SQLite database; prints figures.

Usage: PYTHONPATH=. python bench/import_members.py [rows]   (default 5000)
"""

import csv
import io
import secrets
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import Workbook

from server.app import create_app
from server.config import Settings
from tests.factories import make_org, make_world

HEADERS = ["Họ và tên", "Ngày sinh", "Số thẻ đảng viên", "Ngày vào Đảng", "Loại đảng viên", "Mã chi bộ"]


def rows(n: int, codes: list[str], start: int) -> list[list[str]]:
    return [
        [
            f"Nguyễn Văn Thử {i}",
            "01/02/1980",
            f"{start + i}",
            "03/02/2010",
            "Chính thức",
            codes[i % len(codes)],
        ]
        for i in range(n)
    ]


def as_csv(data: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(data)
    return buf.getvalue().encode()


def as_xlsx(data: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in data:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key=secrets.token_urlsafe(48), run_scheduler=False)
        app = create_app(settings)
        with app.state.db.transaction() as s:
            world = make_world(s)
            cells = [make_org(s, f"Chi bộ bench {i}", parent=world.grassroots) for i in range(50)]
            codes = [c.code for c in cells]
        with TestClient(app) as client:
            token = client.post(
                "/api/v1/auth/login", json={"username": "canbo.a", "password": world.staff.password}
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            for label, build, start in (("csv", as_csv, 10_000_000), ("xlsx", as_xlsx, 20_000_000)):
                content = build(rows(n, codes, start))
                for mode in ("dry_run", "create", "unchanged"):
                    t = time.perf_counter()
                    resp = client.post(
                        "/api/v1/members/import",
                        headers=headers,
                        files={"file": (f"bench.{label}", content)},
                        data={"dry_run": str(mode == "dry_run").lower()},
                    )
                    elapsed = time.perf_counter() - t
                    body = resp.json()
                    print(
                        f"{label:4} {mode:9} rows={n} status={resp.status_code} "
                        f"created={body.get('created')} "
                        f"unchanged={body.get('unchanged')} seconds={elapsed:.2f} rows/s={n / elapsed:.0f}"
                    )


if __name__ == "__main__":
    main()
