"""Organisations, their closure table (every ancestor/descendant pair, indexed both ways) and the
subtree/ancestor queries every visibility check uses."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.sql import Select
from sqlmodel import Field, Session, SQLModel

from server.fields import utc_field


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, index=True)
    code: str = Field(max_length=50, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    depth: int = 0
    # Monthly meeting rule of a chi bộ: day of month and local time "HH:MM".
    meeting_day: int | None = None
    meeting_time: str | None = Field(default=None, max_length=5)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class OrgClosure(SQLModel, table=True):
    """(ancestor, descendant, distance); each org is its own ancestor at distance 0."""

    __tablename__ = "org_closure"

    ancestor_id: int = Field(foreign_key="organization.id", primary_key=True)
    descendant_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)
    distance: int = 0


def subtree_ids(org_id: int) -> Select:
    """SELECT of the ids of `org_id` and everything below it."""
    return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org_id)


def subtrees_ids(org_ids: Sequence[int]) -> Select:
    return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(list(org_ids)))


def ancestor_ids(org_id: int) -> Select:
    """SELECT of the ids of `org_id` and everything above it."""
    return select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id == org_id)


def ancestors(session: Session, org_id: int) -> list[Organization]:
    """The path from the root down to `org_id`, root first."""
    rows = session.execute(
        select(Organization)
        .join(OrgClosure, OrgClosure.ancestor_id == Organization.id)
        .where(OrgClosure.descendant_id == org_id)
        .order_by(OrgClosure.distance.desc())
    ).scalars()
    return list(rows)


def is_within(session: Session, org_id: int, ancestor_ids_: Sequence[int]) -> bool:
    if not ancestor_ids_:
        return False
    found = session.execute(
        select(OrgClosure.ancestor_id)
        .where(OrgClosure.descendant_id == org_id, OrgClosure.ancestor_id.in_(list(ancestor_ids_)))
        .limit(1)
    ).first()
    return found is not None
