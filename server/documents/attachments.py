"""Attachments: streamed upload (hashed, size-limited on the fly), type from content, ranged downloads."""

import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience
from server.documents.models import Attachment, Document, FileBlob
from server.documents.storage import FileStore, PendingFile, TempWriter
from server.errors import (
    BadRequest,
    DomainError,
    NotFound,
    PayloadTooLarge,
    StorageFull,
    Unprocessable,
    storage_exhausted,
)
from server.kit import filetype
from server.records import audit
from server.records.changelog import record_change
from shared.schemas.documents import AttachmentPublic


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_file_type"
    message = "Chỉ nhận tệp PDF, Word (DOCX), Excel (XLSX) và ảnh PNG/JPEG. Hãy chọn tệp đúng loại."


class RangeNotSatisfiable(DomainError):
    status = 416
    code = "range_not_satisfiable"
    message = "Khoảng dữ liệu yêu cầu không hợp lệ."


# ---- type from content ------------------------------------------------------------------------------

PDF, DOCX, XLSX, PNG, JPEG = (
    ("application/pdf", "pdf"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
)


def detect_type(head: bytes, path: Path) -> tuple[str, str] | None:
    """(content type, extension) from the bytes themselves; None for anything not allowed."""
    kind = filetype.leading_kind(head)
    if kind in ("pdf", "png", "jpeg"):
        return {"pdf": PDF, "png": PNG, "jpeg": JPEG}[kind]
    if kind == "zip":
        try:
            parts = filetype.archive_parts(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if filetype.OOXML_MANIFEST not in parts:
            return None
        office = filetype.office_kind(parts)
        if office == "docx":
            return DOCX
        if office == "xlsx":
            return XLSX
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(raw: str | None, ext: str) -> str:
    """A display name for the download: the client's name cleaned, with the extension of the real type."""
    # Invisible format characters go first: a right-to-left override makes "hoso\u202egnp.pdf" read as
    # "hosofdp.png" in a file manager.
    visible = "".join(ch for ch in raw or "" if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    name = unicodedata.normalize("NFC", visible).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._") or "tep-dinh-kem"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:150]}.{ext}"


# ---- streamed multipart -----------------------------------------------------------------------------

_FIELD_LIMIT = 64 * 1024


@dataclass
class Received:
    pending: PendingFile
    filename: str | None


def _raise_server_side(exc: OSError) -> NoReturn:
    """A full disk answers 507 (the client keeps the file and retries); any other OS error stays a 500."""
    if storage_exhausted(exc):
        raise StorageFull() from exc
    raise exc


class MultipartFileReceiver:
    """Feeds request bytes to python-multipart; the part named `file` goes to a TempWriter as it arrives."""

    def __init__(self, content_type: str, new_writer, field: str = "file"):  # type: ignore[no-untyped-def]
        ctype, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if ctype != b"multipart/form-data" or not boundary:
            raise UnsupportedMedia()
        self._field = field.encode()
        self._new_writer = new_writer
        self._writer: TempWriter | None = None
        self._filename: str | None = None
        self._headers: dict[bytes, bytes] = {}
        self._hname = b""
        self._hvalue = b""
        self._is_file = False
        self._other = 0
        self.files = 0
        self._parser = MultipartParser(
            boundary,
            # Room for a file name of a few thousand Vietnamese characters (cut to 150 when stored).
            max_header_size=16 * 1024,
            callbacks={  # type: ignore[arg-type]
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_header_field": self._hfield,
                "on_header_value": self._hval,
                "on_header_end": self._hend,
                "on_headers_finished": self._hdone,
            },
        )

    def _begin(self) -> None:
        self._headers, self._is_file = {}, False

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def _hval(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def _hend(self) -> None:
        self._headers[self._hname.lower()] = self._hvalue
        self._hname, self._hvalue = b"", b""

    def _hdone(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") == self._field and b"filename" in options:
            self.files += 1
            if self.files > 1:
                raise Unprocessable("Mỗi lần chỉ gửi một tệp.", code="one_file_only")
            self._is_file = True
            self._filename = options[b"filename"].decode("utf-8", "replace")
            self._writer = self._new_writer()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file and self._writer is not None:
            self._writer.write(data[start:end])
        else:
            self._other += end - start
            if self._other > _FIELD_LIMIT:
                raise PayloadTooLarge("Dữ liệu kèm theo quá lớn.", code="form_too_large")

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except DomainError:
            self.abort()
            raise
        except OSError as exc:  # the server's disk, not the client's bytes
            self.abort()
            _raise_server_side(exc)
        except Exception as exc:  # malformed multipart from the client
            self.abort()
            raise BadRequest("Dữ liệu gửi lên không đúng định dạng multipart.", code="bad_multipart") from exc

    def finish(self) -> Received:
        try:
            self._parser.finalize()
        except OSError as exc:
            self.abort()
            _raise_server_side(exc)
        except Exception as exc:
            self.abort()
            raise BadRequest("Dữ liệu gửi lên không đúng định dạng multipart.", code="bad_multipart") from exc
        if self._writer is None:
            raise Unprocessable('Thiếu tệp đính kèm (trường "file").', code="file_missing")
        try:
            pending = self._writer.finish()
        except OSError as exc:
            self.abort()
            _raise_server_side(exc)
        return Received(pending, self._filename)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()


class UnsupportedMedia(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = 'Hãy gửi tệp dưới dạng multipart/form-data, trường "file".'


async def receive_upload(
    stream: AsyncIterator[bytes], content_type: str, store: FileStore, max_bytes: int, run
) -> Received:  # type: ignore[no-untyped-def]
    """Read the request body chunk by chunk; file IO happens in worker threads (`run`)."""
    receiver = MultipartFileReceiver(content_type, lambda: store.new_upload(max_bytes))
    try:
        async for chunk in stream:
            if chunk:
                await run(receiver.feed, chunk)
        return await run(receiver.finish)
    except BaseException:
        receiver.abort()
        raise


# ---- storing and listing ----------------------------------------------------------------------------


def check_can_attach(session: Session, principal: Principal, document_id: int) -> Document:
    return audience.get_manageable(session, principal, document_id)


def store_upload(
    session: Session, principal: Principal, store: FileStore, document_id: int, received: Received
) -> AttachmentPublic:
    pending = received.pending
    try:
        doc = audience.get_manageable(session, principal, document_id)
        if pending.size == 0:
            raise Unprocessable("Tệp rỗng.", code="file_empty")
        kind = detect_type(pending.head, pending.path)
        if kind is None:
            raise UnsupportedType()
    except BaseException:
        pending.discard()
        raise
    content_type, ext = kind
    blob = session.get(FileBlob, pending.sha256)
    if blob is None:
        try:
            with session.begin_nested():
                session.add(FileBlob(sha256=pending.sha256, size=pending.size, content_type=content_type))
        except IntegrityError:  # the same content arrived at the same moment in another request
            pass
        blob = session.get(FileBlob, pending.sha256)
    store.put(pending)
    assert blob is not None and doc.id is not None
    existing = session.execute(
        select(Attachment).where(
            col(Attachment.document_id) == doc.id, col(Attachment.sha256) == pending.sha256
        )
    ).scalar_one_or_none()
    if existing is not None:
        att = existing
    else:
        att = Attachment(
            document_id=doc.id,
            sha256=pending.sha256,
            filename=safe_filename(received.filename, ext),
            created_by=principal.user_id,
        )
        session.add(att)
        session.flush()
        org_ids = audience.audience_ids(session, doc.id)
        audit.record(
            session,
            "document.attachment",
            actor=principal,
            target_type="attachment",
            target_id=att.id,
            org_id=org_ids[0] if org_ids else None,
            detail={"document_id": doc.id, "sha256": pending.sha256, "size": pending.size},
        )
        assert att.id is not None
        if doc.status in audience.LIVE_STATUSES or doc.comments_until is not None:
            record_change(session, "attachment", att.id, op="upsert", org_ids=org_ids)
        else:
            record_change(session, "attachment", att.id, op="upsert", user_ids=[principal.user_id])
    return AttachmentPublic(
        id=att.id or 0,
        sha256=blob.sha256,
        size=blob.size,
        content_type=blob.content_type,
        filename=att.filename,
    )


def get_for_download(
    session: Session, principal: Principal, attachment_id: int
) -> tuple[Attachment, FileBlob]:
    """The attachment and its blob, only when the caller sees the document (404 otherwise)."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment_not_found")
    try:
        audience.get_visible(session, principal, att.document_id)
    except NotFound:
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment_not_found") from None
    blob = session.get(FileBlob, att.sha256)
    if blob is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment_not_found")
    return att, blob


def remove(session: Session, principal: Principal, attachment_id: int) -> None:
    """Detach a file from its document (publishers). The stored content stays: other documents may use it."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment_not_found")
    try:
        doc = audience.get_manageable(session, principal, att.document_id)
    except NotFound:
        raise NotFound("Không tìm thấy tệp đính kèm.", code="attachment_not_found") from None
    org_ids = audience.audience_ids(session, att.document_id)
    audit.record(
        session,
        "document.attachment_removed",
        actor=principal,
        target_type="attachment",
        target_id=attachment_id,
        org_id=org_ids[0] if org_ids else None,
        detail={"document_id": doc.id, "sha256": att.sha256, "filename": att.filename},
    )
    session.delete(att)
    session.flush()
    record_change(
        session, "attachment", attachment_id, op="delete", org_ids=org_ids, user_ids=[principal.user_id]
    )


# ---- HTTP caching and ranges ------------------------------------------------------------------------


def etag_for(sha256: str) -> str:
    return f'"{sha256}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match: weak comparison over a list, or "*"."""
    if not header:
        return False
    for candidate in header.split(","):
        value = candidate.strip()
        if value == "*":
            return True
        if value.startswith("W/"):
            value = value[2:]
        if value == etag:
            return True
    return False


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


def parse_range(header: str, size: int) -> tuple[int, int]:
    """One byte range (inclusive) within a file of `size` bytes; anything else is 416."""
    match = _RANGE.match(header)
    if not match or "," in header:
        raise RangeNotSatisfiable()
    first, last = match.group(1), match.group(2)
    if first == "" and last == "":
        raise RangeNotSatisfiable()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable()
    return start, min(end, size - 1)
