"""Member import from CSV and XLSX: per-row report, all-or-nothing, dry run, encodings, file checks."""

import json
import unicodedata
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from server.records.audit import AuditEntry
from server.records.changelog import Change
from server.records.members import Member, Membership, RoleAssignment, User
from shared.enums import OrgKind
from tests.factories import make_org
from tests.server.members.factories import HEADERS, csv_bytes, fresh, post_import, xlsx_bytes

NEW = [
    "1",
    "Phạm Thị Hồng Nhung",
    "12/03/1990",
    "012345678",
    "19/5/2015",
    "2016-05-19",
    "Chính thức",
    None,
    "Chuyên viên",
    "0912 345 678",
]


def row(cell_code: str, **changes):
    values = dict(zip(HEADERS, NEW, strict=True))
    values["Mã chi bộ"] = cell_code
    values.update({k.replace("_", " "): v for k, v in changes.items()})
    return [values[h] for h in HEADERS]


def same_as(person, cell_code: str, **changes):
    """A row repeating what the database holds for `person` (factories' dates)."""
    m = person.member
    base = {
        "Họ và tên": m.full_name,
        "Ngày sinh": "01/01/1980",
        "Số thẻ đảng viên": m.card_number,
        "Ngày vào Đảng": "19/05/2005",
        "Ngày chính thức": "19/05/2006",
        "Loại đảng viên": "Chính thức",
        "Mã chi bộ": cell_code,
        "Chức vụ": None,
        "Điện thoại": None,
        "STT": "2",
    }
    base.update(changes)
    return [base[h] for h in HEADERS]


def member_count(db) -> int:
    fresh(db)
    return db.execute(select(func.count()).select_from(Member)).scalar_one()


