"""Builders for member import files (CSV and XLSX, made in memory) and the import call."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức",
           "Loại đảng viên", "Mã chi bộ", "Chức vụ", "Điện thoại"]


def csv_bytes(rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS, *, delimiter: str = ",",
              bom: bool = False, encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Sequence[Sequence[Any]], headers: Sequence[str] = HEADERS, *, title: str | None = None,
               number_formats: dict[int, str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
        for col, fmt in (number_formats or {}).items():
            ws.cell(row=ws.max_row, column=col + 1).number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def post_import(client: TestClient, headers: dict[str, str], content: bytes, filename: str = "dang-vien.csv",
                **form: Any):
    data = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in form.items()}
    return client.post("/api/v1/members/import", headers=headers,
                       files={"file": (filename, content, "application/octet-stream")}, data=data)


def fresh(db):
    """End the arranging session's snapshot and forget cached rows, to read what the API wrote."""
    db.rollback()
    db.expire_all()
    return db
