"""`python -m server generate`'s member's year on a small province: shares of commitments, the study check's
attempts and bài thu hoạch, the review season's stages; every row in its member's cell and the check's
audience; the staff's figures read it."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from server.auth.principal import Principal, load_roles
from server.db import Database
from server.records.members import User
from server.study import stats as study_stats
from server.study.models import StudyCheck
from server.year import review_stats, stats
from tests.conftest import make_settings
from tests.server.test_generate import _cli, _db, _one

SIZE = ["--members", "1500", "--cells", "50", "--documents", "400", "--months", "1"]
UNTIL = "2026-12-01"


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("province-year")
    result = _cli(data_dir, *SIZE)
    assert result.returncode == 0, result.stderr
    for phase in ("cam kết năm", "kiểm tra nhận thức", "kiểm điểm"):
        assert f"] {phase}: " in result.stderr, phase
    return data_dir


@pytest.fixture(scope="module")
def conn(province: Path) -> Iterator[sqlite3.Connection]:
    with _db(province) as c:
        yield c


def _rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()


def test_about_nine_in_ten_registered_a_commitment_in_their_cell(conn):
    members = _one(conn, "SELECT count(*) FROM member")
    registered = _one(conn, "SELECT count(*) FROM commitment WHERE year = 2026")
    assert 0.85 * members <= registered <= 0.95 * members
    assert _one(conn, "SELECT count(*) FROM commitment c JOIN member m ON m.id = c.member_id "
                      "WHERE c.org_id != m.org_id") == 0
    statuses = dict(_rows(conn, "SELECT status, count(*) FROM commitment GROUP BY status"))
    assert set(statuses) == {"draft", "submitted", "approved", "returned"}
    assert statuses["approved"] > 0.8 * registered
    # 2-4 items each; results only on approved ones; the deciding leader is the cell's secretary.
    assert _rows(conn, "SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM commitment_item "
                       "GROUP BY commitment_id)") == [(2, 4)]
    assert _one(conn, "SELECT count(DISTINCT commitment_id) FROM commitment_item") == registered
    assert _one(conn, "SELECT count(*) FROM commitment_item i JOIN commitment c ON c.id = i.commitment_id "
                      "WHERE i.result IS NOT NULL AND c.status != 'approved'") == 0
    assert _one(conn, "SELECT count(*) FROM commitment_item WHERE result IS NOT NULL") > 0
    assert _one(conn, "SELECT count(*) FROM commitment c WHERE c.decided_by IS NOT NULL AND NOT EXISTS ("
                      "SELECT 1 FROM role_assignment r WHERE r.user_id = c.decided_by "
                      "AND r.org_id = c.org_id AND r.role = 'secretary')") == 0
    assert _one(conn, "SELECT max(max(created_at), max(updated_at)) FROM commitment") < UNTIL


def test_the_province_checks_a_resolution_most_of_its_members_took(conn):
    (check_id, document_id, opens, closes), = _rows(
        conn, "SELECT id, document_id, opens_at, closes_at FROM study_check")
    province = _one(conn, "SELECT id FROM organization WHERE kind = 'province'")
    assert _rows(conn, "SELECT org_id FROM study_check_audience") == [(province,)]
    # What a check may be set on (server/study/service.py): a resolution, else a study document.
    assert _rows(conn, "SELECT doc_type = 'resolution' OR category = 'study' FROM document WHERE id = ?",
                 document_id) == [(1,)]
    assert _one(conn, "SELECT count(*) FROM document_audience WHERE document_id = ? AND org_id = ?",
                document_id, province) == 1
    assert closes < UNTIL
    members = _one(conn, "SELECT count(*) FROM member")
    taken = _one(conn, "SELECT count(*) FROM study_attempt WHERE check_id = ?", check_id)
    assert 0.65 * members <= taken <= 0.85 * members
    scores = [s for (s,) in _rows(conn, "SELECT DISTINCT score FROM study_attempt")]
    assert len(scores) >= 7 and min(scores) <= 3 and max(scores) == 10
    assert 6 <= _one(conn, "SELECT avg(score) FROM study_attempt") <= 8
    # Each attempt: its member's cell, answered inside the window and the time limit.
    assert _one(conn, "SELECT count(*) FROM study_attempt a JOIN member m ON m.id = a.member_id "
                      "WHERE a.org_id != m.org_id") == 0
    assert _one(conn, "SELECT count(*) FROM study_attempt WHERE started_at < ? OR answered_at > ? "
                      "OR answered_at < started_at OR submitted_at < answered_at OR total != 10", opens,
                closes) == 0
    essays = _one(conn, "SELECT count(*) FROM study_essay WHERE document_id = ?", document_id)
    assert 0.3 * members <= essays <= 0.45 * members
    assert _one(conn, "SELECT count(*) FROM study_essay e JOIN member m ON m.id = e.member_id "
                      "WHERE e.org_id != m.org_id") == 0
    received = _one(conn, "SELECT count(*) FROM study_essay WHERE received_at IS NOT NULL")
    assert 0.75 * essays <= received < essays
    assert _one(conn, "SELECT count(*) FROM study_essay e WHERE e.received_by IS NOT NULL AND NOT EXISTS ("
                      "SELECT 1 FROM role_assignment r WHERE r.user_id = e.received_by "
                      "AND r.org_id = e.org_id AND r.role = 'secretary')") == 0


def test_every_attempt_and_essay_is_by_a_member_of_the_checks_audience(conn):
    in_audience = ("EXISTS (SELECT 1 FROM study_check c JOIN study_check_audience a ON a.check_id = c.id "
                   "JOIN org_closure o ON o.ancestor_id = a.org_id WHERE o.descendant_id = m.org_id AND {})")
    assert _one(conn, "SELECT count(*) FROM study_attempt x JOIN member m ON m.id = x.member_id WHERE NOT "
                + in_audience.format("c.id = x.check_id")) == 0
    assert _one(conn, "SELECT count(*) FROM study_essay x JOIN member m ON m.id = x.member_id WHERE NOT "
                + in_audience.format("c.document_id = x.document_id")) == 0


def test_the_review_season_in_december_has_every_stage(conn):
    statuses = dict(_rows(conn, "SELECT status, count(*) FROM self_review WHERE year = 2026 GROUP BY status"))
    assert set(statuses) == {"draft", "submitted", "proposed", "confirmed", "exempt"}
    members = _one(conn, "SELECT count(*) FROM member")
    assert 0.8 * members <= sum(statuses.values()) <= 0.95 * members
    assert _one(conn, "SELECT count(*) FROM self_review r JOIN member m ON m.id = r.member_id "
                      "WHERE r.org_id != m.org_id") == 0
    # Only members exempt from party work are exempt, and they are not rated.
    assert _one(conn, "SELECT count(*) FROM self_review r JOIN member m ON m.id = r.member_id "
                      "WHERE (r.status = 'exempt') != (m.kind = 'exempt')") == 0
    assert _one(conn, "SELECT count(*) FROM self_review WHERE status = 'exempt' AND (self_level IS NOT NULL "
                      "OR exempt_reason IS NULL)") == 0
    # Stages carry what they need: a proposal by the cell's secretary, a confirmation by staff above it.
    assert _one(conn, "SELECT count(*) FROM self_review WHERE status IN ('submitted', 'proposed', "
                      "'confirmed') AND submitted_at IS NULL") == 0
    assert _one(conn, "SELECT count(*) FROM self_review r WHERE r.status IN ('proposed', 'confirmed') "
                      "AND NOT EXISTS (SELECT 1 FROM role_assignment a WHERE a.user_id = r.proposed_by "
                      "AND a.org_id = r.org_id AND a.role = 'secretary')") == 0
    assert _one(conn, "SELECT count(*) FROM self_review r WHERE r.status = 'confirmed' AND NOT EXISTS ("
                      "SELECT 1 FROM role_assignment a JOIN org_closure c ON c.ancestor_id = a.org_id "
                      "WHERE a.user_id = r.confirmed_by AND a.role = 'staff' "
                      "AND a.org_id = r.confirmed_org_id AND c.descendant_id = r.org_id "
                      "AND c.distance > 0)") == 0
    assert _one(conn, "SELECT count(*) FROM self_review WHERE (status = 'confirmed') != "
                      "(confirmed_level IS NOT NULL)") == 0
    levels = dict(_rows(conn, "SELECT confirmed_level, count(*) FROM self_review WHERE status = 'confirmed' "
                              "GROUP BY 1"))
    assert levels["good"] > levels.get("excellent", 0)
    assert _one(conn, "SELECT max(max(created_at), max(updated_at)) FROM self_review") < UNTIL


def test_the_provinces_staff_read_the_figures_of_every_cell(province, conn):
    province_id = _one(conn, "SELECT id FROM organization WHERE kind = 'province'")
    staff = _one(conn, "SELECT min(user_id) FROM role_assignment WHERE role = 'staff' AND org_id = ?",
                 province_id)
    settings = make_settings(province)
    db = Database(settings)
    try:
        with Session(db.engine) as session:
            user = session.get(User, staff)
            assert user is not None
            who = Principal(user=user, member=None, session_id=None, roles=load_roles(session, staff))
            commitments = stats.summary(session, who, province_id, 2026)
            check = session.get(StudyCheck, _one(conn, "SELECT id FROM study_check"))
            assert check is not None
            study = study_stats.figures(session, who, check, province_id)
            reviews = review_stats.summary(session, who, province_id, 2026, settings.review_top_share)
    finally:
        db.dispose()
    assert len(commitments.cells) == len(study.cells) == len(reviews.cells) == 50
    approved = _one(conn, "SELECT count(*) FROM commitment WHERE status = 'approved'")
    assert commitments.totals.approved == approved
    assert study.totals.taken == _one(conn, "SELECT count(*) FROM study_attempt")
    assert reviews.totals.members == _one(conn, "SELECT count(*) FROM member")
