"""Exports: Vietnamese headers, dd/mm/yyyy dates in Asia/Ho_Chi_Minh, CSV and XLSX."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from shared.timefmt import VN_TZ
from tests.server.meetings.factories import make_meeting, mark


def _meeting(db, world):
    # 23:30 on 31/12 in Hà Nội is still 2025 locally, 16:30 UTC
    m = make_meeting(
        db,
        world.cell,
        starts_at=datetime(2025, 12, 31, 23, 30, tzinfo=VN_TZ).astimezone(UTC),
        status="closed",
        title="Sinh hoạt chi bộ tháng 12",
    )
    mark(db, m, world.member, "present")
    mark(db, m, world.member2, "excused")
    mark(db, m, world.secretary, "late")
    db.commit()
    return m


def test_meeting_csv_and_xlsx(client, world, login, db):
    m = _meeting(db, world)
    sec = login(world.secretary)
    resp = client.get(f"/api/v1/meetings/{m.id}/attendance/export", params={"format": "csv"}, headers=sec)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert "31/12/2025" in rows[0][0] and "23:30" in rows[0][0]
    assert rows[1][:6] == ["STT", "Họ và tên", "Số thẻ đảng viên", "Loại đảng viên", "Phải dự", "Trạng thái"]
    by_name = {r[1]: r for r in rows[2:5]}
    assert by_name["Trần Thị Đảng"][5] == "Có mặt"
    assert by_name["Lê Văn Hai"][5] == "Vắng có lý do"
    assert by_name["Nguyễn Văn Bí"][5] == "Đến muộn"
    resp = client.get(f"/api/v1/meetings/{m.id}/attendance/export", params={"format": "xlsx"}, headers=sec)
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws["A2"].value == "STT" and ws["B2"].value == "Họ và tên"
    assert {ws.cell(row=r, column=6).value for r in range(3, 6)} == {"Có mặt", "Vắng có lý do", "Đến muộn"}
    assert (
        client.get(
            f"/api/v1/meetings/{m.id}/attendance/export", params={"format": "pdf"}, headers=sec
        ).status_code
        == 422
    )
    assert (
        client.get(f"/api/v1/meetings/{m.id}/attendance/export", headers=login(world.member)).status_code
        == 403
    )
    for person in (world.other_member, world.other_staff):
        assert (
            client.get(f"/api/v1/meetings/{m.id}/attendance/export", headers=login(person)).status_code == 404
        )


def test_year_export(client, world, login, db):
    _meeting(db, world)
    m2 = make_meeting(
        db, world.cell, starts_at=datetime(2025, 3, 4, 12, tzinfo=UTC), status="closed", kind="thematic"
    )
    mark(db, m2, world.member, "absent")
    db.commit()
    resp = client.get(
        f"/api/v1/stats/cells/{world.cell.id}/attendance/export",
        params={"year": 2025, "format": "xlsx"},
        headers=login(world.staff),
    )
    assert resp.status_code == 200, resp.text
    ws = load_workbook(io.BytesIO(resp.content)).active
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["STT", "Họ và tên", "Số thẻ đảng viên", "04/03/2025 (CĐ)", "31/12/2025 (TK)"]
    assert "Vắng không lý do" in headers
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[1] == "Trần Thị Đảng")
    assert row[3:5] == ("K", "x")
    resp = client.get(
        f"/api/v1/stats/cells/{world.cell.id}/attendance/export",
        params={"year": 2025, "format": "csv"},
        headers=login(world.secretary),
    )
    assert resp.status_code == 200 and "Họ và tên" in resp.content.decode("utf-8-sig")
    for person in (world.other_secretary, world.other_staff):
        assert (
            client.get(
                f"/api/v1/stats/cells/{world.cell.id}/attendance/export", headers=login(person)
            ).status_code
            == 404
        )
