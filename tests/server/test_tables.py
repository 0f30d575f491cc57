"""Exports opened in Excel: Vietnamese survives, and text that looks like a formula stays text."""

import csv
import io

import pytest
from openpyxl import load_workbook

from server import tables
from server.errors import Unprocessable

HEADERS = ["STT", "Họ và tên", "Ghi chú"]
BODY = [[1, "Nguyễn Thị Thu Hà", "-"], [2, "=HYPERLINK(\"http://x\")", "+84 912"]]


def test_csv_has_bom_title_and_neutralised_formulas():
    data, media = tables.render("csv", HEADERS, BODY, title="Điểm danh")
    assert media.startswith("text/csv") and data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Điểm danh"] and rows[1] == HEADERS
    assert rows[2] == ["1", "Nguyễn Thị Thu Hà", "-"]  # a lone dash is not a formula
    assert rows[3][1] == "'=HYPERLINK(\"http://x\")" and rows[3][2] == "'+84 912"


def test_csv_without_title_row():
    rows = list(csv.reader(io.StringIO(tables.to_csv(HEADERS, BODY).decode("utf-8-sig"))))
    assert rows[0] == HEADERS


def test_xlsx_keeps_formula_like_text_as_text():
    data, _ = tables.render("xlsx", HEADERS, BODY, title="Điểm danh", sheet="Điểm danh", freeze="B3")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "Điểm danh" and ws["A1"].value == "Điểm danh" and ws["B2"].value == "Họ và tên"
    assert ws["B4"].value == "=HYPERLINK(\"http://x\")" and ws["B4"].data_type == "s"
    assert ws["A3"].value == 1 and ws.freeze_panes == "B3"


def test_unknown_format_is_a_clear_error():
    with pytest.raises(Unprocessable) as err:
        tables.render("pdf", HEADERS, BODY)
    assert err.value.code == "invalid_format"


def test_control_characters_do_not_break_the_workbook():
    # A name pasted from another program can carry control characters XML 1.0 forbids; the export must
    # still open, with the readable text kept and formula-like text still text.
    body = [[1, "Nguyễn\x00 Văn\x07 A\x1b", "ghi\x0bchú\ud800"], [2, "=cmd|' /C calc'!A0\x01", "@SUM(1)"]]
    data, _ = tables.render("xlsx", HEADERS, body, title="Điểm\x0c danh")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Điểm danh"
    assert ws["B3"].value == "Nguyễn Văn A" and ws["C3"].value == "ghichú"
    assert ws["B4"].value == "=cmd|' /C calc'!A0" and ws["B4"].data_type == "s"
    assert ws["C4"].value == "@SUM(1)" and ws["C4"].data_type == "s"
    rows = list(csv.reader(io.StringIO(tables.to_csv(HEADERS, body).decode("utf-8-sig"))))
    assert rows[1][1] == "Nguyễn Văn A" and rows[2][1].startswith("'=cmd")
