"""SOTAY_FILE_STORE=database: uploads, dedup, downloads and ranges with the files in PostgreSQL."""

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.app import create_app
from server.config import Settings
from tests import factories
from tests.conftest import _pg_database, make_settings
from tests.server.documents.factories import API, create_doc, pdf_bytes

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db_store(tmp_path: Path, pg_template: str) -> Iterator[Settings]:
    for url in _pg_database(pg_template):
        yield make_settings(tmp_path, database_url=url, file_store="database")


def test_files_live_in_the_database(pg_db_store: Settings):
    app = create_app(pg_db_store, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as s:
            world = factories.make_world(s)
        login = client.post("/api/v1/auth/login", json={"username": world.staff.username,
                                                        "password": world.staff.password})
        staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
        doc = create_doc(client, staff, "Tệp trong cơ sở dữ liệu", [world.cell.id])
        # Larger than one chunk, so ranges cross a chunk boundary.
        content = pdf_bytes("lon") + os.urandom(2 * 1024 * 1024 + 123)
        up = client.post(f"{API}/{doc['id']}/attachments", headers=staff,
                         files={"file": ("lon.pdf", content, "application/pdf")})
        assert up.status_code == 201, up.text
        att = up.json()
        assert att["sha256"] == hashlib.sha256(content).hexdigest()
        assert not list(pg_db_store.files_dir.rglob(att["sha256"]))  # nothing on the local disk
        with app.state.db.transaction() as s:
            chunks = s.execute(text("SELECT count(*) FROM file_chunk WHERE sha256 = :s"),
                               {"s": att["sha256"]}).scalar_one()
        assert chunks == 3
        again = client.post(f"{API}/{doc['id']}/attachments", headers=staff,
                            files={"file": ("ban-sao.pdf", content, "application/pdf")})
        assert again.status_code == 201 and again.json()["id"] == att["id"]
        whole = client.get(f"/api/v1/attachments/{att['id']}", headers=staff)
        assert whole.status_code == 200 and whole.content == content
        lo, hi = 1024 * 1024 - 10, 1024 * 1024 + 9
        part = client.get(f"/api/v1/attachments/{att['id']}", headers={**staff, "Range": f"bytes={lo}-{hi}"})
        assert part.status_code == 206 and part.content == content[lo:hi + 1]
        # The member of the cell downloads it too; another cell's member does not see it.
        member = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                         "password": world.member.password}).json()
        got = client.get(f"/api/v1/attachments/{att['id']}",
                         headers={"Authorization": f"Bearer {member['access_token']}"})
        assert got.status_code == 200 and got.content == content
        other = client.post("/api/v1/auth/login", json={"username": world.other_member.username,
                                                        "password": world.other_member.password}).json()
        assert client.get(f"/api/v1/attachments/{att['id']}",
                          headers={"Authorization": f"Bearer {other['access_token']}"}).status_code == 404
    shutil.rmtree(pg_db_store.data_dir, ignore_errors=True)
