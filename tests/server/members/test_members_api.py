"""Members administration: create, read, update, accounts, passwords, roles and transfers."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.records.audit import AuditEntry
from server.records.changelog import Change
from server.records.members import Member, Membership, RoleAssignment, User
from tests.server.members.factories import fresh

API = "/api/v1/members"


def audits(db, action: str, target_id: object | None = None) -> list[AuditEntry]:
    fresh(db)
    q = select(AuditEntry).where(AuditEntry.action == action)
    if target_id is not None:
        q = q.where(AuditEntry.target_id == str(target_id))
    return list(db.execute(q).scalars())


def new_member_body(world, **extra):
    body = {"full_name": "Hoàng Văn Thái", "birth_date": "1985-04-30", "card_number": "76543210",
            "admitted_on": "2010-02-03", "official_on": "2011-02-03", "kind": "official",
            "org_id": world.cell.id, "position": "Chuyên viên", "phone": "0987654321"}
    body.update(extra)
    return body


def test_staff_creates_member_with_account(client, db, world, login):
    resp = client.post(API, headers=login(world.staff),
                       json=new_member_body(world, username="thai.hv", password="mat-khau-dai-1"))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["full_name"] == "Hoàng Văn Thái" and out["org_name"] == world.cell.name
    assert out["username"] == "thai.hv" and out["is_active"] is True
    [created] = audits(db, "member.created", out["id"])
    assert created.org_id == world.cell.id and created.actor_user_id == world.staff.user.id
    assert len(audits(db, "user.created")) == 1
    history = db.execute(select(Membership).where(Membership.member_id == out["id"])).scalars().all()
    assert [h.org_id for h in history] == [world.cell.id]
    assert db.execute(select(Change).where(Change.entity_type == "member",
                                           Change.entity_id == out["id"])).first()
    login_resp = client.post("/api/v1/auth/login", json={"username": "thai.hv", "password": "mat-khau-dai-1"})
    assert login_resp.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login_resp.json()['access_token']}"})
    assert me.json()["organization"]["id"] == world.cell.id


@pytest.mark.parametrize("change,status,code", [
    ({"org_id": "grassroots"}, 422, "not_a_cell"),
    ({"org_id": "other_cell"}, 403, "out_of_scope"),
    ({"card_number": "member_card"}, 409, "card_number_taken"),
    ({"username": "dangvien.b", "password": "mat-khau-dai-1"}, 409, "username_taken"),
    ({"username": "moi.ten"}, 422, "password_required"),
    ({"admitted_on": "1980-01-01", "birth_date": "1985-01-01"}, 422, "invalid_dates"),
    ({"card_number": "12ab"}, 422, "validation_error"),
])
def test_create_member_refusals(client, db, world, login, change, status, code):
    if change.get("org_id") in ("grassroots", "other_cell"):
        change = {**change, "org_id": getattr(world, change["org_id"]).id}
    if change.get("card_number") == "member_card":
        change = {**change, "card_number": world.member.member.card_number}
    resp = client.post(API, headers=login(world.staff), json=new_member_body(world, **change))
    assert resp.status_code == status, resp.text
    assert resp.json()["code"] == code
    assert audits(db, "member.created") == []


@pytest.mark.parametrize("who", ["secretary", "member", "other_staff"])
def test_only_staff_of_the_subtree_creates(client, db, world, login, who):
    resp = client.post(API, headers=login(getattr(world, who)), json=new_member_body(world))
    assert resp.status_code == 403
    assert db.execute(select(Member).where(Member.card_number == "76543210")).first() is None


def test_list_is_scoped_by_role(client, world, login):
    cell_ids = {world.secretary.member.id, world.member.member.id, world.member2.member.id}

    def ids(person, **params):
        resp = client.get(API, headers=login(person), params=params)
        assert resp.status_code == 200
        return {i["id"] for i in resp.json()["items"]}

    staff_sees = ids(world.staff)
    assert cell_ids <= staff_sees
    assert world.other_member.member.id not in staff_sees
    assert ids(world.secretary) == cell_ids  # a secretary sees their cell
    assert ids(world.member) == {world.member.member.id}  # a member sees themself
    assert ids(world.other_staff) & cell_ids == set()
    assert ids(world.staff, org_id=world.cell.id) == cell_ids
    assert ids(world.staff, q="tran thi dang") == {world.member.member.id}  # folded search
    assert ids(world.staff, q=world.member2.member.card_number) == {world.member2.member.id}
    assert ids(world.other_staff, org_id=world.cell.id) == set()
    assert ids(world.province_staff) >= cell_ids | {world.other_member.member.id}


def test_update_member_and_audit_before_after(client, db, world, login):
    mid = world.member.member.id
    resp = client.patch(f"{API}/{mid}", headers=login(world.staff),
                        json={"position": "Chi hội trưởng", "kind": "probationary", "full_name": None})
    assert resp.status_code == 200, resp.text
    assert resp.json()["position"] == "Chi hội trưởng" and resp.json()["kind"] == "probationary"
    assert resp.json()["full_name"] == "Trần Thị Đảng"  # an explicit null never blanks the name
    [entry] = audits(db, "member.updated", mid)
    detail = json.loads(entry.detail)
    assert detail["before"] == {"position": None, "kind": "official"}
    assert detail["after"] == {"position": "Chi hội trưởng", "kind": "probationary"}
    resp = client.patch(f"{API}/{mid}", headers=login(world.staff), json={"kind": None})
    assert resp.status_code == 200 and resp.json()["kind"] == "probationary"
    resp = client.patch(f"{API}/{mid}", headers=login(world.staff),
                        json={"card_number": world.member2.member.card_number})
    assert resp.status_code == 409
    future = (date.today() + timedelta(days=3)).isoformat()
    resp = client.patch(f"{API}/{mid}", headers=login(world.staff), json={"official_on": future})
    assert resp.status_code == 422 and resp.json()["code"] == "date_in_future"


def test_disabling_a_user_ends_their_sessions(client, db, world, login):
    victim = login(world.member)
    assert client.get("/api/v1/me", headers=victim).status_code == 200
    resp = client.patch(f"{API}/{world.member.member.id}", headers=login(world.staff),
                        json={"is_active": False})
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=victim).status_code == 401
    again = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                    "password": world.member.password})
    assert again.status_code == 401 and again.json()["code"] == "account_disabled"
    changed = db.execute(select(Change).where(Change.entity_type == "member",
                                              Change.entity_id == world.member.member.id)).first()
    assert changed is not None  # devices learn the account state too
    [entry] = audits(db, "user.disabled", world.member.user.id)
    assert json.loads(entry.detail)["sessions_ended"] >= 1 and entry.org_id == world.cell.id
    resp = client.patch(f"{API}/{world.member.member.id}", headers=login(world.staff),
                        json={"is_active": True})
    assert resp.status_code == 200
    assert len(audits(db, "user.enabled", world.member.user.id)) == 1
    assert client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                   "password": world.member.password}).status_code == 200


def test_staff_cannot_lock_themself_out(client, world, login):
    resp = client.patch(f"{API}/{world.staff.member.id}", headers=login(world.staff),
                        json={"is_active": False})
    assert resp.status_code == 422 and resp.json()["code"] == "own_account"


def test_a_phone_reported_lost_is_told_why_its_session_ended(client, db, world, login):
    phone = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                    "password": world.member.password}).json()
    resp = client.post(f"{API}/{world.member.member.id}/sessions/end", headers=login(world.staff))
    assert resp.status_code == 200 and resp.json() == {"ended": 1}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {phone['access_token']}"})
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    for answer in (me, refreshed):
        assert answer.status_code == 401 and answer.json()["code"] == "session_ended_by_staff"
        assert "báo mất máy" in answer.json()["message"]
    [entry] = audits(db, "user.sessions_ended", world.member.user.id)
    assert json.loads(entry.detail)["sessions_ended"] == 1
    # The member signs in again on the phone they found: a new session, nothing of the old one.
    again = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                    "password": world.member.password})
    assert again.status_code == 200


def test_reset_password_ends_sessions(client, db, world, login):
    victim = login(world.member, device="điện thoại")
    other_device = login(world.member, device="máy tính")
    resp = client.post(f"{API}/{world.member.member.id}/password", headers=login(world.staff),
                       json={"new_password": "mat-khau-moi-9"})
    assert resp.status_code == 204
    assert client.get("/api/v1/me", headers=victim).status_code == 401
    assert client.get("/api/v1/me", headers=other_device).status_code == 401
    old = client.post("/api/v1/auth/login", json={"username": world.member.username,
                                                  "password": world.member.password})
    assert old.status_code == 401
    new = client.post("/api/v1/auth/login",
                      json={"username": world.member.username, "password": "mat-khau-moi-9"})
    assert new.status_code == 200
    [entry] = audits(db, "user.password_reset", world.member.user.id)
    assert json.loads(entry.detail)["sessions_ended"] == 2
    short = client.post(f"{API}/{world.member.member.id}/password", headers=login(world.staff),
                        json={"new_password": "ngan"})
    assert short.status_code == 422


def test_create_account_for_member_without_one(client, db, world, login):
    from tests.factories import make_member

    person = make_member(db, world.cell, account=True)
    db.delete(person.user)
    db.commit()
    mid = person.member.id
    resp = client.post(f"{API}/{mid}/account", headers=login(world.staff),
                       json={"username": "tai.khoan.moi", "password": "mat-khau-dai-2"})
    assert resp.status_code == 201
    resp = client.post(f"{API}/{mid}/account", headers=login(world.staff),
                       json={"username": "tai.khoan.khac", "password": "mat-khau-dai-2"})
    assert resp.status_code == 409 and resp.json()["code"] == "account_exists"
    assert len(audits(db, "user.created")) == 1


def _roles(client, headers, member_id):
    resp = client.get(f"{API}/{member_id}/roles", headers=headers)
    assert resp.status_code == 200
    return resp.json()


def test_cell_roles_only_for_members_of_that_cell(client, db, world, login):
    staff = login(world.staff)
    mid = world.member.member.id
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "deputy_secretary", "org_id": world.cell.id})
    assert resp.status_code == 201, resp.text
    assert resp.json()["org_name"] == world.cell.name
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "secretary", "org_id": world.sibling_cell.id})
    assert resp.status_code == 422 and resp.json()["code"] == "not_in_cell"
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "cell_committee", "org_id": world.grassroots.id})
    assert resp.status_code == 422 and resp.json()["code"] == "not_a_cell"
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "deputy_secretary", "org_id": world.cell.id})
    assert resp.status_code == 409
    resp = client.post(f"{API}/{mid}/roles", headers=staff, json={"role": "member", "org_id": world.cell.id})
    assert resp.status_code == 422
    # The new deputy now sees the cell's members.
    listed = client.get(API, headers=login(world.member)).json()
    assert world.member2.member.id in {i["id"] for i in listed["items"]}
    [entry] = audits(db, "role.assigned", world.member.user.id)
    assert entry.org_id == world.cell.id and json.loads(entry.detail)["role"] == "deputy_secretary"


def test_staff_role_only_on_a_party_committee(client, db, world, login):
    staff = login(world.staff)
    mid = world.member.member.id
    resp = client.post(f"{API}/{mid}/roles", headers=staff, json={"role": "staff", "org_id": world.cell.id})
    assert resp.status_code == 422 and resp.json()["code"] == "not_a_committee"
    resp = client.post(f"{API}/{mid}/roles", headers=staff, json={"role": "staff"})
    assert resp.status_code == 422 and resp.json()["code"] == "org_required"
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "staff", "org_id": world.province.id})
    assert resp.status_code == 403  # above the caller's own subtree
    resp = client.post(f"{API}/{mid}/roles", headers=staff,
                       json={"role": "staff", "org_id": world.grassroots.id})
    assert resp.status_code == 201
    role_id = resp.json()["id"]
    assert client.get("/api/v1/audit", headers=login(world.member)).status_code == 200  # now staff
    resp = client.delete(f"{API}/{mid}/roles/{role_id}", headers=staff)
    assert resp.status_code == 204
    assert client.get("/api/v1/audit", headers=login(world.member)).status_code == 403
    removed = audits(db, "role.removed", world.member.user.id)
    assert [json.loads(e.detail)["role"] for e in removed] == ["staff"]


def test_admin_role_only_by_admin(client, db, world, login):
    mid = world.member.member.id
    resp = client.post(f"{API}/{mid}/roles", headers=login(world.province_staff), json={"role": "admin"})
    assert resp.status_code == 403 and resp.json()["code"] == "admin_only"
    resp = client.post(f"{API}/{mid}/roles", headers=login(world.admin), json={"role": "admin"})
    assert resp.status_code == 201
    role_id = resp.json()["id"]
    resp = client.delete(f"{API}/{mid}/roles/{role_id}", headers=login(world.province_staff))
    assert resp.status_code == 403
    assert fresh(db).get(RoleAssignment, role_id) is not None
    assert client.delete(f"{API}/{mid}/roles/{role_id}", headers=login(world.admin)).status_code == 204


def test_transfer_keeps_history_and_drops_old_offices(client, db, world, login):
    sec = world.secretary
    deputy = client.post(f"{API}/{sec.member.id}/roles", headers=login(world.staff),
                         json={"role": "cell_committee", "org_id": world.cell.id})
    assert deputy.status_code == 201
    resp = client.post(f"{API}/{sec.member.id}/transfer", headers=login(world.staff),
                       json={"to_org_id": world.sibling_cell.id, "note": "Chuyển công tác"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["org_id"] == world.sibling_cell.id
    history = client.get(f"{API}/{sec.member.id}/history", headers=login(world.staff)).json()
    assert [(h["org_id"], h["ended_on"]) for h in history] == [
        (world.cell.id, date.today().isoformat()), (world.sibling_cell.id, None)]
    assert history[1]["note"] == "Chuyển công tác" and history[0]["org_name"] == world.cell.name
    assert _roles(client, login(world.staff), sec.member.id) == []
    entries = audits(db, "member.transferred", sec.member.id)
    assert {e.org_id for e in entries} == {world.cell.id, world.sibling_cell.id}
    assert sorted(json.loads(entries[0].detail)["roles_removed"]) == ["cell_committee", "secretary"]
    # The former secretary no longer sees the old cell's members.
    listed = client.get(API, headers=login(sec)).json()
    assert {i["id"] for i in listed["items"]} == {sec.member.id}


@pytest.mark.parametrize("body,status,code", [
    ({"to_org_id": "grassroots"}, 422, "not_a_cell"),
    ({"to_org_id": "cell"}, 422, "same_cell"),
    ({"to_org_id": "other_cell"}, 403, "out_of_scope"),
    ({"to_org_id": "sibling_cell", "effective_on": "2001-01-01"}, 422, "invalid_dates"),
    ({"to_org_id": "sibling_cell", "effective_on": (date.today() + timedelta(days=2)).isoformat()}, 422,
     "date_in_future"),
])
def test_transfer_refusals(client, db, world, login, body, status, code):
    body = {**body, "to_org_id": getattr(world, body["to_org_id"]).id}
    resp = client.post(f"{API}/{world.member.member.id}/transfer", headers=login(world.staff), json=body)
    assert resp.status_code == status, resp.text
    assert resp.json()["code"] == code
    assert fresh(db).get(Member, world.member.member.id).org_id == world.cell.id
    assert audits(db, "member.transferred") == []


def test_transfer_across_districts_needs_both_in_scope(client, db, world, login):
    mid = world.member.member.id
    resp = client.post(f"{API}/{mid}/transfer", headers=login(world.province_staff),
                       json={"to_org_id": world.other_cell.id, "effective_on": date.today().isoformat()})
    assert resp.status_code == 200
    # Now the district staff lost sight of them, and the other district's staff gained it.
    assert client.get(f"{API}/{mid}", headers=login(world.staff)).status_code == 404
    assert client.get(f"{API}/{mid}", headers=login(world.other_staff)).status_code == 200
    history = client.get(f"{API}/{mid}/history", headers=login(world.other_staff)).json()
    assert history[0]["org_id"] == world.cell.id
    user = fresh(db).get(User, world.member.user.id)
    assert user.is_active


def test_search_wildcards_are_plain_text(client, world, login):
    resp = client.get(API, headers=login(world.staff), params={"q": "%"})
    assert resp.status_code == 200 and resp.json()["items"] == []
