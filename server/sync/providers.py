"""Providers of the foundation's entity types: the caller's organisation path and own profile."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server.records.members import Member, RoleAssignment, User
from server.records.orgs import Organization
from server.sync.registry import Provider, SimpleProvider, View
from shared.schemas.sync import MemberData, OrganizationData, RoleData


def _orgs_visible(view: View) -> Any:
    if not view.org_ids:
        return None
    return select(col(Organization.id)).where(col(Organization.id).in_(view.org_ids))


def _orgs_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Organization).where(col(Organization.id).in_(ids))).scalars()
    return {o.id: OrganizationData.model_validate(o).model_dump(mode="json") for o in rows if o.id}


def _member_visible(view: View) -> Any:
    if view.member_id is None:
        return None
    return select(col(Member.id)).where(col(Member.id) == view.member_id)


def _member_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for member in session.execute(select(Member).where(col(Member.id).in_(ids))).scalars():
        user = session.execute(select(User).where(col(User.member_id) == member.id)).scalar_one_or_none()
        if user is None:
            continue
        roles = session.execute(
            select(RoleAssignment).where(col(RoleAssignment.user_id) == user.id)
            .order_by(col(RoleAssignment.id))
        ).scalars().all()
        data = MemberData(
            id=member.id or 0, user_id=user.id or 0, username=user.username, full_name=member.full_name,
            birth_date=member.birth_date, card_number=member.card_number, admitted_on=member.admitted_on,
            official_on=member.official_on, kind=member.kind, org_id=member.org_id,
            position=member.position, phone=member.phone,
            roles=[RoleData(role=r.role, org_id=r.org_id) for r in roles],
        )
        out[member.id or 0] = data.model_dump(mode="json")
    return out


# Registered by the app factory (server/wiring.py), snapshot order as listed.
PROVIDERS: list[Provider] = [
    SimpleProvider("organization", _orgs_visible, _orgs_data, col(Organization.id)),
    SimpleProvider("member", _member_visible, _member_data, col(Member.id)),
]
