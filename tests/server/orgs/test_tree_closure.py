"""The closure table stays exact through creates and subtree moves, on SQLite and PostgreSQL."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlmodel import Session

from server.config import Settings
from server.db import Database
from server.errors import Unprocessable
from server.orgs import service as orgs
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from shared.enums import OrgKind
from tests.factories import make_member, make_org


@pytest.fixture
def anydb(any_settings: Settings) -> Iterator[Session]:
    database = Database(any_settings)
    session = database.session(write=True)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        database.dispose()


def expected_closure(session: Session) -> set[tuple[int, int, int]]:
    """Every (ancestor, descendant, distance) computed the slow way, from parent pointers."""
    parents = {o.id: o.parent_id for o in session.execute(select(Organization)).scalars()}
    rows = set()
    for org_id in parents:
        node, distance = org_id, 0
        while node is not None:
            rows.add((node, org_id, distance))
            node, distance = parents[node], distance + 1
    return rows


def check(session: Session) -> None:
    session.flush()
    actual = {
        (c.ancestor_id, c.descendant_id, c.distance) for c in session.execute(select(OrgClosure)).scalars()
    }
    assert actual == expected_closure(session)
    for org in session.execute(select(Organization)).scalars():
        assert org.depth == max(d for a, d_id, d in actual if d_id == org.id)


def test_moves_keep_the_closure_exact(anydb: Session):
    s = anydb
    province = make_org(s, "Tỉnh", OrgKind.province)
    d1 = make_org(s, "Huyện 1", OrgKind.district, province)
    d2 = make_org(s, "Huyện 2", OrgKind.district, province)
    g1 = make_org(s, "Xã 1", OrgKind.grassroots, d1)
    g2 = make_org(s, "Cơ sở lồng", OrgKind.grassroots, g1)
    c1 = make_org(s, "Chi bộ 1", OrgKind.cell, g2)
    c2 = make_org(s, "Chi bộ 2", OrgKind.cell, g1)
    c3 = make_org(s, "Chi bộ 3", OrgKind.cell, d2)
    member = make_member(s, c1, account=False).member
    check(s)

    orgs.move(s, g1, d2.id)  # a four-node subtree to another district
    check(s)
    assert orgs.is_within(s, c1.id, [d2.id]) and not orgs.is_within(s, c1.id, [d1.id])
    assert [o.id for o in orgs.ancestors(s, c1.id)] == [province.id, d2.id, g1.id, g2.id, c1.id]

    orgs.move(s, g2, province.id)  # the nested grassroots straight under the province
    check(s)
    assert not orgs.is_within(s, c1.id, [g1.id])

    orgs.move(s, g1, g2.id)  # and the former parent below its former child
    check(s)
    assert g1.depth == 2 and c2.depth == 3

    with pytest.raises(Unprocessable):
        orgs.move(s, g2, c2.id)  # under a chi bộ: a cell is a leaf
    with pytest.raises(Unprocessable):
        orgs.move(s, g2, g1.id)  # into its own subtree
    check(s)

    ids = set(s.execute(select(Member.id).where(Member.org_id.in_(orgs.subtree_ids(g2.id)))).scalars())
    assert ids == {member.id}
    visible = set(
        s.execute(select(Organization.id).where(Organization.id.in_(orgs.subtrees_ids([d2.id])))).scalars()
    )
    assert visible == {d2.id, c3.id}
    s.commit()
    check(s)


def test_new_orgs_under_moved_nodes_get_the_new_path(anydb: Session):
    s = anydb
    province = make_org(s, "Tỉnh", OrgKind.province)
    d1 = make_org(s, "Huyện 1", OrgKind.district, province)
    d2 = make_org(s, "Huyện 2", OrgKind.district, province)
    g = make_org(s, "Xã", OrgKind.grassroots, d1)
    orgs.move(s, g, d2.id)
    cell = make_org(s, "Chi bộ mới", OrgKind.cell, g)
    check(s)
    assert [o.id for o in orgs.ancestors(s, cell.id)] == [province.id, d2.id, g.id, cell.id]
