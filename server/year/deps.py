"""The year domain's own dependencies: the commitment of the path, found with the caller's rights.

Each resolves the caller first (401 before anything else), then asks `server/year/access.py`:
404 when the commitment is out of the caller's view, 403 when they see it but may not do this.
"""

from typing import Annotated

from fastapi import Depends, Path

from server.deps import CurrentPrincipal, DbSession
from server.year import access
from server.year.models import Commitment
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
