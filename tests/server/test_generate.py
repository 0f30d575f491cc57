"""`python -m server generate`: a small province built through the command line, signed into through the
API: counts, leaders, what a member's phone receives, the same data from the same seed, the refusal."""

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.documents.sync import horizon_start
from server.generate.province.generator import FEW_ROWS
from server.timeutil import utcnow
from tests.conftest import make_settings
from tests.server.auth.helpers import bearer, tokens

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--members", "600", "--cells", "20", "--documents", "50", "--months", "2"]
PASSWORD = "tinh-thu-2026"
# Every table the generator writes, compared between runs (the password hash is salted: left out).
DIGESTED = ["organization", "org_closure", "member", "user_account", "role_assignment", "membership",
            "document", "document_audience", "document_attachment", "document_read", "document_comment",
            "meeting", "meeting_agenda_item", "attendance", "absence_request", "notification",
            "commitment", "commitment_item", "study_check", "study_check_audience", "study_attempt",
            "study_essay", "self_review"]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOTAY_DATA_DIR": str(data_dir)}
    for name in ("SOTAY_DATABASE_URL", "SOTAY_SECRET_KEY", "SOTAY_DEMO", "SOTAY_FILE_STORE"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "server", "generate", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@contextmanager
def _db(data_dir: Path) -> Iterator[sqlite3.Connection]:
    """A connection closed on leaving (sqlite3's own `with` only commits: the last close, whenever the
    garbage collector got to it, checkpointed and deleted the WAL file under a copy of the directory)."""
    conn = sqlite3.connect(data_dir / "sotay.db")
    try:
        yield conn
    finally:
        conn.close()


def _one(conn: sqlite3.Connection, sql: str, *params: Any) -> Any:
    return conn.execute(sql, params).fetchone()[0]


def _digest(data_dir: Path) -> dict[str, str]:
    """A SHA-256 of each generated table's rows, every column but the salted password hash."""
    out = {}
    with _db(data_dir) as conn:
        for table in DIGESTED:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "password_hash"]
            h = hashlib.sha256()
            listed = ", ".join(columns)
            for row in conn.execute(f"SELECT {listed} FROM {table} ORDER BY {listed}"):
                h.update(repr(row).encode())
            out[table] = h.hexdigest()
    return out


