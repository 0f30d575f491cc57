"""Who sees and who manages which document: the one rule every read path (list, get, search, files,
stats) uses.

A document is visible to a member exactly when one of its audience organisations is an ancestor-or-self of the
member's cell (the closure table answers that). Publishers also see what they may manage: drafts, scheduled,
withdrawn. Staff see live documents addressed anywhere on their subtree or above it (for read statistics).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents.models import Document, DocumentAudience
from server.errors import Forbidden, NotFound
from server.records.orgs import OrgClosure, subtrees_ids
from server.timeutil import utcnow
from shared.schemas.documents import DocCategory, DocStatus

LIVE_STATUSES = (DocStatus.published.value, DocStatus.superseded.value)
NOT_LIVE_STATUSES = tuple(s.value for s in DocStatus if s.value not in LIVE_STATUSES)

_NOT_FOUND = "Không tìm thấy văn bản (hoặc văn bản không gửi tới tổ chức của bạn)."


def ancestors_of(session: Session, org_ids: Iterable[int]) -> list[int]:
    """Ancestor-or-self ids of the organisations (a handful per cell: fetched once, used as literals)."""
    ids = [i for i in set(org_ids) if i is not None]
    if not ids:
        return []
    rows = session.execute(
        select(col(OrgClosure.ancestor_id)).where(col(OrgClosure.descendant_id).in_(ids)).distinct()
    ).scalars()
    return sorted(int(r) for r in rows)


def _audience_in(org_ids: Sequence[int] | Select) -> ColumnElement[bool]:
    return col(Document.id).in_(
        select(col(DocumentAudience.document_id)).where(col(DocumentAudience.org_id).in_(org_ids))
    )


def _all_audience_in(org_ids: Sequence[int] | Select, within: Sequence[int] | Select | None = None
                     ) -> ColumnElement[bool]:
    """Every audience organisation lies in org_ids.

    Written as "has one inside and none outside" with uncorrelated subqueries: each is computed once per
    query (a hashed set), where a correlated NOT EXISTS ran once per document (seconds on PostgreSQL).
    `within`: only these documents (ids, or a query of them) are asked about, so the sets are built from
    their audiences alone (without it, "none outside" read every audience row of the province).
    """
    inside = select(col(DocumentAudience.document_id)).where(col(DocumentAudience.org_id).in_(org_ids))
    outside = select(col(DocumentAudience.document_id)).where(col(DocumentAudience.org_id).not_in(org_ids))
    if within is not None:
        chosen = within if isinstance(within, Select) else list(within)
        inside = inside.where(col(DocumentAudience.document_id).in_(chosen))
        outside = outside.where(col(DocumentAudience.document_id).in_(chosen))
    return and_(col(Document.id).in_(inside), col(Document.id).not_in(outside))


def live_clause(now: datetime) -> ColumnElement[bool]:
    """Published (or superseded, still readable), or scheduled and due even if the scheduler is late."""
    return or_(
        col(Document.status).in_(LIVE_STATUSES),
        and_(col(Document.status) == DocStatus.scheduled.value, col(Document.publish_at) <= now),
    )


def manageable_clause(principal: Principal, within: Sequence[int] | Select | None = None
                      ) -> ColumnElement[bool]:
    """Documents the caller may edit, publish, withdraw and see statistics of as their publisher
    (`within`: when only these documents are asked about)."""
    if principal.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if principal.staff_org_ids:
        clauses.append(_all_audience_in(subtrees_ids(principal.staff_org_ids), within))
    if principal.led_cell_ids:
        clauses.append(
            and_(
                col(Document.category) == DocCategory.meeting.value,
                _all_audience_in(list(principal.led_cell_ids), within),
            )
        )
    return or_(*clauses) if clauses else false()


def member_reach(session: Session, principal: Principal) -> list[int]:
    """Audience organisations that put a document in front of the caller as a member: their cell's path."""
    return ancestors_of(session, [principal.cell_id] if principal.cell_id else [])


def _not_live_ids() -> Select:
    """Documents that are not live by their status (a superset: scheduled ones may be due), from the status
    index. Uncorrelated, so that it is one small set per query whatever the outer query reads."""
    return (
        select(col(Document.id))
        .where(col(Document.status).in_(NOT_LIVE_STATUSES))
        .correlate(None)
    )


