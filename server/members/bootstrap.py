"""Creating the first system administrator from the command line."""

import re

from sqlalchemy import select
from sqlmodel import Session

from server.auth import security
from server.errors import Conflict, Unprocessable
from server.records import audit
from server.records.members import RoleAssignment, User
from shared.enums import Role
from shared.schemas.auth import PASSWORD_MAX, PASSWORD_MIN

USERNAME = re.compile(r"^[a-z0-9._-]{3,60}$")


def create_admin(session: Session, username: str, password: str) -> User:
    # Sign-in lower-cases what is typed, so a name stored with capitals could never sign in.
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Unprocessable("Tên đăng nhập gồm 3 đến 60 ký tự a-z, 0-9, dấu chấm, gạch ngang, gạch dưới.",
                            code="invalid_username")
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