def _samples(stdout: str) -> dict[str, str]:
    """The accounts the command prints: who -> username."""
    found = {}
    for line in stdout.splitlines():
        match = re.match(r"^  (\S.*?)\s{2,}(\S+)\s+\S", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("province")
    result = _cli(data_dir, *SMALL)
    assert result.returncode == 0, result.stderr
    return data_dir, result


@pytest.fixture(scope="module")
def client(province: tuple[Path, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(province[0]))) as c:
        yield c


def test_counts_tree_and_progress(province):
    data_dir, result = province
    assert "Mật khẩu của mọi tài khoản: tinh-thu-2026" in result.stdout
    for phase in ("tổ chức", "đảng viên", "văn bản", "lượt đọc", "sinh hoạt", "thông báo"):
        assert re.search(rf"\] {phase}: .*\(\d+\.\d s\)", result.stderr), phase
    with _db(data_dir) as conn:
        assert _one(conn, "SELECT count(*) FROM organization WHERE kind = 'cell'") == 20
        assert _one(conn, "SELECT count(*) FROM organization WHERE kind = 'province'") == 1
        assert _one(conn, "SELECT count(*) FROM organization WHERE kind = 'district'") >= 2
        assert _one(conn, "SELECT count(*) FROM member") == 600
        assert _one(conn, "SELECT count(*) FROM user_account") == 601  # and the administrator
        assert _one(conn, "SELECT count(DISTINCT password_hash) FROM user_account") == 1
        assert _one(conn, "SELECT count(DISTINCT member_id) FROM membership") == 600
        assert _one(conn, "SELECT count(*) FROM document") == 50
        # The closure holds every ancestor-descendant pair, each organisation its own at distance 0.
        orgs = _one(conn, "SELECT count(*) FROM organization")
        pairs = _one(conn, "SELECT count(*) FROM org_closure")
        assert _one(conn, "SELECT sum(depth + 1) FROM organization") == pairs
        assert _one(conn, "SELECT count(*) FROM org_closure c JOIN organization o ON o.id = c.descendant_id "
                          "WHERE c.distance = 0 AND c.ancestor_id = o.id") == orgs
        assert _one(conn, "SELECT count(*) FROM org_closure c JOIN organization o ON o.id = c.descendant_id "
                          "JOIN organization a ON a.id = c.ancestor_id "
                          "WHERE o.depth - a.depth != c.distance") == 0
        # Members sit in cells only; every cell has 3 or more.
        assert _one(conn, "SELECT count(*) FROM member m JOIN organization o ON o.id = m.org_id "
                          "WHERE o.kind != 'cell'") == 0
        assert _one(conn, "SELECT min(n) FROM (SELECT count(*) AS n FROM member GROUP BY org_id)") >= 3
        # Two held months and the month of --until for each cell, one regular meeting a month.
        assert _one(conn, "SELECT min(n) FROM (SELECT count(*) AS n FROM meeting WHERE kind = 'regular' "
                          "GROUP BY org_id)") >= 3
        assert _one(conn, "SELECT count(*) FROM (SELECT org_id, regular_month FROM meeting "
                          "WHERE regular_month IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)") == 0
        assert _one(conn, "SELECT count(*) FROM attendance") > 600
        assert _one(conn, "SELECT count(*) FROM meeting WHERE status = 'closed' "
                          "AND (minutes_text IS NULL OR minutes_published_at IS NULL)") == 0
        assert _one(conn, "SELECT max(starts_at) FROM meeting WHERE status = 'closed'") < "2026-12-01"
        assert _one(conn, "SELECT count(*) FROM document_read") > 0
        # The audit log says the data was generated, and how.
        assert '"seed": 1' in _one(conn, "SELECT detail FROM audit_entry WHERE action = 'user.admin_created'")


def test_every_cell_has_a_secretary_and_each_level_its_staff(province):
    with _db(province[0]) as conn:
        rows = conn.execute(
            "SELECT o.id, count(r.id), sum(m.org_id = o.id) FROM organization o "
            "LEFT JOIN role_assignment r ON r.org_id = o.id AND r.role = 'secretary' "
            "LEFT JOIN user_account u ON u.id = r.user_id LEFT JOIN member m ON m.id = u.member_id "
            "WHERE o.kind = 'cell' GROUP BY o.id").fetchall()
        assert len(rows) == 20
        assert all(count == 1 and own == 1 for _, count, own in rows), rows
        assert _one(conn, "SELECT count(*) FROM organization o WHERE o.kind = 'cell' AND NOT EXISTS ("
                          "SELECT 1 FROM role_assignment r WHERE r.org_id = o.id "
                          "AND r.role = 'deputy_secretary')") == 0
        for kind in ("province", "district"):
            assert _one(conn, "SELECT count(*) FROM organization o WHERE o.kind = ? AND NOT EXISTS ("
                              "SELECT 1 FROM role_assignment r WHERE r.org_id = o.id AND r.role = 'staff')",
                        kind) == 0
        assert _one(conn, "SELECT count(*) FROM role_assignment WHERE role = 'admin'") == 1


def test_the_planner_knows_the_large_tables_and_not_the_nearly_empty_ones(province):
    """Statistics taken when the audit log held a row or two would make the planner scan it for good: the
    check-in throttle's lookup on every evening batch (server/meetings/checkin_batch.py) did."""
    with _db(province[0]) as conn:
        known = {t for (t,) in conn.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
        large = {t for t in DIGESTED if _one(conn, f"SELECT count(*) FROM {t}") >= FEW_ROWS}
        assert "attendance" in large and large <= known
        assert _one(conn, "SELECT count(*) FROM audit_entry") < FEW_ROWS
        assert "audit_entry" not in known
        plan = " ".join(r[3] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT actor_user_id, target_id, count(*) FROM audit_entry "
            "WHERE action = 'attendance.checkin_failed' AND actor_user_id IN (1, 2) AND at >= '2026-12-01' "
            "GROUP BY actor_user_id, target_id"))
        assert "USING INDEX" in plan and "SCAN audit_entry" not in plan, plan


def test_the_known_password_signs_in_the_printed_accounts(province, client):
    data_dir, result = province
    samples = _samples(result.stdout)
    assert set(samples) >= {"đảng viên", "bí thư chi bộ", "cán bộ xã", "cán bộ huyện", "cán bộ tỉnh",
                            "quản trị"}
    expected = {"đảng viên": set(), "bí thư chi bộ": {"secretary"}, "cán bộ tỉnh": {"staff"},
                "quản trị": {"admin"}}
    for who, roles in expected.items():
        me = client.get("/api/v1/me", headers=bearer(tokens(client, samples[who], PASSWORD)["access_token"]))
        assert me.status_code == 200, me.text
        assert {r["role"] for r in me.json()["roles"]} - {"member"} == roles, who
    with _db(data_dir) as conn:
        province_id = _one(conn, "SELECT id FROM organization WHERE kind = 'province'")
        assert _one(conn, "SELECT count(*) FROM role_assignment r JOIN user_account u ON u.id = r.user_id "
                          "WHERE u.username = ? AND r.role = 'staff' AND r.org_id = ?",
                    samples["cán bộ tỉnh"], province_id) == 1
    assert client.post("/api/v1/auth/login", json={"username": samples["đảng viên"],
                                                   "password": "sai-mat-khau"}).status_code == 401


def _feed(client: TestClient, headers: dict[str, str]) -> tuple[dict[str, set[int]], str]:
    """A fresh device's first sync, every page: ids by type, and the cursor it ends with."""
    seen: dict[str, set[int]] = {}
    cursor = None
    for _ in range(100):
        params = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/sync", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        for change in body["changes"]:
            assert change["op"] == "upsert"
            seen.setdefault(change["type"], set()).add(change["id"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return seen, cursor
    raise AssertionError("the snapshot never ended")


def test_a_members_first_sync_holds_their_cell_and_what_is_addressed_to_them(province, client):
    data_dir, result = province
    username = _samples(result.stdout)["đảng viên"]
    headers = bearer(tokens(client, username, PASSWORD)["access_token"])
    seen, cursor = _feed(client, headers)
    now = utcnow().replace(tzinfo=None).isoformat(" ")
    with _db(data_dir) as conn:
        member_id, cell_id = conn.execute(
            "SELECT m.id, m.org_id FROM user_account u JOIN member m ON m.id = u.member_id "
            "WHERE u.username = ?", (username,)).fetchone()
        path = {r[0] for r in conn.execute("SELECT ancestor_id FROM org_closure WHERE descendant_id = ?",
                                           (cell_id,))}
        meetings = {r[0] for r in conn.execute(
            "SELECT id FROM meeting WHERE org_id = ? AND status != 'draft'", (cell_id,))}
        live = ("(d.status IN ('published', 'superseded') OR (d.status = 'scheduled' AND d.publish_at <= ?)"
                " OR (d.status = 'draft' AND d.comments_until IS NOT NULL))")
        addressed = {r[0] for r in conn.execute(
            f"SELECT DISTINCT d.id FROM document d JOIN document_audience a ON a.document_id = d.id "
            f"WHERE a.org_id IN ({', '.join('?' * len(path))}) AND {live}", (*path, now))}
        # The year before the horizon's start is in the archive, reached online (docs/protocol.md, section 1).
        since = horizon_start(utcnow(), 12).replace(tzinfo=None).isoformat(" ")
        recent = {r[0] for r in conn.execute(
            f"SELECT id FROM document WHERE id IN ({', '.join('?' * len(addressed))}) "
            "AND COALESCE(published_at, publish_at, created_at) >= ?", (*addressed, since))}
        district = _one(conn, "SELECT o.id FROM organization o JOIN org_closure c ON c.ancestor_id = o.id "
                              "WHERE c.descendant_id = ? AND o.kind = 'district'", cell_id)
        other = _one(conn, "SELECT id FROM organization WHERE kind = 'district' AND id != ? ORDER BY id",
                     district)
        # Live documents whose every audience lies inside another district.
        elsewhere = {r[0] for r in conn.execute(
            f"SELECT d.id FROM document d WHERE {live} AND NOT EXISTS (SELECT 1 FROM document_audience a "
            "WHERE a.document_id = d.id AND a.org_id NOT IN "
            "(SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))", (now, other))}
        own_marks = {r[0] for r in conn.execute("SELECT id FROM attendance WHERE member_id = ?",
                                                (member_id,))}
    assert meetings and seen.get("meeting") == meetings
    assert recent and recent <= seen["document"] <= addressed  # the recent ones, and relevant older ones
    assert elsewhere and not elsewhere & seen["document"]
    assert own_marks and seen.get("attendance") == own_marks
    assert path <= seen["organization"]
    assert seen.get("member") == {member_id}
    # Up to date: the next poll brings nothing (the generator's rows need no change log to be delivered).
    poll = client.get("/api/v1/sync", params={"cursor": cursor}, headers=headers).json()
    assert poll["changes"] == [] and not poll["has_more"]


def test_same_seed_same_database_and_a_second_run_refuses(province, tmp_path):
    data_dir, _ = province
    again = _cli(tmp_path / "b", *SMALL)
    assert again.returncode == 0, again.stderr
    digest = _digest(data_dir)
    assert _digest(tmp_path / "b") == digest
    other_seed = _cli(tmp_path / "c", *SMALL, "--seed", "2")
    assert other_seed.returncode == 0, other_seed.stderr
    assert _digest(tmp_path / "c")["member"] != digest["member"]

    refused = _cli(data_dir, *SMALL)
    assert refused.returncode == 2
    assert "đã có" in refused.stderr and "--force" in refused.stderr
    assert _digest(data_dir) == digest

    # --force empties the database and builds the same province again; cursors handed out before expire.
    shutil.copytree(tmp_path / "b", tmp_path / "d")
    forced = _cli(tmp_path / "d", *SMALL, "--force")
    assert forced.returncode == 0, forced.stderr
    assert _digest(tmp_path / "d") == digest
    with _db(tmp_path / "d") as conn:
        assert _one(conn, "SELECT version FROM sync_horizon WHERE id = 1") == _one(
            conn, "SELECT version FROM sync_counter WHERE id = 1") > 0


def test_sizes_the_tree_cannot_hold_are_refused(tmp_path):
    result = _cli(tmp_path, "--members", "20", "--cells", "10")
    assert result.returncode == 2 and "--members" in result.stderr
