"""Organisation tree administration: create, update, move, list, and who may do what."""

import json
import unicodedata

import pytest
from sqlalchemy import select

from server.records.audit import AuditEntry
from server.records.orgs import Organization
from tests.server.members.factories import fresh

API = "/api/v1/orgs"


def audits(db, action: str) -> list[AuditEntry]:
    return list(fresh(db).execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_staff_builds_a_branch_of_their_subtree(client, db, world, login):
    staff = login(world.staff)
    resp = client.post(
        API,
        headers=staff,
        json={"name": "Đảng bộ xã A2", "kind": "grassroots", "code": "XA2", "parent_id": world.district.id},
    )
    assert resp.status_code == 201, resp.text
    grassroots = resp.json()
    assert grassroots["depth"] == world.district.depth + 1 and grassroots["parent_id"] == world.district.id
    resp = client.post(
        API,
        headers=staff,
        json={
            "name": "Chi bộ thôn A2-1",
            "kind": "cell",
            "code": "XA2-1",
            "parent_id": grassroots["id"],
            "meeting_day": 5,
            "meeting_time": "19:30",
        },
    )
    assert resp.status_code == 201
    cell = resp.json()
    assert (cell["meeting_day"], cell["meeting_time"]) == (5, "19:30")
    within = client.get(API, headers=staff, params={"within": world.district.id, "kind": "cell"}).json()
    assert cell["id"] in {o["id"] for o in within["items"]}
    entries = audits(db, "org.created")
    assert {e.org_id for e in entries} == {grassroots["id"], cell["id"]}
    first = min(entries, key=lambda e: e.id)
    assert json.loads(first.detail)["parent_id"] == world.district.id


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({"kind": "cell", "parent": "cell"}, 422, "invalid_parent"),  # a chi bộ is a leaf
        ({"kind": "grassroots", "parent": "cell"}, 422, "invalid_parent"),
        ({"kind": "district", "parent": "grassroots"}, 422, "invalid_parent"),
        ({"kind": "grassroots", "parent": None}, 422, "parent_required"),
        ({"kind": "cell", "parent": "other_district"}, 403, "out_of_scope"),
        ({"kind": "cell", "parent": "province"}, 403, "out_of_scope"),  # above the caller
        ({"kind": "cell", "parent": "grassroots", "code": "taken"}, 409, "org_code_taken"),
        ({"kind": "cell", "parent": "grassroots", "code": "có dấu"}, 422, "validation_error"),
    ],
)
def test_tree_rules_on_create(client, db, world, login, body, status, code):
    payload = {
        "name": "Chi bộ mới",
        "kind": body["kind"],
        "code": body.get("code", "MOI-1"),
        "parent_id": getattr(world, body["parent"]).id if body["parent"] else None,
    }
    if payload["code"] == "taken":
        payload["code"] = world.cell.code
    resp = client.post(API, headers=login(world.staff), json=payload)
    assert resp.status_code == status, resp.text
    assert resp.json()["code"] == code
    assert audits(db, "org.created") == []


def test_only_admin_creates_a_root(client, world, login):
    body = {"name": "Đảng bộ tỉnh Mới", "kind": "province", "code": "TINH-MOI"}
    assert client.post(API, headers=login(world.province_staff), json=body).status_code == 422
    resp = client.post(API, headers=login(world.admin), json=body)
    assert resp.status_code == 201 and resp.json()["depth"] == 0


@pytest.mark.parametrize("who", ["member", "secretary"])
def test_members_and_secretaries_cannot_change_the_tree(client, world, login, who):
    headers = login(getattr(world, who))
    resp = client.post(
        API,
        headers=headers,
        json={"name": "Chi bộ X", "kind": "cell", "code": "X1", "parent_id": world.grassroots.id},
    )
    assert resp.status_code == 403
    assert (
        client.patch(f"{API}/{world.cell.id}", headers=headers, json={"name": "Đổi tên"}).status_code == 403
    )


