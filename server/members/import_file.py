"""Reading a member import (CSV or XLSX): the file judged from its bytes, the header row found, each row's
fields checked. Nothing here touches the database; server/members/importer.py plans and writes."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import UploadFile

from server.config import Settings
from server.errors import PayloadTooLarge, Unprocessable
from server.kit import filetype, offload
from server.members import xlsx_guard
from server.records.members import Member, User
from server.records.orgs import Organization
from shared.enums import MEMBER_KIND_LABELS, MemberKind
from shared.schemas.members import CARD_PATTERN, PHONE_PATTERN
from shared.text import fold, nfc

_HEADER_SCAN_ROWS = 10  # exports often put a title and a blank line above the header
_USERNAME = re.compile(r"^[a-z0-9._-]{3,60}$")
_CARD = re.compile(CARD_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)

# Field -> folded header spellings (tone marks and case removed, punctuation dropped).
_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ho va ten dang vien", "ho ten dang vien"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh"),
    "card_number": ("so the dang vien", "so the", "so the dv", "so the dang"),
    "admitted_on": ("ngay vao dang", "ngay ket nap", "ngay ket nap dang"),
    "official_on": ("ngay chinh thuc", "ngay cong nhan chinh thuc", "ngay vao dang chinh thuc"),
    "kind": ("loai dang vien", "loai", "loai dv"),
    "org_code": ("ma chi bo", "ma to chuc", "ma chi bo sinh hoat"),
    "org_name": ("chi bo", "ten chi bo", "chi bo sinh hoat", "noi sinh hoat"),
    "position": ("chuc vu", "chuc danh", "chuc vu nghe nghiep"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt"),
    "username": ("ten dang nhap", "tai khoan"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_FIELD_LABELS = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "card_number": "Số thẻ đảng viên",
    "admitted_on": "Ngày vào Đảng", "official_on": "Ngày chính thức", "kind": "Loại đảng viên",
    "org_code": "Mã chi bộ", "org_name": "Chi bộ", "position": "Chức vụ", "phone": "Điện thoại",
    "username": "Tên đăng nhập",
}
_KINDS = {fold(label): kind for kind, label in MEMBER_KIND_LABELS.items()}
_KINDS.update({
    "dang vien chinh thuc": MemberKind.official, "dang vien du bi": MemberKind.probationary,
    "mien sinh hoat dang": MemberKind.exempt, "mien sh": MemberKind.exempt, "ct": MemberKind.official,
    "db": MemberKind.probationary, **{k.value: k for k in MemberKind},
})
_DATE_FIELDS = ("birth_date", "admitted_on", "official_on")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


# What files people upload by mistake are called in the refusal; the extension is never trusted.
_NAMES = {
    "png": "PNG", "jpeg": "JPEG", "gif": "GIF", "pdf": "PDF", "ole": "Excel 97-2003 (.xls) / Word (.doc)",
    "gzip": "GZIP", "rar": "RAR", "7z": "7-Zip", "riff": "RIFF",
}


def _unsupported(what: str) -> Unprocessable:
    return Unprocessable(
        f"Tệp không phải CSV hoặc Excel (.xlsx) mà là {what}. "
        "Hãy xuất danh sách đảng viên ra CSV (UTF-8) hoặc Excel (.xlsx).",
        code="unsupported_file_type",
    )


def read_upload(file: UploadFile, limit: int) -> bytes:
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"Tệp vượt quá giới hạn {limit // (1024 * 1024) or 1} MB.",
                              code="file_too_large")
    if not data.strip():
        raise Unprocessable("Tệp rỗng.", code="empty_file")
    return data


def sniff(data: bytes) -> str:
    """'xlsx' or 'csv', judged from the bytes; anything else is refused with a clear reason."""
    kind = filetype.leading_kind(data)
    if kind == "zip":
        try:
            office = filetype.office_kind(filetype.archive_parts(data))
        except zipfile.BadZipFile as exc:
            raise Unprocessable("Tệp Excel bị hỏng, không mở được.", code="bad_xlsx") from exc
        if office == "xlsx":
            return "xlsx"
        if office == "ods":
            raise _unsupported("bảng tính OpenDocument (.ods)")
        raise _unsupported("một tệp nén (ZIP, DOCX...)")
    if kind is not None:
        raise _unsupported(_NAMES[kind])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text ("Unicode Text" from Excel)
    if b"\x00" in data[:8192]:
        name = filetype.binary_name(data[:8192])
        raise _unsupported(f"một tệp nhị phân ({name})" if name else "một tệp nhị phân")
    return "csv"


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unprocessable(
            "Tệp CSV không được mã hóa UTF-8 (có thể là bảng mã Windows-1258 hoặc TCVN3), nên chữ tiếng Việt "
            "sẽ bị sai. Hãy lưu lại với kiểu 'CSV UTF-8' hoặc gửi tệp Excel (.xlsx).",
            code="bad_encoding",
        ) from exc


def csv_rows(text: str) -> Iterator[list[Any]]:
    # Judge by several lines: a title line above the header may hold no delimiter at all.
    sample = [line for line in text.splitlines()[:50] if line.strip()][:_HEADER_SCAN_ROWS]
    delimiter = max((";", ",", "\t"), key=lambda d: sum(line.count(d) for line in sample))
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # openpyxl (15 MB) only on an import

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise Unprocessable("Tệp Excel bị hỏng hoặc không đọc được.", code="bad_xlsx") from exc
    try:
        sheet = wb.worksheets[0]
        # Columns beyond the guard's limit are never materialised, even when the declared extent lied.
        rows = sheet.iter_rows(values_only=True, max_col=xlsx_guard.MAX_COLUMNS)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet fails while streaming, not at open
                raise Unprocessable("Tệp Excel bị hỏng hoặc không đọc được.", code="bad_xlsx") from exc
            yield list(row)
    finally:
        wb.close()


def _header_key(value: Any) -> str:
    text = fold(str(value)) if value is not None else ""
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]+", " ", text)).strip()


@dataclass
class Columns:
    index: dict[str, int]
    ignored: list[str]


def match_headers(row: Sequence[Any]) -> Columns:
    index: dict[str, int] = {}
    ignored: list[str] = []
    for i, raw in enumerate(row):
        key = _header_key(raw)
        if not key:
            continue
        name = _HEADER_TO_FIELD.get(key)
        if name is None:
            ignored.append(nfc(str(raw)))
            continue
        if name in index:
            raise Unprocessable(f"Cột '{_FIELD_LABELS[name]}' xuất hiện hai lần.", code="duplicate_column")
        index[name] = i
    return Columns(index=index, ignored=ignored)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # card and phone numbers typed into number cells
    return nfc(str(value))


def parse_date(value: Any) -> date:
    """A date from a real Excel date cell, an Excel serial number or dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 80000:
        from openpyxl.utils.datetime import from_excel  # openpyxl only on an import

        result = from_excel(value)
        return result.date() if isinstance(result, datetime) else result  # type: ignore[return-value]
    text = cell_text(value)
    m = _DMY.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _YMD.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(text)


