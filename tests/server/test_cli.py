"""The command line: `demo` seeds an empty database once, demo accounts need demo mode, `create-admin`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from server.app import create_app
from server.config import Settings
from tests.server.auth.helpers import assert_error, bearer, login_raw

ROOT = Path(__file__).resolve().parents[2]
DEMO_ACCOUNTS = ["admin", "bantochuc", "bithu.tcdv", "dangvien.tcdv", "dangvien.chaunga"]
TABLES = ["organization", "org_closure", "member", "user_account", "role_assignment", "membership",
          "audit_entry", "sync_change"]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir)}
    for name in ("SOTAY_DATABASE_URL", "SOTAY_SECRET_KEY", "SOTAY_DEMO"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _snapshot(data_dir: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{data_dir / 'sotay.db'}")
    try:
        with engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in TABLES if t in names}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    result = _cli(data_dir, "demo")
    assert result.returncode == 0, result.stderr
    assert "Đã tạo dữ liệu mẫu" in result.stdout
    return data_dir


def test_demo_creates_the_nghe_an_tree_and_members(demo_dir):
    counts = _snapshot(demo_dir)
    assert counts["organization"] >= 9
    assert 35 <= counts["member"] <= 60
    engine = create_engine(f"sqlite:///{demo_dir / 'sotay.db'}")
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM organization")).scalars())
        users = set(conn.execute(text("SELECT username FROM user_account WHERE is_demo")).scalars())
    engine.dispose()
    assert {"Đảng bộ tỉnh Nghệ An", "Chi bộ Phòng Tổ chức đảng, đảng viên", "Đảng bộ huyện Quỳ Châu",
            "Đảng bộ xã Châu Nga"} <= names
    assert set(DEMO_ACCOUNTS) <= users


def test_running_demo_again_changes_nothing(demo_dir):
    before = _snapshot(demo_dir)
    result = _cli(demo_dir, "demo")
    assert result.returncode == 0, result.stderr
    assert "không tạo dữ liệu mẫu" in result.stdout
    assert _snapshot(demo_dir) == before


def test_demo_accounts_sign_in_only_in_demo_mode(demo_dir, tmp_path):
    import shutil

    shutil.copytree(demo_dir, tmp_path / "d")
    with TestClient(create_app(Settings(data_dir=tmp_path / "d", demo=False))) as client:
        for username in DEMO_ACCOUNTS:
            assert_error(login_raw(client, username, "demo12345"), 401, "demo_account_disabled")
    with TestClient(create_app(Settings(data_dir=tmp_path / "d", demo=True))) as client:
        roles = {}
        for username in DEMO_ACCOUNTS:
            resp = login_raw(client, username, "demo12345")
            assert resp.status_code == 200, (username, resp.text)
            me = client.get("/api/v1/me", headers=bearer(resp.json()["access_token"])).json()
            roles[username] = {(r["role"], (r["organization"] or {}).get("name")) for r in me["roles"]}
        assert ("admin", None) in roles["admin"]
        assert ("staff", "Đảng bộ tỉnh Nghệ An") in roles["bantochuc"]
        assert ("secretary", "Chi bộ Phòng Tổ chức đảng, đảng viên") in roles["bithu.tcdv"]
        assert {r for r, _ in roles["dangvien.tcdv"]} <= {"member"}
        assert_error(login_raw(client, "admin", "demo1234"), 401, "invalid_credentials")


def test_create_admin(tmp_path):
    result = _cli(tmp_path, "create-admin", "quantri", "--password", "mat-khau-quan-tri")
    assert result.returncode == 0, result.stderr
    assert "quantri" in result.stdout
    # A real admin is no demo account: it signs in without demo mode and administers everything.
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        resp = login_raw(client, "quantri", "mat-khau-quan-tri")
        assert resp.status_code == 200, resp.text
        me = client.get("/api/v1/me", headers=bearer(resp.json()["access_token"])).json()
        assert [r["role"] for r in me["roles"]] == ["admin"]
    again = _cli(tmp_path, "create-admin", "quantri", "--password", "mat-khau-khac-nua")
    assert again.returncode == 2 and "đã được dùng" in again.stderr
    short = _cli(tmp_path, "create-admin", "quantri2", "--password", "ngan")
    assert short.returncode == 2 and "Mật khẩu" in short.stderr
    bad_name = _cli(tmp_path, "create-admin", "quản trị", "--password", "mat-khau-quan-tri")
    assert bad_name.returncode == 2 and "Tên đăng nhập" in bad_name.stderr


def test_create_admin_with_capitals_can_sign_in(tmp_path):
    result = _cli(tmp_path, "create-admin", "QuanTri.Tinh", "--password", "mat-khau-quan-tri")
    assert result.returncode == 0, result.stderr
    assert "quantri.tinh" in result.stdout
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        assert login_raw(client, "QuanTri.Tinh", "mat-khau-quan-tri").status_code == 200