def test_update_name_and_meeting_rule(client, db, world, login):
    nfd_name = unicodedata.normalize("NFD", "Chi bộ thôn A1-1 mới")
    assert nfd_name != "Chi bộ thôn A1-1 mới"
    resp = client.patch(
        f"{API}/{world.cell.id}",
        headers=login(world.staff),
        json={"name": nfd_name, "meeting_day": 4, "meeting_time": "16:00"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "Chi bộ thôn A1-1 mới"  # stored NFC
    assert resp.json()["member_count"] == 3
    [entry] = audits(db, "org.updated")
    assert entry.org_id == world.cell.id and json.loads(entry.detail)["meeting_day"] == 4
    resp = client.patch(
        f"{API}/{world.cell.id}", headers=login(world.staff), json={"code": world.sibling_cell.code}
    )
    assert resp.status_code == 409


def test_moving_a_subtree_moves_visibility(client, db, world, login):
    resp = client.patch(
        f"{API}/{world.grassroots.id}",
        headers=login(world.province_staff),
        json={"parent_id": world.other_district.id},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["depth"] == 2
    # The cell under the moved grassroots now belongs to the other district, for every check.
    assert client.get(f"{API}/{world.cell.id}", headers=login(world.other_staff)).status_code == 200
    assert client.get(f"{API}/{world.cell.id}", headers=login(world.staff)).status_code == 404
    assert (
        client.get(f"/api/v1/members/{world.member.member.id}", headers=login(world.staff)).status_code == 404
    )
    assert (
        client.get(f"/api/v1/members/{world.member.member.id}", headers=login(world.other_staff)).status_code
        == 200
    )
    within = client.get(API, headers=login(world.admin), params={"within": world.other_district.id}).json()
    assert {world.grassroots.id, world.cell.id, world.sibling_cell.id} <= {o["id"] for o in within["items"]}
    path = client.get("/api/v1/me", headers=login(world.member)).json()["org_path"]
    assert [o["id"] for o in path] == [
        world.province.id,
        world.other_district.id,
        world.grassroots.id,
        world.cell.id,
    ]
    assert {e.org_id for e in audits(db, "org.updated")} == {world.grassroots.id, world.district.id}
    seen = client.get("/api/v1/audit", headers=login(world.staff), params={"action": "org."}).json()["items"]
    assert [i["detail"]["old_parent_id"] for i in seen if i["org_id"] == world.district.id] == [
        world.district.id
    ]


@pytest.mark.parametrize(
    "target,parent,who,status,code",
    [
        (
            "district",
            "other_district",
            "staff",
            403,
            "out_of_scope",
        ),  # their own committee, out of their reach
        ("grassroots", "other_district", "staff", 403, "out_of_scope"),  # destination outside their subtree
        ("grassroots", "sibling_cell", "staff", 422, "invalid_parent"),  # under a chi bộ
        ("district", "grassroots", "province_staff", 422, "invalid_parent"),  # into its own subtree
        ("grassroots", None, "staff", 422, "parent_required"),
    ],
)
def test_move_refusals(client, db, world, login, target, parent, who, status, code):
    body = {"parent_id": getattr(world, parent).id if parent else None}
    resp = client.patch(f"{API}/{getattr(world, target).id}", headers=login(getattr(world, who)), json=body)
    assert resp.status_code == status, resp.text
    assert resp.json()["code"] == code
    assert fresh(db).get(Organization, world.grassroots.id).parent_id == world.district.id


def test_listing_by_role(client, world, login):
    def ids(person, **params):
        resp = client.get(API, headers=login(person), params=params)
        assert resp.status_code == 200
        return {o["id"] for o in resp.json()["items"]}

    path = {world.province.id, world.district.id, world.grassroots.id, world.cell.id}
    assert ids(world.member) == path  # a member sees the path above their own cell, nothing beside it
    assert world.sibling_cell.id in ids(world.staff)
    assert world.other_cell.id not in ids(world.staff)
    assert ids(world.staff, kind="cell") == {world.cell.id, world.sibling_cell.id}
    assert ids(world.staff, parent_id=world.grassroots.id) == {world.cell.id, world.sibling_cell.id}
    assert ids(world.staff, q="A1-2") == {world.sibling_cell.id}
    assert ids(world.staff, q=world.sibling_cell.code) == {world.sibling_cell.id}
    assert ids(world.staff, q="%") == set()
    assert ids(world.admin, kind="district") == {world.district.id, world.other_district.id}
    counts = {o["id"]: o["member_count"] for o in client.get(API, headers=login(world.staff)).json()["items"]}
    assert (
        counts[world.cell.id] == 3 and counts[world.grassroots.id] == 3 + 3
    )  # staff + 2 in the sibling cell
