"""Members, accounts, roles and transfers, always within what the caller administers."""

from datetime import date

from sqlalchemy import delete, func, insert, or_, select
from sqlmodel import Session, col

from server.access import accounts
from server.access.members import visible_members
from server.auth import security
from server.auth import service as auth_service
from server.auth.principal import Principal
from server.errors import Conflict, NotFound, Unprocessable
from server.orgs import service as orgs
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member, Membership, RoleAssignment, User
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.enums import CELL_ROLES, MemberKind, OrgKind, Role
from shared.schemas.auth import MePublic, OrgRef, RoleGrant
from shared.schemas.common import Page
from shared.schemas.members import (
    MemberCreate,
    MemberPublic,
    MembershipPublic,
    MemberUpdate,
    RoleAssign,
    RolePublic,
    TransferRequest,
)
from shared.text import fold, nfc


def get_visible(session: Session, principal: Principal, member_id: int) -> Member:
    member = session.execute(visible_members(principal).where(Member.id == member_id)).scalar_one_or_none()
    if member is None:
        raise NotFound("Không tìm thấy đảng viên.", code="member_not_found")
    return member


def _user_of(session: Session, member_id: int) -> User | None:
    return session.execute(select(User).where(User.member_id == member_id)).scalar_one_or_none()


def _public(member: Member, user: User | None, org: Organization | None) -> MemberPublic:
    return MemberPublic.model_validate(member).model_copy(update={
        "org_name": org.name if org else None,
        "username": user.username if user else None,
        "is_active": user.is_active if user else None,
    })


def to_public(session: Session, member: Member, user: User | None = None, org: Organization | None = None,
              ) -> MemberPublic:
    org = org or session.get(Organization, member.org_id)
    if user is None and member.id is not None:
        user = _user_of(session, member.id)
    return _public(member, user, org)


def _require_cell(session: Session, org_id: int) -> Organization:
    org = orgs.get(session, org_id)
    if org.kind != OrgKind.cell:
        raise Unprocessable("Đảng viên phải sinh hoạt tại một chi bộ.", code="not_a_cell")
    return org


def _check_card_free(session: Session, card: str | None, exclude_id: int | None = None) -> None:
    if not card:
        return
    q = select(Member.id).where(Member.card_number == card)
    if exclude_id is not None:
        q = q.where(Member.id != exclude_id)
    if session.execute(q).first():
        raise Conflict(f"Số thẻ đảng viên {card} đã có trong hệ thống.", code="card_number_taken")


def _check_username_free(session: Session, username: str) -> None:
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"Tên đăng nhập '{username}' đã được dùng.", code="username_taken")


def _check_dates(birth: date | None, admitted: date | None, official: date | None) -> None:
    today = date.today()
    for value in (birth, admitted, official):
        if value is not None and value > today:
            raise Unprocessable("Ngày không được ở tương lai.", code="date_in_future")
    if birth and admitted and admitted <= birth:
        raise Unprocessable("Ngày vào Đảng phải sau ngày sinh.", code="invalid_dates")
    if admitted and official and official < admitted:
        raise Unprocessable("Ngày chính thức không thể trước ngày vào Đảng.", code="invalid_dates")


def touch_member(session: Session, member: Member, user: User | None = None, *, lookup: bool = True) -> None:
    """Log the member change for sync; `lookup=False` when the caller knows there is no account."""
    if user is None and lookup and member.id:
        user = _user_of(session, member.id)
    record_change(session, "member", member.id or 0, user_ids=[user.id] if user and user.id else [])


def create(session: Session, principal: Principal, data: MemberCreate) -> MemberPublic:
    org = _require_cell(session, data.org_id)
    principal.require_manages(session, data.org_id)
    _check_card_free(session, data.card_number)
    _check_dates(data.birth_date, data.admitted_on, data.official_on)
    if data.username:
        _check_username_free(session, data.username)
        if not data.password:
            raise Unprocessable("Cần mật khẩu ban đầu khi tạo tài khoản.", code="password_required")
    fields = data.model_dump(exclude={"username", "password"})
    member = new_member(session, principal, org, fields, note="Tạo mới")
    user = None
    if data.username and data.password:
        user = add_account(session, principal, member, data.username, security.hash_password(data.password))
    touch_member(session, member, user)
    return to_public(session, member, user, org)


