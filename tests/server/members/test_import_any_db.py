"""The importer's batched queries (scope, matching, common ancestor) on SQLite and PostgreSQL."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.app import create_app
from server.config import Settings
from server.records.audit import AuditEntry
from server.records.members import Member, Membership
from tests import factories
from tests.server.members.factories import csv_bytes, post_import, xlsx_bytes


@pytest.fixture
def env(any_settings: Settings) -> Iterator[tuple[TestClient, factories.World, object]]:
    app = create_app(any_settings, migrate=False)
    with app.state.db.transaction() as s:
        world = factories.make_world(s)
    with TestClient(app) as client:
        yield client, world, app.state.db


def test_import_creates_updates_transfers(env):
    client, world, database = env
    token = client.post(
        "/api/v1/auth/login", json={"username": world.staff.username, "password": world.staff.password}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    m = world.member.member
    rows = [
        ["Trịnh Thị Hoa", "12345678", world.cell.code, "05/06/1977"],
        [m.full_name, m.card_number, world.sibling_cell.code, "01/01/1980"],
        ["Người Ngoài", world.other_member.member.card_number, world.cell.code, ""],
    ]
    head = ["Họ và tên", "Số thẻ", "Mã chi bộ", "Ngày sinh"]
    report = post_import(client, headers, csv_bytes(rows, head), import_valid_rows=True).json()
    assert [r["status"] for r in report["rows"]] == ["created", "updated", "rejected"], report
    again = post_import(client, headers, xlsx_bytes(rows[:2], head), filename="a.xlsx").json()
    assert [r["status"] for r in again["rows"]] == ["unchanged", "unchanged"], again
    with database.transaction() as s:
        created = s.execute(select(Member).where(Member.card_number == "12345678")).scalar_one()
        assert created.full_name == "Trịnh Thị Hoa" and created.org_id == world.cell.id
        history = s.execute(
            select(Membership.org_id).where(Membership.member_id == m.id).order_by(Membership.id)
        )
        assert list(history.scalars()) == [world.cell.id, world.sibling_cell.id]
        entries = list(
            s.execute(
                select(AuditEntry).where(AuditEntry.action == "member.import").order_by(AuditEntry.id)
            ).scalars()
        )
        assert entries[0].org_id == world.grassroots.id  # deepest org above both touched cells
        assert json.loads(entries[0].detail)["rejected"] == 1
