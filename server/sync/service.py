"""The delta sync feed: snapshot pages, delta pages, the tombstone horizon and log pruning."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, union
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Gone
from server.records.changelog import Change, ChangeScope, SyncCounter
from server.sync import registry
from server.sync.cursor import Cursor, Scope, decode, up_to_date
from server.sync.models_ext import SyncHorizon
from server.sync.registry import View
from server.timeutil import utcnow
from shared.schemas.sync import Change as ChangeOut
from shared.schemas.sync import ChangeOp, SyncPage

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
MAX_CURSOR_ORGS = 24  # keeps a signed cursor well under the 400 characters the feed accepts


def current_version(session: Session) -> int:
    """The newest committed version (every change up to it is visible to this session's next query)."""
    q = select(col(SyncCounter.version)).where(col(SyncCounter.id) == 1)
    value = session.execute(q).scalar_one_or_none()
    return int(value or 0)


def horizon(session: Session) -> int:
    q = select(col(SyncHorizon.version)).where(col(SyncHorizon.id) == 1)
    value = session.execute(q).scalar_one_or_none()
    return int(value or 0)


def _expired() -> Gone:
    return Gone("Dữ liệu trên máy đã quá cũ so với máy chủ. Ứng dụng sẽ tải lại toàn bộ từ đầu.",
                code="cursor_expired")


def feed(session: Session, principal: Principal, cursor: str | None, limit: int = DEFAULT_LIMIT,
         key: bytes | None = None, bound: registry.Horizon | None = None) -> SyncPage:
    """A page of the feed; `key` signs the delta cursors handed out (their scope lets server/sync/idle.py
    answer the next up-to-date poll from the change log alone); `bound` limits the documents of a fresh
    snapshot (default: the settings' defaults)."""
    limit = max(1, min(limit, MAX_LIMIT))
    view = registry.build_view(session, principal, bound)
    fp = view.fingerprint()
    if not cursor:
        return _fresh(session, view, limit, key)
    cur = decode(cursor)
    if cur.version < horizon(session):
        raise _expired()
    if cur.fingerprint != fp:
        # The set of things the device may hold changed (transfer, org moved, role changed): rather than
        # guess what the device held under its old view, hand it a fresh snapshot and say so.
        return _fresh(session, view, limit, key)
    if cur.snapshot:
        return _snapshot(session, view, cur, limit, key, reset=False)
    return _delta(session, view, cur.version, limit, key)


def delta_cursor(view: View, version: int, key: bytes | None) -> str:
    """The cursor of a device up to date at `version`: signed with the scopes its view follows (unless
    they are many, as for someone on many committees: then every poll takes the full path)."""
    scope = Scope(view.user_id, view.org_ids) if len(view.org_ids) <= MAX_CURSOR_ORGS else None
    return up_to_date(version, view.fingerprint(), scope, key)


def _fresh(session: Session, view: View, limit: int, key: bytes | None) -> SyncPage:
    start = Cursor(current_version(session), view.fingerprint(), snapshot=True)
    return _snapshot(session, view, start, limit, key, reset=True)


def _snapshot(session: Session, view: View, cur: Cursor, limit: int, key: bytes | None, *,
              reset: bool) -> SyncPage:
    provs = registry.providers()
    changes: list[ChangeOut] = []
    type_index, after_id = cur.type_index, cur.after_id
    while type_index < len(provs) and len(changes) < limit:
        prov = provs[type_index]
        want = limit - len(changes)
        ids = prov.snapshot_ids(session, view, after_id, want)
        if ids:
            data = prov.load(session, view, ids)
            changes.extend(ChangeOut(type=prov.type, op=ChangeOp.upsert, id=i, version=cur.version,
                                     data=data[i]) for i in ids if i in data)
            after_id = ids[-1]
        if len(ids) < want:
            type_index, after_id = type_index + 1, 0
    done = type_index >= len(provs)
    if done:
        next_cursor = delta_cursor(view, cur.version, key)
    else:
        next_cursor = Cursor(cur.version, cur.fingerprint, snapshot=True, type_index=type_index,
                             after_id=after_id).encode()
    return SyncPage(changes=changes, cursor=next_cursor, has_more=not done, reset=reset)


def scope_filter(view: View, after: int, upto: int | None = None) -> Any:
    """SELECT of the versions after `after` whose scope touches the view (org path or own user)."""
    parts = [select(col(ChangeScope.version)).where(col(ChangeScope.user_id) == view.user_id,
                                               col(ChangeScope.version) > after)]
    if view.org_ids:
        parts.append(select(col(ChangeScope.version)).where(col(ChangeScope.org_id).in_(view.org_ids),
                                                       col(ChangeScope.version) > after))
    if upto is not None:
        parts = [p.where(col(ChangeScope.version) <= upto) for p in parts]
    return union(*parts).subquery()


def _delta(session: Session, view: View, after: int, limit: int, key: bytes | None) -> SyncPage:
    top = current_version(session)  # read BEFORE the log: everything up to `top` is committed and visible
    scoped = scope_filter(view, after, top)
    versions = [int(v) for v in session.execute(
        select(scoped.c.version).order_by(scoped.c.version).limit(limit + 1)).scalars()]
    has_more = len(versions) > limit
    versions = versions[:limit]
    rows = session.execute(
        select(col(Change.version), col(Change.entity_type), col(Change.entity_id))
        .where(col(Change.version).in_(versions))
    ).all() if versions else []
    latest: dict[tuple[str, int], int] = {}
    for version, etype, eid in rows:
        entity = (etype, int(eid))
        if latest.get(entity, -1) < int(version):
            latest[entity] = int(version)
    _add_related(session, latest)
    by_type: dict[str, list[int]] = {}
    for etype, eid in latest:
        by_type.setdefault(etype, []).append(eid)
    changes: list[ChangeOut] = []
    for etype, ids in by_type.items():
        prov = registry.get(etype)
        if prov is None:
            continue  # a type no device holds (yet)
        data = prov.load(session, view, ids)
        for eid in ids:
            version = latest[(etype, eid)]
            if eid in data:
                changes.append(ChangeOut(type=etype, op=ChangeOp.upsert, id=eid, version=version,
                                         data=data[eid]))
            else:
                changes.append(ChangeOut(type=etype, op=ChangeOp.delete, id=eid, version=version))
    changes.sort(key=lambda c: (c.version, c.type, c.id))
    new_version = versions[-1] if has_more else max(top, after)
    return SyncPage(changes=changes, cursor=delta_cursor(view, new_version, key), has_more=has_more)


def _add_related(session: Session, latest: dict[tuple[str, int], int]) -> None:
    """Companions (same id, other type) and dependents (children) of changed entities, at their version, and
    theirs in turn: a meeting's agenda brings its documents, which bring their attachments."""
    todo, done = list(latest), set()
    while todo:
        grouped: dict[str, list[int]] = {}
        for key in todo:
            if key not in done:
                done.add(key)
                grouped.setdefault(key[0], []).append(key[1])
        todo = []
        for etype, ids in grouped.items():
            prov = registry.get(etype)
            if prov is None:
                continue
            related = [(c, eid, latest[(etype, eid)]) for c in prov.companions for eid in ids]
            if prov.dependents is not None:
                # A child takes the newest version among the changed parents; precision is not needed here.
                top = max(latest[(etype, eid)] for eid in ids)
                related += [(t, i, top) for t, i in prov.dependents(session, ids)]
            for rtype, rid, version in related:
                if latest.get((rtype, rid), -1) < version:
                    latest[(rtype, rid)] = version
                    todo.append((rtype, rid))


def latest_relevant_version(session: Session, view: View, after: int) -> int | None:
    scoped = scope_filter(view, after)
    value = session.execute(select(func.max(scoped.c.version))).scalar_one_or_none()
    return int(value) if value is not None else None


def prune(session: Session, *, older_than: datetime) -> int:
    """Drop log entries older than `older_than`; cursors below the new horizon get 410 afterwards."""
    q = select(func.max(col(Change.version))).where(col(Change.at) < older_than)
    cut = session.execute(q).scalar_one_or_none()
    if cut is None:
        return 0
    return prune_upto(session, int(cut))


def prune_upto(session: Session, version: int) -> int:
    if version <= horizon(session):
        return 0
    session.execute(delete(ChangeScope).where(col(ChangeScope.version) <= version))
    removed = getattr(session.execute(delete(Change).where(col(Change.version) <= version)), "rowcount", 0)
    row = session.get(SyncHorizon, 1)
    if row is None:
        session.add(SyncHorizon(id=1, version=version, pruned_at=utcnow()))
    else:
        row.version = version
        row.pruned_at = utcnow()
    session.flush()
    return int(removed or 0)


def versions_of(changes: Sequence[ChangeOut]) -> list[int]:
    return [c.version for c in changes]
