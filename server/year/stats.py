"""Commitments cell by cell under an organisation: a few grouped queries, whatever the subtree's size."""

from typing import Any

from sqlalchemy import distinct, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import NotFound
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from server.year.models import Commitment, CommitmentItem
from shared.enums import OrgKind
from shared.schemas.year import CellCommitmentCount, CommitmentStatus, CommitmentSummary

S = CommitmentStatus


def _org_for_summary(session: Session, principal: Principal, org_id: int) -> Organization:
    """Staff of the organisation or above, admins, and the leaders of a cell for that cell: else 404."""
    org = session.get(Organization, org_id)
    allowed = org is not None and (
        principal.is_admin or principal.leads_cell(org_id)
        or (bool(principal.staff_org_ids) and principal.manages(session, org_id)))
    if org is None or not allowed:
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    return org


def cells_under(session: Session, org_id: int) -> tuple[Any, list[Any], dict[int, int]]:
    """The by-cell figures' frame: the subquery of `org_id`'s subtree, its cells (id, name) by name, and
    each cell's member count (two queries, whatever the number of cells)."""
    under = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)
    cells = list(session.execute(
        select(col(Organization.id), col(Organization.name))
        .where(col(Organization.id).in_(under), col(Organization.kind) == OrgKind.cell.value)
        .order_by(col(Organization.name), col(Organization.id))).all())
    members = {int(cell): int(n) for cell, n in session.execute(
        select(col(Member.org_id), func.count()).where(col(Member.org_id).in_(under))
        .group_by(col(Member.org_id))).all()}
    return under, cells, members


def summary(session: Session, principal: Principal, org_id: int, year: int) -> CommitmentSummary:
    org = _org_for_summary(session, principal, org_id)
    under, cells, members = cells_under(session, org_id)
    by_status: dict[tuple[int, str], int] = {
        (int(cell), str(status)): int(n) for cell, status, n in session.execute(
            select(col(Commitment.org_id), col(Commitment.status), func.count())
            .where(col(Commitment.org_id).in_(under), col(Commitment.year) == year,
                   col(Commitment.status) != S.draft.value)
            .group_by(col(Commitment.org_id), col(Commitment.status))).all()}
    with_results = dict(session.execute(
        select(col(Commitment.org_id), func.count(distinct(col(Commitment.id))))
        .join(CommitmentItem, col(CommitmentItem.commitment_id) == col(Commitment.id))
        .where(col(Commitment.org_id).in_(under), col(Commitment.year) == year,
               col(Commitment.status) == S.approved.value, col(CommitmentItem.result).is_not(None))
        .group_by(col(Commitment.org_id))).all())
    rows = [CellCommitmentCount(
        cell_id=int(cell), name=name, members=int(members.get(cell, 0)),
        submitted=by_status.get((int(cell), S.submitted.value), 0),
        approved=by_status.get((int(cell), S.approved.value), 0),
        returned=by_status.get((int(cell), S.returned.value), 0),
        with_results=int(with_results.get(cell, 0))) for cell, name in cells]
    totals = CellCommitmentCount(
        cell_id=org_id, name=org.name, members=sum(r.members for r in rows),
        submitted=sum(r.submitted for r in rows), approved=sum(r.approved for r in rows),
        returned=sum(r.returned for r in rows), with_results=sum(r.with_results for r in rows))
    return CommitmentSummary(org_id=org_id, year=year, cells=rows, totals=totals)
