"""Organisation tree operations: create, move, rename (the tree queries: server/records/orgs.py)."""

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, literal, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from server.errors import Conflict, NotFound, Unprocessable
from server.records.members import Member
from server.records.orgs import (  # noqa: F401  (the tree queries stay reachable as orgs.service.<name>)
    Organization,
    OrgClosure,
    ancestor_ids,
    ancestors,
    is_within,
    subtree_ids,
    subtrees_ids,
)
from server.timeutil import utcnow
from shared.enums import OrgKind
from shared.text import nfc

# Which kinds may sit under which: a chi bộ is always a leaf.
_ALLOWED_PARENTS: dict[OrgKind, set[OrgKind | None]] = {
    OrgKind.province: {None},
    OrgKind.district: {OrgKind.province},
    OrgKind.block: {OrgKind.province},
    OrgKind.grassroots: {OrgKind.province, OrgKind.district, OrgKind.block, OrgKind.grassroots},
    OrgKind.cell: {OrgKind.province, OrgKind.district, OrgKind.block, OrgKind.grassroots},
}


def get(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("Không tìm thấy tổ chức đảng.", code="org_not_found")
    return org


def _check_parent(kind: OrgKind, parent: Organization | None) -> None:
    parent_kind = OrgKind(parent.kind) if parent else None
    if parent_kind not in _ALLOWED_PARENTS[kind]:
        raise Unprocessable(
            "Cấp tổ chức không phù hợp: chi bộ không thể có tổ chức cấp dưới, "
            "và mỗi cấp phải nằm dưới cấp trên của nó.",
            code="invalid_parent",
        )


def _check_code_free(session: Session, code: str, exclude_id: int | None = None) -> None:
    q = select(Organization.id).where(Organization.code == code)
    if exclude_id is not None:
        q = q.where(Organization.id != exclude_id)
    if session.execute(q).first():
        raise Conflict(f"Mã tổ chức '{code}' đã được dùng.", code="org_code_taken")


def create(
    session: Session,
    *,
    name: str,
    kind: OrgKind,
    code: str,
    parent_id: int | None,
    meeting_day: int | None = None,
    meeting_time: str | None = None,
) -> Organization:
    parent = get(session, parent_id) if parent_id is not None else None
    _check_parent(kind, parent)
    _check_code_free(session, code)
    org = Organization(
        name=nfc(name),
        kind=kind.value,
        code=code,
        parent_id=parent.id if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        meeting_day=meeting_day,
        meeting_time=meeting_time,
    )
    session.add(org)
    session.flush()
    assert org.id is not None
    session.add(OrgClosure(ancestor_id=org.id, descendant_id=org.id, distance=0))
    if parent is not None:
        session.execute(
            insert(OrgClosure).from_select(
                ["ancestor_id", "descendant_id", "distance"],
                select(OrgClosure.ancestor_id, literal(org.id), OrgClosure.distance + 1)
                .where(OrgClosure.descendant_id == parent.id),
            )
        )
    session.flush()
    return org


def move(session: Session, org: Organization, new_parent_id: int | None) -> None:
    """Re-parent a subtree, rewriting closure rows of every node below it."""
    assert org.id is not None
    new_parent = get(session, new_parent_id) if new_parent_id is not None else None
    _check_parent(OrgKind(org.kind), new_parent)
    if new_parent is not None and is_within(session, new_parent.id or 0, [org.id]):
        raise Unprocessable("Không thể chuyển một tổ chức vào bên trong chính nó.", code="invalid_parent")
    sub = [r[0] for r in session.execute(subtree_ids(org.id))]
    # Drop links from the old ancestors (outside the subtree) to every node of the subtree.
    session.execute(
        delete(OrgClosure).where(
            OrgClosure.descendant_id.in_(sub), OrgClosure.ancestor_id.not_in(sub)
        )
    )
    if new_parent is not None:
        above = session.execute(
            select(OrgClosure.ancestor_id, OrgClosure.distance).where(
                OrgClosure.descendant_id == new_parent.id
            )
        ).all()
        below = session.execute(
            select(OrgClosure.descendant_id, OrgClosure.distance).where(OrgClosure.ancestor_id == org.id)
        ).all()
        session.execute(
            insert(OrgClosure),
            [
                {"ancestor_id": a, "descendant_id": d, "distance": da + db + 1}
                for a, da in above
                for d, db in below
            ],
        )
    delta = ((new_parent.depth + 1) if new_parent else 0) - org.depth
    org.parent_id = new_parent.id if new_parent else None
    if delta:
        for node in session.execute(select(Organization).where(Organization.id.in_(sub))).scalars():
            node.depth += delta
    org.updated_at = utcnow()
    session.flush()


def update(session: Session, org: Organization, changes: dict) -> Organization:
    if "code" in changes and changes["code"] is not None and changes["code"] != org.code:
        _check_code_free(session, changes["code"], exclude_id=org.id)
        org.code = changes["code"]
    if "name" in changes and changes["name"] is not None:
        org.name = nfc(changes["name"])
    for key in ("meeting_day", "meeting_time"):
        if key in changes:
            setattr(org, key, changes[key])
    if "parent_id" in changes and changes["parent_id"] != org.parent_id:
        move(session, org, changes["parent_id"])
    org.updated_at = utcnow()
    session.add(org)
    session.flush()
    return org


def children_count(session: Session, org_id: int) -> int:
    return int(session.execute(
        select(func.count()).select_from(Organization).where(Organization.parent_id == org_id)
    ).scalar_one())


def visible(*, is_admin: bool, staff_org_ids: Sequence[int], cell_id: int | None) -> Select:
    """SELECT of organisations a caller sees: administered subtrees plus the path above their own cell."""
    q = select(Organization)
    if is_admin:
        return q
    conditions = []
    if staff_org_ids:
        conditions.append(Organization.id.in_(subtrees_ids(staff_org_ids)))
    if cell_id is not None:
        conditions.append(Organization.id.in_(ancestor_ids(cell_id)))
    if not conditions:
        return q.where(Organization.id == -1)
    return q.where(or_(*conditions))


def member_counts(session: Session, org_ids: Sequence[int]) -> dict[int, int]:
    """Members in each org's whole subtree."""
    if not org_ids:
        return {}
    rows = session.execute(
        select(OrgClosure.ancestor_id, func.count(Member.id))
        .join(Member, Member.org_id == OrgClosure.descendant_id)
        .where(OrgClosure.ancestor_id.in_(list(org_ids)))
        .group_by(OrgClosure.ancestor_id)
    ).all()
    return {int(a): int(c) for a, c in rows}