def new_member(session: Session, principal: Principal, org: Organization, fields: dict, *,
               note: str) -> Member:
    """Insert a member into `org` (a chi bộ the caller manages, checked by the caller) with its history."""
    member = session.get(Member, insert_members(session, principal, [(org.id or 0, fields)], note=note)[0])
    assert member is not None
    return member


def insert_members(session: Session, principal: Principal, items: list[tuple[int, dict]], *, note: str
                   ) -> list[int]:
    """Insert members, each (cell id, fields), with their history rows and audit entries; their ids.

    Bulk INSERTs returning only ids, not one ORM object per row: a 20,000-row import holds SQLite's
    write lock (and every check-in waits) for as long as this runs. The caller logs the changes.
    """
    if not items:
        return []
    today, now = date.today(), utcnow()
    values = []
    for org_id, fields in items:
        kind = fields.get("kind") or MemberKind.official
        values.append({
            "full_name": fields["full_name"], "name_folded": fold(fields["full_name"]),
            "birth_date": fields.get("birth_date"), "card_number": fields.get("card_number"),
            "admitted_on": fields.get("admitted_on"), "official_on": fields.get("official_on"),
            "kind": getattr(kind, "value", kind), "org_id": org_id, "position": fields.get("position"),
            "phone": fields.get("phone"), "created_at": now, "updated_at": now,
        })
    ids = [int(i) for i in session.scalars(
        insert(Member).returning(col(Member.id), sort_by_parameter_order=True), values)]
    session.execute(insert(Membership), [
        {"member_id": member_id, "org_id": v["org_id"], "started_on": today, "note": note, "created_at": now}
        for member_id, v in zip(ids, values, strict=True)
    ])
    audit.record_many(session, "member.created", principal, [
        {"target_type": "member", "target_id": member_id, "org_id": v["org_id"],
         "detail": {"full_name": v["full_name"], "card": v["card_number"]}}
        for member_id, v in zip(ids, values, strict=True)
    ])
    return ids


def add_account(session: Session, principal: Principal, member: Member, username: str, password_hash: str
                ) -> User:
    """An account for `member`; an unusable hash (import) means staff must set a password before sign-in."""
    user = User(username=username, password_hash=password_hash, member_id=member.id,
                display_name=member.full_name)
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor=principal, target_type="user", target_id=user.id,
                 org_id=member.org_id, detail={"username": username})
    return user


def add_accounts(session: Session, principal: Principal, items: list[tuple[int, int, str, str, str]]
                 ) -> list[int]:
    """Accounts for many members at once, each (member id, its cell, display name, username, password
    hash): one INSERT and one audit INSERT; the new accounts' ids."""
    if not items:
        return []
    now = utcnow()
    returning = insert(User).returning(col(User.id), sort_by_parameter_order=True)
    ids = [int(i) for i in session.scalars(returning, [
        {"username": username, "password_hash": password_hash, "member_id": member_id,
         "display_name": name, "is_active": True, "is_demo": False, "password_changed_at": now,
         "created_at": now}
        for member_id, _, name, username, password_hash in items
    ])]
    audit.record_many(session, "user.created", principal, [
        {"target_type": "user", "target_id": user_id, "org_id": org_id, "detail": {"username": username}}
        for user_id, (_, org_id, _, username, _) in zip(ids, items, strict=True)
    ])
    return ids


