"""Commitments on devices: the `commitment` provider of the sync feed and the offline actions.

A member's device holds their own commitments (drafts included); a cell leader's device also holds the
commitments of the cells they lead once submitted. Staff read theirs online (REST), as for meetings.
Offline actions: the member's `commitment.save` and `commitment.result`, the cell leader's
`commitment.decide` and `commitment.remark`. Each carries the time its author acted (`made_at`): it becomes
the edit, submission, decision, result or remark time; a queued edit or decision older than what the server
already keeps is refused, and an older result or remark leaves the newer one in place.
"""

from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Forbidden
from server.sync import actions
from server.sync.registry import Provider, SimpleProvider, View
from server.year import access, service
from server.year.models import Commitment
from shared.schemas.sync import OfflineAction
from shared.schemas.year import (
    CommitmentDecideAction,
    CommitmentRemarkAction,
    CommitmentResultAction,
    CommitmentSaveAction,
    CommitmentStatus,
)

DRAFT = CommitmentStatus.draft.value


def _visible(view: View) -> Any:
    parts: list[Any] = []
    if view.member_id is not None:
        parts.append(col(Commitment.member_id) == view.member_id)
    if view.led_cell_ids:
        parts.append(and_(col(Commitment.org_id).in_(view.led_cell_ids), col(Commitment.status) != DRAFT))
    return select(col(Commitment.id)).where(or_(*parts)) if parts else None


def _data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Commitment).where(col(Commitment.id).in_(ids))).scalars().all()
    return {p.id: p.model_dump(mode="json") for p in service.to_public(session, rows)}


PROVIDERS: list[Provider] = [SimpleProvider("commitment", _visible, _data, col(Commitment.id))]


# ---- offline actions ----


def save(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CommitmentSaveAction, action.payload)
    commitment = service.save(session, principal, body.year, body.items, submit_now=body.submit,
                              made_at=action.made_at)
    return {"commitment_id": commitment.id, "status": commitment.status}


def result(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CommitmentResultAction, action.payload)
    commitment = access.readable(session, principal, body.commitment_id, lock=True)
    if not access.is_owner(principal, commitment):
        raise Forbidden("Chỉ đảng viên đăng ký mới ghi kết quả của mình.", code="not_owner")
    stale = service.set_results(session, principal, commitment, body.results, made_at=action.made_at)
    return {"commitment_id": commitment.id, "kept_newer": stale}


def decide(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CommitmentDecideAction, action.payload)
    commitment = access.led(session, principal, body.commitment_id)
    service.decide(session, principal, commitment, body, made_at=action.made_at)
    return {"commitment_id": commitment.id, "status": commitment.status}


def remark(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CommitmentRemarkAction, action.payload)
    commitment = access.led(session, principal, body.commitment_id)
    stale = service.set_remarks(session, principal, commitment, body, made_at=action.made_at)
    return {"commitment_id": commitment.id, "kept_newer": stale}


HANDLERS: dict[str, actions.Handler] = {
    "commitment.save": save,
    "commitment.result": result,
    "commitment.decide": decide,
    "commitment.remark": remark,
}
