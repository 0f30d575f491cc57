"""Sending notifications and reading the inbox."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from server.notifications.models import Notification, NotificationRead
from server.records.changelog import record_change, record_changes
from server.records.orgs import OrgClosure
from server.timeutil import utcnow
from shared.schemas.notifications import MarkReadResult, NotificationPage, NotificationPublic


def notify(
    session: Session,
    *,
    user_ids: Iterable[int] | None = None,
    org_ids: Iterable[int] | None = None,
    kind: str,
    title: str,
    body: str | None = None,
    ref_type: str | None = None,
    ref_id: int | None = None,
) -> list[Notification]:
    """Address a notification to users and/or to everyone under organisations (one row each).

    Part of the caller's transaction: it reaches devices through the feed and the live stream only if
    that transaction commits.
    """
    now = utcnow()
    common = {"kind": kind, "title": title[:200], "body": body, "ref_type": ref_type, "ref_id": ref_id,
              "created_at": now}
    values = [{**common, "user_id": user_id, "org_id": None} for user_id in sorted(set(user_ids or ()))]
    values += [{**common, "user_id": None, "org_id": org_id} for org_id in sorted(set(org_ids or ()))]
    if not values:
        return []
    # One INSERT and one change-log block, not a row and a counter bump each: a reminder to a large
    # cell, or the whole province's reminders, would otherwise hold the writer for seconds.
    rows = list(session.scalars(
        insert(Notification).returning(Notification, sort_by_parameter_order=True), values))
    record_changes(session, "notification", [
        (row.id or 0, [row.user_id] if row.user_id else [], [row.org_id] if row.org_id else [])
        for row in rows
    ])
    notes = session.info.setdefault("notify_hints", [])
    for row in rows:
        notes.append({"id": row.id, "kind": row.kind, "title": row.title[:120], "ref_type": row.ref_type,
                      "ref_id": row.ref_id, "u": row.user_id, "o": row.org_id,
                      "at": row.created_at.isoformat()})
    return rows


def prune(session: Session, *, older_than: datetime) -> int:
    """Drop notifications older than `older_than`; devices holding them get a delete."""
    old = session.execute(
        select(Notification).where(col(Notification.created_at) < older_than)).scalars().all()
    for note in old:
        session.execute(
            delete(NotificationRead).where(col(NotificationRead.notification_id) == note.id))
        record_change(session, "notification", note.id or 0, op="delete",
                      org_ids=[note.org_id] if note.org_id else [],
                      user_ids=[note.user_id] if note.user_id else [])
        session.delete(note)
    session.flush()
    return len(old)


def visible_to(user_id: int, path_org_ids: Iterable[int]) -> Select:
    """SELECT of the notifications a user sees: theirs, and those of any organisation on their path."""
    path = list(path_org_ids)
    cond = col(Notification.user_id) == user_id
    if path:
        cond = or_(cond, col(Notification.org_id).in_(path))
    return select(Notification).where(cond)


def path_of(session: Session, cell_id: int | None) -> list[int]:
    if cell_id is None:
        return []
    return [int(i) for i in session.execute(
        select(col(OrgClosure.ancestor_id)).where(col(OrgClosure.descendant_id) == cell_id)).scalars()]


def to_public(rows: list[tuple[Notification, datetime | None]]) -> list[NotificationPublic]:
    return [NotificationPublic.model_validate(n).model_copy(update={"read_at": read_at})
            for n, read_at in rows]


def serialise(session: Session, user_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Notification, col(NotificationRead.read_at))
        .outerjoin(NotificationRead, and_(col(NotificationRead.notification_id) == col(Notification.id),
                                          col(NotificationRead.user_id) == user_id))
        .where(col(Notification.id).in_(ids))
    ).all()
    return {p.id: p.model_dump(mode="json") for p in to_public([(n, r) for n, r in rows])}


def inbox(session: Session, user_id: int, path: list[int], *, unread_only: bool, limit: int, offset: int
          ) -> NotificationPage:
    base = visible_to(user_id, path).add_columns(col(NotificationRead.read_at)).outerjoin(
        NotificationRead, and_(col(NotificationRead.notification_id) == col(Notification.id),
                               col(NotificationRead.user_id) == user_id))
    unread_q = base.where(col(NotificationRead.read_at).is_(None))
    query = unread_q if unread_only else base
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    unread = session.execute(select(func.count()).select_from(unread_q.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit).offset(offset)
    ).all()
    return NotificationPage(items=to_public([(n, r) for n, r in rows]), unread=int(unread), total=int(total),
                            limit=limit, offset=offset)


def mark_read(session: Session, user_id: int, path: list[int], ids: list[int] | None, *, all_: bool = False
              ) -> MarkReadResult:
    """Mark notifications read (only those the user sees; unknown ids are ignored). Idempotent."""
    q = visible_to(user_id, path).outerjoin(
        NotificationRead, and_(col(NotificationRead.notification_id) == col(Notification.id),
                               col(NotificationRead.user_id) == user_id)
    ).where(col(NotificationRead.read_at).is_(None))
    if not all_:
        q = q.where(col(Notification.id).in_(ids or []))
    now = utcnow()
    marked = 0
    for note in session.execute(q).scalars().all():
        session.add(NotificationRead(notification_id=note.id or 0, user_id=user_id, read_at=now))
        record_change(session, "notification", note.id or 0, user_ids=[user_id])
        marked += 1
    session.flush()
    unread = session.execute(select(func.count()).select_from(
        visible_to(user_id, path).outerjoin(
            NotificationRead, and_(col(NotificationRead.notification_id) == col(Notification.id),
                                   col(NotificationRead.user_id) == user_id)
        ).where(col(NotificationRead.read_at).is_(None)).subquery())).scalar_one()
    return MarkReadResult(marked=marked, unread=int(unread))
