"""The stage for the authorisation matrix: one app, one world, every kind of caller signed in.

Writes are undone between calls by restoring a snapshot of the SQLite file (the online backup API), so
every call meets the same world: a caller allowed to delete the meeting does not hide it from the next.
"""

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.app import create_app
from server.meetings.models import AbsenceRequest, AgendaItem, Resolution
from server.records.members import RoleAssignment
from shared.enums import Role
from tests.conftest import make_settings
from tests.factories import Person, make_member, make_world
from tests.server.documents.factories import create_doc, pdf_bytes
from tests.server.meetings.factories import make_meeting
from tests.server.study.factories import for_matrix as study_for_matrix
from tests.server.year.factories import for_matrix as year_for_matrix
from tests.server.year.factories import reviews_for_matrix
from tests.signin import bearer

# Signed-in kinds of caller, in the order of the matrix's expectation strings.
CALLERS = ("member_a", "secretary_a", "member_b", "secretary_b", "staff_low", "staff_above", "admin")
# Checked on every guarded route besides: no token at all, and a token whose session was ended.
NOBODY = ("anonymous", "revoked")


@dataclass
class Stage:
    app: FastAPI
    client: TestClient
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]
    snapshot: sqlite3.Connection
    people: dict[str, Person] = field(default_factory=dict)
    checkin_secret: tuple[str, int] = ("", 30)  # the live meeting's TOTP secret and interval

    def checkin_code(self) -> str:
        secret, interval = self.checkin_secret
        return pyotp.TOTP(secret, interval=interval).now()

    def restore(self) -> None:
        """Bring the database back to the arranged world (pooled connections are idle between calls)."""
        raw = self.app.state.db.engine.raw_connection()
        try:
            self.snapshot.backup(raw.driver_connection)
        finally:
            raw.close()

    def call(self, caller: str, method: str, url: str, body: object = None):
        headers = self.headers.get(caller, {})
        if isinstance(body, bytes):  # an upload
            return self.client.request(method, url, headers=headers,
                                       files={"file": ("a.pdf", body, "application/pdf")})
        return self.client.request(method, url, headers=headers, json=body)


def _arrange(app: FastAPI, client: TestClient) -> tuple[dict[str, Person], dict[str, int], tuple[str, int]]:
    now = datetime.now(UTC)
    with app.state.db.transaction() as db:
        w = make_world(db)
        w.cell.meeting_day = 4
        people = {
            "member_a": w.member, "secretary_a": w.secretary, "member_b": w.other_member,
            "secretary_b": w.other_secretary, "admin": w.admin,
            # staff of the commune committee above cell A; province staff and an admin keep their member
            # record in cell A1-2, inside that commune: the role-reach cases of issue 10, item 1.
            "staff_low": make_member(db, w.sibling_cell, username="canbo.xa",
                                     roles=[(Role.staff, w.grassroots)]),
            "staff_above": w.province_staff,
            "cell_admin": make_member(db, w.sibling_cell, username="quantri.xa", roles=[(Role.admin, None)]),
            "revoked": make_member(db, w.cell, username="dangvien.thoat"),
        }
        live = make_meeting(db, w.cell, starts_at=now + timedelta(minutes=5),
                            opened_at=now - timedelta(minutes=1))
        draft = make_meeting(db, w.cell, status="draft", starts_at=now + timedelta(days=3))
        scheduled = make_meeting(db, w.cell, starts_at=now + timedelta(minutes=10))
        held = make_meeting(db, w.cell, starts_at=now - timedelta(hours=3),
                            opened_at=now - timedelta(hours=3))
        db.add(Resolution(meeting_id=live.id, title="NQ", votes_for=1, base=3))
        request = AbsenceRequest(meeting_id=live.id, member_id=w.member.member.id, reason="Ốm nặng")
        db.add(request)
        db.flush()
        secretary_role = db.execute(select(RoleAssignment.id).where(
            RoleAssignment.user_id == w.secretary.user.id, RoleAssignment.role == Role.secretary.value)
        ).scalar_one()
        province_role = db.execute(select(RoleAssignment.id).where(
            RoleAssignment.user_id == w.province_staff.user.id)).scalar_one()
        ids = {
            "cell_a": w.cell.id, "cell_a2": w.sibling_cell.id, "cell_b": w.other_cell.id,
            "commune": w.grassroots.id, "district": w.district.id, "province": w.province.id,
            "member_a": w.member.member.id, "secretary_a": w.secretary.member.id,
            "province_staff": w.province_staff.member.id, "cell_admin": people["cell_admin"].member.id,
            "meeting": live.id, "draft_meeting": draft.id,
            "scheduled_meeting": scheduled.id, "held_meeting": held.id, "request": request.id,
            "resolution": db.execute(select(Resolution.id)).scalar_one(),
            "secretary_role": secretary_role, "province_role": province_role,
        }
        checkin = (live.checkin_secret or "", live.checkin_interval)
        ids.update(year_for_matrix(db, w.member))
        ids.update(reviews_for_matrix(db, w.member, w.member2))
    # A member of cell A without an account, for account creation.
    with app.state.db.transaction() as db:
        bare = make_member(db, w.cell)
        db.delete(bare.user)
        ids["bare_member"] = bare.member.id
    staff = bearer(client, w.staff)
    until = (now + timedelta(days=3)).isoformat()
    doc = create_doc(client, staff, "Tài liệu chi bộ A1-1", [w.cell.id], category="study")
    draft_doc = create_doc(client, staff, "Dự thảo chi bộ A1-1", [w.cell.id], status="draft",
                           comments_until=until)
    att = client.post(f"/api/v1/documents/{doc['id']}/attachments", headers=staff,
                      files={"file": ("a.pdf", pdf_bytes(), "application/pdf")})
    assert att.status_code == 201, att.text
    ids.update(document=doc["id"], draft_document=draft_doc["id"], attachment=att.json()["id"])
    with app.state.db.transaction() as db:
        # The live meeting's agenda carries the document nobody has read: its reading reminder can be sent.
        db.add(AgendaItem(meeting_id=ids["meeting"], position=1, title="Học tập", document_ids=[doc["id"]]))
        ids.update(study_for_matrix(db, w.cell, doc["id"], w.member))
    return people, ids, checkin


def open_stage(data_dir: Path, template: Path) -> Iterator[Stage]:
    shutil.copy(template, data_dir / "sotay.db")
    app = create_app(make_settings(data_dir), migrate=False)
    with TestClient(app) as client:
        people, ids, checkin = _arrange(app, client)
        headers = {name: bearer(client, people[name]) for name in CALLERS}
        headers["revoked"] = bearer(client, people["revoked"])
        assert client.post("/api/v1/auth/logout", headers=headers["revoked"]).status_code == 204
        snapshot = sqlite3.connect(":memory:")
        raw = app.state.db.engine.raw_connection()
        try:
            raw.driver_connection.backup(snapshot)
        finally:
            raw.close()
        yield Stage(app=app, client=client, headers=headers, ids=ids, snapshot=snapshot, people=people,
                    checkin_secret=checkin)
        snapshot.close()
