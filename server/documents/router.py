"""Routes for documents, their files, read receipts, bookmarks, statistics and draft comments."""

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import Field

from server.auth.principal import Principal
from server.db import Database
from server.deps import AppSettings, CurrentPrincipal, DbSession, ReadPrincipal
from server.documents import attachments, comments, public, reads, repository, secrecy, service
from server.documents.audience import audience_ids
from server.documents.stores import get_store
from server.errors import render
from server.openapi import AUTHED, errors
from shared.schemas.common import Page
from shared.schemas.documents import (
    ID_MAX,
    AttachmentPublic,
    CommentCreate,
    CommentPublic,
    DocCategory,
    DocStatus,
    DocType,
    DocumentCreate,
    DocumentPublic,
    DocumentReadRatesPublic,
    DocumentSummary,
    DocumentUpdate,
    ReaderPublic,
    ReadMarkPublic,
    ReadRequest,
    ReadStats,
    StudyRatesPublic,
)

router = APIRouter(tags=["documents"])

DocId = Annotated[int, Path(ge=1, le=ID_MAX)]
AttId = Annotated[int, Path(ge=1, le=ID_MAX)]
OrgId = Annotated[int | None, Query(ge=1, le=ID_MAX)]


def _refuse_secret(db, principal, exc: secrecy.SecretDocumentRefused, org_ids, document_id=None):  # type: ignore[no-untyped-def]
    db.rollback()
    secrecy.audit_refusal(db, principal, exc, org_ids, document_id)
    db.commit()


@router.post(
    "/documents",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 409, 422),
)
def create_document(body: DocumentCreate, principal: CurrentPrincipal, db: DbSession) -> DocumentPublic:
    try:
        out = service.create(db, principal, body)
    except secrecy.SecretDocumentRefused as exc:
        _refuse_secret(db, principal, exc, body.audience_org_ids)
        raise
    db.commit()
    return out


@router.get("/documents", response_model=Page[DocumentSummary], responses=AUTHED)
def list_documents(
    principal: CurrentPrincipal,
    db: DbSession,
    q: Annotated[str | None, Query(max_length=200, description="Từ khóa, có dấu hoặc không; số hiệu")] = None,
    doc_type: DocType | None = None,
    year: Annotated[int | None, Query(ge=1930, le=2200)] = None,
    category: DocCategory | None = None,
    issuer: Annotated[str | None, Query(max_length=20)] = None,
    topic: Annotated[str | None, Query(max_length=300)] = None,
    status_: Annotated[DocStatus | None, Query(alias="status")] = None,
    bookmarked: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Page[DocumentSummary]:
    return public.list_documents(
        db,
        principal,
        q=q,
        doc_type=doc_type.value if doc_type else None,
        year=year,
        category=category.value if category else None,
        issuer=issuer,
        topic=topic,
        status=status_.value if status_ else None,
        bookmarked=bookmarked,
        limit=limit,
        offset=offset,
    )


@router.get("/documents/topics", response_model=list[str], responses=AUTHED)
def list_topics(principal: CurrentPrincipal, db: DbSession) -> list[str]:
    return repository.list_topics(db, principal)


@router.get(
    "/documents/read-rates", response_model=DocumentReadRatesPublic, responses=errors(401, 403, 404, 422)
)
def read_rates(
    principal: CurrentPrincipal,
    db: DbSession,
    org_id: Annotated[int, Query(ge=1, le=ID_MAX, description="Chi bộ")],
    document_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=ID_MAX)]],
        Query(alias="document_id", min_length=1, max_length=reads.MAX_READ_RATE_DOCUMENTS,
              description="Lặp lại cho từng văn bản: ?document_id=1&document_id=2"),
    ],
) -> DocumentReadRatesPublic:
    return reads.read_rates(db, principal, org_id, document_ids)


@router.get(
    "/documents/study-rates", response_model=StudyRatesPublic, responses=errors(401, 403, 404, 422)
)
def study_rates(
    principal: CurrentPrincipal,
    db: DbSession,
    document_id: Annotated[int, Query(ge=1, le=ID_MAX, description="Tài liệu học tập")],
    org_id: OrgId = None,
) -> StudyRatesPublic:
    return reads.study_rates(db, principal, document_id, org_id)


