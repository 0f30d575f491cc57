"""Documents on devices: providers (document, attachment, read_mark, bookmark) and offline actions."""

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience, comments, reads
from server.documents import service as documents
from server.documents.models import Attachment, Bookmark, Document, DocumentAudience, FileBlob, ReadMark
from server.sync import actions
from server.sync.registry import Provider, SimpleProvider, View
from server.timeutil import utcnow
from shared.schemas.common import RequestSchema
from shared.schemas.documents import CommentCreate, DocStatus
from shared.schemas.sync import AttachmentData, BookmarkData, OfflineAction, ReadMarkData


def _document_clause(view: View, now: datetime) -> Any:
    """Live documents addressed to the caller's path, and drafts open for comments there (member view)."""
    if not view.path_org_ids:
        return None
    addressed = col(Document.id).in_(
        select(col(DocumentAudience.document_id)).where(col(DocumentAudience.org_id).in_(view.path_org_ids)))
    open_draft = and_(col(Document.status) == DocStatus.draft.value,
                      col(Document.comments_until).is_not(None))
    return and_(addressed, or_(audience.live_clause(now), open_draft))


def _document_visible(view: View) -> Any:
    clause = _document_clause(view, utcnow())
    return None if clause is None else select(col(Document.id)).where(clause)


def _document_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    assert view.principal is not None
    docs = list(session.execute(select(Document).where(col(Document.id).in_(ids))).scalars())
    out: dict[int, dict[str, Any]] = {}
    publics = documents._summaries(session, view.principal, docs, with_body=True)
    for doc, public in zip(docs, publics, strict=True):
        data = public.model_dump(mode="json")
        if not doc.offline_allowed:
            data["body"] = None  # read online only
        # Ids only: names of the path's organisations are organization entities (a rename stays current).
        data["audience_org_ids"] = [ref["id"] for ref in data.pop("audience", [])]
        # Each of these changes on its own (attachment, read_mark, bookmark entities), not with the document.
        for key in ("attachments", "read_at", "studied_at", "bookmarked", "can_manage"):
            data.pop(key, None)
        out[doc.id or 0] = data
    return out


def _attachment_visible(view: View) -> Any:
    clause = _document_clause(view, utcnow())
    if clause is None:
        return None
    return select(col(Attachment.id)).where(
        col(Attachment.document_id).in_(select(col(Document.id)).where(clause)))


def _attachment_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Attachment, FileBlob).join(FileBlob, col(FileBlob.sha256) == col(Attachment.sha256))
        .where(col(Attachment.id).in_(ids))
    ).all()
    return {a.id or 0: AttachmentData(
        id=a.id or 0, document_id=a.document_id, filename=a.filename, sha256=a.sha256, size=b.size,
        content_type=b.content_type, url=f"/api/v1/attachments/{a.id}").model_dump(mode="json")
        for a, b in rows}


def _read_visible(view: View) -> Any:
    return select(col(ReadMark.id)).where(col(ReadMark.user_id) == view.user_id)


def _read_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(ReadMark).where(col(ReadMark.id).in_(ids))).scalars()
    return {r.id or 0: ReadMarkData.model_validate(r).model_dump(mode="json") for r in rows}


def _bookmark_visible(view: View) -> Any:
    return select(col(Bookmark.document_id)).where(col(Bookmark.user_id) == view.user_id)


def _bookmark_data(session: Session, view: View, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Bookmark).where(col(Bookmark.user_id) == view.user_id, col(Bookmark.document_id).in_(ids))
    ).scalars()
    return {b.document_id: BookmarkData(id=b.document_id, document_id=b.document_id, created_at=b.created_at)
            .model_dump(mode="json") for b in rows}


def _document_children(session: Session, ids: list[int]) -> list[tuple[str, int]]:
    rows = session.execute(select(col(Attachment.id)).where(col(Attachment.document_id).in_(ids))).scalars()
    return [("attachment", int(i)) for i in rows]




# Registered by the app factory (server/wiring.py), snapshot order as listed.
PROVIDERS: list[Provider] = [
    SimpleProvider("document", _document_visible, _document_data, col(Document.id),
                            dependents=_document_children),
    SimpleProvider("attachment", _attachment_visible, _attachment_data, col(Attachment.id)),
    SimpleProvider("read_mark", _read_visible, _read_data, col(ReadMark.id)),
    SimpleProvider("bookmark", _bookmark_visible, _bookmark_data, col(Bookmark.document_id)),
]


# ---- offline actions ----


class ReadPayload(RequestSchema):
    document_id: int
    studied: bool = False


def mark_read(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(ReadPayload, action.payload)
    if body.studied:
        out = reads.mark_studied(session, principal, body.document_id, action.made_at)
    else:
        out = reads.mark_read(session, principal, body.document_id, action.made_at)
    return out.model_dump(mode="json")


class BookmarkPayload(RequestSchema):
    document_id: int
    on: bool = True


def bookmark(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(BookmarkPayload, action.payload)
    changed = reads.set_bookmark(session, principal, body.document_id, body.on)
    return {"document_id": body.document_id, "on": body.on, "changed": changed}


class CommentPayload(RequestSchema):
    document_id: int
    body: str = Field(min_length=1, max_length=5000)


def comment(session: Session, principal: Principal, action: OfflineAction) -> dict[str, Any]:
    body = actions.parse(CommentPayload, action.payload)
    out = comments.add(session, principal, body.document_id, CommentCreate(body=body.body))
    return {"id": out.id, "document_id": body.document_id}


# Registered by the app factory (server/wiring.py).
HANDLERS: dict[str, actions.Handler] = {
    "document.read": mark_read,
    "document.bookmark": bookmark,
    "document.comment": comment,
}
