"""Meeting factories: meetings at chosen times, open check-in in the past, principals for service calls."""

import itertools
from datetime import UTC, datetime, timedelta

import pyotp
from sqlmodel import Session

from server.auth.principal import Principal, build
from server.meetings.models import Attendance, Meeting
from server.records.orgs import Organization
from server.timeutil import utcnow
from tests.factories import Person

_seq = itertools.count(1)


def principal(session: Session, person: Person) -> Principal:
    return build(session, person.user, None, "127.0.0.1")


def make_meeting(
    session: Session,
    org: Organization,
    *,
    starts_at: datetime | None = None,
    status: str = "scheduled",
    kind: str = "regular",
    title: str | None = None,
    opened_at: datetime | None = None,
    **extra,
) -> Meeting:
    """A meeting; with opened_at, check-in was opened at that instant (status in_progress)."""
    starts_at = starts_at or utcnow() + timedelta(minutes=10)
    meeting = Meeting(
        org_id=org.id,
        kind=kind,
        status=status,
        title=title or f"Cuộc họp {next(_seq)}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        **extra,
    )
    if opened_at is not None:
        meeting.checkin_secret = pyotp.random_base32()
        meeting.checkin_opened_at = opened_at
        meeting.status = "in_progress"
    session.add(meeting)
    session.flush()
    return meeting


def code_at(meeting: Meeting, at: datetime | None = None) -> str:
    assert meeting.checkin_secret
    return pyotp.TOTP(meeting.checkin_secret, interval=meeting.checkin_interval).at(at or datetime.now(UTC))


def mark(session: Session, meeting: Meeting, person_or_member, status: str, expected: bool = True) -> None:
    member = getattr(person_or_member, "member", person_or_member)
    session.add(
        Attendance(
            meeting_id=meeting.id, member_id=member.id, status=status, expected=expected, source="manual"
        )
    )
    session.flush()
