"""Role reach: staff of a lower committee cannot take over an account whose roles reach above them.

The cast: the secretary of cell A is also made staff of the commune committee (Đảng bộ xã A1) above it.
Province staff, district staff and an admin all have their member record in cell A1-2, inside that commune:
the commune staff manages their cell, but not their roles.
"""

import pytest
from sqlalchemy import func, select

from server.records.audit import AuditEntry
from server.records.members import Member, RoleAssignment, User
from shared.enums import Role
from tests.factories import make_member
from tests.server.members.factories import csv_bytes, fresh, post_import

NEW_PASSWORD = "mat-khau-chiem-quyen-1"


@pytest.fixture
def cast(db, world):
    """`world` plus commune staff (the secretary, promoted) and an admin whose record sits under them."""
    db.add(RoleAssignment(user_id=world.secretary.user.id, role=Role.staff.value, org_id=world.grassroots.id))
    cell_admin = make_member(db, world.sibling_cell, username="quantri.xa", roles=[(Role.admin, None)])
    db.commit()
    return {"province_staff": world.province_staff, "district_staff": world.staff, "cell_admin": cell_admin,
            "commune_staff": world.secretary}


def _top_role(db, person) -> RoleAssignment:
    return db.execute(select(RoleAssignment).where(RoleAssignment.user_id == person.user.id)
                      .order_by(RoleAssignment.id)).scalars().first()


# name -> (method, path under /members/{id}, body); {role} and {cell}/{sibling_cell} filled per case.
OPERATIONS = {
    "password_reset": ("POST", "/password", {"new_password": NEW_PASSWORD}),
    "disable": ("PATCH", "", {"is_active": False}),
    "edit": ("PATCH", "", {"phone": "0900000000", "position": "Bị sửa"}),
    "transfer": ("POST", "/transfer", {"to_org_id": "{cell}"}),
    "grant_cell_role": ("POST", "/roles", {"role": "cell_committee", "org_id": "{sibling_cell}"}),
    "remove_role": ("DELETE", "/roles/{role}", None),
}


def _fill(body, values):
    if isinstance(body, dict):
        return {k: (values[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
                for k, v in body.items()}
    return body


def _state(db, person):
    fresh(db)
    user = db.get(User, person.user.id)
    member = db.get(Member, person.member.id)
    roles = db.execute(select(RoleAssignment.role, RoleAssignment.org_id)
                       .where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id)).all()
    return user.password_hash, user.is_active, member.org_id, member.phone, member.position, roles


def _refusals(db) -> int:
    fresh(db)
    return db.execute(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.action == "access.refused")).scalar_one()


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("target", ["province_staff", "district_staff", "cell_admin"])
def test_commune_staff_cannot_touch_an_account_reaching_above_them(
        client, db, world, cast, login, target, operation):
    victim = cast[target]
    caller = login(cast["commune_staff"])
    victim_headers = login(victim)
    method, suffix, body = OPERATIONS[operation]
    values = {"cell": world.cell.id, "sibling_cell": world.sibling_cell.id, "role": _top_role(db, victim).id}
    before, refusals = _state(db, victim), _refusals(db)

    resp = client.request(method, f"/api/v1/members/{victim.member.id}" + suffix.format(**values),
                          json=_fill(body, values), headers=caller)

    assert resp.status_code == 403, resp.text
    assert resp.json()["code"] == "out_of_scope"
    assert _state(db, victim) == before
    assert client.get("/api/v1/me", headers=victim_headers).status_code == 200  # still signed in
    assert _refusals(db) == refusals + 1  # the attempt is on record
    old = client.post("/api/v1/auth/login", json={"username": victim.username, "password": victim.password})
    assert old.status_code == 200


def test_the_refusal_names_caller_target_and_route_in_the_audit_log(client, db, world, cast, login):
    victim = cast["province_staff"]
    client.post(f"/api/v1/members/{victim.member.id}/password", json={"new_password": NEW_PASSWORD},
                headers=login(cast["commune_staff"]))
    fresh(db)
    entry = db.execute(select(AuditEntry).where(AuditEntry.action == "access.refused")).scalars().one()
    assert entry.actor_user_id == cast["commune_staff"].user.id
    assert (entry.target_type, entry.target_id) == ("member", str(victim.member.id))
    assert "POST /members/{member_id}/password" in (entry.detail or "")
    assert '"role": "staff"' in (entry.detail or "")


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_commune_staff_still_manage_plain_members_below_them(client, db, world, cast, login, operation):
    """The rule refuses only what reaches above: a member of cell A1-2 with a cell office is fine."""
    target = make_member(db, world.sibling_cell, roles=[(Role.secretary, world.sibling_cell)])
    db.commit()
    method, suffix, body = OPERATIONS[operation]
    values = {"cell": world.cell.id, "sibling_cell": world.sibling_cell.id, "role": _top_role(db, target).id}
    resp = client.request(method, f"/api/v1/members/{target.member.id}" + suffix.format(**values),
                          json=_fill(body, values), headers=login(cast["commune_staff"]))
    assert resp.status_code in (200, 201, 204), resp.text
    assert _state(db, target) != _state(db, cast["province_staff"])  # something of theirs changed
    assert _refusals(db) == 0