@dataclass(eq=False)
class Row:
    number: int  # as the user sees it in the sheet (header = its own row number)
    values: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    org: Organization | None = None
    member: Member | None = None
    member_id: int | None = None  # the member's id once written (new members are not loaded as objects)
    user: User | None = None
    username: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    transfer: bool = False
    card_in_number_cell: bool = False  # Excel drops leading zeros of numbers

    @property
    def status(self) -> str:
        if self.errors:
            return "rejected"
        if self.member is None:
            return "created"
        return "updated" if (self.changes or self.transfer or self.username) else "unchanged"


MAX_CELL_CHARS = 2000  # the longest field (a position or a note) is a few hundred characters


MAX_EMPTY_RUN = 1000


def _read_rows(kind: str, data: bytes, max_rows: int) -> tuple[Columns, list[Row]]:
    if kind == "xlsx":
        xlsx_guard.inspect(data, max_rows)
    source: Iterable[list[Any]] = xlsx_rows(data) if kind == "xlsx" else csv_rows(decode_csv(data))
    columns: Columns | None = None
    rows: list[Row] = []
    empty_run = 0
    try:
        for number, raw in enumerate(source, start=1):
            if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in raw):
                raise Unprocessable(f"Dòng {number} có ô dài quá {MAX_CELL_CHARS} ký tự.",
                                    code="cell_too_long")
            if not any(cell_text(v) for v in raw):
                empty_run += 1
                if empty_run >= MAX_EMPTY_RUN:
                    break  # a formatted but empty tail (a million rows) is not data
                continue
            empty_run = 0
            if columns is None:
                found = match_headers(raw)
                if "full_name" in found.index:
                    columns = found
                elif number >= _HEADER_SCAN_ROWS:
                    break
                continue
            if len(rows) >= max_rows:
                raise Unprocessable(f"Tệp có quá {max_rows} dòng dữ liệu; hãy chia nhỏ tệp.",
                                    code="too_many_rows")
            values = {name: (raw[i] if i < len(raw) else None) for name, i in columns.index.items()}
            rows.append(Row(number=number, values=values))
    except csv.Error as exc:
        raise Unprocessable(f"Tệp CSV sai định dạng: {exc}.", code="bad_csv") from exc
    if columns is None:
        raise Unprocessable("Không tìm thấy dòng tiêu đề có cột 'Họ và tên'.", code="missing_columns")
    return columns, rows


