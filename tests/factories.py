"""Test data factories: organisations, members with accounts and roles, signed-in clients."""

import itertools
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from server.auth import security
from server.orgs import service as orgs
from server.records.members import Member, Membership, RoleAssignment, User
from server.records.orgs import Organization
from shared.enums import MemberKind, OrgKind, Role
from shared.text import fold

PASSWORD = "matkhau-an-toan-1"
_HASH = security.hash_password(PASSWORD)  # hashing is slow on purpose; do it once
_seq = itertools.count(1)


def make_org(session: Session, name: str | None = None, kind: OrgKind = OrgKind.cell,
             parent: Organization | None = None, **extra) -> Organization:
    n = next(_seq)
    org = orgs.create(session, name=name or f"Tổ chức {n}", kind=kind, code=f"T{n}",
                      parent_id=parent.id if parent else None, **extra)
    session.flush()
    return org


@dataclass
class Person:
    member: Member | None
    user: User
    password: str = PASSWORD

    @property
    def username(self) -> str:
        return self.user.username


def make_member(session: Session, org: Organization, *, username: str | None = None,
                full_name: str | None = None, kind: MemberKind = MemberKind.official,
                roles: list[tuple[Role, Organization | None]] | None = None,
                card_number: str | None = None, account: bool = True, is_demo: bool = False) -> Person:
    n = next(_seq)
    full_name = full_name or f"Đảng viên Thứ {n}"
    member = Member(full_name=full_name, name_folded=fold(full_name), kind=kind.value, org_id=org.id,
                    card_number=card_number or f"{90000000 + n}", birth_date=date(1980, 1, 1),
                    admitted_on=date(2005, 5, 19), official_on=date(2006, 5, 19))
    session.add(member)
    session.flush()
    session.add(Membership(member_id=member.id, org_id=org.id, started_on=date(2005, 5, 19)))
    user = User(username=username or f"user{n}", password_hash=_HASH, member_id=member.id,
                display_name=full_name, is_demo=is_demo)
    session.add(user)
    session.flush()
    for role, role_org in roles or []:
        session.add(RoleAssignment(user_id=user.id, role=role.value,
                                   org_id=role_org.id if role_org else None))
    session.flush()
    return Person(member=member, user=user)


def make_admin(session: Session, username: str = "quantri") -> Person:
    user = User(username=username, password_hash=_HASH, display_name="Quản trị")
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role=Role.admin.value))
    session.flush()
    return Person(member=None, user=user)


@dataclass
class World:
    """Two provinces' worth of tree: the usual cast for scope tests."""

    province: Organization
    district: Organization
    grassroots: Organization
    cell: Organization
    sibling_cell: Organization
    other_district: Organization
    other_cell: Organization
    admin: Person
    staff: Person  # staff of the district
    province_staff: Person
    secretary: Person  # of cell
    member: Person  # of cell
    member2: Person  # of cell
    sibling_member: Person
    other_staff: Person  # staff of other_district
    other_secretary: Person  # of other_cell
    other_member: Person  # of other_cell


def make_world(session: Session) -> World:
    province = make_org(session, "Đảng bộ tỉnh Thử", OrgKind.province)
    district = make_org(session, "Đảng bộ huyện A", OrgKind.district, province)
    grassroots = make_org(session, "Đảng bộ xã A1", OrgKind.grassroots, district)
    cell = make_org(session, "Chi bộ thôn A1-1", OrgKind.cell, grassroots)
    sibling_cell = make_org(session, "Chi bộ thôn A1-2", OrgKind.cell, grassroots)
    other_district = make_org(session, "Đảng bộ huyện B", OrgKind.district, province)
    other_grassroots = make_org(session, "Đảng bộ xã B1", OrgKind.grassroots, other_district)
    other_cell = make_org(session, "Chi bộ thôn B1-1", OrgKind.cell, other_grassroots)
    world = World(
        province=province, district=district, grassroots=grassroots, cell=cell, sibling_cell=sibling_cell,
        other_district=other_district, other_cell=other_cell,
        admin=make_admin(session),
        staff=make_member(session, sibling_cell, username="canbo.a", roles=[(Role.staff, district)]),
        province_staff=make_member(session, sibling_cell, username="canbo.tinh",
                                   roles=[(Role.staff, province)]),
        secretary=make_member(session, cell, username="bithu.a", full_name="Nguyễn Văn Bí",
                              roles=[(Role.secretary, cell)]),
        member=make_member(session, cell, username="dangvien.a", full_name="Trần Thị Đảng"),
        member2=make_member(session, cell, username="dangvien.a2", full_name="Lê Văn Hai"),
        sibling_member=make_member(session, sibling_cell, username="dangvien.a1b"),
        other_staff=make_member(session, other_cell, username="canbo.b",
                                roles=[(Role.staff, other_district)]),
        other_secretary=make_member(session, other_cell, username="bithu.b",
                                    roles=[(Role.secretary, other_cell)]),
        other_member=make_member(session, other_cell, username="dangvien.b"),
    )
    return world
