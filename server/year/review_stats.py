"""Self-review levels cell by cell under an organisation: three grouped queries, whatever the subtree's size
(the cells, the members now in them, the reviews grouped by cell, state and the three levels)."""

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from server.year import review_access as access
from server.year.models import SelfReview
from server.year.review import warning_for
from shared.enums import OrgKind
from shared.schemas.review import CellReviewCount, LevelCounts, ReviewStatus, ReviewSummary

S = ReviewStatus
SENT = {S.submitted.value, S.proposed.value, S.confirmed.value}


def _bump(counts: LevelCounts, level: str | None, n: int) -> None:
    if level in LevelCounts.model_fields:
        setattr(counts, level, getattr(counts, level) + n)


def _warnings(row: CellReviewCount, share: float) -> None:
    for stage, counts in (("proposed", row.proposed), ("confirmed", row.confirmed)):
        warning = warning_for(row.cell_id, stage, counts.excellent, counts.good, share)
        if warning is not None:
            row.warnings.append(warning)


def summary(session: Session, principal: Principal, org_id: int, year: int, share: float) -> ReviewSummary:
    org = access.summary_org(session, principal, org_id)
    under = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)
    cells = session.execute(
        select(col(Organization.id), col(Organization.name))
        .where(col(Organization.id).in_(under), col(Organization.kind) == OrgKind.cell.value)
        .order_by(col(Organization.name), col(Organization.id))).all()
    members = dict(session.execute(
        select(col(Member.org_id), func.count()).where(col(Member.org_id).in_(under))
        .group_by(col(Member.org_id))).all())
    rows = {int(cell): CellReviewCount(cell_id=int(cell), name=name, members=int(members.get(cell, 0)))
            for cell, name in cells}
    grouped = session.execute(
        select(col(SelfReview.org_id), col(SelfReview.status), col(SelfReview.self_level),
               col(SelfReview.proposed_level), col(SelfReview.confirmed_level), func.count())
        .where(col(SelfReview.org_id).in_(under), col(SelfReview.year) == year,
               col(SelfReview.status) != S.draft.value)
        .group_by(col(SelfReview.org_id), col(SelfReview.status), col(SelfReview.self_level),
                  col(SelfReview.proposed_level), col(SelfReview.confirmed_level))).all()
    totals = CellReviewCount(cell_id=org_id, name=org.name, members=sum(r.members for r in rows.values()))
    for cell, state, own, proposed, confirmed, n in grouped:
        n = int(n)
        for row in (rows.get(int(cell)), totals):
            if row is None:
                continue
            if state == S.exempt.value:
                row.exempt += n
                continue
            row.submitted += n if state in SENT else 0
            _bump(row.self_levels, own, n)
            _bump(row.proposed, proposed, n)
            _bump(row.confirmed, confirmed, n)
    for row in (*rows.values(), totals):
        _warnings(row, share)
    return ReviewSummary(org_id=org_id, year=year, top_share=share, cells=list(rows.values()), totals=totals)
