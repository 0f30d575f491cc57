"""Notifications in the sync feed: the caller's own and those of organisations on their path."""

from typing import Any

from sqlmodel import Session, col

from server.notifications import service
from server.notifications.models import Notification
from server.sync.registry import Provider, SimpleProvider, View


def _visible(view: View) -> Any:
    return service.visible_to(view.user_id, view.path_org_ids).with_only_columns(col(Notification.id))


def _data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    return service.serialise(session, view.user_id, ids)


# Registered by the app factory (server/wiring.py), snapshot order as listed.
PROVIDERS: list[Provider] = [
    SimpleProvider("notification", _visible, _data, col(Notification.id)),
]
