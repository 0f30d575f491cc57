"""The change log the sync feed reads: a counter row bumped inside each writing transaction (versions
follow commits), the changes and who they concern. Every write to data a device holds calls record_change."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, bindparam, update
from sqlmodel import Field, Session, SQLModel

from server.fields import utc_field
from server.records import hints as _hints  # noqa: F401  (its commit hooks send the live-push hints)
from server.timeutil import utcnow


class SyncCounter(SQLModel, table=True):
    __tablename__ = "sync_counter"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class Change(SQLModel, table=True):
    """A record of an entity that changed at `version`; who may see it is in ChangeScope."""

    __tablename__ = "sync_change"
    __table_args__ = (Index("ix_sync_change_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    entity_type: str = Field(max_length=30)
    entity_id: int
    op: str = Field(max_length=10)  # upsert | delete
    at: datetime = utc_field(default_now=True)


class ChangeScope(SQLModel, table=True):
    """Who the change concerns: everyone under an organisation, or one user."""

    __tablename__ = "sync_change_scope"
    __table_args__ = (
        Index("ix_sync_scope_org_version", "org_id", "version"),
        Index("ix_sync_scope_user_version", "user_id", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
    org_id: int | None = Field(default=None)
    user_id: int | None = Field(default=None)


_CHANGE_INSERT = Change.__table__.insert()  # type: ignore[attr-defined]
_SCOPE_INSERT = ChangeScope.__table__.insert()  # type: ignore[attr-defined]


# Built once: every write bumps the counter. A Core statement on the table: the ORM neither builds it
# again each time nor scans its identity map on every bump (that was O(n^2) in bulk writes).
_BUMP = (update(SyncCounter.__table__).where(SyncCounter.__table__.c.id == 1)  # type: ignore[attr-defined]
         .values(version=SyncCounter.__table__.c.version + bindparam("count"))  # type: ignore[attr-defined]
         .returning(SyncCounter.__table__.c.version))  # type: ignore[attr-defined]


def next_version(session: Session, count: int = 1) -> int:
    """Bump the single counter row inside the caller's transaction by `count`; returns the last version.

    The row lock makes concurrent writers queue, so a version becomes visible only after every
    smaller one has committed or rolled back: a cursor can never skip a change.
    """
    version = session.execute(_BUMP, {"count": count}).scalar_one_or_none()
    if version is None:
        session.add(SyncCounter(id=1, version=count))
        session.flush()
        return count
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
    # Plain table INSERTs: every write of the server passes here, and ORM objects cost a third of it.
    session.execute(_CHANGE_INSERT, {"version": version, "entity_type": entity_type, "entity_id": entity_id,
                                     "op": op, "at": utcnow()})
    scopes = [{"version": version, "org_id": o, "user_id": None} for o in orgs]
    scopes += [{"version": version, "org_id": None, "user_id": u} for u in users]
    if scopes:
        session.execute(_SCOPE_INSERT, scopes)
    # Collected for the live push, published only once the transaction commits (server/sync/bus.py).
    session.info.setdefault("sync_hints", []).append((version, orgs, users))
    return version


def record_changes(session: Session, entity_type: str,
                   entries: Sequence[tuple[int, Iterable[int]] | tuple[int, Iterable[int], Iterable[int]]]
                   ) -> None:
    """`record_change` for many entities at once (bulk import, a reminder to a whole cell): one counter
    bump, two INSERTs.

    Each entry is (entity id, the users who see it[, the organisations whose subtrees see it]); a row per
    object and a counter bump per row made a 20,000-member import spend most of its time in the change
    log, holding SQLite's write lock.
    """
    if not entries:
        return
    first = next_version(session, len(entries)) - len(entries) + 1
    now = utcnow()
    changes: list[dict[str, Any]] = []
    scopes: list[dict[str, Any]] = []
    hints = session.info.setdefault("sync_hints", [])
    for version, entry in enumerate(entries, start=first):
        entity_id, users = entry[0], set(entry[1])
        orgs = set(entry[2]) if len(entry) > 2 else set()
        changes.append({"version": version, "entity_type": entity_type, "entity_id": entity_id,
                        "op": "upsert", "at": now})
        scopes.extend({"version": version, "org_id": None, "user_id": u} for u in users)
        scopes.extend({"version": version, "org_id": o, "user_id": None} for o in orgs)
        hints.append((version, orgs, users))
    session.execute(_CHANGE_INSERT, changes)
    if scopes:
        session.execute(_SCOPE_INSERT, scopes)
