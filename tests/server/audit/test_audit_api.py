"""The audit log: written for every administrative change, readable by staff of that subtree only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.records.audit import AuditEntry
from tests.server.members.factories import csv_bytes, fresh, post_import

API = "/api/v1/audit"


@pytest.fixture
def history(client, world, login):
    """A morning of administration in the district, through the API."""
    staff = login(world.staff)
    m = world.member.member.id
    created = client.post(
        "/api/v1/members",
        headers=staff,
        json={"full_name": "Đinh Công Tráng", "org_id": world.cell.id, "card_number": "31415926"},
    )
    assert created.status_code == 201
    calls = [
        client.post(
            f"/api/v1/members/{m}/roles",
            headers=staff,
            json={"role": "cell_committee", "org_id": world.cell.id},
        ),
        client.patch(f"/api/v1/members/{m}", headers=staff, json={"position": "Chi ủy viên"}),
        client.post(
            f"/api/v1/members/{world.member2.member.id}/password",
            headers=staff,
            json={"new_password": "mat-khau-moi-7"},
        ),
        client.patch(f"/api/v1/members/{world.member2.member.id}", headers=staff, json={"is_active": False}),
        client.post(
            f"/api/v1/members/{world.secretary.member.id}/transfer",
            headers=staff,
            json={"to_org_id": world.sibling_cell.id},
        ),
        client.post(
            "/api/v1/orgs",
            headers=staff,
            json={
                "name": "Chi bộ thôn A1-3",
                "kind": "cell",
                "code": "A1-3",
                "parent_id": world.grassroots.id,
            },
        ),
        post_import(
            client,
            staff,
            csv_bytes([["Ngô Thì Nhậm", "27182818", world.cell.code]], ["Họ và tên", "Số thẻ", "Mã chi bộ"]),
        ),
        client.post(
            "/api/v1/auth/login", json={"username": world.member.username, "password": "sai-mat-khau"}
        ),
    ]
    assert [c.status_code for c in calls] == [201, 200, 204, 200, 200, 201, 200, 401]
    return {"new_member": created.json()["id"]}


EXPECTED = {
    "member.created",
    "role.assigned",
    "member.updated",
    "user.password_reset",
    "user.disabled",
    "member.transferred",
    "org.created",
    "member.import",
    "auth.login_failed",
    "auth.login",
}


def entries(client, headers, **params):
    resp = client.get(API, headers=headers, params={"limit": 500, **params})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_staff_of_the_subtree_read_every_change(client, world, login, history):
    items = entries(client, login(world.staff))
    assert EXPECTED <= {i["action"] for i in items}
    by_action = {i["action"]: i for i in items}
    assert by_action["role.assigned"]["actor_name"] == world.staff.member.full_name
    assert by_action["role.assigned"]["client_address"] == "testclient"
    assert by_action["member.import"]["detail"]["created"] == 1
    assert by_action["user.password_reset"]["target_id"] == str(world.member2.user.id)
    assert by_action["auth.login_failed"]["org_id"] == world.cell.id
    at = datetime.fromisoformat(by_action["member.created"]["at"])
    assert at.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    ats = [i["at"] for i in items]
    assert ats == sorted(ats, reverse=True)  # newest first
    assert EXPECTED <= {i["action"] for i in entries(client, login(world.province_staff))}
    assert EXPECTED <= {i["action"] for i in entries(client, login(world.admin))}


def test_filters(client, world, login, history):
    staff = login(world.staff)
    assert {i["action"] for i in entries(client, staff, action="member.")} == {
        "member.created",
        "member.updated",
        "member.transferred",
        "member.import",
    }
    in_cell = entries(client, staff, org_id=world.sibling_cell.id)
    assert in_cell and all(i["org_id"] == world.sibling_cell.id for i in in_cell)
    assert entries(client, staff, since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []


def test_staff_of_another_subtree_see_nothing_of_ours(client, db, world, login, history):
    fresh(db)
    ours = set(
        db.execute(
            select(AuditEntry.id).where(
                AuditEntry.org_id.in_(
                    [world.district.id, world.grassroots.id, world.cell.id, world.sibling_cell.id]
                )
            )
        ).scalars()
    )
    assert len(ours) > 10
    theirs = entries(client, login(world.other_staff))
    assert {i["id"] for i in theirs} & ours == set()
    assert all(i["org_id"] not in (world.cell.id, world.sibling_cell.id) for i in theirs)
    for secret in ("Đinh Công Tráng", "31415926", "Ngô Thì Nhậm", world.member.username):
        assert secret not in str(theirs)
    resp = client.get(API, headers=login(world.other_staff), params={"org_id": world.cell.id})
    assert resp.status_code == 403


@pytest.mark.parametrize("who", ["member", "secretary", "sibling_member", "other_member", "other_secretary"])
def test_members_cannot_read_the_audit(client, world, login, history, who):
    resp = client.get(API, headers=login(getattr(world, who)))
    assert resp.status_code == 403
    assert set(resp.json()) == {"code", "message"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_nobody_edits_the_audit_through_the_api(client, db, world, login, history, method):
    admin = login(world.admin)
    before = [(e.id, e.action, e.detail) for e in fresh(db).execute(select(AuditEntry)).scalars()]
    for path in (API, f"{API}/1"):
        resp = client.request(method, path, headers=admin, json={"action": "x"})
        assert resp.status_code in (404, 405)
    after = [(e.id, e.action, e.detail) for e in fresh(db).execute(select(AuditEntry)).scalars()]
    assert after == before


def test_times_without_zone_are_refused_not_a_500(client, world, login):
    resp = client.get(API, headers=login(world.staff), params={"since": "2026-01-01T00:00:00"})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "since"
    resp = client.get(API, headers=login(world.staff), params={"since": "2026-01-01T00:00:00+07:00"})
    assert resp.status_code == 200
