"""Who may read and change a yearly commitment (the one place that decides it).

- Its member reads it in every state and changes its items while it is a draft or returned, its year-end
  results once approved.
- The leaders of the cell it was registered in (bí thư, phó bí thư, chi ủy viên) read it once submitted,
  approve or return it and write the cell's remark; never on their own commitment (another leader of the
  cell does that). Admins act as leaders.
- Staff read the commitments of cells in their subtrees once submitted.
- Anyone else, and everyone but its author while it is a draft: 404, not even its existence.
Being able to read but not to do the thing is 403 (`not_owner`, `not_cell_leader`, `own_commitment`).
"""

from typing import Any

from sqlmodel import Session

from server.auth.principal import Principal
from server.errors import Forbidden, NotFound
from server.records.orgs import Organization
from server.year import reach
from server.year.models import Commitment
from shared.enums import OrgKind
from shared.schemas.year import CommitmentStatus

DRAFT = CommitmentStatus.draft.value


def not_found() -> NotFound:
    return NotFound("Không tìm thấy bản đăng ký cam kết.", code="commitment_not_found")


def visible_clause(principal: Principal) -> Any:
    """WHERE clause of the commitments the caller may read."""
    return reach.visible_clause(principal, Commitment.member_id, Commitment.org_id,
                                Commitment.status, DRAFT, Commitment.id)


def is_owner(principal: Principal, commitment: Commitment) -> bool:
    return principal.member is not None and principal.member.id == commitment.member_id


def readable(session: Session, principal: Principal, commitment_id: int, *, lock: bool = False) -> Commitment:
    return reach.find(session, Commitment, Commitment.id, commitment_id,
                      visible_clause(principal), not_found(), lock=lock)


def own(session: Session, principal: Principal, commitment_id: int) -> Commitment:
    """One's own commitment, to change: 404 when out of view, 403 when one only reads it."""
    commitment = readable(session, principal, commitment_id, lock=True)
    if not is_owner(principal, commitment):
        raise Forbidden("Chỉ đảng viên đăng ký mới được sửa bản đăng ký của mình.", code="not_owner")
    return commitment


def can_lead(principal: Principal, commitment: Commitment) -> bool:
    return principal.is_admin or principal.leads_cell(commitment.org_id)


def led(session: Session, principal: Principal, commitment_id: int) -> Commitment:
    """A commitment the caller decides on or remarks on as the cell: another member's, in a cell they lead."""
    commitment = readable(session, principal, commitment_id, lock=True)
    if not can_lead(principal, commitment):
        raise Forbidden("Chỉ bí thư, phó bí thư hoặc chi ủy viên của chi bộ được duyệt và nhận xét.",
                        code="not_cell_leader")
    if is_owner(principal, commitment):
        raise Forbidden("Bản đăng ký của chính đồng chí do đồng chí khác trong chi ủy duyệt và nhận xét.",
                        code="own_commitment")
    return commitment


def may_register(principal: Principal) -> int:
    """The cell a caller registers their own commitment in: their membership's cell (403 without one)."""
    if principal.member is None or principal.member.id is None:
        raise Forbidden("Chỉ đảng viên mới đăng ký cam kết.", code="not_a_member")
    return principal.member.org_id


def cell_reader(session: Session, principal: Principal, cell_id: int) -> Organization:
    """A cell whose commitments the caller may list as a whole: its leaders, staff above it, admins.

    A plain member of the cell gets 403 (they know the cell); anyone else 404.
    """
    org = session.get(Organization, cell_id)
    if org is None or org.kind != OrgKind.cell.value:
        raise NotFound("Không tìm thấy chi bộ.", code="org_not_found")
    if principal.is_admin or principal.leads_cell(cell_id):
        return org
    if principal.staff_org_ids and principal.manages(session, cell_id):
        return org
    if principal.cell_id == cell_id:
        raise Forbidden("Chỉ chi ủy và cấp ủy cấp trên xem được đăng ký của cả chi bộ.",
                        code="not_cell_leader")
    raise NotFound("Không tìm thấy chi bộ.", code="org_not_found")


def org_in_view(session: Session, principal: Principal, org_id: int) -> None:
    """An organisation filter on a list: within what the caller reads, or 404."""
    if principal.is_admin or principal.leads_cell(org_id) or principal.cell_id == org_id:
        return
    if principal.staff_org_ids and principal.manages(session, org_id):
        return
    raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
