"""Organisations and their closure table (every ancestor/descendant pair, indexed both ways)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

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
