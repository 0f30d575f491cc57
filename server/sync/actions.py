"""Offline actions: a registry of handlers by type and the exactly-once batch executor.

A handler takes (session, principal, action) and returns a small dict (the result) or raises a
DomainError (the action is refused with its code). Each action runs in its own savepoint: a refused
action leaves nothing behind, and the receipt is written in the same savepoint as the action's effects,
so an action and its receipt commit together or not at all. Whatever one action does (a bad `made_at`,
a bug, a unique-key race), the others of the batch are applied or refused on their own.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import DomainError, StorageFull, storage_exhausted
from server.sync.models_ext import SyncAction
from shared.schemas.common import YEAR_MAX, YEAR_MIN
from shared.schemas.sync import ActionResult, ActionStatus, OfflineAction

log = logging.getLogger(__name__)

Handler = Callable[[Session, Principal, OfflineAction], dict[str, Any] | None]

# Filled by the app factory from each domain's HANDLERS (server/wiring.py).
_handlers: dict[str, Handler] = {}


def register(action_type: str, handler: Handler) -> None:
    _handlers[action_type] = handler


def handlers() -> dict[str, Handler]:
    return _handlers


def payload_hash(action: OfflineAction) -> str:
    body = {"type": action.type, "payload": action.payload,
            "made_at": action.made_at.isoformat() if action.made_at else None}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _invalid(exc: ValidationError) -> DomainError:
    fields = ", ".join(".".join(str(p) for p in e["loc"]) or "payload" for e in exc.errors()[:5])
    return DomainError(f"Dữ liệu thao tác không hợp lệ ({fields}).", code="invalid_payload")


def parse(model: type[BaseModel], payload: dict[str, Any]) -> Any:
    """Validate a payload with a request schema; a bad payload refuses the action (never a 500)."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise _invalid(exc) from None


def _existing(session: Session, user_id: int, client_id: str) -> SyncAction | None:
    return session.execute(
        select(SyncAction).where(col(SyncAction.user_id) == user_id, col(SyncAction.client_id) == client_id)
    ).scalar_one_or_none()


def _replay(row: SyncAction, digest: str, client_id: str) -> ActionResult:
    if row.payload_hash != digest:
        return ActionResult(client_id=client_id, status=ActionStatus.refused, code="client_id_reused",
                            message="Mã thao tác này đã được dùng cho một thao tác khác.")
    stored = ActionResult.model_validate_json(row.response)
    if stored.status == ActionStatus.applied:
        return stored.model_copy(update={"status": ActionStatus.already_applied})
    return stored


def _made_at_refusal(action: OfflineAction) -> ActionResult | None:
    """A `made_at` the server cannot place in time refuses its action (never the batch)."""
    made_at = action.made_at
    if made_at is None:
        return None
    if made_at.tzinfo is None or made_at.utcoffset() is None:
        message = "Thời điểm thao tác (made_at) phải có múi giờ, ví dụ 2026-11-20T19:30:00+07:00."
    elif not YEAR_MIN < made_at.year < YEAR_MAX:  # a year inside, so the UTC form exists too
        message = f"Thời điểm thao tác (made_at) phải trong khoảng năm {YEAR_MIN}-{YEAR_MAX}."
    else:
        return None
    return ActionResult(client_id=action.client_id, status=ActionStatus.refused, code="invalid_made_at",
                        message=message)


def apply_one(session: Session, principal: Principal, action: OfflineAction) -> ActionResult:
    digest = payload_hash(action)
    row = _existing(session, principal.user_id, action.client_id)
    if row is not None:
        return _replay(row, digest, action.client_id)
    refusal = _made_at_refusal(action)
    # Claim the client id first: a concurrent request with the same id waits here on the unique key and,
    # once this transaction commits, answers as a replay instead of running the action a second time.
    outer = session.begin_nested()
    receipt = SyncAction(user_id=principal.user_id, client_id=action.client_id, action_type=action.type,
                         payload_hash=digest, status="pending", response="{}",
                         made_at=None if refusal else action.made_at)
    try:
        session.add(receipt)
        session.flush()
    except IntegrityError:
        outer.rollback()
        row = _existing(session, principal.user_id, action.client_id)
        if row is None:
            raise
        return _replay(row, digest, action.client_id)
    answer = refusal or _run(session, principal, action)
    if answer.code in _NOT_KEPT:
        # Not the action's fault: keep no receipt, so the device's next attempt runs it again.
        outer.rollback()
        return answer
    receipt.status = answer.status.value
    receipt.response = answer.model_dump_json()
    session.flush()
    outer.commit()
    return answer


def _run(session: Session, principal: Principal, action: OfflineAction) -> ActionResult:
    """Run the handler in its own savepoint; a refusal leaves none of its effects behind."""
    handler = handlers().get(action.type)
    if handler is None:
        return ActionResult(client_id=action.client_id, status=ActionStatus.refused, code="unknown_action",
                            message=f"Loại thao tác '{action.type}' không được hỗ trợ.")
    for attempt in (1, 2):
        inner = session.begin_nested()
        try:
            result = handler(session, principal, action)
            session.flush()
            inner.commit()
            return ActionResult(client_id=action.client_id, status=ActionStatus.applied,
                                result=result or None)
        except (DomainError, ValidationError) as caught:
            inner.rollback()
            # A request schema built inside the handler (e.g. a check-in at `made_at`) refused the input.
            refusal = _invalid(caught) if isinstance(caught, ValidationError) else caught
            # What must outlive the refusal (e.g. a wrong check-in code counting towards its rate limit).
            keep = getattr(refusal, "after_rollback", None)
            if keep is not None:
                keep(session)
            return ActionResult(client_id=action.client_id, status=ActionStatus.refused, code=refusal.code,
                                message=refusal.sentence())
        except IntegrityError as exc:
            # The same effect was committed meanwhile by another action (e.g. the web app): run again,
            # the handler now sees it and answers as its own idempotent case.
            inner.rollback()
            if attempt == 2:
                log.warning("offline action %s kept conflicting: %s", action.type, exc.orig)
                return ActionResult(client_id=action.client_id, status=ActionStatus.refused,
                                    code="action_conflict", message=_CONFLICT)
        except Exception as exc:
            inner.rollback()
            if storage_exhausted(exc):
                # The whole batch answers 507: the device keeps every action and sends them again later.
                raise StorageFull() from exc
            log.exception("offline action %s failed", action.type)
            return ActionResult(client_id=action.client_id, status=ActionStatus.refused,
                                code="action_failed", message=_FAILED)
    raise AssertionError("unreachable")


_CONFLICT = "Thao tác xung đột với dữ liệu vừa thay đổi trên máy chủ. Hãy gửi lại sau."
_FAILED = "Máy chủ gặp lỗi khi xử lý thao tác này. Hãy gửi lại sau."
# Refusals that say nothing about the action itself: no receipt, a later attempt runs it afresh.
_NOT_KEPT = {"action_conflict", "action_failed"}


def apply_batch(session: Session, principal: Principal, actions: list[OfflineAction]) -> list[ActionResult]:
    return [apply_one(session, principal, action) for action in actions]
