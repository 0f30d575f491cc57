"""Imports every table model so SQLModel.metadata (and Alembic) sees the whole schema."""

from sqlmodel import SQLModel

import server.documents.models  # noqa: F401  (documents domain)
from server.audit.models import AuditEntry
from server.auth.models import DeviceSession, RefreshToken
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, AttendanceChange, CalendarToken, Meeting, Resolution  # noqa: F401,E501,I001
from server.members.models import Member, Membership, RoleAssignment, User
from server.orgs.models import OrgClosure, Organization
from server.sync.models import Change, ChangeScope, SyncCounter

metadata = SQLModel.metadata

__all__ = [
    "AuditEntry", "Change", "ChangeScope", "DeviceSession", "Member", "Membership", "OrgClosure",
    "Organization", "RefreshToken", "RoleAssignment", "SyncCounter", "User", "metadata",
]
