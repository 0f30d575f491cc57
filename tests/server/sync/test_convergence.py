"""Property: a device following the feed through any sequence of changes ends with the server's view."""

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.auth.principal import build
from server.members import service as members
from server.notifications import service as notes
from server.orgs import service as orgs
from server.records.changelog import record_change
from shared.enums import OrgKind, Role
from shared.schemas.members import MemberUpdate, RoleAssign, TransferRequest
from tests import factories
from tests.server.sync.helpers import Device, fresh_view

_names = itertools.count(1)

ops = st.one_of(
    st.tuples(st.just("pull"), st.sampled_from([1, 2, 3, 50])),
    st.tuples(st.just("rename"), st.integers(0, 8)),
    st.tuples(st.just("move"), st.integers(0, 1), st.integers(0, 1)),
    st.tuples(st.just("transfer"), st.integers(0, 3)),
    st.tuples(st.just("role"), st.booleans()),
    st.tuples(st.just("phone"), st.integers(0, 99)),
    st.tuples(st.just("notify_org"), st.integers(0, 8)),
    st.tuples(st.just("notify_user"), st.booleans()),
    st.tuples(st.just("read_all"), st.just(0)),
)


class Tree:
    def __init__(self, db):
        self.province = factories.make_org(db, kind=OrgKind.province)
        self.districts = [factories.make_org(db, kind=OrgKind.district, parent=self.province)
                          for _ in range(2)]
        self.grassroots = [factories.make_org(db, kind=OrgKind.grassroots, parent=d) for d in self.districts]
        self.cells = [factories.make_org(db, kind=OrgKind.cell, parent=g)
                      for g in self.grassroots for _ in range(2)]
        self.all = [self.province, *self.districts, *self.grassroots, *self.cells]
        self.admin = factories.make_admin(db, username=f"qt{next(_names)}")
        self.person = factories.make_member(db, self.cells[0])
        self.bystander = factories.make_member(db, self.cells[3])
        db.commit()


def apply(db, tree: Tree, device: Device, op: tuple) -> None:
    admin = build(db, tree.admin.user, None, None)
    member_id = tree.person.member.id
    kind = op[0]
    if kind == "pull":
        device.limit = op[1]
        device.pull()
        return
    if kind == "rename":
        org = tree.all[op[1]]
        orgs.update(db, org, {"name": f"Tên mới {next(_names)}"})
        record_change(db, "organization", org.id, org_ids=[org.id])
    elif kind == "move":
        org, target = tree.grassroots[op[1]], tree.districts[op[2]]
        if org.parent_id != target.id:
            old = org.parent_id
            orgs.update(db, org, {"parent_id": target.id})
            record_change(db, "organization", org.id, org_ids=[org.id, old])
    elif kind == "transfer":
        cell = tree.cells[op[1]]
        if db.get(type(tree.person.member), member_id).org_id != cell.id:
            members.transfer(db, admin, member_id, TransferRequest(to_org_id=cell.id))
    elif kind == "role":
        current = members.list_roles(db, admin, member_id)
        if op[1] and not current:
            cell_id = db.get(type(tree.person.member), member_id).org_id
            members.assign_role(db, admin, member_id, RoleAssign(role=Role.secretary, org_id=cell_id))
        elif not op[1] and current:
            members.remove_role(db, admin, member_id, current[0].id)
    elif kind == "phone":
        members.update(db, admin, member_id, MemberUpdate(phone=f"0912 345 {op[1]:03d}"))
    elif kind == "notify_org":
        notes.notify(db, org_ids=[tree.all[op[1]].id], kind="k", title=f"Thông báo {next(_names)}")
    elif kind == "notify_user":
        person = tree.person if op[1] else tree.bystander
        notes.notify(db, user_ids=[person.user.id], kind="k", title=f"Riêng {next(_names)}")
    elif kind == "read_all":
        member = db.get(type(tree.person.member), member_id)
        notes.mark_read(db, tree.person.user.id, notes.path_of(db, member.org_id), None, all_=True)
    db.commit()


@example(sequence=[("rename", 5)])
@example(sequence=[("pull", 50), ("transfer", 3), ("notify_org", 0), ("pull", 1), ("transfer", 0)])
@example(sequence=[("role", True), ("pull", 2), ("rename", 5), ("move", 0, 1), ("role", False)])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(ops, min_size=1, max_size=25))
def test_device_converges_to_server_view(client, login, db, sequence):
    tree = Tree(db)
    headers = login(tree.person)
    device = Device(client, headers, limit=3)
    device.pull()
    for op in sequence:
        apply(db, tree, device, op)
    device.limit = 4
    device.pull()
    assert device.store == fresh_view(client, headers)
    # and the view is the member's: their path, their profile, their notifications only
    member = db.get(type(tree.person.member), tree.person.member.id)
    path = set(notes.path_of(db, member.org_id))
    assert set(device.of_type("organization")) == path  # a member of no staff role: exactly the path
    assert set(device.of_type("member")) == {member.id}
