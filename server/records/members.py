"""Members (identity), user accounts, scoped roles and membership history."""

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class Member(SQLModel, table=True):
    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=120)
    name_folded: str = Field(max_length=120, index=True)
    birth_date: date | None = None
    card_number: str | None = Field(default=None, max_length=12, unique=True)
    admitted_on: date | None = None
    official_on: date | None = None
    kind: str = Field(default="official", max_length=20)
    org_id: int = Field(foreign_key="organization.id", index=True)
    position: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class User(SQLModel, table=True):
    """A sign-in account; most belong to a member, a system admin may not."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=255)
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    display_name: str | None = Field(default=None, max_length=120)
    is_active: bool = True
    is_demo: bool = False
    password_changed_at: datetime = utc_field(default_now=True)
    created_at: datetime = utc_field(default_now=True)


class RoleAssignment(SQLModel, table=True):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "org_id", name="uq_role_user_role_org"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: str = Field(max_length=30)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    created_at: datetime = utc_field(default_now=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")


class Membership(SQLModel, table=True):
    """Where a member was active and when: the transfer history ("chuyển sinh hoạt")."""

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_member_started", "member_id", "started_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    org_id: int = Field(foreign_key="organization.id", index=True)
    started_on: date
    ended_on: date | None = None
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field(default_now=True)
