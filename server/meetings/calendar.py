"""Private iCalendar feed of a member's cell meetings; the token in the URL is the credential."""

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import NotFound, Unprocessable
from server.meetings import policy
from server.meetings.models import CalendarToken, Meeting
from server.records import audit
from server.records.members import Member, User
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.schemas.meetings import MEETING_KIND_LABELS, CalendarLink, MeetingKind, MeetingStatus

FEED_PATH = "/api/v1/meetings/calendar/{token}.ics"
HISTORY = timedelta(days=180)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, principal: Principal, base_url: str) -> CalendarLink:
    """Create the caller's feed token, revoking any earlier one (the old URL stops working)."""
    if principal.member is None:
        raise Unprocessable("Tài khoản không gắn với đảng viên nào.", code="no_member")
    now = utcnow()
    revoked = session.execute(
        update(CalendarToken)
        .where(col(CalendarToken.user_id) == principal.user_id, col(CalendarToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    row = CalendarToken(user_id=principal.user_id, token_hash=_digest(token), created_at=now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        "calendar.issue",
        actor=principal,
        target_type="calendar_token",
        target_id=row.id,
        org_id=principal.cell_id,
        detail={"replaced": getattr(revoked, "rowcount", None)},
    )
    return CalendarLink(token=token, url=base_url.rstrip("/") + FEED_PATH.format(token=token), created_at=now)


def revoke(session: Session, principal: Principal) -> int:
    result = session.execute(
        update(CalendarToken)
        .where(col(CalendarToken.user_id) == principal.user_id, col(CalendarToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    if count:
        audit.record(
            session,
            "calendar.revoke",
            actor=principal,
            target_type="calendar_token",
            org_id=principal.cell_id,
            detail={"revoked": count},
        )
    return count


def feed(session: Session, token: str) -> bytes:
    """The .ics of the token owner's current cell: meetings of the last 180 days and all upcoming ones."""
    row = session.execute(
        select(CalendarToken).where(
            col(CalendarToken.token_hash) == _digest(token), col(CalendarToken.revoked_at).is_(None)
        )
    ).scalar_one_or_none()
    user = session.get(User, row.user_id) if row else None
    member = session.get(Member, user.member_id) if user and user.member_id else None
    if row is None or user is None or not user.is_active or member is None:
        raise NotFound("Lịch không tồn tại hoặc đã bị thu hồi.", code="calendar_not_found")
    org = session.get(Organization, member.org_id)
    meetings = (
        session.execute(
            select(Meeting)
            .where(
                col(Meeting.org_id) == member.org_id,
                col(Meeting.status) != MeetingStatus.draft.value,
                col(Meeting.starts_at) >= utcnow() - HISTORY,
            )
            .order_by(col(Meeting.starts_at))
        )
        .scalars()
        .all()
    )
    cal = Calendar()
    cal.add("prodid", "-//So tay dang vien//Lich sinh hoat chi bo//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Sinh hoạt {org.name if org else 'chi bộ'}")
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for m in meetings:
        ev = Event()
        ev.add("uid", f"meeting-{m.id}@sotay-dangvien")
        ev.add("summary", m.title)
        ev.add("dtstart", m.starts_at)
        ev.add("dtend", m.ends_at or m.starts_at + policy.DEFAULT_DURATION)
        ev.add("dtstamp", m.updated_at)
        ev.add("last-modified", m.updated_at)
        if m.location:
            ev.add("location", m.location)
        lines = [MEETING_KIND_LABELS[MeetingKind(m.kind)]]
        if m.online_link:
            lines.append(f"Họp trực tuyến: {m.online_link}")
            ev.add("url", m.online_link)
        if m.description:
            lines.append(m.description)
        ev.add("description", "\n".join(lines))
        ev.add("status", "CANCELLED" if m.status == MeetingStatus.cancelled.value else "CONFIRMED")
        ev.add("sequence", int(m.updated_at.timestamp()) // 60 % 2_000_000_000)
        cal.add_component(ev)
    return cal.to_ical()
