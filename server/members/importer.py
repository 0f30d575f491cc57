"""Bulk import of members from CSV and XLSX files exported by the member database."""

import csv
import io
import re
import secrets
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi import UploadFile
from sqlalchemy import func, select
from sqlmodel import Session, col

from server.access import accounts
from server.auth.principal import Principal
from server.config import Settings
from server.errors import PayloadTooLarge, Unprocessable
from server.kit import filetype, offload
from server.members import service, xlsx_guard
from server.orgs import service as orgs
from server.records import audit
from server.records.changelog import record_changes
from server.records.members import Member, User
from server.records.orgs import Organization, OrgClosure
from shared.enums import MEMBER_KIND_LABELS, MemberKind, OrgKind
from shared.schemas.members import CARD_PATTERN, PHONE_PATTERN, ImportReport, ImportRowResult
from shared.text import fold, nfc

_CHUNK = 500
_HEADER_SCAN_ROWS = 10  # exports often put a title and a blank line above the header
_USERNAME = re.compile(r"^[a-z0-9._-]{3,60}$")
_CARD = re.compile(CARD_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
# An account created by import has no usable password until staff set one (never matches a hash).
_NO_PASSWORD = "!import-"

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


# ---------------------------------------------------------------- reading the file


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


# ---------------------------------------------------------------- headers and cell values


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


def _text(value: Any) -> str:
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
    text = _text(value)
    m = _DMY.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _YMD.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(text)


# ---------------------------------------------------------------- the plan


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
            if not any(_text(v) for v in raw):
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
    name = _text(v.get("full_name"))
    if not name:
        row.errors.append("Thiếu họ và tên.")
    elif len(name) > 120 or len(name) < 2:
        row.errors.append("Họ và tên phải dài từ 2 đến 120 ký tự.")
    else:
        out["full_name"] = name
    card = re.sub(r"[\s.]", "", _text(v.get("card_number")))
    if card:
        if _CARD.match(card):
            out["card_number"] = card
            row.card_in_number_cell = isinstance(v.get("card_number"), int | float)
        else:
            row.errors.append(f"Số thẻ đảng viên không hợp lệ: '{card}' (cần 6 đến 12 chữ số).")
    for key in _DATE_FIELDS:
        raw = v.get(key)
        if raw is None or _text(raw) == "":
            continue
        try:
            out[key] = parse_date(raw)
        except (ValueError, OverflowError):
            row.errors.append(f"{_FIELD_LABELS[key]} không hợp lệ: '{_text(raw)}' (dùng dd/mm/yyyy).")
    today = date.today()
    for key in _DATE_FIELDS:
        if key in out and out[key] > today:
            row.errors.append(f"{_FIELD_LABELS[key]} không được ở tương lai.")
    birth, admitted, official = (out.get(k) for k in _DATE_FIELDS)
    if birth and admitted and admitted <= birth:
        row.errors.append("Ngày vào Đảng phải sau ngày sinh.")
    if admitted and official and official < admitted:
        row.errors.append("Ngày chính thức không thể trước ngày vào Đảng.")
    kind = _text(v.get("kind"))
    if kind:
        found = _KINDS.get(fold(kind))
        if found is None:
            row.errors.append(f"Loại đảng viên không hợp lệ: '{kind}' "
                              "(Chính thức, Dự bị hoặc Miễn sinh hoạt).")
        else:
            out["kind"] = found
    position = _text(v.get("position"))
    if position:
        if len(position) > 200:
            row.errors.append("Chức vụ dài quá 200 ký tự.")
        else:
            out["position"] = position
    phone = _text(v.get("phone"))
    if phone:
        if isinstance(v.get("phone"), int | float) and not phone.startswith("0"):
            phone = "0" + phone  # a number cell dropped the leading zero
        if _PHONE.match(phone):
            out["phone"] = phone
        else:
            row.errors.append(f"Số điện thoại không hợp lệ: '{phone}'.")
    username = _text(v.get("username")).lower()
    if username:
        if _USERNAME.match(username):
            row.username = username
        else:
            row.errors.append(f"Tên đăng nhập không hợp lệ: '{username}' (chữ thường không dấu, số, . _ -).")


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class _Scope:
    """Which organisations the caller administers, asked in batches."""

    def __init__(self, session: Session, principal: Principal):
        self.session = session
        self.principal = principal
        self._known: dict[int, bool] = {}

    def load(self, org_ids: Iterable[int]) -> None:
        todo = sorted({i for i in org_ids if i not in self._known})
        if self.principal.is_admin:
            self._known.update(dict.fromkeys(todo, True))
            return
        staff = self.principal.staff_org_ids
        for part in _chunks(todo):
            inside = set(self.session.execute(
                select(col(OrgClosure.descendant_id)).where(col(OrgClosure.descendant_id).in_(part),
                                                       col(OrgClosure.ancestor_id).in_(staff))
            ).scalars()) if staff else set()
            self._known.update({i: i in inside for i in part})

    def manages(self, org_id: int) -> bool:
        if org_id not in self._known:
            self.load([org_id])
        return self._known[org_id]


def _resolve_orgs(session: Session, principal: Principal, scope: _Scope, rows: list[Row],
                  default_org: Organization | None) -> None:
    codes = sorted({_text(r.values.get("org_code")) for r in rows} - {""})
    by_code: dict[str, Organization] = {}
    for part in _chunks(codes):
        by_code.update({o.code: o for o in session.execute(
            select(Organization).where(col(Organization.code).in_(part))).scalars()})
    by_name: dict[str, list[Organization]] = defaultdict(list)
    if any(_text(r.values.get("org_name")) and not _text(r.values.get("org_code")) for r in rows):
        query = select(Organization)
        if not principal.is_admin:
            query = query.where(col(Organization.id).in_(orgs.subtrees_ids(principal.staff_org_ids)))
        for found in session.execute(query).scalars():
            by_name[fold(found.name)].append(found)
    scope.load(o.id or 0 for o in by_code.values())
    for row in rows:
        code = _text(row.values.get("org_code"))
        name = _text(row.values.get("org_name"))
        org: Organization | None
        if code:
            org = by_code.get(code)
            if org is None or not scope.manages(org.id or 0):
                row.errors.append(f"Không tìm thấy chi bộ có mã '{code}' trong phạm vi bạn quản lý.")
                continue
        elif name:
            candidates = by_name.get(fold(name), [])
            if not candidates:
                row.errors.append(f"Không tìm thấy chi bộ '{name}' trong phạm vi bạn quản lý.")
                continue
            cells = [o for o in candidates if o.kind == OrgKind.cell]
            if len(cells) > 1:
                row.errors.append(f"Có {len(cells)} chi bộ tên '{name}'; hãy dùng cột 'Mã chi bộ'.")
                continue
            org = cells[0] if cells else candidates[0]
        elif default_org is not None:
            org = default_org
        else:
            row.errors.append("Thiếu chi bộ (cột 'Mã chi bộ' hoặc 'Chi bộ').")
            continue
        if org.kind != OrgKind.cell:
            row.errors.append(f"'{org.name}' không phải là chi bộ; đảng viên phải sinh hoạt tại một chi bộ.")
            continue
        row.org = org


def _flag_duplicates(rows: list[Row]) -> None:
    for key, label in (("card_number", "Số thẻ đảng viên"), ("username", "Tên đăng nhập")):
        seen: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            value = row.username if key == "username" else row.fields.get(key)
            if value:
                seen[value].append(row)
        for value, same in seen.items():
            if len(same) < 2:
                continue
            for row in same:
                others = ", ".join(str(o.number) for o in same if o is not row)
                row.errors.append(f"{label} {value} trùng với dòng {others} trong tệp.")


def _match_members(session: Session, principal: Principal, scope: _Scope, rows: list[Row]) -> None:
    cards = sorted({r.fields["card_number"] for r in rows if r.fields.get("card_number")})
    by_card: dict[str, Member] = {}
    for part in _chunks(cards):
        by_card.update({m.card_number or "": m for m in session.execute(
            select(Member).where(col(Member.card_number).in_(part))).scalars()})
    # A card typed into a number cell lost its leading zeros: "012345678" arrives as 12345678.
    unpadded = [r for r in rows if r.card_in_number_cell and r.fields["card_number"] not in by_card]
    padded = sorted({r.fields["card_number"].zfill(n) for r in unpadded
                     for n in range(len(r.fields["card_number"]) + 1, 13)})
    by_padded: dict[str, list[Member]] = defaultdict(list)
    for part in _chunks(padded):
        for m in session.execute(select(Member).where(col(Member.card_number).in_(part))).scalars():
            by_padded[(m.card_number or "").lstrip("0")].append(m)
    for row in unpadded:
        found = by_padded.get(row.fields["card_number"].lstrip("0"), [])
        if len(found) == 1 and found[0].card_number:
            row.fields["card_number"] = found[0].card_number
            by_card[found[0].card_number] = found[0]
    # Without a card number, the same name and birth date in the same cell is the same person.
    nameless = [r for r in rows if not r.fields.get("card_number") and r.org and r.fields.get("full_name")]
    by_identity: dict[tuple[str, date | None, int], list[Member]] = defaultdict(list)
    for part in _chunks(sorted({r.fields["full_name"] for r in nameless})):
        for m in session.execute(select(Member).where(col(Member.full_name).in_(part))).scalars():
            by_identity[(m.full_name, m.birth_date, m.org_id)].append(m)
    for row in rows:
        card = row.fields.get("card_number")
        if card:
            row.member = by_card.get(card)
        elif row in nameless and row.org is not None:
            key = (row.fields["full_name"], row.fields.get("birth_date"), row.org.id or 0)
            found = by_identity.get(key, [])
            row.member = found[0] if len(found) == 1 else None
    scope.load(r.member.org_id for r in rows if r.member)
    ids = sorted({r.member.id or 0 for r in rows if r.member})
    users: dict[int, User] = {}
    for part in _chunks(ids):
        users.update({u.member_id or 0: u for u in session.execute(
            select(User).where(col(User.member_id).in_(part))).scalars()})
    beyond = accounts.out_of_reach(session, principal, [u.id for u in users.values() if u.id is not None])
    for row in rows:
        if row.member is None:
            continue
        account = users.get(row.member.id or 0)
        if not scope.manages(row.member.org_id) or (account is not None and account.id in beyond):
            row.errors.append(f"Số thẻ {row.member.card_number} thuộc một đảng viên "
                              "ngoài phạm vi bạn quản lý.")
            row.member = None
            continue
        row.user = users.get(row.member.id or 0)


def _check_usernames(session: Session, rows: list[Row]) -> None:
    wanted = sorted({r.username for r in rows if r.username})
    owners: dict[str, int | None] = {}
    for part in _chunks(wanted):
        owners.update({u.username: u.member_id for u in session.execute(
            select(User).where(col(User.username).in_(part))).scalars()})
    for row in rows:
        if not row.username:
            continue
        if row.user is not None:
            if row.user.username != row.username:
                row.errors.append(f"Đảng viên đã có tài khoản '{row.user.username}'; "
                                  "không đổi tên đăng nhập qua nhập tệp.")
            row.username = None  # the account exists already
            continue
        if row.username in owners:
            row.errors.append(f"Tên đăng nhập '{row.username}' đã được dùng.")


def _diff(row: Row) -> None:
    member = row.member
    if member is None:
        return
    for key, value in row.fields.items():
        current = getattr(member, key)
        if getattr(value, "value", value) != current:
            row.changes[key] = value
    if row.org is not None and row.org.id != member.org_id:
        row.transfer = True


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


def plan(session: Session, principal: Principal, parsed: Parsed, default_org_id: int | None) -> list[Row]:
    """Match the parsed rows against the database: cells, existing members, usernames, what would change."""
    rows = parsed.rows
    has_org = {"org_code", "org_name"} & parsed.columns.index.keys()
    default_org = None
    if default_org_id is not None:
        principal.require_manages(session, default_org_id)
        default_org = orgs.get(session, default_org_id)
        if default_org.kind != OrgKind.cell:
            raise Unprocessable("Chi bộ mặc định phải là một chi bộ.", code="not_a_cell")
    elif not has_org:
        raise Unprocessable("Tệp thiếu cột 'Mã chi bộ' hoặc 'Chi bộ' và không chọn chi bộ mặc định.",
                            code="missing_columns")
    scope = _Scope(session, principal)
    _resolve_orgs(session, principal, scope, rows, default_org)
    _flag_duplicates(rows)
    _match_members(session, principal, scope, rows)
    _check_usernames(session, rows)
    for row in rows:
        _diff(row)
    return rows


# ---------------------------------------------------------------- writing


def _common_ancestor(session: Session, cell_ids: set[int]) -> int | None:
    """The deepest organisation above every touched cell, so that subtree's staff see the import entry."""
    if not cell_ids:
        return None
    row = session.execute(
        select(col(OrgClosure.ancestor_id))
        .join(Organization, col(Organization.id) == col(OrgClosure.ancestor_id))
        .where(col(OrgClosure.descendant_id).in_(sorted(cell_ids)))
        .group_by(col(OrgClosure.ancestor_id), col(Organization.depth))
        .having(func.count() == len(cell_ids))
        .order_by(col(Organization.depth).desc())
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def _apply(session: Session, principal: Principal, rows: list[Row]) -> None:
    today = date.today()
    valid = [r for r in rows if not r.errors and r.org is not None]
    new = [r for r in valid if r.member is None]
    ids = service.insert_members(
        session, principal, [(r.org.id or 0, {"kind": MemberKind.official, **r.fields})
                             for r in new if r.org], note="Nhập từ tệp")
    for row, member_id in zip(new, ids, strict=True):
        row.member_id = member_id
    for row in valid:
        if row.member is not None:
            row.member_id = row.member.id
    with session.no_autoflush:
        for row in valid:
            if row.member is not None and row.org is not None:
                if row.transfer:
                    service.move_member(session, principal, row.member, row.user, row.org, today,
                                        "Nhập từ tệp")
                service.apply_changes(session, principal, row.member, row.user, row.changes)
    with_account = [r for r in valid if r.username]
    user_ids = service.add_accounts(session, principal, [
        (r.member_id or 0, r.org.id or 0 if r.org else 0,
         r.member.full_name if r.member else r.fields.get("full_name") or "", r.username or "",
         _NO_PASSWORD + secrets.token_urlsafe(16))
        for r in with_account
    ])
    account_of = {id(r): user_id for r, user_id in zip(with_account, user_ids, strict=True)}
    # New members and new accounts: their change-log rows in one go (each device of the account sees it).
    record_changes(session, "member", [
        (r.member_id or 0, [account_of[id(r)]] if id(r) in account_of else [])
        for r in valid if r.member is None or id(r) in account_of
    ])
    session.flush()


def _row_result(row: Row) -> ImportRowResult:
    changes = sorted(row.changes) + (["org_id"] if row.transfer else [])
    changes += ["username"] if row.username else []
    return ImportRowResult(
        row=row.number, status=row.status, card_number=row.fields.get("card_number"),
        full_name=row.fields.get("full_name") or (_text(row.values.get("full_name")) or None),
        member_id=row.member.id if row.member else row.member_id, errors=row.errors,
        changes=changes if row.member is not None and not row.errors else [],
        org_id=row.org.id if row.org else None,
    )


@dataclass
class Outcome:
    """What an import did; turned into the report after the commit (20,000 row results took a second to
    build, and under the write lock every check-in waited for it)."""

    parsed: Parsed
    rows: list[Row]
    counts: dict[str, int]
    applied: bool
    dry_run: bool


def import_parsed(session: Session, principal: Principal, parsed: Parsed, filename: str | None, *,
                  default_org_id: int | None, import_valid_rows: bool, dry_run: bool) -> Outcome:
    """Plan the rows against the database and, unless refused or a dry run, write them (no commit)."""
    rows = plan(session, principal, parsed, default_org_id)
    statuses = ("created", "updated", "unchanged", "rejected")
    counts = {s: sum(1 for r in rows if r.status == s) for s in statuses}
    applied = bool(rows) and not dry_run and (counts["rejected"] == 0 or import_valid_rows)
    if applied:
        _apply(session, principal, rows)  # statuses stay as planned: new rows get member_id, not member
        touched = {r.org.id or 0 for r in rows if r.org is not None and not r.errors}
        audit.record(session, "member.import", actor=principal, target_type="import",
                     target_id=filename, org_id=_common_ancestor(session, touched),
                     detail={"file": filename, "type": parsed.kind, "rows": len(rows), **counts,
                             "import_valid_rows": import_valid_rows})
    return Outcome(parsed, rows, counts, applied, dry_run)


def report(outcome: Outcome) -> ImportReport:
    return ImportReport(applied=outcome.applied, dry_run=outcome.dry_run, file_type=outcome.parsed.kind,
                        ignored_columns=outcome.parsed.columns.ignored,
                        rows=[_row_result(r) for r in outcome.rows], **outcome.counts)
