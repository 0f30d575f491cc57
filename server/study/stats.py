"""A study check's figures cell by cell under an organisation: participation, average score and bài thu
hoạch received, in four grouped queries joined with the closure table, whatever the subtree's size."""

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from server.study import access
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience, StudyEssay
from shared.enums import OrgKind
from shared.schemas.study import CellStudyFigures, StudyFigures


def figures(session: Session, principal: Principal, check: StudyCheck, org_id: int) -> StudyFigures:
    """Cells under `org_id` that the check is addressed to (an audience organisation above or at them)."""
    org = access.figures_org(session, principal, org_id)
    audience = select(col(StudyCheckAudience.org_id)).where(col(StudyCheckAudience.check_id) == check.id)
    in_audience = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id).in_(audience))
    under = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)
    cells = session.execute(
        select(col(Organization.id), col(Organization.name))
        .where(
            col(Organization.id).in_(under),
            col(Organization.id).in_(in_audience),
            col(Organization.kind) == OrgKind.cell.value,
        )
        .order_by(col(Organization.name), col(Organization.id))
    ).all()
    members = dict(
        session.execute(
            select(col(Member.org_id), func.count())
            .join(OrgClosure, col(OrgClosure.descendant_id) == col(Member.org_id))
            .where(col(OrgClosure.ancestor_id) == org_id, col(Member.org_id).in_(in_audience))
            .group_by(col(Member.org_id))
        ).all()
    )
    taken = {
        int(cell): (int(n), float(total or 0))
        for cell, n, total in session.execute(
            select(
                col(StudyAttempt.org_id),
                func.count(),
                func.sum(col(StudyAttempt.score) * 10.0 / col(StudyAttempt.total)),
            )
            .join(OrgClosure, col(OrgClosure.descendant_id) == col(StudyAttempt.org_id))
            .where(col(OrgClosure.ancestor_id) == org_id, col(StudyAttempt.check_id) == check.id)
            .group_by(col(StudyAttempt.org_id))
        ).all()
    }
    essays = dict(
        session.execute(
            select(col(StudyEssay.org_id), func.count())
            .join(OrgClosure, col(OrgClosure.descendant_id) == col(StudyEssay.org_id))
            .where(
                col(OrgClosure.ancestor_id) == org_id,
                col(StudyEssay.document_id) == check.document_id,
                col(StudyEssay.received_at).is_not(None),
            )
            .group_by(col(StudyEssay.org_id))
        ).all()
    )
    rows = []
    for cell, name in cells:
        n, points = taken.get(int(cell), (0, 0.0))
        rows.append(
            CellStudyFigures(
                cell_id=int(cell),
                name=name,
                members=int(members.get(cell, 0)),
                taken=n,
                average_score=round(points / n, 2) if n else None,
                essays_received=int(essays.get(cell, 0)),
            )
        )
    n_all = sum(r.taken for r in rows)
    points_all = sum(taken.get(r.cell_id, (0, 0.0))[1] for r in rows)
    totals = CellStudyFigures(
        cell_id=org_id,
        name=org.name,
        members=sum(r.members for r in rows),
        taken=n_all,
        average_score=round(points_all / n_all, 2) if n_all else None,
        essays_received=sum(r.essays_received for r in rows),
    )
    return StudyFigures(check_id=check.id or 0, org_id=org_id, cells=rows, totals=totals)