def _validate_fields(row: Row) -> None:
    v = row.values
    out = row.fields
    name = cell_text(v.get("full_name"))
    if not name:
        row.errors.append("Thiếu họ và tên.")
    elif len(name) > 120 or len(name) < 2:
        row.errors.append("Họ và tên phải dài từ 2 đến 120 ký tự.")
    else:
        out["full_name"] = name
    card = re.sub(r"[\s.]", "", cell_text(v.get("card_number")))
    if card:
        if _CARD.match(card):
            out["card_number"] = card
            row.card_in_number_cell = isinstance(v.get("card_number"), int | float)
        else:
            row.errors.append(f"Số thẻ đảng viên không hợp lệ: '{card}' (cần 6 đến 12 chữ số).")
    for key in _DATE_FIELDS:
        raw = v.get(key)
        if raw is None or cell_text(raw) == "":
            continue
        try:
            out[key] = parse_date(raw)
        except (ValueError, OverflowError):
            row.errors.append(f"{_FIELD_LABELS[key]} không hợp lệ: '{cell_text(raw)}' (dùng dd/mm/yyyy).")
    today = date.today()
    for key in _DATE_FIELDS:
        if key in out and out[key] > today:
            row.errors.append(f"{_FIELD_LABELS[key]} không được ở tương lai.")
    birth, admitted, official = (out.get(k) for k in _DATE_FIELDS)
    if birth and admitted and admitted <= birth:
        row.errors.append("Ngày vào Đảng phải sau ngày sinh.")
    if admitted and official and official < admitted:
        row.errors.append("Ngày chính thức không thể trước ngày vào Đảng.")
    kind = cell_text(v.get("kind"))
    if kind:
        found = _KINDS.get(fold(kind))
        if found is None:
            row.errors.append(f"Loại đảng viên không hợp lệ: '{kind}' "
                              "(Chính thức, Dự bị hoặc Miễn sinh hoạt).")
        else:
            out["kind"] = found
    position = cell_text(v.get("position"))
    if position:
        if len(position) > 200:
            row.errors.append("Chức vụ dài quá 200 ký tự.")
        else:
            out["position"] = position
    phone = cell_text(v.get("phone"))
    if phone:
        if isinstance(v.get("phone"), int | float) and not phone.startswith("0"):
            phone = "0" + phone  # a number cell dropped the leading zero
        if _PHONE.match(phone):
            out["phone"] = phone
        else:
            row.errors.append(f"Số điện thoại không hợp lệ: '{phone}'.")
    username = cell_text(v.get("username")).lower()
    if username:
        if _USERNAME.match(username):
            row.username = username
        else:
            row.errors.append(f"Tên đăng nhập không hợp lệ: '{username}' (chữ thường không dấu, số, . _ -).")


@dataclass
class Parsed:
    """A file read, its rows matched to columns and their fields checked: all that needs no database."""

    kind: str
    columns: Columns
    rows: list[Row]


def parse(file: UploadFile, settings: Settings) -> Parsed:
    """Read and check the upload, before any transaction: a large XLSX takes seconds to unpack, and SQLite
    has one writer, so doing it under the write lock made every check-in of the province wait. The
    unpacking runs in a worker process (server/kit/offload.py) unless settings say otherwise."""
    data = read_upload(file, settings.import_max_bytes)
    if settings.import_parse_in_process:
        return offload.run(parse_data, data, settings.import_max_rows)
    return parse_data(data, settings.import_max_rows)


def parse_data(data: bytes, max_rows: int) -> Parsed:
    kind = sniff(data)
    columns, rows = _read_rows(kind, data, max_rows)
    for row in rows:
        _validate_fields(row)
    return Parsed(kind, columns, rows)
