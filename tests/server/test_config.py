"""Settings: refused secrets, the generated key kept in the data dir, database defaults, SQLite pragmas."""

import os
import sqlite3
import stat

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from server.app import create_app
from server.config import Settings
from server.db import Database


@pytest.mark.parametrize("weak", ["", "secret", "changeme", "please-change-me", "sotay", "x" * 31])
def test_weak_or_default_secrets_are_refused(tmp_path, weak):
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, secret_key=weak)


def test_weak_secret_from_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SOTAY_SECRET_KEY", "changeme")
    monkeypatch.setenv("SOTAY_DATA_DIR", str(tmp_path))
    with pytest.raises(ValidationError):
        Settings()


def test_secret_is_generated_once_into_the_data_dir_and_reused(tmp_path):
    first = Settings(data_dir=tmp_path).resolved_secret()
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first and len(first) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # A restart (new settings object, new app) signs with the same key.
    assert Settings(data_dir=tmp_path).resolved_secret() == first
    create_app(Settings(data_dir=tmp_path))
    assert path.read_text().strip() == first
    # Another data dir gets its own key.
    assert Settings(data_dir=tmp_path / "other").resolved_secret() != first


def test_a_damaged_key_file_is_not_silently_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("short")
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path).resolved_secret()
    assert (tmp_path / "secret_key").read_text() == "short"


def test_configured_secret_is_used_and_nothing_written(tmp_path):
    key = "k" * 40 + "-configured"
    assert Settings(data_dir=tmp_path, secret_key=key).resolved_secret() == key
    assert not (tmp_path / "secret_key").exists()


def test_tokens_survive_a_restart_with_the_generated_key(tmp_path):
    from fastapi.testclient import TestClient

    from server.members.bootstrap import create_admin

    app = create_app(Settings(data_dir=tmp_path))
    with app.state.db.transaction() as session:
        create_admin(session, "quantri", "mat-khau-quan-tri")
    with TestClient(app) as client:
        resp = client.post("/api/v1/auth/login",
                           json={"username": "quantri", "password": "mat-khau-quan-tri"})
        access = resp.json()["access_token"]
    restarted = create_app(Settings(data_dir=tmp_path))
    with TestClient(restarted) as client:
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"}).status_code == 200


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SOTAY_DATA_DIR", str(tmp_path / "dulieu"))
    monkeypatch.delenv("SOTAY_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.data_dir == (tmp_path / "dulieu").resolve()
    assert settings.database_url == f"sqlite:///{(tmp_path / 'dulieu' / 'sotay.db').resolve()}"
    assert settings.is_sqlite
    create_app(settings)
    assert (tmp_path / "dulieu" / "sotay.db").exists()


def test_defaults(tmp_path, monkeypatch):
    for name in ("SOTAY_DATA_DIR", "SOTAY_DATABASE_URL", "SOTAY_SECRET_KEY", "SOTAY_DEMO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.demo is False
    assert settings.access_token_minutes == 15


def test_sqlite_runs_in_wal_mode_with_foreign_keys(settings):
    db = Database(settings)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        with db.transaction() as session:
            # A row pointing at an organisation that does not exist is refused by the database itself.
            from sqlalchemy.exc import IntegrityError

            with pytest.raises(IntegrityError):
                session.execute(text("INSERT INTO member (full_name, name_folded, kind, org_id, created_at,"
                                     " updated_at) VALUES ('A', 'a', 'official', 999999, '2026-01-01',"
                                     " '2026-01-01')"))
            session.rollback()
    finally:
        db.dispose()


def test_write_sessions_take_the_sqlite_write_lock_up_front(settings):
    """BEGIN IMMEDIATE: a second writer waits for the lock instead of failing half-way."""
    db = Database(settings)
    try:
        writer = db.session(write=True)
        other = sqlite3.connect(settings.data_dir / "sotay.db", timeout=0, isolation_level=None)
        # The lock is held before the writer ran any statement: another writer cannot start.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        reader = db.session()
        reader.execute(text("SELECT count(*) FROM organization")).scalar()  # WAL: readers are not blocked
        reader.close()
        writer.rollback()
        writer.close()
    finally:
        db.dispose()
