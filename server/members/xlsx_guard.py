"""Checks on an XLSX file's zip before openpyxl unpacks it: sizes, ratios and the sheet's declared extent."""

import io
import re
import zipfile

from server.errors import Unprocessable

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # every part of the workbook together, unpacked
MAX_SHARED_STRINGS_BYTES = 40 * 1024 * 1024
MAX_RATIO = 200  # a spreadsheet packs 5-20x; hundreds more is a zip bomb
MAX_COLUMNS = 64  # the import reads about twenty columns
ROW_MARGIN = 100  # title, header and note lines above and below the data

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _too_big(message: str, code: str = "xlsx_too_large") -> Unprocessable:
    return Unprocessable(message, code=code)


def inspect(data: bytes, max_rows: int) -> None:
    """Refuse a workbook that would take memory or time out of proportion, before it is unpacked."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unprocessable("Tệp Excel bị hỏng, không mở được.", code="bad_xlsx") from exc
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise _too_big(f"Tệp Excel khi giải nén quá {MAX_UNPACKED_BYTES // (1024 * 1024)} MB; "
                           "hãy chỉ để lại trang danh sách đảng viên hoặc chia nhỏ tệp.")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _too_big("Tệp Excel có phần nén bất thường (tỉ lệ nén quá lớn) nên không được mở.",
                               code="xlsx_bomb")
            if info.filename == "xl/sharedStrings.xml" and info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise _too_big("Tệp Excel chứa quá nhiều chữ (trên 40 MB) so với một danh sách đảng viên.")
        sheets = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            return
        with zf.open(sheets[0]) as sheet:
            head = sheet.read(4096)
    found = _DIMENSION.search(head)
    if not found or not found.group(3):
        return  # no declared extent: the reader's own limits apply while streaming
    columns = _column_number(found.group(3).decode())
    rows = int(found.group(4))
    if columns > MAX_COLUMNS:
        raise _too_big(f"Trang tính có {columns} cột; danh sách đảng viên chỉ cần khoảng 20. "
                       "Hãy xoá các cột thừa rồi gửi lại.", code="too_many_columns")
    if rows > max_rows + ROW_MARGIN:
        raise _too_big(f"Trang tính có tới {rows} dòng (tối đa {max_rows} dòng dữ liệu); hãy xoá các dòng "
                       "trống ở cuối hoặc chia nhỏ tệp.", code="too_many_rows")