def visible_clause(
    session: Session, principal: Principal, now: datetime | None = None
) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    now = now or utcnow()
    own = member_reach(session, principal)
    # Staff and cell leaders also see live documents reaching their scope (for read statistics).
    leaders_reach = ancestors_of(session, [*principal.staff_org_ids, *principal.led_cell_ids])
    near = sorted(set(own) | set(leaders_reach) | set(principal.led_cell_ids))
    addressed_to: list[ColumnElement[bool]] = [col(DocumentAudience.org_id).in_(near)] if near else []
    if principal.staff_org_ids:
        addressed_to.append(col(DocumentAudience.org_id).in_(subtrees_ids(principal.staff_org_ids)))
    if not addressed_to:
        return false()
    # Everything visible has an audience organisation on the caller's path or in their subtrees: one set,
    # read from the audience index once. A live document in it is visible; the others only by the tests
    # below (which imply it), so it is not tested again for each (each copy was another pass over
    # document_audience: a third of a staff member's search on the generated province).
    addressed = col(Document.id).in_(
        select(col(DocumentAudience.document_id)).where(or_(*addressed_to))
    )
    clauses: list[ColumnElement[bool]] = [live_clause(now)]
    # Publishers also see what members do not: drafts, scheduled, withdrawn. Only the few documents not
    # live are asked about, so "no audience outside the caller's subtrees" reads their audience rows
    # alone, not the province's; a status outside DocStatus is in neither set and shown to no one.
    clauses.append(
        and_(
            col(Document.status).in_(NOT_LIVE_STATUSES),
            ~live_clause(now),
            manageable_clause(principal, within=_not_live_ids()),
        )
    )
    if own:
        # A draft opened for comments (góp ý dự thảo) is shown to its audience.
        clauses.append(
            and_(
                col(Document.status) == DocStatus.draft.value,
                col(Document.comments_until).is_not(None),
                _audience_in(own),
            )
        )
    return and_(addressed, or_(*clauses))


def visible_documents(session: Session, principal: Principal, now: datetime | None = None) -> Select:
    return select(Document).where(visible_clause(session, principal, now))


def visible_ids(session: Session, principal: Principal, ids: Iterable[int]) -> set[int]:
    """Which of these documents the caller sees now (sync: the others go to the device as removals)."""
    ids = list(set(ids))
    if not ids:
        return set()
    rows = session.execute(
        select(col(Document.id)).where(col(Document.id).in_(ids), visible_clause(session, principal))
    )
    return {int(r) for r in rows.scalars()}


def visible_to_cell(session: Session, cell_id: int, ids: Iterable[int], now: datetime | None = None
                    ) -> set[int]:
    """Which of these documents every member of the cell sees as a member: live (published, or scheduled
    and due) and addressed to the cell or an organisation above it. What a meeting's agenda may attach:
    a draft or another cell's paper would be a blank line on the members' phones."""
    ids = list(set(ids))
    own = ancestors_of(session, [cell_id])
    if not ids or not own:
        return set()
    rows = session.execute(
        select(col(Document.id)).where(
            col(Document.id).in_(ids), live_clause(now or utcnow()), _audience_in(own)
        )
    )
    return {int(r) for r in rows.scalars()}


def get_visible(session: Session, principal: Principal, document_id: int) -> Document:
    """The document if the caller sees it; 404 otherwise (never reveal that it exists)."""
    doc = session.execute(
        select(Document).where(col(Document.id) == document_id, visible_clause(session, principal))
    ).scalar_one_or_none()
    if doc is None:
        raise NotFound(_NOT_FOUND, code="document_not_found")
    return doc


def can_manage(session: Session, principal: Principal, document_id: int) -> bool:
    return (
        session.execute(
            select(col(Document.id)).where(col(Document.id) == document_id, manageable_clause(principal))
        ).first()
        is not None
    )


def manageable_ids(session: Session, principal: Principal, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    rows = session.execute(
        select(col(Document.id)).where(col(Document.id).in_(list(ids)), manageable_clause(principal, ids))
    )
    return {int(r) for r in rows.scalars()}


def get_manageable(session: Session, principal: Principal, document_id: int) -> Document:
    """404 when the caller cannot see it, 403 when they see it but are not its publisher."""
    doc = get_visible(session, principal, document_id)
    if not can_manage(session, principal, document_id):
        raise Forbidden("Bạn không phải đơn vị ban hành/quản lý văn bản này.", code="not_publisher")
    return doc


def audience_ids(session: Session, document_id: int) -> list[int]:
    return sorted(
        int(r)
        for r in session.execute(
            select(col(DocumentAudience.org_id)).where(col(DocumentAudience.document_id) == document_id)
        ).scalars()
    )


def may_publish_to(session: Session, principal: Principal, org_ids: Sequence[int], category: str) -> bool:
    """Staff publish to organisations in their subtrees; cell leaders to their own cell (meeting papers)."""
    if principal.is_admin:
        return True
    if principal.staff_org_ids and all(principal.manages(session, o) for o in org_ids):
        return True
    return category == DocCategory.meeting.value and all(principal.leads_cell(o) for o in org_ids)
