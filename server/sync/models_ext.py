"""Tables of the sync protocol beyond the change log: the tombstone horizon and offline-action receipts."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class SyncHorizon(SQLModel, table=True):
    """The log has been pruned up to `version`: cursors below it cannot be continued (410)."""

    __tablename__ = "sync_horizon"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    pruned_at: datetime | None = utc_field(nullable=True)


class SyncAction(SQLModel, table=True):
    """Receipt of one offline action: replaying the same client id returns the stored answer."""

    __tablename__ = "sync_action"
    __table_args__ = (UniqueConstraint("user_id", "client_id", name="uq_sync_action_user_client"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    client_id: str = Field(max_length=64)
    action_type: str = Field(max_length=40)
    payload_hash: str = Field(max_length=64)
    status: str = Field(max_length=20)  # applied | refused
    response: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the ActionResult
    made_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True, index=True)


class EventTicket(SQLModel, table=True):
    """An unspent ticket for the live event stream, by digest: using it deletes the row (single use,
    whichever worker the browser reaches)."""

    __tablename__ = "event_ticket"

    digest: str = Field(primary_key=True, max_length=64)
    session_id: int = Field(foreign_key="device_session.id", index=True)
    expires_at: datetime = utc_field(index=True)
