"""Who is calling and what they may touch: built once per request from the access token."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from server.errors import Forbidden
from server.records import orgs
from server.records.members import Member, RoleAssignment, User
from shared.enums import CELL_ROLES, Role


@dataclass
class Principal:
    user: User
    member: Member | None
    session_id: int | None
    roles: list[RoleAssignment] = field(default_factory=list)
    client_address: str | None = None

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def is_admin(self) -> bool:
        return any(r.role == Role.admin for r in self.roles)

    @property
    def cell_id(self) -> int | None:
        """The chi bộ the caller belongs to (sinh hoạt tại)."""
        return self.member.org_id if self.member else None

    @property
    def staff_org_ids(self) -> list[int]:
        return [r.org_id for r in self.roles if r.role == Role.staff and r.org_id is not None]

    @property
    def led_cell_ids(self) -> list[int]:
        """Cells where the caller is secretary, deputy or cell committee member."""
        return [r.org_id for r in self.roles if r.role in CELL_ROLES and r.org_id is not None]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.staff_org_ids)

    def leads_cell(self, cell_id: int) -> bool:
        return cell_id in self.led_cell_ids

    def manages(self, session: Session, org_id: int) -> bool:
        """True when org_id lies in a subtree the caller administers."""
        return self.is_admin or orgs.is_within(session, org_id, self.staff_org_ids)

    def require_manages(self, session: Session, org_id: int) -> None:
        if not self.manages(session, org_id):
            raise Forbidden("Tổ chức này nằm ngoài phạm vi bạn quản lý.", code="out_of_scope")

    def require_leads_cell(self, cell_id: int) -> None:
        if not (self.leads_cell(cell_id) or self.is_admin):
            raise Forbidden("Chỉ bí thư, phó bí thư hoặc chi ủy viên của chi bộ này được thao tác.",
                            code="not_cell_leader")

    def require_staff(self) -> None:
        if not self.is_staff:
            raise Forbidden("Chức năng dành cho cán bộ cấp ủy.", code="staff_only")


def load_roles(session: Session, user_id: int) -> list[RoleAssignment]:
    return list(session.execute(select(RoleAssignment).where(RoleAssignment.user_id == user_id)).scalars())


def build(session: Session, user: User, session_id: int | None, client_address: str | None) -> Principal:
    assert user.id is not None
    member = session.get(Member, user.member_id) if user.member_id else None
    return Principal(user=user, member=member, session_id=session_id,
                     roles=load_roles(session, user.id), client_address=client_address)