def update(session: Session, principal: Principal, member_id: int, data: MemberUpdate) -> MemberPublic:
    member, user = accounts.changeable(session, principal, member_id, "member.update")
    changes = data.model_dump(exclude_unset=True)
    # Name and kind cannot be blank: an explicit null leaves them as they are.
    for key in ("full_name", "kind"):
        if key in changes and changes[key] is None:
            del changes[key]
    if "card_number" in changes:
        _check_card_free(session, changes["card_number"], exclude_id=member.id)
    _check_dates(changes.get("birth_date", member.birth_date), changes.get("admitted_on", member.admitted_on),
                 changes.get("official_on", member.official_on))
    is_active = changes.pop("is_active", None)
    if is_active is not None:
        if user is None:
            raise Unprocessable("Đảng viên này chưa có tài khoản.", code="no_account")
        if user.id == principal.user_id and not is_active:
            raise Unprocessable("Bạn không thể tự khóa tài khoản của mình.", code="own_account")
        if user.is_active != is_active:
            user.is_active = is_active
            detail = None
            if not is_active:
                ended = auth_service.revoke_all(session, user.id or 0, "account_disabled")
                detail = {"sessions_ended": ended}
            audit.record(session, "user.disabled" if not is_active else "user.enabled", actor=principal,
                         target_type="user", target_id=user.id, org_id=member.org_id, detail=detail)
    if changes:
        apply_changes(session, principal, member, user, changes)
    elif is_active is not None:
        touch_member(session, member, user)  # the account state travels with the member record
    return to_public(session, member, user)


def apply_changes(session: Session, principal: Principal, member: Member, user: User | None, changes: dict,
                  *, action: str = "member.updated") -> None:
    """Write already-validated identity fields, audit the before/after and log the change for sync."""
    if not changes:
        return
    before = {k: getattr(member, k) for k in changes}
    for key, value in changes.items():
        setattr(member, key, getattr(value, "value", value))
    member.name_folded = fold(member.full_name)
    member.updated_at = utcnow()
    audit.record(session, action, actor=principal, target_type="member", target_id=member.id,
                 org_id=member.org_id, detail={"before": before, "after": changes})
    touch_member(session, member, user)


def list_members(
    session: Session, principal: Principal, *, org_id: int | None, q: str | None, kind: str | None,
    limit: int, offset: int,
) -> Page[MemberPublic]:
    query = visible_members(principal)
    if org_id is not None:
        query = query.where(Member.org_id.in_(orgs.subtree_ids(org_id)))
    if q:
        needle = fold(q)
        query = query.where(or_(Member.name_folded.contains(needle, autoescape=True),
                                Member.card_number == q.strip()))
    if kind:
        query = query.where(Member.kind == kind)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.add_columns(User, Organization)
        .outerjoin(User, User.member_id == Member.id)
        .join(Organization, Organization.id == Member.org_id)
        .order_by(Member.name_folded, Member.id).limit(limit).offset(offset)
    ).all()
    items = [_public(m, u, o) for m, u, o in rows]
    return Page[MemberPublic](items=items, total=int(total), limit=limit, offset=offset)


def transfer(session: Session, principal: Principal, member_id: int, data: TransferRequest) -> MemberPublic:
    member, user = accounts.changeable(session, principal, member_id, "member.transfer")
    principal.require_manages(session, data.to_org_id)
    dest = _require_cell(session, data.to_org_id)
    if dest.id == member.org_id:
        raise Unprocessable("Đảng viên đã sinh hoạt tại chi bộ này.", code="same_cell")
    when = data.effective_on or date.today()
    check_transfer_date(session, member, when)
    move_member(session, principal, member, user, dest, when, data.note)
    return to_public(session, member, user, dest)


def check_transfer_date(session: Session, member: Member, when: date) -> None:
    if when > date.today():
        raise Unprocessable("Ngày chuyển sinh hoạt không được ở tương lai.", code="date_in_future")
    started = session.execute(
        select(func.max(Membership.started_on)).where(Membership.member_id == member.id)
    ).scalar_one_or_none()
    if started is not None and when < started:
        raise Unprocessable("Ngày chuyển sinh hoạt không thể trước ngày bắt đầu sinh hoạt tại chi bộ "
                            "hiện tại.", code="invalid_dates")