@router.get("/documents/{document_id}", response_model=DocumentPublic, responses=errors(401, 404))
def get_document(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> DocumentPublic:
    return public.get_public(db, principal, document_id)


@router.get(
    "/documents/{document_id}/versions", response_model=list[DocumentSummary], responses=errors(401, 404)
)
def document_versions(
    document_id: DocId, principal: CurrentPrincipal, db: DbSession
) -> list[DocumentSummary]:
    return public.superseded_chain(db, principal, document_id)


@router.patch(
    "/documents/{document_id}", response_model=DocumentPublic, responses=errors(401, 403, 404, 409, 422)
)
def update_document(
    document_id: DocId, body: DocumentUpdate, principal: CurrentPrincipal, db: DbSession
) -> DocumentPublic:
    try:
        out = service.update(db, principal, document_id, body)
    except secrecy.SecretDocumentRefused as exc:
        _refuse_secret(db, principal, exc, audience_ids(db, document_id), document_id)
        raise
    db.commit()
    return out


@router.post(
    "/documents/{document_id}/withdraw", response_model=DocumentPublic, responses=errors(401, 403, 404, 409)
)
def withdraw_document(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> DocumentPublic:
    out = service.update(db, principal, document_id, DocumentUpdate(status=DocStatus.withdrawn))
    db.commit()
    return out


@router.post(
    "/documents/{document_id}/publish",
    response_model=DocumentPublic,
    responses=errors(401, 403, 404, 409, 422),
)
def publish_document(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> DocumentPublic:
    out = service.update(db, principal, document_id, DocumentUpdate(status=DocStatus.published))
    db.commit()
    return out


@router.delete(
    "/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404, 409)
)
def delete_draft(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> None:
    service.delete_draft(db, principal, document_id)
    db.commit()


@router.delete(
    "/attachments/{attachment_id}", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 403, 404)
)
def remove_attachment(attachment_id: AttId, principal: CurrentPrincipal, db: DbSession) -> None:
    attachments.remove(db, principal, attachment_id)
    db.commit()


# ---- files ------------------------------------------------------------------------------------------

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, DOCX, XLSX, PNG hoặc JPEG",
                        }
                    },
                }
            }
        },
    }
}


def _upload_principal(request: Request, principal: ReadPrincipal) -> Principal:
    """Permission check on a short read session: an upload may take minutes on a slow phone and must
    not hold a database connection (or SQLite's write lock) while the bytes arrive."""
    db: Database = request.app.state.db
    raw = str(request.path_params.get("document_id", ""))
    document_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    session = db.session(write=False)
    try:
        attachments.check_can_attach(session, principal, document_id)
        return principal
    finally:
        session.close()


@router.post(
    "/documents/{document_id}/attachments",
    response_model=AttachmentPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    responses=errors(400, 401, 403, 404, 413, 415, 422),
)
async def upload_attachment(
    document_id: DocId,
    request: Request,
    principal: Annotated[Principal, Depends(_upload_principal)],
    settings: AppSettings,
) -> AttachmentPublic:
    # A declared Content-Length over the limit was refused before this point (server/kit/limits.py).
    store = get_store(settings)
    received = await attachments.receive_upload(
        request.stream(),
        request.headers.get("content-type", ""),
        store,
        settings.upload_max_bytes,
        run_in_threadpool,
    )
    db: Database = request.app.state.db

    def _store() -> AttachmentPublic:
        with db.transaction() as session:
            return attachments.store_upload(session, principal, store, document_id, received)

    return await run_in_threadpool(_store)


_DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}},
    206: {"description": "Một phần"},
    304: {"description": "Không đổi"},
    **errors(401, 404),
    416: {"description": "Range"},
}


def download_attachment(
    attachment_id: AttId, request: Request, principal: CurrentPrincipal, db: DbSession, settings: AppSettings
) -> Response:
    att, blob = attachments.get_for_download(db, principal, attachment_id)
    db.close()  # nothing more to read: do not hold a connection for the length of a slow download
    etag = attachments.etag_for(blob.sha256)
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(att.filename)}",
    }
    if attachments.etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    size = blob.size
    start, end, code = 0, size - 1, 200
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header and (if_range is None or if_range.strip() == etag):
        try:
            start, end = attachments.parse_range(range_header, size)
        except attachments.RangeNotSatisfiable as exc:
            refused = render(exc)  # the one error shape, with what a range request needs beside it
            refused.headers.update({**headers, "Content-Range": f"bytes */{size}"})
            return refused
        code = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=code, headers=headers, media_type=blob.content_type)
    store = get_store(settings)
    return StreamingResponse(
        store.iter_range(blob.sha256, start, end),
        status_code=code,
        headers=headers,
        media_type=blob.content_type,
    )


