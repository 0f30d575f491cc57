"""Attachments: upload limits, types from content, dedup, download scope, ETag/304 and Range/206/416."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from server.documents.models import FileBlob
from server.records.audit import AuditEntry
from tests.server.documents.factories import API, create_doc, pdf_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


@pytest.fixture
def doc(client, world, login):
    staff = login(world.staff)
    return create_doc(client, staff, "Có tệp đính kèm", [world.cell.id]), staff


def _upload(client, headers, doc_id, content, name="tai-lieu.pdf", ctype="application/pdf"):
    return client.post(f"{API}/{doc_id}/attachments", files={"file": (name, content, ctype)}, headers=headers)


def test_upload_detects_types_and_dedups(client, doc, app):
    d, staff = doc
    resp = _upload(client, staff, d["id"], pdf_bytes())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(pdf_bytes())
    import hashlib

    assert body["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()
    stored = app.state.settings.files_dir / body["sha256"][:2] / body["sha256"][2:4] / body["sha256"]
    assert stored.read_bytes() == pdf_bytes()
    # The same content again: same attachment, one blob.
    again = _upload(client, staff, d["id"], pdf_bytes(), name="ban-sao.pdf")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    for content, ctype in (
        (_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
    ):
        # The name lies (.pdf): the type comes from the bytes, and the stored name gets the true extension.
        resp = _upload(client, staff, d["id"], content, name="khong-phai-pdf.pdf")
        assert resp.status_code == 201, resp.text
        assert resp.json()["content_type"] == ctype
        assert not resp.json()["filename"].endswith(".pdf")
    got = client.get(f"{API}/{d['id']}", headers=staff).json()
    assert len(got["attachments"]) == 5
    with app.state.db.session() as s:
        assert len(s.execute(select(FileBlob)).all()) == 5


@pytest.mark.parametrize(
    "content,name",
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "nghi-quyet.pdf"),  # a Windows program named .pdf
        (b"<html><script>alert(1)</script></html>", "bao-cao.docx"),
        (b"#!/bin/sh\nrm -rf /\n", "anh.png"),
        (zipfile.ZipFile.__name__.encode(), "x.xlsx"),
    ],
)
def test_disguised_files_are_refused(client, doc, content, name):
    d, staff = doc
    resp = _upload(client, staff, d["id"], content, name=name)
    assert resp.status_code == 415
    assert resp.json()["code"] == "unsupported_file_type"


def test_plain_zip_is_not_an_office_file(client, doc):
    d, staff = doc
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("virus.exe", "MZ")
    assert _upload(client, staff, d["id"], buf.getvalue(), name="bang.xlsx").status_code == 415


def test_size_limit_413(tmp_path, sqlite_template, world_factory_client):
    client, headers, doc_id, files_dir = world_factory_client
    big = b"%PDF-1.4\n" + b"0" * 5000
    resp = _upload(client, headers, doc_id, big)
    assert resp.status_code == 413 and resp.json()["code"] == "file_too_large"
    # Nothing left behind in the temporary directory.
    assert not any(p.is_file() for p in (files_dir / "tmp").glob("*"))
    assert _upload(client, headers, doc_id, b"%PDF-1.4\n" + b"0" * 1000).status_code == 201


@pytest.fixture
def world_factory_client(tmp_path, sqlite_template):
    import shutil

    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests import factories
    from tests.conftest import make_settings

    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    settings = make_settings(tmp_path, upload_max_bytes=4096)
    app = create_app(settings, migrate=False)
    with app.state.db.transaction() as s:
        w = factories.make_world(s)
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/auth/login", json={"username": w.staff.username, "password": w.staff.password}
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        d = create_doc(client, headers, "Giới hạn", [w.cell.id])
        yield client, headers, d["id"], settings.files_dir
    app.state.db.dispose()


def test_upload_rights(client, doc, world, login):
    d, _ = doc
    for person in (world.member, world.secretary):  # see it, may not attach: 403
        assert _upload(client, login(person), d["id"], pdf_bytes()).status_code == 403
    for person in (world.sibling_member, world.other_member, world.other_staff):  # cannot see it: 404
        assert _upload(client, login(person), d["id"], pdf_bytes()).status_code == 404
    assert _upload(client, {}, d["id"], pdf_bytes()).status_code == 401


def test_upload_without_file_or_not_multipart(client, doc):
    d, staff = doc
    resp = client.post(f"{API}/{d['id']}/attachments", files={"other": (None, "x")}, headers=staff)
    assert resp.status_code == 422 and resp.json()["code"] == "file_missing"
    resp = client.post(f"{API}/{d['id']}/attachments", data={"other": "x"}, headers=staff)
    assert resp.status_code == 415
    resp = client.post(
        f"{API}/{d['id']}/attachments",
        content=b"%PDF-1.4",
        headers={**staff, "Content-Type": "application/pdf"},
    )
    assert resp.status_code == 415
    resp = client.post(
        f"{API}/{d['id']}/attachments",
        content=b"garbage",
        headers={**staff, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert resp.status_code in (400, 422)
    assert _upload(client, staff, d["id"], b"").status_code == 422


def test_download_scope_etag_and_ranges(client, doc, world, login):
    d, staff = doc
    content = pdf_bytes("x" * 500)
    att = _upload(client, staff, d["id"], content).json()
    url = f"/api/v1/attachments/{att['id']}"
    member = login(world.member)
    resp = client.get(url, headers=member)
    assert resp.status_code == 200 and resp.content == content
    assert resp.headers["etag"] == f'"{att["sha256"]}"'
    assert resp.headers["accept-ranges"] == "bytes"
    assert resp.headers["content-type"] == "application/pdf"
    for person in (world.sibling_member, world.other_member, world.other_staff):
        assert client.get(url, headers=login(person)).status_code == 404
    assert client.get("/api/v1/attachments/999999", headers=member).status_code == 404

    resp = client.get(url, headers={**member, "If-None-Match": resp.headers["etag"]})
    assert resp.status_code == 304 and resp.content == b""
    assert client.get(url, headers={**member, "If-None-Match": '"other"'}).status_code == 200

    resp = client.get(url, headers={**member, "Range": "bytes=10-19"})
    assert resp.status_code == 206 and resp.content == content[10:20]
    assert resp.headers["content-range"] == f"bytes 10-19/{len(content)}"
    resp = client.get(url, headers={**member, "Range": "bytes=100-"})
    assert resp.status_code == 206 and resp.content == content[100:]
    resp = client.get(url, headers={**member, "Range": "bytes=-7"})
    assert resp.status_code == 206 and resp.content == content[-7:]
    resp = client.get(url, headers={**member, "Range": "bytes=0-999999"})
    assert resp.status_code == 206 and resp.content == content
    for bad in (
        f"bytes={len(content)}-",
        "bytes=20-10",
        "bytes=abc",
        "items=0-5",
        "bytes=0-1,4-5",
        "bytes=-0",
    ):
        resp = client.get(url, headers={**member, "Range": bad})
        assert resp.status_code == 416, bad
        assert resp.headers["content-range"] == f"bytes */{len(content)}"
    # A stale If-Range: the whole file again, not a piece of a different one.
    resp = client.get(url, headers={**member, "Range": "bytes=0-4", "If-Range": '"stale"'})
    assert resp.status_code == 200 and resp.content == content
    resp = client.get(url, headers={**member, "Range": "bytes=0-4", "If-Range": f'"{att["sha256"]}"'})
    assert resp.status_code == 206 and resp.content == content[:5]
    head = client.head(url, headers=member)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(content))


def test_withdrawn_document_files_are_gone(client, doc, world, login):
    d, staff = doc
    att = _upload(client, staff, d["id"], pdf_bytes()).json()
    client.post(f"{API}/{d['id']}/withdraw", headers=staff)
    assert client.get(f"/api/v1/attachments/{att['id']}", headers=login(world.member)).status_code == 404
    assert client.get(f"/api/v1/attachments/{att['id']}", headers=staff).status_code == 200


def test_upload_is_audited(client, doc, app):
    d, staff = doc
    att = _upload(client, staff, d["id"], pdf_bytes()).json()
    with app.state.db.session() as s:
        entries = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "document.attachment")).scalars().all()
        )
    assert [e.target_id for e in entries] == [str(att["id"])]


def test_size_limit_while_streaming_without_content_length(world_factory_client):
    """A chunked upload declares no length: the limit is enforced as the bytes arrive."""
    client, headers, doc_id, files_dir = world_factory_client
    boundary = "sotayboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body(size):
        yield head
        for _ in range(size // 1000):
            yield b"0" * 1000
        yield tail

    ctype = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    resp = client.post(f"{API}/{doc_id}/attachments", content=body(10_000), headers={**headers, **ctype})
    assert resp.status_code == 413
    assert not any(p.is_file() for p in (files_dir / "tmp").glob("*"))
    resp = client.post(f"{API}/{doc_id}/attachments", content=body(2_000), headers={**headers, **ctype})
    assert resp.status_code == 201, resp.text


def test_remove_attachment(client, doc, world, login):
    d, staff = doc
    att = _upload(client, staff, d["id"], pdf_bytes()).json()
    url = f"/api/v1/attachments/{att['id']}"
    assert client.delete(url, headers=login(world.member)).status_code == 403
    assert client.delete(url, headers=login(world.other_staff)).status_code == 404
    assert client.delete(url, headers=staff).status_code == 204
    assert client.get(url, headers=staff).status_code == 404
    assert client.get(f"{API}/{d['id']}", headers=staff).json()["attachments"] == []
    assert client.delete(url, headers=staff).status_code == 404
