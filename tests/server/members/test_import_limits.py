"""Hostile spreadsheets are refused from their zip's own numbers, before openpyxl unpacks them, and write
nothing: a huge shared string, 16,000 columns, a million declared rows, a zip bomb, an overlong cell."""

import io
import sqlite3
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from server.members import import_file, importer
from server.records.members import Member
from tests.server.members.factories import HEADERS, csv_bytes, fresh, post_import, xlsx_bytes


def _count(db) -> int:
    return fresh(db).execute(select(func.count()).select_from(Member)).scalar_one()


def _saved(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _wide() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in range(2, 5):
        for c in range(1, 16_001):
            ws.cell(row=r, column=c, value="x")
    return _saved(wb)


def _tall() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.cell(row=1_000_000, column=1, value="cuối")  # one cell far down: a million-row extent
    return _saved(wb)


def _bomb() -> bytes:
    """A valid workbook whose shared strings unpack to 60 MB of one letter."""
    good = xlsx_bytes([])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/sharedStrings.xml", b'<sst><si><t>' + b"a" * (60 * 1024 * 1024) + b"</t></si></sst>")
    return out.getvalue()


@pytest.mark.parametrize("make,code,phrase", [
    (_wide, "too_many_columns", "16000 cột"),
    (_tall, "too_many_rows", "1000000 dòng"),
    (_bomb, "xlsx_bomb", "tỉ lệ nén"),
])
def test_hostile_workbooks_are_refused_before_unpacking(client, db, world, login, make, code, phrase):
    before = _count(db)
    resp = post_import(client, login(world.staff), make(), filename="dang-vien.xlsx")
    assert resp.status_code == 422, resp.text[:300]
    assert resp.json()["code"] == code
    assert phrase in resp.json()["message"]
    assert _count(db) == before


def test_an_overlong_cell_is_named_by_its_row(client, db, world, login):
    row = [1, "Nguyễn Văn " + "A" * 3000, "01/01/1980", "12345678", "01/01/2005", "01/01/2006",
           "Chính thức", world.cell.code, "", ""]
    for content, name in ((xlsx_bytes([row]), "ds.xlsx"), (csv_bytes([row]), "ds.csv")):
        resp = post_import(client, login(world.staff), content, filename=name)
        assert resp.status_code == 422 and resp.json()["code"] == "cell_too_long", resp.text[:300]
        assert "Dòng 2" in resp.json()["message"]


def test_a_long_empty_tail_ends_the_data(client, db, world, login):
    good = [1, "Trần Văn Bình", "01/01/1980", "12345679", "01/01/2005", "01/01/2006", "Chính thức",
            world.cell.code, "", ""]
    content = csv_bytes([good] + [[""] * 10] * 5000)  # a sheet formatted far below its data
    resp = post_import(client, login(world.staff), content)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.json()["created"] == 1


def _writable(settings) -> bool:
    """Whether another writer could take SQLite's write lock right now (a check-in, say)."""
    conn = sqlite3.connect(settings.data_dir / "sotay.db", timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_the_file_is_read_before_the_write_lock_is_taken(client, db, world, login, settings, monkeypatch):
    # Observed from inside: whether the database is open to other writers while the file is unpacked and
    # checked (seconds for a large XLSX, in the worker process), and while the rows are matched and
    # written (it must not be).
    seen: dict[str, bool] = {}
    unpack, diff = import_file.offload.run, importer._diff

    def reading(fn, *args):
        seen.setdefault("reading", _writable(settings))
        return unpack(fn, *args)

    def writing(row):
        seen.setdefault("writing", _writable(settings))
        return diff(row)

    monkeypatch.setattr(import_file.offload, "run", reading)
    monkeypatch.setattr(importer, "_diff", writing)
    rows = [[i, f"Nguyễn Văn {i}", "01/01/1980", f"7{i:07d}", "01/01/2005", "01/01/2006", "Chính thức",
             world.cell.code, "", ""] for i in range(3)]
    resp = post_import(client, login(world.staff), xlsx_bytes(rows), filename="ds.xlsx")
    assert resp.status_code == 200 and resp.json()["created"] == 3, resp.text[:300]
    assert seen == {"reading": True, "writing": False}
