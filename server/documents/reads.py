"""Read receipts (idempotent, may arrive late from offline devices), study marks, bookmarks, statistics."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience
from server.documents.models import Bookmark, Document, DocumentAudience, ReadMark
from server.errors import Forbidden, NotFound, Unprocessable
from server.records.changelog import record_change
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure, subtrees_ids
from server.timeutil import as_utc, utcnow
from shared.enums import OrgKind
from shared.schemas.common import Page
from shared.schemas.documents import (
    CellReadStats,
    CellStudyRate,
    DocCategory,
    DocumentReadRatesItemPublic,
    DocumentReadRatesMemberPublic,
    DocumentReadRatesPublic,
    ReaderPublic,
    ReadMarkPublic,
    ReadStats,
    StudyRatesPublic,
)

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


def _client_time(value: datetime | None, doc: Document, now: datetime) -> datetime:
    if value is None:
        return now
    value = as_utc(value)
    if value > now + CLOCK_SKEW:
        raise Unprocessable("Thời điểm đọc không thể ở tương lai.", code="read_at_in_future")
    value = min(value, now)
    # Nobody read it before it existed (a wrong phone clock says otherwise).
    return max(value, as_utc(doc.created_at))


def mark_read(
    session: Session, principal: Principal, document_id: int, read_at: datetime | None = None
) -> ReadMarkPublic:
    """Record that the caller opened the document; repeating it only ever moves read_at earlier."""
    doc = audience.get_visible(session, principal, document_id)
    now = utcnow()
    when = _client_time(read_at, doc, now)
    mark = session.execute(
        select(ReadMark).where(
            col(ReadMark.document_id) == document_id, col(ReadMark.user_id) == principal.user_id
        )
    ).scalar_one_or_none()
    created = mark is None
    if mark is None:
        mark = ReadMark(
            document_id=document_id,
            user_id=principal.user_id,
            member_id=principal.member.id if principal.member else None,
            read_at=when,
            received_at=now,
        )
        session.add(mark)
    elif when < as_utc(mark.read_at):
        mark.read_at = when  # two devices: the first opening counts
    else:
        return ReadMarkPublic(
            document_id=document_id, read_at=mark.read_at, studied_at=mark.studied_at, created=False
        )
    session.flush()
    assert mark.id is not None
    record_change(session, "read_mark", mark.id, op="upsert", user_ids=[principal.user_id])
    return ReadMarkPublic(
        document_id=document_id, read_at=mark.read_at, studied_at=mark.studied_at, created=created
    )


def mark_studied(
    session: Session,
    principal: Principal,
    document_id: int,
    studied_at: datetime | None = None,
    studied: bool = True,
) -> ReadMarkPublic:
    """Đã học: for study materials; implies read."""
    doc = audience.get_visible(session, principal, document_id)
    if doc.category != DocCategory.study.value:
        raise Unprocessable("Chỉ đánh dấu đã học với tài liệu học tập.", code="not_study_material")
    now = utcnow()
    when = _client_time(studied_at, doc, now)
    mark_read(session, principal, document_id, when)
    mark = session.execute(
        select(ReadMark).where(
            col(ReadMark.document_id) == document_id, col(ReadMark.user_id) == principal.user_id
        )
    ).scalar_one()
    target = when if studied else None
    if studied and mark.studied_at is not None:
        target = min(as_utc(mark.studied_at), when)
    if mark.studied_at != target:
        mark.studied_at = target
        session.flush()
        record_change(session, "read_mark", mark.id or 0, op="upsert", user_ids=[principal.user_id])
    return ReadMarkPublic(document_id=document_id, read_at=mark.read_at, studied_at=mark.studied_at)


def set_bookmark(session: Session, principal: Principal, document_id: int, on: bool) -> bool:
    """Idempotent; True when something changed."""
    audience.get_visible(session, principal, document_id)
    row = session.get(Bookmark, (principal.user_id, document_id))
    if on and row is None:
        session.add(Bookmark(user_id=principal.user_id, document_id=document_id))
        session.flush()
        record_change(session, "bookmark", document_id, op="upsert", user_ids=[principal.user_id])
        return True
    if not on and row is not None:
        session.delete(row)
        session.flush()
        record_change(session, "bookmark", document_id, op="delete", user_ids=[principal.user_id])
        return True
    return False


# ---- statistics -------------------------------------------------------------------------------------


def _caller_scope(session: Session, principal: Principal, org_id: int | None) -> list[ColumnElement[bool]]:
    """Conditions on Organization.id: the caller's statistics scope, narrowed to the subtree of org_id.

    403 `stats_forbidden` for callers who lead nothing; 404 `org_not_found` for an org_id out of scope.
    """
    conditions: list[ColumnElement[bool]] = []
    if not principal.is_admin:
        scope: ColumnElement[bool]
        if principal.staff_org_ids:
            scope = col(Organization.id).in_(subtrees_ids(principal.staff_org_ids))
            if principal.led_cell_ids:
                scope = scope | col(Organization.id).in_(principal.led_cell_ids)
        elif principal.led_cell_ids:
            scope = col(Organization.id).in_(principal.led_cell_ids)
        else:
            raise Forbidden("Thống kê đọc dành cho cán bộ cấp ủy và bí thư chi bộ.", code="stats_forbidden")
        conditions.append(scope)
    if org_id is not None:
        if not (principal.is_admin or principal.manages(session, org_id) or principal.leads_cell(org_id)):
            raise NotFound("Không tìm thấy tổ chức trong phạm vi của bạn.", code="org_not_found")
        conditions.append(col(Organization.id).in_(subtrees_ids([org_id])))
    return conditions


def _scope_cells(session: Session, principal: Principal, doc: Document, org_id: int | None):  # type: ignore[no-untyped-def]
    """SELECT of cells in both the document's audience and the caller's scope (optionally under org_id)."""
    assert doc.id is not None
    aud = audience.audience_ids(session, doc.id)
    return select(col(Organization.id)).where(
        col(Organization.kind) == OrgKind.cell.value,
        col(Organization.id).in_(subtrees_ids(aud)),
        *_caller_scope(session, principal, org_id),
    )


def _per_cell(session: Session, cells: Any, document_id: int, marked: Any) -> list[Any]:
    """(cell id, name, members, members whose mark has `marked` set) for one document, one grouped query
    whatever the number of cells."""
    return list(session.execute(
        select(col(Member.org_id), col(Organization.name), func.count(col(Member.id)), func.count(marked))
        .join(Organization, col(Organization.id) == col(Member.org_id))
        .outerjoin(
            ReadMark,
            and_(col(ReadMark.member_id) == col(Member.id), col(ReadMark.document_id) == document_id),
        )
        .where(col(Member.org_id).in_(cells))
        .group_by(col(Member.org_id), col(Organization.name))
        .order_by(col(Organization.name), col(Member.org_id))
    ).all())


def read_stats(
    session: Session, principal: Principal, document_id: int, org_id: int | None = None
) -> ReadStats:
    doc = audience.get_visible(session, principal, document_id)
    cells = _scope_cells(session, principal, doc, org_id)
    rows = _per_cell(session, cells, document_id, col(ReadMark.id))
    by_cell = [CellReadStats(org_id=o, name=n, members=int(m), read=int(r)) for o, n, m, r in rows]
    return ReadStats(
        document_id=document_id,
        members=sum(c.members for c in by_cell),
        read=sum(c.read for c in by_cell),
        by_cell=by_cell,
    )


def readers(
    session: Session,
    principal: Principal,
    document_id: int,
    *,
    org_id: int | None = None,
    has_read: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[ReaderPublic]:
    """Members in scope with when they read it; has_read=False lists who has not read yet."""
    doc = audience.get_visible(session, principal, document_id)
    cells = _scope_cells(session, principal, doc, org_id)
    q = (
        select(
            col(Member.id),
            col(Member.full_name),
            col(Member.org_id),
            col(Organization.name),
            col(ReadMark.read_at),
            col(ReadMark.studied_at),
        )
        .join(Organization, col(Organization.id) == col(Member.org_id))
        .outerjoin(
            ReadMark,
            and_(col(ReadMark.member_id) == col(Member.id), col(ReadMark.document_id) == document_id),
        )
        .where(col(Member.org_id).in_(cells))
    )
    if has_read is True:
        q = q.where(col(ReadMark.id).is_not(None))
    elif has_read is False:
        q = q.where(col(ReadMark.id).is_(None))
    total = int(session.execute(select(func.count()).select_from(q.subquery())).scalar_one())
    rows = session.execute(
        q.order_by(col(Organization.name), col(Member.name_folded), col(Member.id))
        .limit(limit)
        .offset(offset)
    )
    items = [
        ReaderPublic(member_id=m, full_name=n, org_id=o, org_name=on, read_at=r, studied_at=s)
        for m, n, o, on, r, s in rows
    ]
    return Page[ReaderPublic](items=items, total=total, limit=limit, offset=offset)


MAX_READ_RATE_DOCUMENTS = 50  # an agenda's documents, or a screenful: one answer, never one per document


def read_rates(
    session: Session, principal: Principal, org_id: int, document_ids: Sequence[int]
) -> DocumentReadRatesPublic:
    """The reading rate of each document in one cell, with who has not read it yet, in a fixed number of
    queries whatever the number of documents.

    The same rules as `read_stats`: the caller's statistics scope (403/404 for the cell), and the documents
    the caller sees (`audience.visible_ids`, the rule of `get_visible`); the others are left out.
    """
    scope = _caller_scope(session, principal, org_id)
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("Không tìm thấy tổ chức trong phạm vi của bạn.", code="org_not_found")
    if org.kind != OrgKind.cell.value:
        raise Unprocessable("Tỉ lệ đọc xem theo từng chi bộ: hãy chọn một chi bộ.", code="org_not_cell")
    wanted = list(dict.fromkeys(document_ids))
    visible = audience.visible_ids(session, principal, wanted)
    ids = [d for d in wanted if d in visible]
    if not ids:
        return DocumentReadRatesPublic(org_id=org_id, items=[])
    cells = select(col(Organization.id)).where(col(Organization.id) == org_id, *scope)
    # (document, cell) for the documents addressed to the cell (an audience organisation at or above it).
    addressed = (
        select(col(DocumentAudience.document_id).label("document_id"),
               col(OrgClosure.descendant_id).label("org_id"))
        .join(OrgClosure, col(OrgClosure.ancestor_id) == col(DocumentAudience.org_id))
        .where(col(DocumentAudience.document_id).in_(ids), col(OrgClosure.descendant_id).in_(cells))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(addressed.c.document_id, col(Member.id), col(Member.full_name), col(ReadMark.id))
        .join(Member, col(Member.org_id) == addressed.c.org_id)
        .outerjoin(
            ReadMark,
            and_(col(ReadMark.member_id) == col(Member.id),
                 col(ReadMark.document_id) == addressed.c.document_id),
        )
        .order_by(addressed.c.document_id, col(Member.name_folded), col(Member.id))
    ).all()
    items = {d: DocumentReadRatesItemPublic(document_id=d, members=0, read=0, unread=[]) for d in ids}
    for document_id, member_id, full_name, mark_id in rows:
        item = items[int(document_id)]
        item.members += 1
        if mark_id is None:
            item.unread.append(DocumentReadRatesMemberPublic(member_id=member_id, full_name=full_name))
        else:
            item.read += 1
    return DocumentReadRatesPublic(org_id=org_id, items=list(items.values()))


def _rate(done: int, of: int) -> float:
    return round(done / of, 4) if of else 0.0


def study_rates(
    session: Session, principal: Principal, document_id: int, org_id: int | None = None
) -> StudyRatesPublic:
    """How far the cells in the caller's statistics scope (under org_id) have studied one study material:
    per cell members, studied and rate, in one grouped query whatever the number of cells; with who has
    not studied yet when org_id is one cell (the secretary's view).

    The rules of `read_stats`: the document must be visible to the caller (404), the caller must lead a
    cell or a committee (403 `stats_forbidden`), and org_id must lie in their scope (404 `org_not_found`).
    """
    doc = audience.get_visible(session, principal, document_id)
    if doc.category != DocCategory.study.value:
        raise Unprocessable("Tỉ lệ học tập chỉ có với tài liệu học tập.", code="not_study_material")
    cells = _scope_cells(session, principal, doc, org_id)
    org = session.get(Organization, org_id) if org_id is not None else None
    if org_id is not None and org is None:
        raise NotFound("Không tìm thấy tổ chức trong phạm vi của bạn.", code="org_not_found")
    rows = _per_cell(session, cells, document_id, col(ReadMark.studied_at))
    by_cell = [
        CellStudyRate(org_id=o, name=n, members=int(m), studied=int(s), rate=_rate(int(s), int(m)))
        for o, n, m, s in rows
    ]
    members = sum(c.members for c in by_cell)
    studied = sum(c.studied for c in by_cell)
    not_studied: list[DocumentReadRatesMemberPublic] = []
    if org is not None and org.kind == OrgKind.cell.value and members:
        not_studied = [
            DocumentReadRatesMemberPublic(member_id=m, full_name=n)
            for m, n in session.execute(
                select(col(Member.id), col(Member.full_name))
                .outerjoin(
                    ReadMark,
                    and_(col(ReadMark.member_id) == col(Member.id),
                         col(ReadMark.document_id) == document_id),
                )
                .where(col(Member.org_id) == org_id, col(ReadMark.studied_at).is_(None))
                .order_by(col(Member.name_folded), col(Member.id))
            )
        ]
    return StudyRatesPublic(
        document_id=document_id,
        org_id=org_id,
        study_due_on=doc.study_due_on,
        members=members,
        studied=studied,
        rate=_rate(studied, members),
        cells=by_cell,
        not_studied=not_studied,
    )


__all__ = [
    "mark_read", "mark_studied", "set_bookmark", "read_stats", "readers", "read_rates", "study_rates",
]
