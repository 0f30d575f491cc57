"""What a file is, judged from its bytes: the extension and the declared content type are never trusted.

One table of leading bytes decides (exact and cheap); the parts of an Office Open XML archive tell a Word
document from an Excel workbook. puremagic (checked on this machine, 1.30) cannot decide for us: it
answers DOCX, PPTX and XLSX alike for any ZIP, PDF together with FDF, JPEG first as ".jfif", and nothing
for a head shorter than its own signatures (4 bytes of PNG, GIF, gzip or 7-Zip) or for CSV text. It is
used where it fits: naming a binary file the table does not know, for a refusal that says what it got.
"""

import io
import zipfile
from pathlib import Path

import puremagic

# Leading bytes -> kind, first match wins (longest signatures of one format first).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"GIF8", "gif"),
    (b"\xd0\xcf\x11\xe0", "ole"),  # Excel 97-2003 (.xls), Word 97-2003 (.doc)
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"RIFF", "riff"),
)
OOXML_MANIFEST = "[Content_Types].xml"


def leading_kind(head: bytes) -> str | None:
    """The kind the first bytes show ('pdf', 'png', 'jpeg', 'zip', 'gif', 'ole', 'gzip', 'rar', '7z',
    'riff'), or None (text, or a format not in SIGNATURES)."""
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def archive_parts(source: bytes | Path) -> frozenset[str]:
    """The names inside a ZIP archive; raises zipfile.BadZipFile (and OSError for a path) when it is none."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
        return frozenset(archive.namelist())


def office_kind(parts: frozenset[str]) -> str | None:
    """Which office document an archive of these parts is: 'docx', 'xlsx', 'ods', or None.

    'docx' needs the Office Open XML manifest ([Content_Types].xml); 'xlsx' only its workbook part (a
    reader of workbooks opens it or says it is broken), so a caller that stores it checks the manifest too.
    """
    if OOXML_MANIFEST in parts and "word/document.xml" in parts:
        return "docx"
    if "xl/workbook.xml" in parts:
        return "xlsx"
    if "mimetype" in parts or "content.xml" in parts:
        return "ods"
    return None


def binary_name(head: bytes) -> str | None:
    """puremagic's name of a binary format (e.g. ".exe"), for a refusal; None when it knows none."""
    try:
        found = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    named = [m for m in found if m.mime_type and m.extension]  # its first guesses are often bare names
    return named[0].extension if named else None
