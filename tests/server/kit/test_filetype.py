"""The one sniffing helper (server/kit/filetype.py): kinds from leading bytes, office documents from parts."""

import io
import zipfile

import openpyxl

from server.kit import filetype


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buf.getvalue()


def test_leading_bytes():
    assert filetype.leading_kind(b"%PDF-1.7\n") == "pdf"
    assert filetype.leading_kind(b"%PDF") is None  # not a PDF header without its version dash
    assert filetype.leading_kind(b"\x89PNG\r\n\x1a\n\x00") == "png"
    assert filetype.leading_kind(b"\xff\xd8\xff\xe0") == "jpeg"
    assert filetype.leading_kind(b"PK\x03\x04") == "zip"
    assert filetype.leading_kind(b"\xd0\xcf\x11\xe0\xa1\xb1") == "ole"
    assert filetype.leading_kind("Họ và tên,Mã chi bộ\n".encode()) is None


def test_office_documents_by_their_parts():
    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    assert filetype.office_kind(filetype.archive_parts(book.getvalue())) == "xlsx"
    word = _zip("[Content_Types].xml", "word/document.xml")
    assert filetype.office_kind(filetype.archive_parts(word)) == "docx"
    assert filetype.office_kind(filetype.archive_parts(_zip("word/document.xml"))) is None  # no manifest
    assert filetype.office_kind(filetype.archive_parts(_zip("mimetype", "content.xml"))) == "ods"
    assert filetype.office_kind(filetype.archive_parts(_zip("a.txt"))) is None


def test_binary_name_is_a_hint_only():
    assert filetype.binary_name(b"MZ\x90\x00\x03\x00\x00\x00") == ".exe"
    assert filetype.binary_name(b"\x00\x01 not a spreadsheet") is None