def audit_of(db, action: str) -> list[AuditEntry]:
    fresh(db)
    return list(db.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_good_csv_creates_updates_and_reports(client, db, world, login):
    code = world.cell.code
    content = csv_bytes(
        [
            row(code),
            same_as(world.member, code, **{"Chức vụ": "Tổ trưởng"}),
            same_as(world.member2, code),
        ]
    )
    before = member_count(db)
    resp = post_import(client, login(world.staff), content)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["applied"] is True and report["file_type"] == "csv"
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (1, 1, 1, 0)
    assert [r["status"] for r in report["rows"]] == ["created", "updated", "unchanged"]
    assert report["rows"][0]["row"] == 2  # the header is row 1, as in the spreadsheet
    assert report["rows"][1]["changes"] == ["position"]
    assert report["ignored_columns"] == ["STT"]
    assert member_count(db) == before + 1

    created = db.execute(select(Member).where(Member.card_number == "012345678")).scalar_one()
    assert created.full_name == "Phạm Thị Hồng Nhung"
    assert created.org_id == world.cell.id
    assert (created.birth_date, created.admitted_on, created.official_on) == (
        date(1990, 3, 12),
        date(2015, 5, 19),
        date(2016, 5, 19),
    )
    assert created.kind == "official" and created.phone == "0912 345 678"
    assert report["rows"][0]["member_id"] == created.id
    assert db.get(Member, world.member.member.id).position == "Tổ trưởng"

    [entry] = audit_of(db, "member.import")
    detail = json.loads(entry.detail)
    assert (detail["created"], detail["updated"], detail["unchanged"], detail["rejected"]) == (1, 1, 1, 0)
    assert entry.actor_user_id == world.staff.user.id
    assert entry.org_id == world.cell.id  # every touched member sits in that cell
    assert {e.target_id for e in audit_of(db, "member.created")} == {str(created.id)}
    assert {e.target_id for e in audit_of(db, "member.updated")} == {str(world.member.member.id)}
    changed = set(db.execute(select(Change.entity_id).where(Change.entity_type == "member")).scalars())
    assert changed == {created.id, world.member.member.id}

    # The same file again changes nothing.
    again = post_import(client, login(world.staff), content).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert member_count(db) == before + 1


@pytest.fixture
def bad_rows(world, db):
    grassroots_code = world.grassroots.code
    rows = [
        row(world.cell.code, **{"Họ và tên": "", "Số thẻ đảng viên": "100000001"}),  # 2: no name
        row(world.cell.code, **{"Số thẻ đảng viên": "12AB"}),  # 3: bad card
        row(world.cell.code, **{"Số thẻ đảng viên": "100000004"}),  # 4: duplicate of 5
        row(world.cell.code, **{"Số thẻ đảng viên": "100000004", "Họ và tên": "Người Khác"}),  # 5
        row("KHONG-CO", **{"Số thẻ đảng viên": "100000006"}),  # 6: unknown cell
        row(world.other_cell.code, **{"Số thẻ đảng viên": "100000007"}),  # 7: other subtree
        row(grassroots_code, **{"Số thẻ đảng viên": "100000008"}),  # 8: not a chi bộ
        row(world.cell.code, **{"Số thẻ đảng viên": "100000009", "Ngày sinh": "31/02/1990"}),  # 9: bad date
        row(world.cell.code, **{"Số thẻ đảng viên": "100000010", "Loại đảng viên": "Dự khuyết"}),  # 10
        same_as(world.other_member, world.cell.code),  # 11: member of another subtree
    ]
    return rows


EXPECTED_REASONS = {
    2: "Thiếu họ và tên",
    3: "Số thẻ đảng viên không hợp lệ",
    4: "trùng với dòng 5",
    5: "trùng với dòng 4",
    6: "Không tìm thấy chi bộ có mã 'KHONG-CO'",
    7: "trong phạm vi bạn quản lý",
    8: "không phải là chi bộ",
    9: "Ngày sinh không hợp lệ",
    10: "Loại đảng viên không hợp lệ",
    11: "ngoài phạm vi bạn quản lý",
}


def test_file_with_errors_imports_nothing(client, db, world, login, bad_rows):
    good = row(world.cell.code, **{"Số thẻ đảng viên": "100000012"})
    before = member_count(db)
    resp = post_import(client, login(world.staff), csv_bytes([*bad_rows, good]))
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["applied"] is False
    assert report["rejected"] == 10 and report["created"] == 1
    by_row = {r["row"]: r for r in report["rows"]}
    for number, reason in EXPECTED_REASONS.items():
        assert by_row[number]["status"] == "rejected", number
        assert any(reason in e for e in by_row[number]["errors"]), (number, by_row[number]["errors"])
    assert by_row[12]["status"] == "created" and by_row[12]["member_id"] is None
    assert member_count(db) == before
    assert audit_of(db, "member.import") == []
    # The out-of-scope cell is reported exactly like an unknown one: its existence does not leak.
    assert "Không tìm thấy chi bộ có mã" in by_row[7]["errors"][0]
    other = db.get(Member, world.other_member.member.id)
    assert other.org_id == world.other_cell.id


def test_import_valid_rows_keeps_the_good_ones(client, db, world, login, bad_rows):
    good = row(world.cell.code, **{"Số thẻ đảng viên": "100000012"})
    before = member_count(db)
    report = post_import(
        client, login(world.staff), csv_bytes([*bad_rows, good]), import_valid_rows=True
    ).json()
    assert report["applied"] is True
    assert (report["created"], report["rejected"]) == (1, 10)
    assert member_count(db) == before + 1
    created = db.execute(select(Member).where(Member.card_number == "100000012")).scalar_one()
    assert created.org_id == world.cell.id
    for card in ("100000004", "100000007", "100000009"):
        assert db.execute(select(Member).where(Member.card_number == card)).first() is None
    [entry] = audit_of(db, "member.import")
    assert json.loads(entry.detail)["rejected"] == 10


def test_dry_run_reports_without_writing(client, db, world, login):
    content = csv_bytes([row(world.cell.code), same_as(world.member, world.cell.code, **{"Chức vụ": "Mới"})])
    before = member_count(db)
    report = post_import(client, login(world.staff), content, dry_run=True).json()
    assert report["dry_run"] is True and report["applied"] is False
    assert [r["status"] for r in report["rows"]] == ["created", "updated"]
    assert member_count(db) == before
    assert db.get(Member, world.member.member.id).position is None
    assert audit_of(db, "member.import") == []


def test_nfd_headers_and_names_match_nfc_data(client, db, world, login):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    names = ["Họ tên", "Ngày sinh", "Số thẻ", "Ngày vào Đảng", "Ngày chính thức", "Loại đảng viên", "Chi bộ"]
    headers = [nfd(h).upper() if h == "Họ tên" else nfd(h) for h in names]
    m = world.member.member
    content = csv_bytes(
        [
            [
                nfd(m.full_name),
                "01/01/1980",
                m.card_number,
                "19/05/2005",
                "19/05/2006",
                nfd("Chính thức"),
                nfd(world.cell.name).lower(),
            ],
            [
                nfd("Đỗ Thị Ngọc Ánh"),
                "1/2/1995",
                "123456789",
                "3/2/2020",
                "",
                nfd("Dự bị"),
                nfd(world.cell.name),
            ],
        ],
        headers,
    )
    assert nfd("Đỗ") != "Đỗ"
    report = post_import(client, login(world.staff), content).json()
    assert [r["status"] for r in report["rows"]] == ["unchanged", "created"], report
    created = db.execute(select(Member).where(Member.card_number == "123456789")).scalar_one()
    assert created.full_name == "Đỗ Thị Ngọc Ánh"  # stored NFC
    assert unicodedata.is_normalized("NFC", created.full_name)
    assert created.kind == "probationary" and created.org_id == world.cell.id
    found = client.get("/api/v1/members", params={"q": "Đỗ Thị Ngọc"}, headers=login(world.staff)).json()
    assert [i["id"] for i in found["items"]] == [created.id]


def test_ambiguous_cell_name_asks_for_the_code(client, db, world, login):
    make_org(db, world.cell.name, OrgKind.cell, world.district)  # same name, other grassroots
    db.commit()
    content = csv_bytes([["Lý Văn Tư", "123456780", world.cell.name]], ["Họ và tên", "Số thẻ", "Chi bộ"])
    report = post_import(client, login(world.staff), content).json()
    assert report["rows"][0]["status"] == "rejected"
    assert "Mã chi bộ" in report["rows"][0]["errors"][0]


@pytest.mark.parametrize("delimiter,bom", [(",", True), (";", False), (";", True), ("\t", False)])
def test_bom_and_delimiters(client, db, world, login, delimiter, bom):
    content = csv_bytes([row(world.cell.code)], delimiter=delimiter, bom=bom)
    report = post_import(client, login(world.staff), content).json()
    assert report["created"] == 1, report
    created = db.execute(select(Member).where(Member.card_number == "012345678")).scalar_one()
    assert created.full_name == "Phạm Thị Hồng Nhung"


def test_utf16_csv_from_excel_unicode_text(client, db, world, login):
    content = b"\xff\xfe" + csv_bytes([row(world.cell.code)], delimiter="\t").decode().encode("utf-16-le")
    report = post_import(client, login(world.staff), content).json()
    assert report["created"] == 1, report


def test_legacy_encoding_is_a_clear_422(client, db, world, login):
    text = csv_bytes(
        [["Lê Văn Thành", "1234567", world.cell.code]], ["Ho va ten", "So the", "Ma chi bo"]
    ).decode()
    resp = post_import(client, login(world.staff), text.encode("cp1258"))
    assert resp.status_code == 422
    assert resp.json()["code"] == "bad_encoding"
    assert "UTF-8" in resp.json()["message"]
    # The same file in UTF-8 goes through: the ASCII headers are matched without tone marks.
    assert post_import(client, login(world.staff), text.encode()).json()["created"] == 1


def test_xlsx_with_real_dates_numbers_and_title_row(client, db, world, login):
    m = world.member2.member
    content = xlsx_bytes(
        [
            [
                1,
                "Vũ Minh Châu",
                datetime(1988, 7, 4),
                87654321,
                date(2012, 9, 2),
                "02/09/2013",
                "Chính thức",
                world.sibling_cell.code,
                "Bí thư Đoàn",
                912345678,
            ],
            [
                2,
                m.full_name,
                date(1980, 1, 1),
                int(m.card_number),
                datetime(2005, 5, 19),
                date(2006, 5, 19),
                "chính thức",
                world.cell.code,
                None,
                None,
            ],
            [3, "Hà Thị Sen", 33604, "55555555", 40000, None, "Miễn sinh hoạt", world.cell.code, None, None],
        ],
        title="DANH SÁCH ĐẢNG VIÊN",
        number_formats={2: "dd/mm/yyyy", 4: "dd/mm/yyyy"},
    )
    resp = post_import(client, login(world.staff), content, filename="danh-sach.xlsx")
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["file_type"] == "xlsx"
    assert [r["status"] for r in report["rows"]] == ["created", "unchanged", "created"], report
    assert [r["row"] for r in report["rows"]] == [4, 5, 6]
    vu = db.execute(select(Member).where(Member.card_number == "87654321")).scalar_one()
    assert (vu.birth_date, vu.admitted_on, vu.official_on) == (
        date(1988, 7, 4),
        date(2012, 9, 2),
        date(2013, 9, 2),
    )
    assert vu.phone == "0912345678" and vu.org_id == world.sibling_cell.id
    sen = db.execute(select(Member).where(Member.card_number == "55555555")).scalar_one()
    assert sen.birth_date == date(1992, 1, 1) and sen.admitted_on == date(2009, 7, 6)  # Excel serials
    assert sen.kind == "exempt"


def test_xlsx_named_csv_and_png_named_csv(client, db, world, login):
    content = xlsx_bytes([row(world.cell.code)])
    assert post_import(client, login(world.staff), content, filename="ds.csv").json()["created"] == 1
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    resp = post_import(client, login(world.staff), png, filename="ds.csv")
    assert resp.status_code == 422
    assert resp.json()["code"] == "unsupported_file_type"
    assert "PNG" in resp.json()["message"]
    broken = b"PK\x03\x04" + b"rubbish" * 20
    assert post_import(client, login(world.staff), broken, filename="ds.xlsx").json()["code"] == "bad_xlsx"


def test_too_large_and_too_many_rows(app, client, db, world, login):
    app.state.settings.import_max_bytes = 1024
    big = csv_bytes([row(world.cell.code, **{"Số thẻ đảng viên": f"{100000 + i}"}) for i in range(40)])
    assert len(big) > 1024
    resp = post_import(client, login(world.staff), big)
    assert resp.status_code == 413
    assert resp.json()["code"] == "file_too_large"
    app.state.settings.import_max_bytes = 1024 * 1024
    app.state.settings.import_max_rows = 5
    resp = post_import(client, login(world.staff), big)
    assert resp.status_code == 422 and resp.json()["code"] == "too_many_rows"
    assert db.execute(select(Member).where(Member.card_number == "100000")).first() is None


def test_missing_columns_and_empty_file(client, world, login):
    headers = login(world.staff)
    resp = post_import(client, headers, csv_bytes([["x", "y"]], ["Tên", "Tuổi"]))
    assert resp.status_code == 422 and resp.json()["code"] == "missing_columns"
    resp = post_import(client, headers, csv_bytes([["Lê Lợi", "123456"]], ["Họ và tên", "Số thẻ"]))
    assert resp.status_code == 422 and resp.json()["code"] == "missing_columns"  # no cell, no default
    assert post_import(client, headers, b"  \n").json()["code"] == "empty_file"


def test_default_cell_for_files_without_cell_column(client, db, world, login):
    content = csv_bytes([["Lê Lợi", "1234567"]], ["Họ và tên", "Số thẻ"])
    report = post_import(client, login(world.staff), content, default_org_id=world.sibling_cell.id).json()
    assert report["created"] == 1
    assert (
        db.execute(select(Member).where(Member.card_number == "1234567")).scalar_one().org_id
        == world.sibling_cell.id
    )
    resp = post_import(client, login(world.staff), content, default_org_id=world.other_cell.id)
    assert resp.status_code == 403


def test_import_transfers_and_keeps_history(client, db, world, login):
    sec = world.secretary
    content = csv_bytes([same_as(sec, world.sibling_cell.code)])
    report = post_import(client, login(world.staff), content).json()
    assert report["rows"][0]["status"] == "updated" and report["rows"][0]["changes"] == ["org_id"]
    fresh(db)
    assert db.get(Member, sec.member.id).org_id == world.sibling_cell.id
    history = list(
        db.execute(
            select(Membership).where(Membership.member_id == sec.member.id).order_by(Membership.id)
        ).scalars()
    )
    assert [(h.org_id, h.ended_on is None) for h in history] == [
        (world.cell.id, False),
        (world.sibling_cell.id, True),
    ]
    roles = db.execute(select(RoleAssignment).where(RoleAssignment.user_id == sec.user.id)).scalars().all()
    assert roles == []  # the secretary office stays with the old cell
    assert {e.org_id for e in audit_of(db, "member.transferred")} == {world.cell.id, world.sibling_cell.id}


def test_import_creates_accounts_without_usable_password(client, db, world, login):
    headers = [*HEADERS, "Tên đăng nhập"]
    content = csv_bytes(
        [
            row(world.cell.code) + ["nhung.pt"],
            row(world.cell.code, **{"Số thẻ đảng viên": "22222222"}) + ["dangvien.b"],
        ],
        headers,
    )
    report = post_import(client, login(world.staff), content, import_valid_rows=True).json()
    assert report["rows"][0]["status"] == "created"
    assert report["rows"][1]["errors"] == ["Tên đăng nhập 'dangvien.b' đã được dùng."]
    user = db.execute(select(User).where(User.username == "nhung.pt")).scalar_one()
    for password in ("", "!", user.password_hash):
        resp = client.post("/api/v1/auth/login", json={"username": "nhung.pt", "password": password or "x"})
        assert resp.status_code == 401
    member_id = report["rows"][0]["member_id"]
    resp = client.post(
        f"/api/v1/members/{member_id}/password",
        headers=login(world.staff),
        json={"new_password": "mat-khau-moi-123"},
    )
    assert resp.status_code == 204
    resp = client.post("/api/v1/auth/login", json={"username": "nhung.pt", "password": "mat-khau-moi-123"})
    assert resp.status_code == 200


@pytest.mark.parametrize("who", ["member", "secretary", "other_member"])
def test_only_staff_may_import(client, db, world, login, who):
    resp = post_import(client, login(getattr(world, who)), csv_bytes([row(world.cell.code)]))
    assert resp.status_code == 403
    assert db.execute(select(Member).where(Member.card_number == "012345678")).first() is None


def test_staff_of_another_subtree_cannot_import_into_our_cells(client, db, world, login):
    content = csv_bytes(
        [row(world.cell.code), same_as(world.member, world.other_cell.code, **{"Chức vụ": "X"})]
    )
    report = post_import(client, login(world.other_staff), content, import_valid_rows=True).json()
    assert [r["status"] for r in report["rows"]] == ["rejected", "rejected"]
    # Neither our cell nor our member is described to them beyond "not found in your scope".
    assert "trong phạm vi bạn quản lý" in report["rows"][0]["errors"][0]
    assert report["rows"][1]["member_id"] is None
    assert all(r["org_id"] in (None, world.other_cell.id) for r in report["rows"])
    fresh(db)
    assert db.get(Member, world.member.member.id).position is None
    assert db.get(Member, world.member.member.id).org_id == world.cell.id


def test_csv_with_a_title_line_above_the_header(client, db, world, login):
    body = csv_bytes([row(world.cell.code)], delimiter=";").decode()
    content = ("DANH SÁCH ĐẢNG VIÊN CHI BỘ\n\n" + body).encode()
    report = post_import(client, login(world.staff), content).json()
    assert report["created"] == 1 and report["rows"][0]["row"] == 4, report


def test_header_aliases_with_marks_and_punctuation(client, db, world, login):
    headers = ["TT", "Họ và tên (*)", "SỐ THẺ ĐV", "Ngay vao dang", "Chi bộ sinh hoạt", "SĐT", "Chức danh"]
    content = csv_bytes(
        [["1", "Lò Văn Pằn", "7654321", "02/09/2001", world.cell.name, "0203 111 222", "Trưởng bản"]], headers
    )
    report = post_import(client, login(world.staff), content).json()
    assert report["created"] == 1 and report["ignored_columns"] == ["TT"], report
    created = db.execute(select(Member).where(Member.card_number == "7654321")).scalar_one()
    assert (created.full_name, created.admitted_on, created.phone, created.position, created.org_id) == (
        "Lò Văn Pằn",
        date(2001, 9, 2),
        "0203 111 222",
        "Trưởng bản",
        world.cell.id,
    )


def test_card_in_a_number_cell_that_lost_its_leading_zero(client, db, world, login):
    m = world.member2.member
    m.card_number = "012345670"
    db.commit()
    content = xlsx_bytes(
        [[1, m.full_name, None, 12345670, None, None, None, world.cell.code, "Thủ quỹ", None]]
    )
    report = post_import(client, login(world.staff), content, filename="ds.xlsx").json()
    assert report["rows"][0]["status"] == "updated", report
    assert report["rows"][0]["card_number"] == "012345670" and report["rows"][0]["changes"] == ["position"]
    fresh(db)
    assert db.get(Member, m.id).position == "Thủ quỹ"
    assert (
        db.execute(
            select(func.count()).select_from(Member).where(Member.card_number == "12345670")
        ).scalar_one()
        == 0
    )
