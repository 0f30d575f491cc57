"""Migrations on a fresh PostgreSQL database, and concurrent sign-ins over real HTTP on both engines."""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from server.app import create_app
from server.config import Settings
from server.migrate import alembic_config, upgrade
from tests import factories
from tests.conftest import SECRET
from tests.requirements import need_postgres

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_migrations_build_a_fresh_postgresql_database(tmp_path):
    base = need_postgres()
    name = f"sotay_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        settings = Settings(data_dir=tmp_path, database_url=url, secret_key=SECRET)
        # Three servers starting at once on an empty database: they take turns, none fails.
        env = {**os.environ, "SOTAY_DATABASE_URL": url, "SOTAY_DATA_DIR": str(tmp_path),
               "SOTAY_SECRET_KEY": SECRET}
        starts = [subprocess.Popen([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(3)]
        outcomes = [(p.communicate(timeout=180)[1], p.returncode) for p in starts]
        assert [rc for _, rc in outcomes] == [0, 0, 0], [err[-2000:] for err, _ in outcomes]
        upgrade(settings)  # a later start finds nothing to do
        engine = create_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
            assert {"organization", "org_closure", "member", "user_account", "role_assignment", "membership",
                    "device_session", "refresh_token", "audit_entry"} <= tables
            with engine.connect() as conn:
                versions = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
            heads = set(ScriptDirectory.from_config(alembic_config(settings)).get_heads())
            assert versions == heads
            # Timestamps are stored with their zone on PostgreSQL.
            cols = {c["name"]: c for c in inspect(engine).get_columns("audit_entry")}
            assert getattr(cols["at"]["type"], "timezone", False) is True
        finally:
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _LiveServer:
    """The app under uvicorn in a thread: real sockets, real thread pool, real connection pool."""

    def __init__(self, settings: Settings):
        self.app = create_app(settings, migrate=False)
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.mark.slow
def test_thirty_concurrent_sign_ins_and_refreshes(any_settings, caplog):
    users = []
    seeding = create_app(any_settings, migrate=False).state.db
    with seeding.transaction() as session:
        world = factories.make_world(session)
        for i in range(10):
            users.append(factories.make_member(session, world.cell, username=f"dongthoi.{i}"))
    seeding.dispose()

    with _LiveServer(any_settings) as url:

        def one(i: int) -> list[tuple[int, str]]:
            person = users[i % len(users)]
            seen = []
            with httpx.Client(base_url=url, timeout=60) as http:
                r = http.post("/api/v1/auth/login", json={
                    "username": person.username, "password": person.password, "device_name": f"d{i}"})
                seen.append((r.status_code, r.text))
                if r.status_code == 200:
                    pair = r.json()
                    r2 = http.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
                    seen.append((r2.status_code, r2.text))
                    if r2.status_code == 200:
                        access = r2.json()["access_token"]
                        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
                        seen.append((me.status_code, me.text))
            return seen

        with ThreadPoolExecutor(max_workers=30) as pool:
            results = [x for batch in pool.map(one, range(30)) for x in batch]

    assert len(results) == 90
    assert [s for s, _ in results if s != 200] == [], [t for s, t in results if s != 200][:3]
    assert "database is locked" not in caplog.text
    assert not any(r.levelname == "ERROR" for r in caplog.records)


def test_a_background_job_lets_waiting_requests_write_first(app):
    """A job's chunk waits while a request queues for the writer (at most `max_wait`), so a check-in is
    not starved by a job that commits and begins again at once."""
    db = app.state.db
    entered = threading.Event()

    def chunk(max_wait: float) -> None:
        with db.background_transaction(max_wait=max_wait):
            entered.set()

    with db.request_writing():
        job = threading.Thread(target=chunk, args=(30,))
        job.start()
        assert not entered.wait(0.5)  # a request is waiting: the job holds back
    assert entered.wait(10)  # the request is done: the job goes on
    job.join()
    entered.clear()
    with db.request_writing():  # requests without end: the job is not starved either
        started = time.monotonic()
        chunk(0.2)
        assert entered.is_set() and time.monotonic() - started < 5


def test_a_running_server_copies_the_sqlite_log_into_the_database_itself(settings):
    """Commits leave the write-ahead log to the server's checkpoint thread (a commit that copied it, with
    its fsync, held every check-in behind it): what a request wrote reaches the database file on its own."""
    import sqlite3

    from fastapi.testclient import TestClient

    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as s:
            world = factories.make_world(s)
        headers = {"Authorization": "Bearer " + client.post("/api/v1/auth/login", json={
            "username": world.staff.username, "password": world.staff.password}).json()["access_token"]}
        resp = client.patch(f"/api/v1/orgs/{world.cell.id}", json={"name": "Chi bộ ghi ra tệp"},
                            headers=headers)
        assert resp.status_code == 200, resp.text
        with app.state.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        # The database file alone (its log ignored) holds the new name once the log was copied into it.
        path = settings.data_dir / "sotay.db"
        deadline = time.monotonic() + 20
        while True:
            raw = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
            try:
                names = {r[0] for r in raw.execute("SELECT name FROM organization")}
            finally:
                raw.close()
            if "Chi bộ ghi ra tệp" in names:
                break
            assert time.monotonic() < deadline, "the log was not copied into the database"
            time.sleep(0.1)
