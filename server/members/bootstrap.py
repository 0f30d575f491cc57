"""Creating the first system administrator from the command line."""

from sqlalchemy import select
from sqlmodel import Session

from server.audit import service as audit
from server.auth import security
from server.errors import Conflict, Unprocessable
from server.members.models import RoleAssignment, User
from shared.enums import Role
from shared.schemas.auth import PASSWORD_MAX, PASSWORD_MIN


def create_admin(session: Session, username: str, password: str) -> User:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise Unprocessable(f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự.")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"Tên đăng nhập '{username}' đã được dùng.", code="username_taken")
    user = User(username=username, password_hash=security.hash_password(password), display_name=username)
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id or 0, role=Role.admin.value))
    audit.record(session, "user.admin_created", actor_user_id=None, target_type="user", target_id=user.id)
    return user
