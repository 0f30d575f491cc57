"""The account rule itself, as the services call it (for paths without their own route test yet)."""

import pytest

from server.access import accounts
from server.errors import NotFound
from server.records.members import RoleAssignment
from shared.enums import Role
from tests.factories import make_admin, make_member
from tests.server.meetings.factories import principal


@pytest.fixture
def commune_staff(db, world):
    db.add(RoleAssignment(user_id=world.secretary.user.id, role=Role.staff.value, org_id=world.grassroots.id))
    db.flush()
    return principal(db, world.secretary)


def test_changeable_user_follows_cell_and_role_reach(db, world, commune_staff):
    assert accounts.changeable_user(db, commune_staff, world.member.user.id, "sessions.end") is not None
    assert accounts.changeable_user(db, commune_staff, world.secretary.user.id, "sessions.end") is not None
    for person in (world.province_staff, world.staff, make_admin(db, "quantri.khac"),
                   make_member(db, world.sibling_cell, roles=[(Role.admin, None)])):
        with pytest.raises(accounts.OutOfScope) as refused:
            accounts.changeable_user(db, commune_staff, person.user.id, "sessions.end")
        assert refused.value.code == "out_of_scope" and refused.value.status == 403
        assert refused.value.audit is not None and refused.value.audit["action"] == "access.refused"
    with pytest.raises(NotFound):  # out of view altogether, as on the member routes
        accounts.changeable_user(db, commune_staff, world.other_member.user.id, "sessions.end")


def test_out_of_reach_in_bulk_agrees_with_the_one_by_one_rule(db, world, commune_staff):
    cell_admin = make_member(db, world.sibling_cell, roles=[(Role.admin, None)])
    people = [world.member, world.secretary, world.sibling_member, world.staff, world.province_staff,
              cell_admin]
    beyond = accounts.out_of_reach(db, commune_staff, [p.user.id for p in people])
    assert beyond == {world.staff.user.id, world.province_staff.user.id, cell_admin.user.id}
    for person in people:
        roles = accounts.roles_of(db, person.user.id)
        one_by_one = all(accounts.role_in_reach(db, commune_staff, r.role, r.org_id) for r in roles)
        assert one_by_one == (person.user.id not in beyond)
    assert accounts.out_of_reach(db, principal(db, world.admin), [p.user.id for p in people]) == set()