def move_member(session: Session, principal: Principal, member: Member, user: User | None,
                dest: Organization, when: date, note: str | None) -> None:
    """Close the open history row, open one in `dest`, drop the old cell's offices; both cells checked."""
    assert member.id is not None
    current = session.execute(
        select(Membership).where(Membership.member_id == member.id, Membership.ended_on.is_(None))
    ).scalars().all()
    for row in current:
        row.ended_on = when
    old_org = member.org_id
    session.add(Membership(member_id=member.id, org_id=dest.id or 0, started_on=when, note=note))
    member.org_id = dest.id or 0
    member.updated_at = utcnow()
    removed: list[str] = []
    if user is not None:
        # Cell offices do not travel with the member.
        stale = session.execute(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id, RoleAssignment.org_id == old_org,
                                         RoleAssignment.role.in_([r.value for r in CELL_ROLES]))
        ).scalars().all()
        for role in stale:
            removed.append(role.role)
            session.delete(role)
    for org_id in (old_org, dest.id):
        audit.record(session, "member.transferred", actor=principal, target_type="member",
                     target_id=member.id, org_id=org_id,
                     detail={"from": old_org, "to": dest.id, "effective_on": when, "note": note,
                             "roles_removed": removed})
    touch_member(session, member, user)


def history(session: Session, principal: Principal, member_id: int) -> list[MembershipPublic]:
    get_visible(session, principal, member_id)
    rows = session.execute(
        select(Membership, Organization.name).join(Organization, Organization.id == Membership.org_id)
        .where(Membership.member_id == member_id).order_by(Membership.started_on, Membership.id)
    ).all()
    return [MembershipPublic.model_validate(m).model_copy(update={"org_name": name}) for m, name in rows]


def _account(user: User | None) -> User:
    if user is None:
        raise Unprocessable("Đảng viên này chưa có tài khoản.", code="no_account")
    return user


def create_account(session: Session, principal: Principal, member_id: int, username: str, password: str
                   ) -> None:
    member, user = accounts.changeable(session, principal, member_id, "account.create")
    if user is not None:
        raise Conflict("Đảng viên này đã có tài khoản.", code="account_exists")
    _check_username_free(session, username)
    user = add_account(session, principal, member, username, security.hash_password(password))
    touch_member(session, member, user)


def reset_password(session: Session, principal: Principal, member_id: int, new_password: str) -> None:
    member, found = accounts.changeable(session, principal, member_id, "account.password_reset")
    user = _account(found)
    user.password_hash = security.hash_password(new_password)
    user.password_changed_at = utcnow()
    ended = auth_service.revoke_all(session, user.id or 0, "password_reset")
    audit.record(session, "user.password_reset", actor=principal, target_type="user", target_id=user.id,
                 org_id=member.org_id, detail={"sessions_ended": ended})


def end_sessions(session: Session, principal: Principal, member_id: int) -> int:
    """A lost or stolen phone reported to the committee: every device of the member is signed out, and on
    its next contact each deletes its copy of the documents. Same reach as a password reset."""
    member, found = accounts.changeable(session, principal, member_id, "account.sessions_ended")
    user = _account(found)
    ended = auth_service.revoke_all(session, user.id or 0, "ended_by_staff")
    audit.record(session, "user.sessions_ended", actor=principal, target_type="user", target_id=user.id,
                 org_id=member.org_id, detail={"sessions_ended": ended})
    return ended


def _role_public(role: RoleAssignment, org: Organization | None) -> RolePublic:
    return RolePublic.model_validate(role).model_copy(update={"org_name": org.name if org else None})


def list_roles(session: Session, principal: Principal, member_id: int) -> list[RolePublic]:
    member = get_visible(session, principal, member_id)
    user = _user_of(session, member.id or 0)
    if user is None:
        return []
    rows = session.execute(
        select(RoleAssignment, Organization).outerjoin(Organization, Organization.id == RoleAssignment.org_id)
        .where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id)
    ).all()
    return [_role_public(r, o) for r, o in rows]


