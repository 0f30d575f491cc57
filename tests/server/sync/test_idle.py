"""The up-to-date poll answered from one statement (server/sync/idle.py): it saves work, never a change,
and refuses a session the moment it ends, like the full feed."""

import base64
from datetime import timedelta

import pytest
from sqlalchemy import event

from server.members import service as members
from server.records.changelog import record_change
from server.sync import service as sync_service
from server.sync.cursor import Scope, cursor_key, decode
from server.timeutil import utcnow
from tests.conftest import SECRET
from tests.server.sync.helpers import Device


@pytest.fixture
def statements(app):
    """The SQL statements the server ran, transaction control aside (reset with .clear())."""
    ran: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            ran.append(statement)

    event.listen(app.state.db.engine, "before_cursor_execute", count)
    yield ran
    event.remove(app.state.db.engine, "before_cursor_execute", count)


def _poll(client, device: Device):
    return client.get("/api/v1/sync", params={"cursor": device.cursor}, headers=device.headers)


def test_an_up_to_date_poll_costs_one_statement_and_moves_the_cursor_on(client, world, login, db,
                                                                      statements):
    device = Device(client, login(world.member))
    device.pull()
    # Busy elsewhere: another district's cell changes; nothing of it concerns this member.
    record_change(db, "organization", world.other_cell.id, org_ids=[world.other_cell.id])
    db.commit()
    statements.clear()
    resp = _poll(client, device)
    assert resp.status_code == 200, resp.text
    assert len(statements) == 1
    page = resp.json()
    assert page == {"changes": [], "cursor": page["cursor"], "has_more": False, "reset": False}
    assert decode(page["cursor"]).version == sync_service.current_version(db) > decode(device.cursor).version
    assert resp.headers["x-content-type-options"] == "nosniff"  # hardened like every answer
    assert resp.headers["cache-control"] == "no-store"


def test_a_change_for_the_member_is_never_answered_as_idle(client, world, login, db, statements):
    device = Device(client, login(world.member))
    device.pull()
    for scope in ({"org_ids": [world.cell.id]}, {"org_ids": [world.province.id]},
                  {"user_ids": [world.member.user.id]}):
        record_change(db, "organization", world.cell.id, **scope)
        db.commit()
        statements.clear()
        page = _poll(client, device).json()
        assert [c["id"] for c in page["changes"]] == [world.cell.id], scope
        assert len(statements) > 1  # the full feed answered
        device.cursor = page["cursor"]


@pytest.mark.parametrize("end", ["revoke", "disable"])
def test_an_ended_session_is_refused_on_its_next_poll(client, world, login, db, end):
    device = Device(client, login(world.member))
    device.pull()
    assert _poll(client, device).status_code == 200
    if end == "revoke":
        client.post("/api/v1/auth/logout", headers=device.headers)
        code = "session_revoked"
    else:
        world.member.user.is_active = False
        db.add(world.member.user)
        db.commit()
        code = "account_disabled"
    resp = _poll(client, device)
    assert resp.status_code == 401 and resp.json()["code"] == code


def test_a_cursor_pointed_at_other_scopes_is_not_trusted(client, world, login, db, statements):
    device = Device(client, login(world.member))
    device.pull()
    raw = base64.urlsafe_b64decode(device.cursor + "==").decode()
    kind, version, fingerprint, scope, mac = raw.split(".")
    forged = Scope(world.member.user.id, (world.other_cell.id,)).token()
    tampered = base64.urlsafe_b64encode(f"{kind}.{version}.{fingerprint}.{forged}.{mac}".encode()).decode()
    assert decode(tampered.rstrip("="), cursor_key(SECRET)).scope is None
    record_change(db, "organization", world.cell.id, org_ids=[world.cell.id])
    db.commit()
    statements.clear()
    page = client.get("/api/v1/sync", params={"cursor": tampered.rstrip("=")}, headers=device.headers).json()
    assert [c["id"] for c in page["changes"]] == [world.cell.id]  # the full feed, with the real view
    assert len(statements) > 1


def test_the_cursor_of_another_user_is_not_answered_for_them(client, world, login):
    mine, theirs = Device(client, login(world.member)), Device(client, login(world.member2))
    mine.pull()
    resp = client.get("/api/v1/sync", params={"cursor": mine.cursor}, headers=theirs.headers)
    assert resp.status_code == 200 and resp.json()["reset"] is True  # their own view, from the start


