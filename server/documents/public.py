"""Documents in their public shape (DocumentSummary, DocumentPublic): the audience's names, the attachments,
the caller's own read and study marks and bookmark, whether the caller manages it; the page of a list or a
search, one document, the versions of one."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience, repository
from server.documents.models import Attachment, Bookmark, Document, DocumentAudience, FileBlob, ReadMark
from server.records.orgs import Organization
from shared.schemas.common import Page
from shared.schemas.documents import AttachmentPublic, DocumentPublic, DocumentSummary, OrgRef


def summaries(
    session: Session, principal: Principal, docs: list[Document], *, with_body: bool = False
) -> list[Any]:
    """DocumentSummary (DocumentPublic with_body) of each document, in the order given, in five queries."""
    ids = [d.id for d in docs if d.id is not None]
    if not ids:
        return []
    aud: dict[int, list[OrgRef]] = {}
    for doc_id, org_id, name in session.execute(
        select(col(DocumentAudience.document_id), col(Organization.id), col(Organization.name))
        .join(Organization, col(Organization.id) == col(DocumentAudience.org_id))
        .where(col(DocumentAudience.document_id).in_(ids))
        .order_by(col(Organization.depth), col(Organization.name))
    ):
        aud.setdefault(doc_id, []).append(OrgRef(id=org_id, name=name))
    files: dict[int, list[AttachmentPublic]] = {}
    for att, blob in session.execute(
        select(Attachment, FileBlob)
        .join(FileBlob, col(FileBlob.sha256) == col(Attachment.sha256))
        .where(col(Attachment.document_id).in_(ids))
        .order_by(col(Attachment.id))
    ):
        files.setdefault(att.document_id, []).append(
            AttachmentPublic(
                id=att.id,
                sha256=att.sha256,
                size=blob.size,
                content_type=blob.content_type,
                filename=att.filename,
            )
        )
    reads = {
        r.document_id: r
        for r in session.execute(
            select(ReadMark).where(
                col(ReadMark.document_id).in_(ids), col(ReadMark.user_id) == principal.user_id
            )
        ).scalars()
    }
    marks = set(
        session.execute(
            select(col(Bookmark.document_id)).where(
                col(Bookmark.document_id).in_(ids), col(Bookmark.user_id) == principal.user_id
            )
        ).scalars()
    )
    managed = audience.manageable_ids(session, principal, ids)
    model = DocumentPublic if with_body else DocumentSummary
    out = []
    for d in docs:
        read = reads.get(d.id or 0)
        data = {name: getattr(d, name) for name in model.model_fields if hasattr(d, name)}
        data.update(
            audience=aud.get(d.id or 0, []),
            attachments=files.get(d.id or 0, []),
            read_at=read.read_at if read else None,
            studied_at=read.studied_at if read else None,
            bookmarked=d.id in marks,
            can_manage=d.id in managed,
        )
        out.append(model.model_validate(data))
    return out


def get_public(session: Session, principal: Principal, document_id: int) -> DocumentPublic:
    doc = audience.get_visible(session, principal, document_id)
    return summaries(session, principal, [doc], with_body=True)[0]


def list_documents(
    session: Session,
    principal: Principal,
    *,
    q: str | None = None,
    doc_type: str | None = None,
    year: int | None = None,
    category: str | None = None,
    issuer: str | None = None,
    topic: str | None = None,
    status: str | None = None,
    bookmarked: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> Page[DocumentSummary]:
    """Visible documents, best match first when searching, newest first otherwise."""
    docs, total = repository.search_page(
        session,
        principal,
        q=q,
        conditions=repository.filters(doc_type, year, category, issuer, topic, status),
        bookmarked=bookmarked,
        limit=limit,
        offset=offset,
    )
    items = summaries(session, principal, docs)
    return Page[DocumentSummary](items=items, total=total, limit=limit, offset=offset)


def superseded_chain(session: Session, principal: Principal, document_id: int) -> list[DocumentSummary]:
    """All versions of a document the caller sees, oldest first."""
    doc = audience.get_visible(session, principal, document_id)
    chain = repository.version_chain(session, doc)
    visible = audience.visible_ids(session, principal, [d.id for d in chain if d.id])
    return summaries(session, principal, [d for d in chain if d.id in visible])
