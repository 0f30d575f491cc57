"""The demo seeder: the seed articles' documents, addressed at three levels, each with a PDF."""

import shutil

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.app import create_app
from server.demo.seed import DEMO_PASSWORD, seed_if_empty
from server.documents.models import Attachment, Document
from tests.conftest import make_settings


def test_demo_documents(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    settings = make_settings(tmp_path, demo=True)
    assert seed_if_empty(settings)
    app = create_app(settings, migrate=False)
    with app.state.db.session() as s:
        assert s.execute(select(func.count()).select_from(Document)).scalar_one() >= 12
        for att in s.execute(select(Attachment)).scalars():
            path = settings.files_dir / att.sha256[:2] / att.sha256[2:4] / att.sha256
            assert path.read_bytes().startswith(b"%PDF-")
    with TestClient(app) as client:

        def login(username):
            r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        def titles(headers, **params):
            r = client.get("/api/v1/documents", params={"limit": 100, **params}, headers=headers)
            return [d["number"] or d["title"] for d in r.json()["items"]]

        village = login("dangvien.chaunga")  # Chi bộ bản Poòng, xã Châu Nga
        office = login("dangvien.tcdv")  # a cell of the Ban Tổ chức Tỉnh ủy
        seen_village, seen_office = titles(village), titles(office)
        for number in ("21-NQ/TW", "96-QĐ/TW", "21-KL/TW", "37-QĐ/TW", "01-KL/TW", "35-CT/TW", "45-CT/TW"):
            assert number in seen_village and number in seen_office
        assert "18-KH/ĐU" in seen_village and "18-KH/ĐU" not in seen_office  # the grassroots' plan
        assert "05-QC/BTCTU" in seen_office and "05-QC/BTCTU" not in seen_village
        assert any("sinh hoạt chi bộ tháng 12" in t for t in seen_village)
        assert not any("sinh hoạt chi bộ tháng 12" in t for t in seen_office)
        assert titles(village, q="nghi quyet 21")[0] == "21-NQ/TW"
        assert titles(village, q="chỉ thị 45")[0] == "45-CT/TW"
        assert client.get("/api/v1/documents/topics", headers=village).json()
        draft = [
            d
            for d in client.get(
                "/api/v1/documents", params={"q": "du thao bao cao chinh tri"}, headers=village
            ).json()["items"]
        ]
        assert draft and draft[0]["status"] == "draft" and draft[0]["comments_until"]
    app.state.db.dispose()
