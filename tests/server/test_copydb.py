"""`python -m server copy-db`: the demo installation moves to PostgreSQL and works there, files included."""

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from server.app import create_app
from server.config import Settings
from tests.conftest import SECRET
from tests.requirements import need_postgres

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir), "SOTAY_SECRET_KEY": SECRET}
    for name in ("SOTAY_DATABASE_URL", "SOTAY_FILE_STORE", "SOTAY_DEMO"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def empty_pg() -> Iterator[str]:
    base = need_postgres()
    name = f"sotay_copy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _login(client: TestClient, username: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/login", json={"username": username, "password": "demo12345"})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def _search(client: TestClient, headers: dict[str, str], q: str) -> list[int]:
    resp = client.get("/api/v1/documents", params={"q": q, "limit": 50}, headers=headers)
    assert resp.status_code == 200, resp.text
    return [d["id"] for d in resp.json()["items"]]


def test_copy_demo_to_postgres_with_files(tmp_path: Path, empty_pg: str):
    data = tmp_path / "sqlite"
    assert _cli(data, "demo").returncode == 0
    out = _cli(data, "copy-db", "--to", empty_pg, "--files-to-database")
    assert out.returncode == 0, out.stderr
    assert "mã kiểm tra khớp" in out.stdout

    sqlite = Settings(data_dir=data, secret_key=SECRET, demo=True)
    pg = Settings(data_dir=tmp_path / "pg", secret_key=SECRET, demo=True, database_url=empty_pg,
                  file_store="database")
    with TestClient(create_app(sqlite)) as a, TestClient(create_app(pg)) as b:
        for username in ("dangvien.chaunga", "bantochuc"):
            ha, hb = _login(a, username), _login(b, username)
            # The same person finds the same documents by search on both engines.
            for q in ("nghị quyết", "nghi quyet", "21-NQ/TW"):
                # (the two engines rank ties differently: the same documents are found)
                assert sorted(_search(a, ha, q)) == sorted(_search(b, hb, q)), q
            me_a, me_b = a.get("/api/v1/me", headers=ha).json(), b.get("/api/v1/me", headers=hb).json()
            assert me_a == me_b
        staff_a, staff_b = _login(a, "bantochuc"), _login(b, "bantochuc")
        docs = a.get("/api/v1/documents", params={"limit": 100}, headers=staff_a).json()["items"]
        downloaded = 0
        for doc in docs:
            for att in a.get(f"/api/v1/documents/{doc['id']}", headers=staff_a).json()["attachments"]:
                local = a.get(f"/api/v1/attachments/{att['id']}", headers=staff_a)
                moved = b.get(f"/api/v1/attachments/{att['id']}", headers=staff_b)
                assert moved.status_code == 200 and moved.content == local.content
                assert hashlib.sha256(moved.content).hexdigest() == att["sha256"]
                part = b.get(f"/api/v1/attachments/{att['id']}",
                             headers={**staff_b, "Range": "bytes=5-104"})
                assert part.status_code == 206 and part.content == local.content[5:105]
                downloaded += 1
        assert downloaded >= 1
        # Ids continue after the copied ones: a new document on PostgreSQL gets a fresh id.
        me = b.get("/api/v1/me", headers=staff_b).json()
        org_id = next(r["organization"]["id"] for r in me["roles"] if r["organization"])
        created = b.post("/api/v1/documents", headers=staff_b, json={
            "title": "Văn bản sau khi chuyển", "doc_type": "resolution", "category": "documents",
            "audience_org_ids": [org_id]})
        assert created.status_code == 201, created.text
        assert created.json()["id"] > max(d["id"] for d in docs)


def test_copy_refuses_a_database_with_data(tmp_path: Path, empty_pg: str):
    data = tmp_path / "sqlite"
    assert _cli(data, "demo").returncode == 0
    assert _cli(data, "copy-db", "--to", empty_pg).returncode == 0
    again = _cli(data, "copy-db", "--to", empty_pg)
    assert again.returncode == 2 and "đã có dữ liệu" in again.stderr


def test_database_store_needs_postgresql(tmp_path: Path):
    with pytest.raises(ValueError, match="PostgreSQL"):
        Settings(data_dir=tmp_path, secret_key=SECRET, file_store="database")