def assign_role(session: Session, principal: Principal, member_id: int, data: RoleAssign) -> RolePublic:
    member, found = accounts.changeable(session, principal, member_id, "role.assign")
    user = _account(found)
    role = data.role
    if role == Role.member:
        raise Unprocessable("Vai trò đảng viên có sẵn theo nơi sinh hoạt.", code="implicit_role")
    if role == Role.admin:
        org = None
    else:
        if data.org_id is None:
            raise Unprocessable("Cần chọn tổ chức cho vai trò này.", code="org_required")
        org = orgs.get(session, data.org_id)
    accounts.require_grantable(session, principal, member, role, org.id if org else None, "role.assign")
    if org is not None:
        if role in CELL_ROLES:
            if org.kind != OrgKind.cell:
                raise Unprocessable("Vai trò này chỉ gắn với một chi bộ.", code="not_a_cell")
            if member.org_id != org.id:
                raise Unprocessable("Chỉ đảng viên sinh hoạt tại chi bộ mới giữ chức vụ của chi bộ.",
                                    code="not_in_cell")
        elif org.kind == OrgKind.cell:
            raise Unprocessable("Cán bộ cấp ủy gắn với một đảng bộ, không phải chi bộ.",
                                code="not_a_committee")
    exists = session.execute(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id, RoleAssignment.role == role.value,
                                     RoleAssignment.org_id.is_(None) if org is None
                                     else RoleAssignment.org_id == org.id)
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict("Đảng viên đã có vai trò này.", code="role_exists")
    grant = RoleAssignment(user_id=user.id or 0, role=role.value, org_id=org.id if org else None,
                           created_by=principal.user_id)
    session.add(grant)
    session.flush()
    audit.record(session, "role.assigned", actor=principal, target_type="user", target_id=user.id,
                 org_id=org.id if org else member.org_id, detail={"role": role.value, "org_id": grant.org_id})
    touch_member(session, member, user)
    return _role_public(grant, org)


def remove_role(session: Session, principal: Principal, member_id: int, role_id: int) -> None:
    member, found = accounts.changeable(session, principal, member_id, "role.remove")
    user = _account(found)
    grant = session.get(RoleAssignment, role_id)
    if grant is None or grant.user_id != user.id:
        raise NotFound("Không tìm thấy vai trò.", code="role_not_found")
    accounts.require_grantable(session, principal, member, Role(grant.role), grant.org_id, "role.remove")
    session.execute(delete(RoleAssignment).where(RoleAssignment.id == role_id))
    audit.record(session, "role.removed", actor=principal, target_type="user", target_id=user.id,
                 org_id=grant.org_id or member.org_id, detail={"role": grant.role, "org_id": grant.org_id})
    touch_member(session, member, user)


def me(session: Session, principal: Principal) -> MePublic:
    member = principal.member
    org = session.get(Organization, member.org_id) if member else None
    path = orgs.ancestors(session, member.org_id) if member else []
    org_names = {
        o.id: o for o in session.execute(
            select(Organization).where(Organization.id.in_([r.org_id for r in principal.roles if r.org_id]))
        ).scalars()
    }
    roles = [RoleGrant(role=Role.member, organization=OrgRef.model_validate(org))] if org else []
    for r in principal.roles:
        ref = org_names.get(r.org_id) if r.org_id else None
        roles.append(RoleGrant(role=Role(r.role), organization=OrgRef.model_validate(ref) if ref else None))
    return MePublic(
        id=principal.user_id, username=principal.user.username,
        full_name=member.full_name if member else (principal.user.display_name or principal.user.username),
        member_id=member.id if member else None,
        organization=OrgRef.model_validate(org) if org else None,
        org_path=[OrgRef.model_validate(o) for o in path], roles=roles,
        member_kind=member.kind if member else None, card_number=member.card_number if member else None,
    )


def normalise_name(value: str) -> str:
    return nfc(value)
