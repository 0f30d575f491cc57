"""Recording changes for the sync feed; every write to data a device holds calls record_change."""

from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import Session, col

from server.sync import bus as _bus  # noqa: F401  (its commit hooks publish the live-push hints)
from server.sync.models import Change, ChangeScope, SyncCounter


def next_version(session: Session) -> int:
    """Bump the single counter row inside the caller's transaction.

    The row lock makes concurrent writers queue, so a version becomes visible only after every
    smaller one has committed or rolled back: a cursor can never skip a change.
    """
    result = session.execute(
        update(SyncCounter).where(col(SyncCounter.id) == 1).values(version=col(SyncCounter.version) + 1)
        .returning(col(SyncCounter.version))
        # Without this the ORM scans the whole identity map on every bump: O(n^2) in bulk writes.
        .execution_options(synchronize_session=False)
    )
    version = result.scalar_one_or_none()
    if version is None:
        session.add(SyncCounter(id=1, version=1))
        session.flush()
        return 1
    return int(version)


def record_change(
    session: Session,
    entity_type: str,
    entity_id: int,
    *,
    op: str = "upsert",
    org_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
) -> int:
    """Log that an entity changed, for everyone under `org_ids` and for `user_ids`.

    Give the scopes from before AND after the change (e.g. old and new audience) so those who lose
    sight of the entity learn of it as a removal.
    """
    version = next_version(session)
    orgs, users = set(org_ids), set(user_ids)
    session.add(Change(version=version, entity_type=entity_type, entity_id=entity_id, op=op))
    for org_id in orgs:
        session.add(ChangeScope(version=version, org_id=org_id))
    for user_id in users:
        session.add(ChangeScope(version=version, user_id=user_id))
    # Collected for the live push, published only once the transaction commits (server/sync/bus.py).
    session.info.setdefault("sync_hints", []).append((version, orgs, users))
    return version
