"""Every members route, called by someone from another cell and from another subtree: 403/404, no data."""

import pytest
from sqlalchemy import func, select

from server.records.audit import AuditEntry
from server.records.members import Member, Membership, RoleAssignment, User
from shared.enums import Role
from tests.server.members.factories import csv_bytes, fresh, post_import

OUTSIDERS = ["sibling_member", "other_member", "other_secretary", "other_staff"]

# (method, path, body); {placeholders} are filled from the world.
ROUTES = [
    ("GET", "/members/{member}", None),
    ("PATCH", "/members/{member}", {"position": "Bị sửa", "is_active": False}),
    ("POST", "/members/{member}/transfer", {"to_org_id": "{sibling_cell}"}),
    ("GET", "/members/{member}/history", None),
    ("POST", "/members/{member}/account", {"username": "chiem.quyen", "password": "mat-khau-dai-3"}),
    ("POST", "/members/{member}/password", {"new_password": "mat-khau-dai-3"}),
    ("GET", "/members/{secretary}/roles", None),
    ("POST", "/members/{member}/roles", {"role": "deputy_secretary", "org_id": "{cell}"}),
    ("DELETE", "/members/{secretary}/roles/{role}", None),
]


def _values(world, db) -> dict[str, int]:
    role = db.execute(
        select(RoleAssignment).where(
            RoleAssignment.user_id == world.secretary.user.id, RoleAssignment.role == Role.secretary.value
        )
    ).scalar_one()
    return {
        "member": world.member.member.id,
        "secretary": world.secretary.member.id,
        "role": role.id or 0,
        "cell": world.cell.id,
        "sibling_cell": world.sibling_cell.id,
    }


def _fill(value, values):
    if isinstance(value, str):
        filled = value.format(**values)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _snapshot(db, world):
    fresh(db)
    m = db.get(Member, world.member.member.id)
    u = db.get(User, world.member.user.id)
    return (
        m.position,
        m.org_id,
        m.full_name,
        u.password_hash,
        u.is_active,
        db.execute(select(func.count()).select_from(RoleAssignment)).scalar_one(),
        db.execute(select(func.count()).select_from(Membership)).scalar_one(),
        db.execute(select(func.count()).select_from(User)).scalar_one(),
        db.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.not_like("auth.%"))
        ).scalar_one(),
    )


def _secrets(world) -> list[str]:
    people = (world.member, world.secretary)
    return [p.member.full_name for p in people] + [p.member.card_number for p in people]


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("method,path,body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_outsiders_get_403_or_404_and_nothing_changes(client, db, world, login, outsider, method, path, body):
    values = _values(world, db)
    person = getattr(world, outsider)
    headers = login(person)
    victim = login(world.member)
    before = _snapshot(db, world)
    resp = client.request(method, "/api/v1" + _fill(path, values), headers=headers, json=_fill(body, values))
    if method == "GET":
        assert resp.status_code == 404, resp.text  # a record out of scope does not exist for the caller
    else:
        assert resp.status_code == (404 if outsider == "other_staff" else 403), resp.text
    assert set(resp.json()) <= {"code", "message"}
    for secret in _secrets(world):
        assert secret not in resp.text
    assert _snapshot(db, world) == before
    assert client.get("/api/v1/me", headers=victim).status_code == 200  # their session survived


@pytest.mark.parametrize(
    "method,path,body",
    [r for r in ROUTES if r[0] == "GET"],
    ids=[f"{m} {p}" for m, p, _ in ROUTES if m == "GET"],
)
def test_the_same_reads_work_for_staff_of_the_subtree(client, db, world, login, method, path, body):
    resp = client.request(method, "/api/v1" + _fill(path, _values(world, db)), headers=login(world.staff))
    assert resp.status_code == 200
    assert resp.json()  # the member, their history, the secretary's office: never empty for them


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_listing_shows_outsiders_none_of_our_members(client, world, login, outsider):
    person = getattr(world, outsider)
    ours = {world.member.member.id, world.member2.member.id, world.secretary.member.id, world.staff.member.id}
    for params in (
        {},
        {"org_id": world.cell.id},
        {"org_id": world.district.id},
        {"q": "Trần Thị Đảng"},
        {"q": world.member.member.card_number},
        {"limit": 500},
    ):
        resp = client.get("/api/v1/members", headers=login(person), params=params)
        assert resp.status_code == 200
        items = resp.json()["items"]
        assert {i["id"] for i in items} & ours == set(), params
        assert resp.json()["total"] == len(items)
        for secret in _secrets(world):
            assert secret not in resp.text


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_create_in_our_cell(client, db, world, login, outsider):
    resp = client.post(
        "/api/v1/members",
        headers=login(getattr(world, outsider)),
        json={"full_name": "Người Lạ", "org_id": world.cell.id, "card_number": "4444444"},
    )
    assert resp.status_code == 403
    assert fresh(db).execute(select(Member).where(Member.card_number == "4444444")).first() is None


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_import_into_our_cell(client, db, world, login, outsider):
    content = csv_bytes([["Người Lạ", "4444444", world.cell.code]], ["Họ và tên", "Số thẻ", "Mã chi bộ"])
    resp = post_import(client, login(getattr(world, outsider)), content, import_valid_rows=True)
    if outsider == "other_staff":
        assert resp.status_code == 200 and resp.json()["rows"][0]["status"] == "rejected"
    else:
        assert resp.status_code == 403
    assert fresh(db).execute(select(Member).where(Member.card_number == "4444444")).first() is None


def test_other_staff_cannot_pull_their_member_into_our_cell_or_give_our_offices(client, db, world, login):
    theirs = world.other_member.member.id
    headers = login(world.other_staff)
    resp = client.post(
        f"/api/v1/members/{theirs}/transfer", headers=headers, json={"to_org_id": world.cell.id}
    )
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/members/{theirs}/roles",
        headers=headers,
        json={"role": "staff", "org_id": world.district.id},
    )
    assert resp.status_code == 403
    fresh(db)
    assert db.get(Member, theirs).org_id == world.other_cell.id
    assert (
        db.execute(select(RoleAssignment).where(RoleAssignment.user_id == world.other_member.user.id)).first()
        is None
    )
