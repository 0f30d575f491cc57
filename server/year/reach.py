"""The reading rule a member's yearly papers share (commitments, self-reviews): the author always; once
sent, the leaders of the cell it was written in, staff above that cell and admins; nobody else."""

from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import NotFound
from server.records.orgs import OrgClosure

T = TypeVar("T")


def visible_clause(principal: Principal, member_id: InstrumentedAttribute[Any],
                   org_id: InstrumentedAttribute[Any], status: InstrumentedAttribute[Any], draft: str,
                   row_id: InstrumentedAttribute[Any]) -> Any:
    """WHERE clause of the papers the caller may read (a draft is its author's only)."""
    parts: list[Any] = []
    if principal.member is not None and principal.member.id is not None:
        parts.append(col(member_id) == principal.member.id)
    if principal.is_admin:
        parts.append(col(status) != draft)
    else:
        others = []
        if principal.led_cell_ids:
            others.append(col(org_id).in_(principal.led_cell_ids))
        if principal.staff_org_ids:
            others.append(col(org_id).in_(select(col(OrgClosure.descendant_id))
                                          .where(col(OrgClosure.ancestor_id).in_(principal.staff_org_ids))))
        if others:
            parts.append(and_(col(status) != draft, or_(*others)))
    return or_(*parts) if parts else col(row_id).is_(None)


def find(session: Session, model: type[T], row_id: InstrumentedAttribute[Any], wanted: int, visible: Any,
         missing: NotFound, *, lock: bool = False) -> T:
    """The row if the caller may read it (`visible`), else `missing` (404: not even its existence)."""
    q = select(model).where(col(row_id) == wanted, visible)
    if lock:
        q = q.with_for_update()
    found = session.execute(q).scalar_one_or_none()
    if found is None:
        raise missing
    return found
