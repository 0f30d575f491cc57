"""Who may read and change a year-end self-review (the one place that decides it).

- Its member reads it in every state, writes it while a draft or submitted (until the cell rates it).
- The leaders of the cell it was written in (bí thư, phó bí thư, chi ủy viên) read it once submitted (and an
  exemption they recorded), propose the cell's level, mark a member of their cell exempt; never on their
  own review (another leader does that).
- Staff read the reviews of cells in their subtrees once submitted, and confirm the final level.
- Admins act as leaders and staff.
- Anyone else, a fellow member of the same cell included, and everyone but its member while it is a draft:
  404, not even its existence. Able to read but not to do the thing: 403.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Forbidden, NotFound
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from server.year import reach
from server.year.models import SelfReview
from shared.enums import OrgKind
from shared.schemas.review import ReviewStatus

DRAFT = ReviewStatus.draft.value


def not_found() -> NotFound:
    return NotFound("Không tìm thấy bản kiểm điểm.", code="review_not_found")


def visible_clause(principal: Principal) -> Any:
    """WHERE clause of the reviews the caller may read."""
    return reach.visible_clause(principal, SelfReview.member_id, SelfReview.org_id,
                                SelfReview.status, DRAFT, SelfReview.id)


def is_owner(principal: Principal, review: SelfReview) -> bool:
    return principal.member is not None and principal.member.id == review.member_id


def sees_writing(principal: Principal, review: SelfReview) -> bool:
    """What the member wrote (sections, own level) is theirs until they send it: a draft the cell marked
    exempt is seen by the cell as exempt, not read."""
    return review.submitted_at is not None or is_owner(principal, review)


def readable(session: Session, principal: Principal, review_id: int, *, lock: bool = False) -> SelfReview:
    return reach.find(session, SelfReview, SelfReview.id, review_id,
                      visible_clause(principal), not_found(), lock=lock)


def may_write(principal: Principal) -> tuple[int, int]:
    """(member id, cell) of a caller writing their own review: 403 for a caller with no member record."""
    if principal.member is None or principal.member.id is None:
        raise Forbidden("Chỉ đảng viên mới viết bản kiểm điểm cá nhân.", code="not_a_member")
    return principal.member.id, principal.member.org_id


def proposable(session: Session, principal: Principal, review_id: int) -> SelfReview:
    """A review the caller rates as the cell: another member's, in a cell they lead."""
    review = readable(session, principal, review_id, lock=True)
    if not (principal.is_admin or principal.leads_cell(review.org_id)):
        raise Forbidden("Chỉ bí thư, phó bí thư hoặc chi ủy viên của chi bộ được đề xuất mức xếp loại.",
                        code="not_cell_leader")
    if is_owner(principal, review):
        raise Forbidden("Bản kiểm điểm của chính đồng chí do đồng chí khác trong chi ủy đề xuất mức xếp "
                        "loại.", code="own_review")
    return review


def confirming_org(session: Session, principal: Principal, cell_id: int) -> int | None:
    """The committee a staff caller confirms for: the nearest of their staff organisations above the cell
    (None for an admin without one)."""
    if not principal.staff_org_ids:
        return None
    row = session.execute(
        select(col(OrgClosure.ancestor_id))
        .where(col(OrgClosure.descendant_id) == cell_id,
               col(OrgClosure.ancestor_id).in_(principal.staff_org_ids))
        .order_by(col(OrgClosure.distance)).limit(1)).scalar_one_or_none()
    return int(row) if row is not None else None


def confirmable(session: Session, principal: Principal, review_id: int) -> tuple[SelfReview, int | None]:
    """A review the caller confirms as the upper committee: staff whose subtree covers its cell, admins."""
    review = readable(session, principal, review_id, lock=True)
    unit = confirming_org(session, principal, review.org_id)
    if unit is None and not principal.is_admin:
        raise Forbidden("Chỉ cán bộ cấp ủy cấp trên của chi bộ được quyết định mức xếp loại.",
                        code="not_committee_staff")
    if is_owner(principal, review):
        raise Forbidden("Mức xếp loại của chính đồng chí do đồng chí khác trong cấp ủy quyết định.",
                        code="own_review")
    return review, unit


def exemptable(session: Session, principal: Principal, member_id: int) -> Member:
    """A member of a cell the caller leads (or any, for an admin), not the caller: 404 when out of view."""
    member = session.get(Member, member_id)
    if member is None or not (principal.is_admin or principal.leads_cell(member.org_id)):
        raise NotFound("Không tìm thấy đảng viên.", code="member_not_found")
    if principal.member is not None and principal.member.id == member_id:
        raise Forbidden("Việc miễn kiểm điểm của chính đồng chí do đồng chí khác trong chi ủy ghi.",
                        code="own_review")
    return member


def summary_org(session: Session, principal: Principal, org_id: int) -> Organization:
    """Staff of the organisation or above, admins, and the leaders of a cell for that cell: else 404."""
    org = session.get(Organization, org_id)
    allowed = org is not None and (
        principal.is_admin or (org.kind == OrgKind.cell.value and principal.leads_cell(org_id))
        or (bool(principal.staff_org_ids) and principal.manages(session, org_id)))
    if org is None or not allowed:
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    return org


def org_in_view(session: Session, principal: Principal, org_id: int) -> None:
    """An organisation filter on a list: within what the caller reads, or 404."""
    if principal.is_admin or principal.leads_cell(org_id) or principal.cell_id == org_id:
        return
    if principal.staff_org_ids and principal.manages(session, org_id):
        return
    raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
