"""Who may change a member record or its account: the target's cell AND every role it holds in reach.

Every member- or account-changing path (PATCH incl. `is_active`, transfer, password reset, account
creation, role grant and removal, imports, ending another's sessions) goes through `changeable`,
`changeable_user`, `require_grantable` or `out_of_reach`; services call them and never decide reach
themselves. A refusal is 403 `out_of_scope`, written to the audit log even though the request's own work
is rolled back (see `server/deps.py`).
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from server.access.members import visible_members
from server.auth.principal import Principal
from server.errors import Forbidden, NotFound
from server.records.members import Member, RoleAssignment, User
from server.records.orgs import OrgClosure
from shared.enums import Role

REFUSED = "access.refused"


class OutOfScope(Forbidden):
    code = "out_of_scope"
    message = "Tài khoản này nằm ngoài phạm vi bạn quản lý."


def role_in_reach(session: Session, principal: Principal, role: str, org_id: int | None) -> bool:
    """Whether the caller stands at or above a holder of (role, org_id).

    Admin only by admin; a role scoped to X (staff of X, an office of cell X) only by admin or by staff of
    X or of an ancestor of X. Cell leaders administer no accounts, so their roles give no reach.
    """
    if principal.is_admin:
        return True
    if role == Role.admin or org_id is None:
        return False
    return principal.manages(session, org_id)


def roles_of(session: Session, user_id: int) -> list[RoleAssignment]:
    return list(session.execute(
        select(RoleAssignment).where(RoleAssignment.user_id == user_id).order_by(RoleAssignment.id)
    ).scalars())


def refuse(principal: Principal, *, operation: str, target_type: str, target_id: int | None,
           org_id: int | None, reason: str, message: str | None = None, **detail: object) -> OutOfScope:
    """The error to raise; it carries its audit entry, kept after the rollback."""
    error = OutOfScope(message)
    error.audit = {
        "action": REFUSED, "actor": principal, "target_type": target_type, "target_id": target_id,
        "org_id": org_id, "detail": {"operation": operation, "reason": reason, **detail},
    }
    return error


def _visible(session: Session, principal: Principal, member_id: int) -> Member:
    member = session.execute(visible_members(principal).where(Member.id == member_id)).scalar_one_or_none()
    if member is None:
        raise NotFound("Không tìm thấy đảng viên.", code="member_not_found")
    return member


def changeable(session: Session, principal: Principal, member_id: int, operation: str
               ) -> tuple[Member, User | None]:
    """The member (and account) the caller may change, or 404 when out of view, 403 when out of reach."""
    member = _visible(session, principal, member_id)
    if not principal.manages(session, member.org_id):
        raise refuse(principal, operation=operation, target_type="member", target_id=member.id,
                     org_id=member.org_id, reason="cell_out_of_scope",
                     message="Đảng viên này nằm ngoài phạm vi bạn quản lý.")
    user = session.execute(select(User).where(User.member_id == member.id)).scalar_one_or_none()
    if user is not None and user.id is not None:
        for grant in roles_of(session, user.id):
            if not role_in_reach(session, principal, grant.role, grant.org_id):
                raise refuse(principal, operation=operation, target_type="member", target_id=member.id,
                             org_id=member.org_id, reason="role_out_of_reach", role=grant.role,
                             role_org_id=grant.org_id,
                             message="Tài khoản này giữ vai trò vượt phạm vi bạn quản lý.")
    return member, user


def changeable_user(session: Session, principal: Principal, user_id: int, operation: str) -> User:
    """An account the caller may act on (end its sessions, wipe its devices): oneself, or as `changeable`.

    An account without a member record (a system admin) is changed only by an admin. 404 when unknown.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.", code="user_not_found")
    if user_id == principal.user_id:
        return user
    if user.member_id is not None:
        _member, found = changeable(session, principal, user.member_id, operation)
        assert found is not None
        return found
    if not principal.is_admin:
        raise refuse(principal, operation=operation, target_type="user", target_id=user_id, org_id=None,
                     reason="role_out_of_reach", message="Tài khoản này nằm ngoài phạm vi bạn quản lý.")
    return user


def require_grantable(session: Session, principal: Principal, member: Member, role: Role,
                      org_id: int | None, operation: str) -> None:
    """A role may be granted or removed only when it lies within the caller's own reach."""
    if role_in_reach(session, principal, role.value, org_id):
        return
    if role == Role.admin:
        raise Forbidden("Chỉ quản trị hệ thống được cấp hoặc thu hồi quyền quản trị.", code="admin_only")
    raise refuse(principal, operation=operation, target_type="member", target_id=member.id,
                 org_id=member.org_id, reason="role_out_of_reach", role=role.value, role_org_id=org_id,
                 message="Vai trò này vượt phạm vi bạn quản lý.")



def out_of_reach(session: Session, principal: Principal, user_ids: Sequence[int]) -> set[int]:
    """The accounts among `user_ids` holding a role beyond the caller's reach, in two queries (imports)."""
    if principal.is_admin or not user_ids:
        return set()
    grants = session.execute(select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id)
                             .where(col(RoleAssignment.user_id).in_(list(user_ids)))).all()
    scoped = sorted({org for _u, _r, org in grants if org is not None})
    staff = principal.staff_org_ids
    inside = set(session.execute(
        select(OrgClosure.descendant_id).where(col(OrgClosure.descendant_id).in_(scoped),
                                               col(OrgClosure.ancestor_id).in_(staff))
    ).scalars()) if scoped and staff else set()
    return {user for user, role, org in grants if role == Role.admin or org is None or org not in inside}
