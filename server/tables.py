"""Tabular exports people open in Excel: UTF-8 CSV with BOM and XLSX, text never run as a formula."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from server.errors import Unprocessable
from shared.schemas.common import safe_text

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(value: Any) -> Any:
    # Text stored before control characters were refused at the API (or typed into an imported sheet)
    # would make the workbook invalid XML: drop those characters, keep the rest.
    return safe_text(value) if isinstance(value, str) else value


def _risky(value: Any) -> bool:
    # Member names and comments come from users; a cell starting like a formula would run in Excel.
    return isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START)


def to_csv(headers: Sequence[str], body: Sequence[Sequence[Any]], *, title: str | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    if title:
        writer.writerow([_clean(title)])
    writer.writerow(headers)
    writer.writerows([["'" + v if _risky(v) else v for v in map(_clean, row)] for row in body])
    # BOM: Excel opens UTF-8 Vietnamese correctly only with it.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(
    headers: Sequence[str],
    body: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    sheet: str = "Dữ liệu",
    widths: Sequence[int] | None = None,
    freeze: str | None = None,
    wrap_last: bool = False,
) -> bytes:
    # Loaded on the first export: openpyxl (~0.7 s, 15 MB) in every worker that never exports anything.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    header_row = 1
    if title:
        ws.append([_clean(title)[:300]])
        ws["A1"].font = Font(bold=True, size=13)
        header_row = 2
    ws.append([_clean(h) for h in headers])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in body:
        ws.append([_clean(v) for v in row])
        for cell in ws[ws.max_row]:
            if _risky(cell.value):
                cell.data_type = "s"
            if wrap_last and cell.column == len(headers):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for idx, header in enumerate(headers, start=1):
        if widths is not None:
            width = widths[idx - 1]
        else:
            longest = max([len(str(header))] + [len(str(r[idx - 1])) for r in body if len(r) >= idx])
            width = min(max(longest + 2, 6), 45)
        ws.column_dimensions[get_column_letter(idx)].width = width
    if freeze:
        ws.freeze_panes = freeze
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render(
    fmt: str,
    headers: Sequence[str],
    body: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    csv_title: bool = True,
    **xlsx: Any,
) -> tuple[bytes, str]:
    """(content, media type) in the asked format; anything else is a 422."""
    if fmt == "csv":
        return to_csv(headers, body, title=title if csv_title else None), CSV
    if fmt == "xlsx":
        return to_xlsx(headers, body, title=title, **xlsx), XLSX
    raise Unprocessable("Định dạng phải là csv hoặc xlsx.", code="invalid_format")
