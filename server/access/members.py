"""Who may see which members: the read rule every member query starts from."""

from sqlalchemy import or_, select
from sqlalchemy.sql import Select

from server.auth.principal import Principal
from server.records import orgs
from server.records.members import Member


def visible_members(principal: Principal) -> Select:
    """SELECT of the members the caller may see: admin all, staff their subtrees, leaders their cells."""
    q = select(Member)
    if principal.is_admin:
        return q
    conditions = []
    if principal.staff_org_ids:
        conditions.append(Member.org_id.in_(orgs.subtrees_ids(principal.staff_org_ids)))
    if principal.led_cell_ids:
        conditions.append(Member.org_id.in_(principal.led_cell_ids))
    if principal.member is not None:
        conditions.append(Member.id == principal.member.id)
    return q.where(or_(*conditions)) if conditions else q.where(Member.id == -1)
