"""Routes for members, their accounts, roles, transfers and bulk import."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from pydantic import Field

from server.db import begin_write
from server.deps import (
    AppSettings,
    CurrentPrincipal,
    DbSession,
    ReadFirstDbSession,
    ReadStaffPrincipal,
    StaffPrincipal,
)
from server.members import import_file, importer, service
from server.openapi import AUTHED, errors
from shared.enums import MemberKind
from shared.schemas.auth import PasswordReset, RawPassword
from shared.schemas.common import Page, RequestSchema
from shared.schemas.members import (
    ImportReport,
    MemberCreate,
    MemberPublic,
    MembershipPublic,
    MemberUpdate,
    RoleAssign,
    RolePublic,
    TransferRequest,
)

router = APIRouter(prefix="/members", tags=["members"])


class AccountCreate(RequestSchema):
    username: str = Field(min_length=3, max_length=60, pattern=r"^[a-z0-9._-]+$")
    password: RawPassword = Field(min_length=8, max_length=128)


@router.get("", response_model=Page[MemberPublic], responses=AUTHED)
def list_members(
    principal: CurrentPrincipal, db: DbSession,
    org_id: int | None = None, q: str | None = Query(default=None, max_length=100),
    kind: MemberKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[MemberPublic]:
    return service.list_members(db, principal, org_id=org_id, q=q, kind=kind.value if kind else None,
                                limit=limit, offset=offset)


@router.post("", response_model=MemberPublic, status_code=status.HTTP_201_CREATED,
             responses=errors(401, 403, 404, 409, 422))
def create_member(body: MemberCreate, principal: StaffPrincipal, db: DbSession) -> MemberPublic:
    out = service.create(db, principal, body)
    db.commit()
    return out


@router.post("/import", response_model=ImportReport, responses=errors(401, 403, 413, 422))
def import_members(
    principal: ReadStaffPrincipal, db: ReadFirstDbSession, settings: AppSettings,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) hoặc XLSX xuất từ cơ sở dữ liệu đảng viên")],
    default_org_id: Annotated[int | None, Form(description="Chi bộ cho các dòng không ghi chi bộ")] = None,
    import_valid_rows: Annotated[bool, Form(description="Nhập các dòng hợp lệ dù tệp có dòng lỗi")] = False,
    dry_run: Annotated[bool, Form(description="Chỉ báo cáo, không ghi gì")] = False,
) -> ImportReport:
    """Nhập đảng viên từ tệp: báo cáo từng dòng; tệp có dòng lỗi không ghi gì trừ khi import_valid_rows."""
    parsed = import_file.parse(file, settings)  # outside any transaction: check-ins keep flowing meanwhile
    if not dry_run:
        begin_write(db)  # what the plan reads is then what the import writes against
    outcome = importer.import_parsed(db, principal, parsed, file.filename, default_org_id=default_org_id,
                                     import_valid_rows=import_valid_rows, dry_run=dry_run)
    if outcome.applied:
        db.commit()
    else:
        db.rollback()
    return importer.report(outcome)


@router.get("/{member_id}", response_model=MemberPublic, responses=errors(401, 404))
def get_member(member_id: int, principal: CurrentPrincipal, db: DbSession) -> MemberPublic:
    return service.to_public(db, service.get_visible(db, principal, member_id))


@router.patch("/{member_id}", response_model=MemberPublic, responses=errors(401, 403, 404, 409, 422))
def update_member(member_id: int, body: MemberUpdate, principal: StaffPrincipal, db: DbSession
                  ) -> MemberPublic:
    out = service.update(db, principal, member_id, body)
    db.commit()
    return out


@router.post("/{member_id}/transfer", response_model=MemberPublic, responses=errors(401, 403, 404, 422))
def transfer_member(member_id: int, body: TransferRequest, principal: StaffPrincipal, db: DbSession
                    ) -> MemberPublic:
    out = service.transfer(db, principal, member_id, body)
    db.commit()
    return out


@router.get("/{member_id}/history", response_model=list[MembershipPublic], responses=errors(401, 404))
def member_history(member_id: int, principal: CurrentPrincipal, db: DbSession) -> list[MembershipPublic]:
    return service.history(db, principal, member_id)


@router.post("/{member_id}/account", status_code=status.HTTP_201_CREATED,
             responses=errors(401, 403, 404, 409, 422))
def create_account(member_id: int, body: AccountCreate, principal: StaffPrincipal, db: DbSession
                   ) -> dict[str, str]:
    service.create_account(db, principal, member_id, body.username, body.password)
    db.commit()
    return {"username": body.username}


@router.post("/{member_id}/password", status_code=status.HTTP_204_NO_CONTENT,
             responses=errors(401, 403, 404, 422))
def reset_password(member_id: int, body: PasswordReset, principal: StaffPrincipal, db: DbSession) -> None:
    service.reset_password(db, principal, member_id, body.new_password)
    db.commit()


@router.post("/{member_id}/sessions/end", responses=errors(401, 403, 404, 422))
def end_sessions(member_id: int, principal: StaffPrincipal, db: DbSession) -> dict[str, int]:
    """Kết thúc mọi phiên đăng nhập của đảng viên (mất điện thoại): thiết bị xoá dữ liệu khi kết nối lại."""
    ended = service.end_sessions(db, principal, member_id)
    db.commit()
    return {"ended": ended}


@router.get("/{member_id}/roles", response_model=list[RolePublic], responses=errors(401, 404))
def list_roles(member_id: int, principal: CurrentPrincipal, db: DbSession) -> list[RolePublic]:
    return service.list_roles(db, principal, member_id)


@router.post("/{member_id}/roles", response_model=RolePublic, status_code=status.HTTP_201_CREATED,
             responses=errors(401, 403, 404, 409, 422))
def assign_role(member_id: int, body: RoleAssign, principal: StaffPrincipal, db: DbSession) -> RolePublic:
    out = service.assign_role(db, principal, member_id, body)
    db.commit()
    return out


@router.delete("/{member_id}/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=errors(401, 403, 404))
def remove_role(member_id: int, role_id: int, principal: StaffPrincipal, db: DbSession) -> None:
    service.remove_role(db, principal, member_id, role_id)
    db.commit()
