"""Self-review levels cell by cell under an organisation: three queries, whatever the subtree's size (the
cells, the members now in them, and the reviews counted per cell by state and by each of the three levels,
one row per cell)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.year import review_access as access
from server.year.models import SelfReview
from server.year.review import warning_for
from server.year.stats import cells_under
from shared.schemas.review import CellReviewCount, LevelCounts, ReviewStatus, ReviewSummary

S = ReviewStatus
SENT = {S.submitted.value, S.proposed.value, S.confirmed.value}


FIELDS = ("excellent", "good", "done", "failed")
# One row per cell: the exempt, the sent, then each level's count as self-assessed, proposed, confirmed.
_NOT_EXEMPT = col(SelfReview.status) != S.exempt.value


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


COLUMNS = [
    _count(col(SelfReview.status) == S.exempt.value),
    _count(col(SelfReview.status).in_(SENT)),
    *(_count(and_(_NOT_EXEMPT, column == level)) for column in (
        col(SelfReview.self_level), col(SelfReview.proposed_level), col(SelfReview.confirmed_level))
      for level in FIELDS),
]


def _levels(values: Sequence[int]) -> LevelCounts:
    excellent, good, done, failed = values
    return LevelCounts.model_construct(excellent=excellent, good=good, done=done, failed=failed)


def _row(cell_id: int, name: str, members: int, counts: Sequence[int], share: float) -> CellReviewCount:
    """Built without validation (the counts are the database's integers): 10,000 cells in one answer."""
    proposed, confirmed = _levels(counts[6:10]), _levels(counts[10:14])
    warnings = [w for w in (warning_for(cell_id, "proposed", proposed.excellent, proposed.good, share),
                            warning_for(cell_id, "confirmed", confirmed.excellent, confirmed.good, share))
                if w is not None]
    return CellReviewCount.model_construct(
        cell_id=cell_id, name=name, members=members, exempt=counts[0], submitted=counts[1],
        self_levels=_levels(counts[2:6]), proposed=proposed, confirmed=confirmed, warnings=warnings)


def summary(session: Session, principal: Principal, org_id: int, year: int, share: float) -> ReviewSummary:
    org = access.summary_org(session, principal, org_id)
    under, cells, members = cells_under(session, org_id)
    by_cell = {int(cell): [int(v) for v in counts] for cell, *counts in session.execute(
        select(col(SelfReview.org_id), *COLUMNS)
        .where(col(SelfReview.org_id).in_(under), col(SelfReview.year) == year,
               col(SelfReview.status) != S.draft.value)
        .group_by(col(SelfReview.org_id))).all()}
    empty = [0] * len(COLUMNS)
    rows = [_row(int(cell), name, int(members.get(cell, 0)), by_cell.get(int(cell), empty), share)
            for cell, name in cells]
    sums = [sum(values) for values in zip(*by_cell.values(), strict=True)] if by_cell else empty
    totals = _row(org_id, org.name, sum(r.members for r in rows), sums, share)
    return ReviewSummary(org_id=org_id, year=year, top_share=share, cells=rows, totals=totals)
