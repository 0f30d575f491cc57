"""Every organisation route, called from another cell and from another subtree."""

import pytest
from sqlalchemy import func, select

from server.records.orgs import Organization, OrgClosure
from tests.server.members.factories import fresh

OUTSIDERS = ["sibling_member", "other_member", "other_secretary", "other_staff"]


def _state(db):
    fresh(db)
    return (
        [
            (o.id, o.name, o.code, o.parent_id, o.meeting_day)
            for o in db.execute(select(Organization).order_by(Organization.id)).scalars()
        ],
        db.execute(select(func.count()).select_from(OrgClosure)).scalar_one(),
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_reading_an_org_outside_ones_path_is_404(client, world, login, outsider):
    resp = client.get(f"/api/v1/orgs/{world.cell.id}", headers=login(getattr(world, outsider)))
    assert resp.status_code == 404
    assert world.cell.name not in resp.text


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_listing_hides_our_cell(client, world, login, outsider):
    headers = login(getattr(world, outsider))
    for params in (
        {},
        {"within": world.grassroots.id},
        {"parent_id": world.grassroots.id},
        {"kind": "cell"},
        {"q": "A1-1"},
        {"limit": 500},
    ):
        resp = client.get("/api/v1/orgs", headers=headers, params=params)
        assert resp.status_code == 200
        assert world.cell.id not in {o["id"] for o in resp.json()["items"]}, params
        assert world.cell.name not in resp.text
    if outsider.startswith("other"):
        ids = {o["id"] for o in client.get("/api/v1/orgs", headers=headers).json()["items"]}
        assert world.district.id not in ids and world.grassroots.id not in ids


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_change_our_tree(client, db, world, login, outsider):
    headers = login(getattr(world, outsider))
    before = _state(db)
    resp = client.patch(f"/api/v1/orgs/{world.cell.id}", headers=headers, json={"name": "Bị đổi tên"})
    assert resp.status_code in (403, 404)
    resp = client.patch(
        f"/api/v1/orgs/{world.grassroots.id}", headers=headers, json={"parent_id": world.other_district.id}
    )
    assert resp.status_code in (403, 404)
    resp = client.post(
        "/api/v1/orgs",
        headers=headers,
        json={"name": "Chi bộ cài vào", "kind": "cell", "code": "CAI-VAO", "parent_id": world.grassroots.id},
    )
    assert resp.status_code == 403
    assert _state(db) == before


def test_other_staff_cannot_pull_our_subtree_into_theirs(client, db, world, login):
    before = _state(db)
    resp = client.patch(
        f"/api/v1/orgs/{world.grassroots.id}",
        headers=login(world.other_staff),
        json={"parent_id": world.other_district.id},
    )
    assert resp.status_code == 403
    assert _state(db) == before
