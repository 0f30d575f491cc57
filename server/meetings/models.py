"""Tables of the meetings domain: meetings, agenda, attendance (+ history), absence requests,
resolutions and calendar tokens."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.fields import utc_field


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (
        # Drafting the regular meeting of a month is idempotent even when two schedulers race.
        UniqueConstraint("org_id", "regular_month", name="uq_meeting_org_regular_month"),
        Index("ix_meeting_org_starts", "org_id", "starts_at"),
        Index("ix_meeting_status_starts", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id")
    kind: str = Field(max_length=20)
    status: str = Field(default="draft", max_length=20)
    title: str = Field(max_length=300)
    starts_at: datetime = utc_field()
    ends_at: datetime | None = utc_field(nullable=True)
    location: str | None = Field(default=None, max_length=300)
    online_link: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # "YYYY-MM" when drafted from the cell's monthly rule (NULLs never collide in the unique key).
    regular_month: str | None = Field(default=None, max_length=7)
    # Check-in: window around the start, grace before "late", TOTP secret created when check-in opens.
    checkin_before_minutes: int = 30
    checkin_after_minutes: int = 60
    grace_minutes: int = 10
    checkin_secret: str | None = Field(default=None, max_length=64)
    checkin_interval: int = 30
    checkin_opened_at: datetime | None = utc_field(nullable=True)
    minutes_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    minutes_published_at: datetime | None = utc_field(nullable=True)
    minutes_updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    cancel_reason: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = utc_field(nullable=True)
    cancelled_at: datetime | None = utc_field(nullable=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "meeting_agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = 0
    title: str = Field(max_length=300)
    presenter: str | None = Field(default=None, max_length=120)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    document_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Attendance(SQLModel, table=True):
    """One row per (meeting, member): the one place the status of a member at a meeting lives."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_attendance_meeting_member"),
        Index("ix_attendance_member", "member_id", "meeting_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    member_id: int = Field(foreign_key="member.id")
    status: str = Field(max_length=10)
    # Whether the member was expected (not exempt) when the row was written; frozen at close.
    expected: bool = True
    source: str = Field(max_length=20)  # checkin | manual | absence_request | close
    note: str | None = Field(default=None, max_length=500)
    # What the check-in said when it was accepted: replays of its client_id answer with exactly this.
    client_id: str | None = Field(default=None, max_length=64)
    checkin_fingerprint: str | None = Field(default=None, max_length=64)
    checkin_status: str | None = Field(default=None, max_length=10)
    checked_in_at: datetime | None = utc_field(nullable=True)
    checkin_recorded_at: datetime | None = utc_field(nullable=True)
    checkin_offline: bool = False
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = utc_field(default_now=True)


class AttendanceChange(SQLModel, table=True):
    """Who changed a member's status at a meeting, when, from what to what."""

    __tablename__ = "attendance_change"
    __table_args__ = (Index("ix_attendance_change_meeting", "meeting_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")
    member_id: int = Field(foreign_key="member.id")
    old_status: str | None = Field(default=None, max_length=10)
    new_status: str | None = Field(default=None, max_length=10)
    source: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=500)
    by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: datetime = utc_field(default_now=True)


class AbsenceRequest(SQLModel, table=True):
    __tablename__ = "absence_request"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_absence_meeting_member"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    reason: str = Field(max_length=1000)
    status: str = Field(default="pending", max_length=10)  # pending | approved | rejected
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = utc_field(nullable=True)
    decision_note: str | None = Field(default=None, max_length=500)
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class Resolution(SQLModel, table=True):
    __tablename__ = "meeting_resolution"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    title: str = Field(max_length=300)
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    # The voting base when the vote was recorded (the roster changes later; the vote must not).
    base: int = 0
    base_roster: int = 0
    base_exempt_absent: int = 0
    base_excused: int = 0
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class CalendarToken(SQLModel, table=True):
    """A member's private iCalendar feed token (stored as a digest; the URL is the credential)."""

    __tablename__ = "calendar_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = utc_field(default_now=True)
    revoked_at: datetime | None = utc_field(nullable=True)
