"""Offline action `notification.read`: mark notifications read while offline."""

from typing import Any

from pydantic import Field
from sqlmodel import Session

from server.auth.principal import Principal
from server.notifications import service
from server.sync import actions
from shared.schemas.common import RequestSchema
from shared.schemas.sync import OfflineAction


class NotificationReadPayload(RequestSchema):
    ids: list[int] = Field(min_length=1, max_length=500)


def mark_read(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(NotificationReadPayload, action.payload)
    path = service.path_of(session, principal.cell_id)
    result = service.mark_read(session, principal.user_id, path, body.ids)
    return {"marked": result.marked}


# Registered by the app factory (server/wiring.py).
HANDLERS: dict[str, actions.Handler] = {
    "notification.read": mark_read,
}
