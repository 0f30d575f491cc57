"""Routes for the organisation tree."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import func, or_, select

from server.deps import CurrentPrincipal, DbSession, StaffPrincipal
from server.errors import NotFound, Unprocessable
from server.openapi import AUTHED, errors
from server.orgs import service
from server.records import audit
from server.records.changelog import record_change
from server.records.orgs import Organization
from shared.enums import OrgKind
from shared.schemas.common import Page
from shared.schemas.orgs import OrganizationCreate, OrganizationPublic, OrganizationUpdate
from shared.text import nfc

router = APIRouter(prefix="/orgs", tags=["organisations"])


def _public(org: Organization, counts: dict[int, int] | None = None) -> OrganizationPublic:
    out = OrganizationPublic.model_validate(org)
    if counts is not None:
        out.member_count = counts.get(org.id or 0, 0)
    return out


@router.get("", response_model=Page[OrganizationPublic], responses=AUTHED)
def list_orgs(
    principal: CurrentPrincipal, db: DbSession,
    parent_id: int | None = None, within: int | None = None, kind: OrgKind | None = None,
    q: str | None = Query(default=None, max_length=100),
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[OrganizationPublic]:
    query = service.visible(is_admin=principal.is_admin, staff_org_ids=principal.staff_org_ids,
                            cell_id=principal.cell_id)
    if parent_id is not None:
        query = query.where(Organization.parent_id == parent_id)
    if within is not None:
        query = query.where(Organization.id.in_(service.subtree_ids(within)))
    if kind is not None:
        query = query.where(Organization.kind == kind.value)
    if q:
        # Names are stored NFC; a code matches exactly (users type both).
        query = query.where(or_(Organization.name.contains(nfc(q), autoescape=True),
                                Organization.code == q.strip()))
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = list(db.execute(query.order_by(Organization.depth, Organization.name).limit(limit).offset(offset))
                .scalars())
    counts = service.member_counts(db, [o.id for o in rows if o.id])
    return Page[OrganizationPublic](items=[_public(o, counts) for o in rows], total=int(total),
                                    limit=limit, offset=offset)


@router.get("/{org_id}", response_model=OrganizationPublic, responses=errors(401, 404))
def get_org(org_id: int, principal: CurrentPrincipal, db: DbSession) -> OrganizationPublic:
    query = service.visible(is_admin=principal.is_admin, staff_org_ids=principal.staff_org_ids,
                            cell_id=principal.cell_id).where(Organization.id == org_id)
    org = db.execute(query).scalar_one_or_none()
    if org is None:
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    return _public(org, service.member_counts(db, [org_id]))


@router.post("", response_model=OrganizationPublic, status_code=status.HTTP_201_CREATED,
             responses=errors(401, 403, 404, 409, 422))
def create_org(body: OrganizationCreate, principal: StaffPrincipal, db: DbSession) -> OrganizationPublic:
    if body.parent_id is None:
        if not principal.is_admin:
            raise Unprocessable("Cần chọn tổ chức cấp trên.", code="parent_required")
    else:
        principal.require_manages(db, body.parent_id)
    org = service.create(db, name=body.name, kind=body.kind, code=body.code, parent_id=body.parent_id,
                         meeting_day=body.meeting_day, meeting_time=body.meeting_time)
    audit.record(db, "org.created", actor=principal, target_type="organization", target_id=org.id,
                 org_id=org.id, detail={"name": org.name, "parent_id": org.parent_id})
    record_change(db, "organization", org.id or 0, org_ids=[org.id or 0])
    db.commit()
    return _public(org, {})


@router.patch("/{org_id}", response_model=OrganizationPublic, responses=errors(401, 403, 404, 409, 422))
def update_org(org_id: int, body: OrganizationUpdate, principal: StaffPrincipal, db: DbSession
               ) -> OrganizationPublic:
    principal.require_manages(db, org_id)
    org = service.get(db, org_id)
    changes = body.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        if changes["parent_id"] is None and not principal.is_admin:
            raise Unprocessable("Cần chọn tổ chức cấp trên.", code="parent_required")
        if changes["parent_id"] is not None:
            principal.require_manages(db, changes["parent_id"])
        if org_id in principal.staff_org_ids and not principal.is_admin:
            raise Unprocessable("Không thể tự chuyển tổ chức mình phụ trách.", code="own_org")
    old_parent = org.parent_id
    service.update(db, org, changes)
    # A move is also written under the old parent, so the staff who lost the branch see where it went.
    moved_from = [old_parent] if old_parent is not None and old_parent != org.parent_id else []
    for where in [org.id, *moved_from]:
        detail = {**changes, "old_parent_id": old_parent} if where != org.id else changes
        audit.record(db, "org.updated", actor=principal, target_type="organization", target_id=org.id,
                     org_id=where, detail=detail)
    # Old and new parents: whoever lost or gained sight of this branch learns of it.
    scopes = {org.id or 0, old_parent, org.parent_id} - {None}
    record_change(db, "organization", org.id or 0, org_ids=[i for i in scopes if i is not None])
    db.commit()
    return _public(org, service.member_counts(db, [org_id]))