def test_a_role_granted_meanwhile_resets_the_device(client, world, login, db):
    from server.auth.principal import build
    from shared.enums import Role
    from shared.schemas.members import RoleAssign

    device = Device(client, login(world.member))
    device.pull()
    members.assign_role(db, build(db, world.staff.user, None, None), world.member.member.id,
                        RoleAssign(role=Role.secretary, org_id=world.cell.id))
    db.commit()
    page = _poll(client, device).json()
    assert page["reset"] is True


def test_a_cursor_older_than_the_log_still_gets_410(client, world, login, db):
    device = Device(client, login(world.member))
    device.pull()
    record_change(db, "organization", world.other_cell.id, org_ids=[world.other_cell.id])
    db.commit()
    assert sync_service.prune(db, older_than=utcnow() + timedelta(seconds=1)) > 0
    db.commit()
    resp = _poll(client, device)
    assert resp.status_code == 410 and resp.json()["code"] == "cursor_expired"


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"extra": "1"}])
def test_odd_parameters_get_the_full_feeds_answer(client, world, login, params):
    device = Device(client, login(world.member))
    device.pull()
    resp = client.get("/api/v1/sync", params={"cursor": device.cursor, **params}, headers=device.headers)
    expected = 422 if "limit" in params else 200
    assert resp.status_code == expected, resp.text


def test_the_idle_answer_on_both_engines(any_settings):
    """The same one statement on SQLite and PostgreSQL: idle while nothing is new, the change once it is."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests import factories

    app = create_app(any_settings, migrate=False)
    with app.state.db.transaction() as s:
        world = factories.make_world(s)
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                        "password": world.member.password}).json()
        device = Device(client, {"Authorization": f"Bearer {token['access_token']}"})
        device.pull()
        with app.state.db.transaction() as s:
            record_change(s, "organization", world.other_cell.id, org_ids=[world.other_cell.id])
        idle = _poll(client, device).json()
        assert idle["changes"] == [] and decode(idle["cursor"]).version > decode(device.cursor).version
        device.cursor = idle["cursor"]
        with app.state.db.transaction() as s:
            record_change(s, "organization", world.cell.id, org_ids=[world.cell.id])
        assert [c["id"] for c in _poll(client, device).json()["changes"]] == [world.cell.id]
    app.state.db.dispose()


def test_a_view_of_many_organisations_gets_a_cursor_the_feed_accepts(client, world, login, db):
    from server.auth.principal import build
    from server.sync.service import MAX_CURSOR_ORGS
    from shared.enums import OrgKind, Role
    from shared.schemas.members import RoleAssign
    from tests.factories import make_org

    admin = build(db, world.admin.user, None, None)
    for i in range(MAX_CURSOR_ORGS + 5):  # staff of many communes at once
        org = make_org(db, f"Đảng bộ xã Nhiều {i}", OrgKind.grassroots, world.district)
        db.flush()
        members.assign_role(db, admin, world.member.member.id, RoleAssign(role=Role.staff, org_id=org.id))
    db.commit()
    device = Device(client, login(world.member))
    device.pull()
    assert len(device.cursor) <= 400
    assert _poll(client, device).status_code == 200


@pytest.mark.postgres
def test_on_postgresql_the_idle_poll_takes_no_pooled_connection_and_still_refuses_ended_sessions(
    pg_settings_for_idle,
):
    """PostgreSQL: the idle answer comes from the poll's own async connection (no thread, no pool), and an
    ended session is refused on its next poll all the same."""
    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests import factories

    app = create_app(pg_settings_for_idle, migrate=False)
    with app.state.db.transaction() as s:
        world = factories.make_world(s)
    ran: list[str] = []
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                        "password": world.member.password}).json()
        device = Device(client, {"Authorization": f"Bearer {token['access_token']}"})
        device.pull()

        def count(_conn, _cursor, statement, *_args):
            ran.append(statement)

        event.listen(app.state.db.engine, "before_cursor_execute", count)
        for _ in range(3):
            idle = _poll(client, device)
            assert idle.status_code == 200 and idle.json()["changes"] == []
        event.remove(app.state.db.engine, "before_cursor_execute", count)
        assert ran == []
        client.post("/api/v1/auth/logout", headers=device.headers)
        refused = _poll(client, device)
        assert refused.status_code == 401 and refused.json()["code"] == "session_revoked"
    app.state.db.dispose()


@pytest.fixture
def pg_settings_for_idle(tmp_path, pg_template):
    from tests.conftest import _pg_database, make_settings

    for url in _pg_database(pg_template):
        yield make_settings(tmp_path, database_url=url)
