"""Notifications in the sync feed: the caller's own and those of organisations on their path."""

from typing import Any

from sqlmodel import Session, col

from server.notifications import service
from server.notifications.models import Notification
from server.sync.registry import SimpleProvider, View, register


def _visible(view: View) -> Any:
    return service.visible_to(view.user_id, view.path_org_ids).with_only_columns(col(Notification.id))


def _data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    return service.serialise(session, view.user_id, ids)


register(SimpleProvider("notification", _visible, _data, col(Notification.id)))
