"""The delta sync feed: snapshot, deltas, removals on transfer and role change, paging, 410."""

from datetime import timedelta

from server.members import service as members
from server.orgs import service as orgs
from server.records.changelog import record_change
from server.sync import service as sync_service
from server.timeutil import utcnow
from shared.enums import Role
from shared.schemas.members import RoleAssign, TransferRequest
from tests.server.sync.helpers import Device, fresh_view


def _principal(db, person):
    from server.auth.principal import build

    return build(db, person.user, None, None)


def test_snapshot_holds_own_profile_and_org_path_only(client, world, login):
    device = Device(client, login(world.member))
    device.pull()
    orgs_held = device.of_type("organization")
    assert set(orgs_held) == {world.province.id, world.district.id, world.grassroots.id, world.cell.id}
    assert world.sibling_cell.id not in orgs_held and world.other_cell.id not in orgs_held
    members_held = device.of_type("member")
    assert list(members_held) == [world.member.member.id]
    assert members_held[world.member.member.id]["full_name"] == "Trần Thị Đảng"
    assert device.resets == 1


def test_snapshot_pages_with_small_limit(client, world, login):
    device = Device(client, login(world.member), limit=1)
    device.pull()
    assert device.pages >= 5
    assert device.store == fresh_view(client, login(world.member))


def test_delta_brings_renamed_org_to_members_below_only(client, world, login, db):
    mine = Device(client, login(world.member))
    other = Device(client, login(world.other_member))
    mine.pull()
    other.pull()
    org = orgs.get(db, world.grassroots.id)
    orgs.update(db, org, {"name": "Đảng bộ xã Mới"})
    record_change(db, "organization", org.id, org_ids=[org.id])
    db.commit()
    resp = client.get("/api/v1/sync", params={"cursor": other.cursor}, headers=other.headers)
    assert resp.json()["changes"] == []
    mine.pull()
    assert mine.of_type("organization")[world.grassroots.id]["name"] == "Đảng bộ xã Mới"
    assert mine.resets == 1  # still the first snapshot: a delta, not a reset


def test_transfer_resets_device_and_removes_old_path(client, world, login, db):
    headers = login(world.member)
    device = Device(client, headers)
    device.pull()
    staff = _principal(db, world.province_staff)
    members.transfer(db, staff, world.member.member.id, TransferRequest(to_org_id=world.other_cell.id))
    db.commit()
    device.pull()
    assert device.resets == 2
    held = device.of_type("organization")
    assert world.cell.id not in held and world.district.id not in held
    assert world.other_cell.id in held
    assert device.of_type("member")[world.member.member.id]["org_id"] == world.other_cell.id
    assert device.store == fresh_view(client, headers)


def test_role_removed_changes_profile_and_resets(client, world, login, db):
    headers = login(world.secretary)
    device = Device(client, headers)
    device.pull()
    roles = device.of_type("member")[world.secretary.member.id]["roles"]
    assert [r["role"] for r in roles] == ["secretary"]
    staff = _principal(db, world.staff)
    grant = members.list_roles(db, staff, world.secretary.member.id)[0]
    members.remove_role(db, staff, world.secretary.member.id, grant.id)
    db.commit()
    device.pull()
    assert device.of_type("member")[world.secretary.member.id]["roles"] == []
    assert device.resets == 2
    members.assign_role(db, staff, world.secretary.member.id,
                        RoleAssign(role=Role.secretary, org_id=world.cell.id))
    db.commit()
    device.pull()
    assert [r["role"] for r in device.of_type("member")[world.secretary.member.id]["roles"]] == ["secretary"]


def test_changes_deduplicated_to_latest_per_entity(client, world, login, db):
    device = Device(client, login(world.member))
    device.pull()
    org = orgs.get(db, world.cell.id)
    for i in range(3):
        orgs.update(db, org, {"name": f"Chi bộ đổi tên {i}"})
        record_change(db, "organization", org.id, org_ids=[org.id])
        db.commit()
    resp = client.get("/api/v1/sync", params={"cursor": device.cursor}, headers=device.headers).json()
    assert [(c["type"], c["id"]) for c in resp["changes"]] == [("organization", world.cell.id)]
    assert resp["changes"][0]["data"]["name"] == "Chi bộ đổi tên 2"


def test_has_more_pages_in_version_order(client, world, login, db):
    device = Device(client, login(world.member))
    device.pull()
    for org in (world.province, world.district, world.grassroots, world.cell):
        record_change(db, "organization", org.id, org_ids=[org.id])
    db.commit()
    first = client.get("/api/v1/sync", params={"cursor": device.cursor, "limit": 3},
                       headers=device.headers).json()
    assert first["has_more"] is True and len(first["changes"]) == 3
    second = client.get("/api/v1/sync", params={"cursor": first["cursor"], "limit": 3},
                        headers=device.headers).json()
    assert second["has_more"] is False
    assert [c["id"] for c in second["changes"]] == [world.cell.id]
    assert second["changes"][0]["version"] > max(c["version"] for c in first["changes"])


def test_stale_cursor_gets_410_and_fresh_start_works(client, world, login, db):
    device = Device(client, login(world.member))
    device.pull()
    old = device.cursor
    record_change(db, "organization", world.cell.id, org_ids=[world.cell.id])
    db.commit()
    device.pull()
    record_change(db, "organization", world.cell.id, org_ids=[world.cell.id])
    db.commit()
    assert sync_service.prune(db, older_than=utcnow() + timedelta(seconds=1)) > 0
    db.commit()
    resp = client.get("/api/v1/sync", params={"cursor": old}, headers=device.headers)
    assert resp.status_code == 410
    assert resp.json()["code"] == "cursor_expired"
    device.cursor = None
    device.pull()
    assert device.store == fresh_view(client, device.headers)


def test_garbage_cursor_is_400_not_500(client, world, login):
    headers = login(world.member)
    for bad in ("xyz", "ZC5hYmM", "!!!!"):
        resp = client.get("/api/v1/sync", params={"cursor": bad}, headers=headers)
        assert resp.status_code == 400, resp.text
        assert resp.json()["code"] == "invalid_cursor"


def test_feed_requires_sign_in(client):
    assert client.get("/api/v1/sync").status_code == 401


def test_admin_without_member_gets_empty_view(client, world, login):
    device = Device(client, login(world.admin))
    device.pull()
    assert device.store == {}


def test_staff_org_off_the_path_is_held_and_renames_reach_it(client, world, login, db):
    from tests import factories

    person = factories.make_member(db, world.cell, roles=[(Role.staff, world.other_district)])
    db.commit()
    device = Device(client, login(person))
    device.pull()
    held = device.of_type("organization")
    assert world.other_district.id in held and world.other_cell.id not in held
    assert device.of_type("member")[person.member.id]["roles"] == [
        {"role": "staff", "org_id": world.other_district.id}]
    org = orgs.get(db, world.other_district.id)
    orgs.update(db, org, {"name": "Đảng bộ huyện B mới"})
    record_change(db, "organization", org.id, org_ids=[org.id])
    db.commit()
    device.pull()
    assert device.of_type("organization")[world.other_district.id]["name"] == "Đảng bộ huyện B mới"
    assert device.store == fresh_view(client, device.headers)
