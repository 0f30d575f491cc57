"""Who may read, manage and take a study check, and read or receive a bài thu hoạch (the one place).

Study checks:
- Managers: admins, and staff whose subtrees hold every audience organisation (as for documents). They
  create, change and delete it, see its key, and may not take it (they wrote the key).
- Readers: its managers; members whose cell lies under an audience organisation (the takers); staff whose
  subtree reaches the audience from above or below (for the figures of their part). Anyone else: 404.
- Takers: members whose cell lies under an audience organisation; a reader who is not one gets 403.
Essays (bài thu hoạch): their member, the leaders of the cell it was handed to and admins read it; the
leaders (not on their own) mark it received. Anyone else: 404.
"""

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Forbidden, NotFound
from server.records.orgs import Organization, OrgClosure, subtrees_ids
from server.study.models import StudyCheck, StudyCheckAudience, StudyEssay


def check_not_found() -> NotFound:
    return NotFound(
        "Không tìm thấy bài kiểm tra (hoặc bài không dành cho tổ chức của đồng chí).",
        code="study_check_not_found",
    )


def ancestors(session: Session, org_ids: list[int]) -> list[int]:
    if not org_ids:
        return []
    return sorted(
        {
            int(r)
            for r in session.execute(
                select(col(OrgClosure.ancestor_id)).where(col(OrgClosure.descendant_id).in_(org_ids))
            ).scalars()
        }
    )


def _audience_in(org_ids: Any) -> ColumnElement[bool]:
    return col(StudyCheck.id).in_(
        select(col(StudyCheckAudience.check_id)).where(col(StudyCheckAudience.org_id).in_(org_ids))
    )


def manageable_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    if not principal.staff_org_ids:
        return false()
    reach = subtrees_ids(principal.staff_org_ids)
    outside = select(col(StudyCheckAudience.check_id)).where(col(StudyCheckAudience.org_id).not_in(reach))
    return and_(_audience_in(reach), col(StudyCheck.id).not_in(outside))


def taker_path(session: Session, principal: Principal) -> list[int]:
    """The member's cell and every organisation above it: an audience among them makes them a taker."""
    return ancestors(session, [principal.cell_id]) if principal.cell_id else []


def visible_clause(session: Session, principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    parts: list[ColumnElement[bool]] = []
    near = set(taker_path(session, principal)) | set(ancestors(session, principal.led_cell_ids))
    near |= set(ancestors(session, principal.staff_org_ids))
    if near:
        parts.append(_audience_in(sorted(near)))
    if principal.staff_org_ids:
        parts.append(_audience_in(subtrees_ids(principal.staff_org_ids)))
    return or_(*parts) if parts else false()


def readable(session: Session, principal: Principal, check_id: int, *, lock: bool = False) -> StudyCheck:
    q = select(StudyCheck).where(col(StudyCheck.id) == check_id, visible_clause(session, principal))
    if lock:
        q = q.with_for_update()
    found = session.execute(q).scalar_one_or_none()
    if found is None:
        raise check_not_found()
    return found


def can_manage(session: Session, principal: Principal, check: StudyCheck) -> bool:
    return (
        session.execute(
            select(col(StudyCheck.id)).where(col(StudyCheck.id) == check.id, manageable_clause(principal))
        ).first()
        is not None
    )


def managed(session: Session, principal: Principal, check_id: int) -> StudyCheck:
    check = readable(session, principal, check_id, lock=True)
    if not can_manage(session, principal, check):
        raise Forbidden(
            "Chỉ cán bộ cấp ủy phụ trách toàn bộ đối tượng của bài kiểm tra được sửa bài.",
            code="not_check_manager",
        )
    return check


def audience_of(session: Session, check_id: int | None) -> list[int]:
    return sorted(
        int(r)
        for r in session.execute(
            select(col(StudyCheckAudience.org_id)).where(col(StudyCheckAudience.check_id) == check_id)
        ).scalars()
    )


def is_taker(session: Session, principal: Principal, check: StudyCheck) -> bool:
    path = taker_path(session, principal)
    return bool(path) and bool(set(path) & set(audience_of(session, check.id)))


def taker(session: Session, principal: Principal, check_id: int) -> StudyCheck:
    """A check the caller answers: in its audience as a member, not one of its managers."""
    check = readable(session, principal, check_id, lock=True)
    if principal.member is None or not is_taker(session, principal, check):
        raise Forbidden("Bài kiểm tra này không dành cho chi bộ của đồng chí.", code="not_in_audience")
    if can_manage(session, principal, check):
        raise Forbidden("Người ra đề không làm bài kiểm tra của mình.", code="quiz_manager")
    return check


def require_audience_in_reach(session: Session, principal: Principal, org_ids: list[int]) -> None:
    """Every audience organisation lies in the caller's subtrees (403; an unknown id alike: no existence
    is revealed)."""
    found = {
        int(r)
        for r in session.execute(
            select(col(Organization.id)).where(col(Organization.id).in_(org_ids))
        ).scalars()
    }
    if set(org_ids) - found or not all(principal.manages(session, org_id) for org_id in org_ids):
        raise Forbidden(
            "Đối tượng làm bài phải thuộc phạm vi đồng chí phụ trách.", code="audience_out_of_reach"
        )


def require_staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("Chỉ cán bộ cấp ủy được tạo bài kiểm tra.", code="staff_only")


def figures_org(session: Session, principal: Principal, org_id: int) -> Organization:
    """An organisation whose figures the caller reads: staff of it or above, its cell's leaders, admins."""
    org = session.get(Organization, org_id)
    allowed = org is not None and (
        principal.is_admin
        or principal.leads_cell(org_id)
        or (bool(principal.staff_org_ids) and principal.manages(session, org_id))
    )
    if org is None or not allowed:
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    return org


# ---- essays ----


def essay_not_found() -> NotFound:
    return NotFound("Không tìm thấy bài thu hoạch.", code="essay_not_found")


def essay_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    parts: list[ColumnElement[bool]] = []
    if principal.member is not None and principal.member.id is not None:
        parts.append(col(StudyEssay.member_id) == principal.member.id)
    if principal.led_cell_ids:
        parts.append(col(StudyEssay.org_id).in_(principal.led_cell_ids))
    return or_(*parts) if parts else false()


def readable_essay(
    session: Session, principal: Principal, essay_id: int, *, lock: bool = False
) -> StudyEssay:
    q = select(StudyEssay).where(col(StudyEssay.id) == essay_id, essay_clause(principal))
    if lock:
        q = q.with_for_update()
    found = session.execute(q).scalar_one_or_none()
    if found is None:
        raise essay_not_found()
    return found


def received_by_cell(session: Session, principal: Principal, essay_id: int) -> StudyEssay:
    essay = readable_essay(session, principal, essay_id, lock=True)
    if not (principal.is_admin or principal.leads_cell(essay.org_id)):
        raise Forbidden(
            "Chỉ bí thư, phó bí thư hoặc chi ủy viên của chi bộ được nhận bài thu hoạch.",
            code="not_cell_leader",
        )
    if principal.member is not None and principal.member.id == essay.member_id:
        raise Forbidden(
            "Bài thu hoạch của chính đồng chí do đồng chí khác trong chi ủy nhận.", code="own_essay"
        )
    return essay


def require_member(principal: Principal) -> int:
    if principal.member is None or principal.member.id is None:
        raise Forbidden("Chỉ đảng viên mới nộp bài thu hoạch.", code="not_a_member")
    return principal.member.org_id