def test_staff_of_the_same_committee_and_above_may_act(client, db, world, cast, login):
    """Staff of X are managed by staff of X or of an ancestor of X; admins by admins only."""
    peer = make_member(db, world.cell, roles=[(Role.staff, world.grassroots)])
    db.commit()
    commune = login(cast["commune_staff"])
    assert client.post(f"/api/v1/members/{peer.member.id}/password", json={"new_password": NEW_PASSWORD},
                       headers=commune).status_code == 204
    province = login(world.province_staff)
    assert client.post(f"/api/v1/members/{world.staff.member.id}/password",
                       json={"new_password": NEW_PASSWORD}, headers=province).status_code == 204
    resp = client.patch(f"/api/v1/members/{cast['cell_admin'].member.id}", json={"is_active": False},
                        headers=province)
    assert resp.status_code == 403 and resp.json()["code"] == "out_of_scope"  # an admin: admins only
    resp = client.patch(f"/api/v1/members/{cast['cell_admin'].member.id}", json={"phone": "0911111111"},
                        headers=login(world.admin))
    assert resp.status_code == 200


@pytest.mark.parametrize("role,org,expected", [
    ("staff", "district", (403, "out_of_scope")),  # above the caller
    ("staff", "province", (403, "out_of_scope")),
    ("staff", "other_district", (403, "out_of_scope")),
    ("admin", None, (403, "admin_only")),
    ("staff", "grassroots", (201, None)),  # their own level: allowed
    ("cell_committee", "cell", (201, None)),
])
def test_commune_staff_grant_only_roles_within_their_reach(client, db, world, cast, login, role, org,
                                                           expected):
    body = {"role": role, "org_id": getattr(world, org).id if org else None}
    resp = client.post(f"/api/v1/members/{world.member.member.id}/roles", json=body,
                       headers=login(cast["commune_staff"]))
    assert resp.status_code == expected[0], resp.text
    if expected[1]:
        assert resp.json()["code"] == expected[1]
    fresh(db)
    granted = db.execute(select(RoleAssignment.role).where(RoleAssignment.user_id == world.member.user.id)
                         ).scalars().all()
    assert granted == ([] if expected[1] else [role])


def test_an_admin_record_in_a_managed_cell_cannot_be_signed_out_by_its_staff(client, db, world, cast, login):
    """Ending an admin's sessions (disable, password reset) is refused; the admin keeps working."""
    admin = cast["cell_admin"]
    admin_headers = login(admin)
    commune = login(cast["commune_staff"])
    for method, suffix, body in (("PATCH", "", {"is_active": False}),
                                 ("POST", "/password", {"new_password": NEW_PASSWORD})):
        resp = client.request(method, f"/api/v1/members/{admin.member.id}{suffix}", json=body,
                              headers=commune)
        assert resp.status_code == 403
    assert client.get("/api/v1/audit", headers=admin_headers).status_code == 200


@pytest.mark.parametrize("target", ["province_staff", "cell_admin"])
def test_an_import_cannot_move_or_edit_an_account_reaching_above(client, db, world, cast, login, target):
    """The file path to the same takeover: a row with their card number, a new cell and a new phone."""
    victim = cast[target]
    before = _state(db, victim)
    content = csv_bytes([[victim.member.full_name, victim.member.card_number, world.cell.code, "0900000009"]],
                        ["Họ và tên", "Số thẻ", "Mã chi bộ", "Điện thoại"])
    resp = post_import(client, login(cast["commune_staff"]), content, import_valid_rows=True)
    assert resp.status_code == 200, resp.text
    assert [r["status"] for r in resp.json()["rows"]] == ["rejected"]
    assert _state(db, victim) == before
    plain = make_member(db, world.sibling_cell)
    db.commit()
    content = csv_bytes([[plain.member.full_name, plain.member.card_number, world.cell.code, "0900000009"]],
                        ["Họ và tên", "Số thẻ", "Mã chi bộ", "Điện thoại"])
    resp = post_import(client, login(cast["commune_staff"]), content)
    assert [r["status"] for r in resp.json()["rows"]] != ["rejected"], resp.text  # in reach: moved
    assert fresh(db).get(Member, plain.member.id).org_id == world.cell.id
