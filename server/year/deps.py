"""The year domain's own dependencies: the commitment or self-review of the path, found with the caller's
rights.

Each resolves the caller first (401 before anything else), then asks `server/year/access.py` (or
`review_access.py`): 404 when the record is out of the caller's view, 403 when they see it but may not do
this.
"""

from typing import Annotated

from fastapi import Depends, Path

from server.deps import CurrentPrincipal, DbSession
from server.year import access, review_access
from server.year.models import Commitment, SelfReview
from shared.schemas.year import ID_MAX

CommitmentId = Annotated[int, Path(ge=1, le=ID_MAX)]


def readable_commitment(commitment_id: CommitmentId, principal: CurrentPrincipal, db: DbSession
                        ) -> Commitment:
    return access.readable(db, principal, commitment_id)


def own_commitment(commitment_id: CommitmentId, principal: CurrentPrincipal, db: DbSession) -> Commitment:
    return access.own(db, principal, commitment_id)


def led_commitment(commitment_id: CommitmentId, principal: CurrentPrincipal, db: DbSession) -> Commitment:
    return access.led(db, principal, commitment_id)


ReadableCommitment = Annotated[Commitment, Depends(readable_commitment)]
OwnCommitment = Annotated[Commitment, Depends(own_commitment)]
LedCommitment = Annotated[Commitment, Depends(led_commitment)]


# ---- self-reviews (server/year/review_access.py) ----

ReviewId = Annotated[int, Path(ge=1, le=ID_MAX)]


def readable_review(review_id: ReviewId, principal: CurrentPrincipal, db: DbSession) -> SelfReview:
    return review_access.readable(db, principal, review_id)


def proposable_review(review_id: ReviewId, principal: CurrentPrincipal, db: DbSession) -> SelfReview:
    return review_access.proposable(db, principal, review_id)


def confirmable_review(review_id: ReviewId, principal: CurrentPrincipal, db: DbSession
                       ) -> tuple[SelfReview, int | None]:
    return review_access.confirmable(db, principal, review_id)


ReadableReview = Annotated[SelfReview, Depends(readable_review)]
ProposableReview = Annotated[SelfReview, Depends(proposable_review)]
ConfirmableReview = Annotated[tuple[SelfReview, int | None], Depends(confirmable_review)]
