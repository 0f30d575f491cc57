"""The study domain's own dependencies: the check or essay of the path, found with the caller's rights.

Each resolves the caller first (401 before anything else), then asks `server/study/access.py`: 404 when
the object is out of the caller's view, 403 when they see it but may not do this.
"""

from typing import Annotated

from fastapi import Depends, Path

from server.deps import CurrentPrincipal, DbSession
from server.study import access
from server.study.models import StudyCheck, StudyEssay
from shared.schemas.study import ID_MAX

CheckId = Annotated[int, Path(ge=1, le=ID_MAX)]
EssayId = Annotated[int, Path(ge=1, le=ID_MAX)]


def readable_check(check_id: CheckId, principal: CurrentPrincipal, db: DbSession) -> StudyCheck:
    return access.readable(db, principal, check_id)


def managed_check(check_id: CheckId, principal: CurrentPrincipal, db: DbSession) -> StudyCheck:
    return access.managed(db, principal, check_id)


def taken_check(check_id: CheckId, principal: CurrentPrincipal, db: DbSession) -> StudyCheck:
    return access.taker(db, principal, check_id)


def readable_essay(essay_id: EssayId, principal: CurrentPrincipal, db: DbSession) -> StudyEssay:
    return access.readable_essay(db, principal, essay_id)


def received_essay(essay_id: EssayId, principal: CurrentPrincipal, db: DbSession) -> StudyEssay:
    return access.received_by_cell(db, principal, essay_id)


ReadableCheck = Annotated[StudyCheck, Depends(readable_check)]
ManagedCheck = Annotated[StudyCheck, Depends(managed_check)]
TakenCheck = Annotated[StudyCheck, Depends(taken_check)]
ReadableEssay = Annotated[StudyEssay, Depends(readable_essay)]
ReceivedEssay = Annotated[StudyEssay, Depends(received_essay)]
