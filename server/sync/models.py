"""Versioned change log: a counter row bumped inside each writing transaction (versions follow commits)."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from server.fields import utc_field


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