# One function answers both; each method gets its own operation id so generated clients tell them apart.
for _method, _operation in (("GET", "download_attachment"), ("HEAD", "attachment_headers")):
    router.add_api_route(
        "/attachments/{attachment_id}", download_attachment, methods=[_method], operation_id=_operation,
        response_class=Response, responses=_DOWNLOAD_RESPONSES,
    )


# ---- reading ----------------------------------------------------------------------------------------


@router.post(
    "/documents/{document_id}/read",
    response_model=ReadMarkPublic,
    responses={201: {"model": ReadMarkPublic, "description": "Lần đọc đầu tiên"}, **errors(401, 404, 422)},
)
def mark_read(
    document_id: DocId,
    principal: CurrentPrincipal,
    db: DbSession,
    response: Response,
    body: Annotated[ReadRequest | None, Body()] = None,
) -> ReadMarkPublic:
    out = reads.mark_read(db, principal, document_id, body.read_at if body else None)
    db.commit()
    response.status_code = status.HTTP_201_CREATED if out.created else status.HTTP_200_OK
    return out


@router.post(
    "/documents/{document_id}/studied", response_model=ReadMarkPublic, responses=errors(401, 404, 422)
)
def mark_studied(
    document_id: DocId,
    principal: CurrentPrincipal,
    db: DbSession,
    body: Annotated[ReadRequest | None, Body()] = None,
) -> ReadMarkPublic:
    out = reads.mark_studied(db, principal, document_id, body.read_at if body else None)
    db.commit()
    return out


@router.delete(
    "/documents/{document_id}/studied", response_model=ReadMarkPublic, responses=errors(401, 404, 422)
)
def unmark_studied(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> ReadMarkPublic:
    out = reads.mark_studied(db, principal, document_id, studied=False)
    db.commit()
    return out


@router.put(
    "/documents/{document_id}/bookmark", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 404)
)
def add_bookmark(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> None:
    reads.set_bookmark(db, principal, document_id, True)
    db.commit()


@router.delete(
    "/documents/{document_id}/bookmark", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 404)
)
def remove_bookmark(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> None:
    reads.set_bookmark(db, principal, document_id, False)
    db.commit()


@router.get("/documents/{document_id}/read-stats", response_model=ReadStats, responses=errors(401, 403, 404))
def read_stats(
    document_id: DocId, principal: CurrentPrincipal, db: DbSession, org_id: OrgId = None
) -> ReadStats:
    return reads.read_stats(db, principal, document_id, org_id)


@router.get(
    "/documents/{document_id}/readers", response_model=Page[ReaderPublic], responses=errors(401, 403, 404)
)
def list_readers(
    document_id: DocId,
    principal: CurrentPrincipal,
    db: DbSession,
    org_id: OrgId = None,
    has_read: Annotated[bool | None, Query(alias="read", description="true: đã đọc; false: chưa đọc")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[ReaderPublic]:
    return reads.readers(
        db, principal, document_id, org_id=org_id, has_read=has_read, limit=limit, offset=offset
    )


# ---- draft comments ---------------------------------------------------------------------------------


@router.post(
    "/documents/{document_id}/comments",
    response_model=CommentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 409, 422),
)
def add_comment(
    document_id: DocId, body: CommentCreate, principal: CurrentPrincipal, db: DbSession
) -> CommentPublic:
    out = comments.add(db, principal, document_id, body)
    db.commit()
    return out


@router.get(
    "/documents/{document_id}/comments", response_model=list[CommentPublic], responses=errors(401, 404)
)
def list_comments(document_id: DocId, principal: CurrentPrincipal, db: DbSession) -> list[CommentPublic]:
    return comments.list_comments(db, principal, document_id)


@router.get(
    "/documents/{document_id}/comments/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
        **errors(401, 403, 404),
    },
)
def export_comments(
    document_id: DocId, principal: CurrentPrincipal, db: DbSession, format: Literal["csv", "xlsx"] = "xlsx"
) -> Response:
    content, media_type, ext = comments.export(db, principal, document_id, format)
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="gop-y-van-ban-{document_id}.{ext}"'},
    )
