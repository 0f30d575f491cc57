"""Commitments and self-reviews on devices: the `commitment` and `self_review` providers of the sync feed and
the offline actions.

A member's device holds their own commitments (drafts included); a cell leader's device also holds the
commitments of the cells they lead once submitted. Staff read theirs online (REST), as for meetings.
Offline actions: the member's `commitment.save` and `commitment.result`, the cell leader's
`commitment.decide` and `commitment.remark`. Each carries the time its author acted (`made_at`): it becomes
the edit, submission, decision, result or remark time; a queued edit or decision older than what the server
already keeps is refused, and an older result or remark leaves the newer one in place.

A self-review (`self_review`, with its year's facts as computed when sent) reaches its own member's devices
and nobody else's: cell leaders and staff read reviews online. Offline action: `review.save`.
"""

from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Forbidden
from server.sync import actions
from server.sync.registry import Provider, SimpleProvider, View
from server.year import access, review, service
from server.year.models import Commitment, SelfReview
from shared.schemas.review import ReviewSaveAction, ReviewUpdate
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


def _own_reviews(view: View) -> Any:
    if view.member_id is None:
        return None
    return select(col(SelfReview.id)).where(col(SelfReview.member_id) == view.member_id)


def _review_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(SelfReview).where(col(SelfReview.id).in_(ids))).scalars().all()
    return {int(r.id or 0): review.to_public(session, r).model_dump(mode="json") for r in rows}


PROVIDERS: list[Provider] = [SimpleProvider("commitment", _visible, _data, col(Commitment.id)),
                             SimpleProvider("self_review", _own_reviews, _review_data, col(SelfReview.id))]


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


def save_review(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(ReviewSaveAction, action.payload)
    data = ReviewUpdate.model_validate(body.model_dump(exclude={"year"}))
    saved = review.save(session, principal, body.year, data, made_at=action.made_at)
    return {"review_id": saved.id, "status": saved.status}


HANDLERS: dict[str, actions.Handler] = {
    "commitment.save": save,
    "commitment.result": result,
    "commitment.decide": decide,
    "commitment.remark": remark,
    "review.save": save_review,
}
