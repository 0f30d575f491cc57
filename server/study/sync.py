"""Study checks and bài thu hoạch on devices: the `study_check` and `study_essay` providers of the sync
feed, and the offline actions `study.attempt` and `study.essay`.

A member's device holds the checks addressed to their cell's path (questions and options from opens_at
only; the key only once they have answered, and only if the check shows scores at once or has closed:
never before), with their own attempt (server/study/jobs.py logs the changes at the opening and close);
their own essays, and a cell leader's device the essays handed to the cells they lead.
Staff set checks up and read figures online (REST).
An attempt queued offline carries the device's `started_at` and `answered_at`: an answer given before the
close and sent after it counts (server/study/service.py `take`).
"""

from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.study import access, essays, service
from server.study.models import StudyCheck, StudyCheckAudience, StudyEssay
from server.sync import actions
from server.sync.registry import Provider, SimpleProvider, View
from shared.schemas.study import (
    EssayAction,
    EssayCreate,
    EssayReceive,
    EssayReceiveAction,
    StudyAttemptAction,
)
from shared.schemas.sync import OfflineAction


def _checks_visible(view: View) -> Any:
    if not view.path_org_ids:
        return None
    return select(col(StudyCheck.id)).where(
        col(StudyCheck.id).in_(
            select(col(StudyCheckAudience.check_id)).where(
                col(StudyCheckAudience.org_id).in_(view.path_org_ids)
            )
        )
    )


def _checks_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(StudyCheck).where(col(StudyCheck.id).in_(ids))).scalars().all()
    # A device is a member's: no manager's view of the key, whoever holds it.
    return {
        p.id: p.model_dump(mode="json")
        for p in service.to_public(session, rows, member_id=view.member_id, managed_ids=set())
    }


def _essays_visible(view: View) -> Any:
    parts: list[Any] = []
    if view.member_id is not None:
        parts.append(col(StudyEssay.member_id) == view.member_id)
    if view.led_cell_ids:
        parts.append(col(StudyEssay.org_id).in_(view.led_cell_ids))
    return select(col(StudyEssay.id)).where(or_(*parts)) if parts else None


def _essays_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(StudyEssay).where(col(StudyEssay.id).in_(ids))).scalars().all()
    return {p.id: p.model_dump(mode="json") for p in essays.to_public(session, rows)}


PROVIDERS: list[Provider] = [
    SimpleProvider("study_check", _checks_visible, _checks_data, col(StudyCheck.id)),
    SimpleProvider("study_essay", _essays_visible, _essays_data, col(StudyEssay.id)),
]


# ---- offline actions ----


def attempt(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(StudyAttemptAction, action.payload)
    check = access.taker(session, principal, body.check_id)
    done = service.take(session, principal, check, body)
    shown = service.key_shown(check, done, manager=False)
    return {
        "check_id": check.id,
        "attempt_id": done.id,
        "total": done.total,
        "score": done.score if shown else None,
    }


def essay(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(EssayAction, action.payload)
    made = essays.submit(
        session, principal, EssayCreate(document_id=body.document_id, text=body.text), made_at=action.made_at
    )
    return {"essay_id": made.id, "document_id": made.document_id}


def essay_receive(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    """A cell leader marks a bài thu hoạch received, offline too (led cells' essays are on the device)."""
    body = actions.parse(EssayReceiveAction, action.payload)
    found = access.received_by_cell(session, principal, body.essay_id)
    done = essays.receive(session, principal, found, EssayReceive(remark=body.remark), made_at=action.made_at)
    assert done.received_at is not None
    return {"essay_id": done.id, "received_at": done.received_at.isoformat()}


HANDLERS: dict[str, actions.Handler] = {
    "study.attempt": attempt,
    "study.essay": essay,
    "study.essay_receive": essay_receive,
}
