"""Documents' queries: the visible page of a list or a search, topics, the versions of one document, what the
scheduler publishes, the small lookups the writing rules need. No rule is decided here (those are in
service.py; who sees what is audience.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience, search
from server.documents.models import Attachment, Bookmark, Document, DocumentComment
from server.records.orgs import Organization
from shared.schemas.documents import DocCategory, DocStatus
from shared.text import fold


def filters(
    doc_type: str | None,
    year: int | None,
    category: str | None,
    issuer: str | None,
    topic: str | None,
    status: str | None,
) -> list[Any]:
    conditions: list[Any] = []
    if doc_type:
        conditions.append(col(Document.doc_type) == doc_type)
    if year:
        conditions.append(col(Document.year) == year)
    if category:
        conditions.append(col(Document.category) == category)
    if issuer:
        conditions.append(col(Document.issuer_key) == fold(issuer).replace(" ", ""))
    if topic:
        conditions.append(col(Document.topic) == topic)
    if status:
        conditions.append(col(Document.status) == status)
    return conditions


def search_page(
    session: Session,
    principal: Principal,
    *,
    q: str | None,
    conditions: Sequence[Any],
    bookmarked: bool,
    limit: int,
    offset: int,
) -> tuple[list[Document], int]:
    """One page of the visible documents matching, best match first when searching, newest first otherwise,
    and the total."""
    where = [audience.visible_clause(session, principal), *conditions]
    if bookmarked:
        where.append(
            col(Document.id).in_(
                select(col(Bookmark.document_id)).where(col(Bookmark.user_id) == principal.user_id)
            )
        )
    query = search.parse_query(q)
    if q and query.empty:
        return [], 0
    newest = func.coalesce(col(Document.published_at), col(Document.publish_at), col(Document.created_at))
    # One pass gives the page and the total (a window count), instead of running the search twice.
    counted = func.count().over().label("total")
    order: list[Any]
    if query.empty:
        base = select(col(Document.id), counted).where(*where)
        order = [newest.desc(), col(Document.id).desc()]
    else:
        match = search.matcher(session, query)
        base = select(col(Document.id), counted)
        if match.join is not None:
            base = base.join(match.join, match.join.c.id == col(Document.id))
        base = base.where(*where, *match.where)
        order = [match.rank, newest.desc(), col(Document.id).desc()]
    rows = session.execute(base.order_by(*order).limit(limit).offset(offset)).all()
    ids = [int(r[0]) for r in rows]
    if rows:
        total = int(rows[0][1])
    else:  # past the last page
        total = int(session.execute(select(func.count()).select_from(base.subquery())).scalar_one())
    docs = (
        {d.id: d for d in session.execute(select(Document).where(col(Document.id).in_(ids))).scalars()}
        if ids
        else {}
    )
    return [docs[i] for i in ids if i in docs], total


def list_topics(session: Session, principal: Principal) -> list[str]:
    rows = session.execute(
        select(col(Document.topic))
        .where(
            audience.visible_clause(session, principal),
            col(Document.topic).is_not(None),
            col(Document.category) == DocCategory.study.value,
        )
        .distinct()
        .order_by(col(Document.topic))
    ).scalars()
    return [r for r in rows if r]


def version_chain(session: Session, doc: Document) -> list[Document]:
    """Every version of a document (what it replaces, what replaced it), oldest first; the caller's
    visibility is not applied here."""
    chain = [doc]
    seen = {doc.id}
    cur = doc
    while cur.replaces_id and cur.replaces_id not in seen:
        prev = session.get(Document, cur.replaces_id)
        if prev is None:
            break
        chain.insert(0, prev)
        seen.add(prev.id)
        cur = prev
    cur = doc
    while cur.superseded_by_id and cur.superseded_by_id not in seen:
        nxt = session.get(Document, cur.superseded_by_id)
        if nxt is None:
            break
        chain.append(nxt)
        seen.add(nxt.id)
        cur = nxt
    return chain


def due_scheduled(session: Session, now: datetime) -> list[Document]:
    """Scheduled documents whose time has come, in the order they were due."""
    return list(
        session.execute(
            select(Document)
            .where(col(Document.status) == DocStatus.scheduled.value, col(Document.publish_at) <= now)
            .order_by(col(Document.publish_at), col(Document.id))
        ).scalars()
    )


def existing_org_ids(session: Session, org_ids: Sequence[int]) -> set[int]:
    return set(
        session.execute(select(col(Organization.id)).where(col(Organization.id).in_(org_ids))).scalars()
    )


def attachment_ids(session: Session, document_id: int) -> list[int]:
    return [
        int(att_id)
        for att_id in session.execute(
            select(col(Attachment.id)).where(col(Attachment.document_id) == document_id)
        ).scalars()
    ]


def has_comments(session: Session, document_id: int) -> bool:
    return (
        session.execute(
            select(col(DocumentComment.id)).where(col(DocumentComment.document_id) == document_id).limit(1)
        ).first()
        is not None
    )
