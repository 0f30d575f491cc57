"""Sign-in, tokens, device sessions and the caller's own profile."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from shared.enums import Role
from shared.schemas.common import RequestSchema, Schema

PASSWORD_MIN = 8
PASSWORD_MAX = 128

# Passwords are taken exactly as typed: the request models strip whitespace from strings, passwords not.
RawPassword = Annotated[str, StringConstraints(strip_whitespace=False)]


class LoginRequest(RequestSchema):
    username: str = Field(min_length=1, max_length=200, description="Tên đăng nhập hoặc số thẻ đảng viên")
    # No minimum here: a short wrong password is a wrong password (401), not a malformed request.
    password: RawPassword = Field(min_length=1, max_length=1024)
    device_name: str | None = Field(default=None, max_length=120)
    # The device token an earlier sign-in to this account gave this device (see TokenPair.device_token).
    device_token: str | None = Field(default=None, max_length=200)


class RefreshRequest(RequestSchema):
    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    # Sign-in only: keep it per account and send it with the next sign-in, so that a stranger's wrong
    # guesses never keep this device out (OWASP device cookies).
    device_token: str | None = None


class PasswordChange(RequestSchema):
    current_password: RawPassword = Field(min_length=1, max_length=1024)
    new_password: RawPassword = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class PasswordReset(RequestSchema):
    new_password: RawPassword = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class DeviceSessionPublic(Schema):
    id: int
    device_name: str | None
    created_at: datetime
    last_seen_at: datetime
    client_address: str | None
    current: bool = False


class OrgRef(Schema):
    id: int
    name: str
    kind: str


class RoleGrant(Schema):
    role: Role
    organization: OrgRef | None


class MePublic(Schema):
    id: int
    username: str
    full_name: str
    member_id: int | None
    organization: OrgRef | None
    org_path: list[OrgRef] = []
    roles: list[RoleGrant]
    member_kind: str | None = None
    card_number: str | None = None
