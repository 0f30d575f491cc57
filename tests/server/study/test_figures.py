"""A check's figures by cell up the tree in one request and a fixed number of queries, and the export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from shared.enums import OrgKind, Role
from tests.factories import make_member, make_org
from tests.server.study.factories import make_attempt, make_check, make_essay, make_study_doc

BASE = "/api/v1/study/checks"


@pytest.fixture
def arranged(db, world):
    doc = make_study_doc(db, [world.province])
    check = make_check(db, doc, [world.district])
    make_attempt(db, check, world.member, score=5)
    make_attempt(db, check, world.member2, score=3)
    make_attempt(db, check, world.sibling_member, score=4)
    make_essay(db, doc, world.member, received=True)
    make_essay(db, doc, world.member2)  # handed in, not yet received
    db.commit()
    return check


def _cells(body):
    return {c["name"]: c for c in body["cells"]}


def test_figures_by_cell_under_the_district(client, world, login, arranged):
    resp = client.get(
        f"{BASE}/{arranged.id}/figures", params={"org_id": world.district.id}, headers=login(world.staff)
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    cells = _cells(body)
    assert set(cells) == {"Chi bộ thôn A1-1", "Chi bộ thôn A1-2"}  # other district: not in the audience
    a = cells["Chi bộ thôn A1-1"]
    assert (a["members"], a["taken"], a["average_score"], a["essays_received"]) == (3, 2, 8.0, 1)
    b = cells["Chi bộ thôn A1-2"]
    assert (b["taken"], b["average_score"], b["essays_received"]) == (1, 8.0, 0)
    assert body["totals"]["taken"] == 3 and body["totals"]["average_score"] == 8.0
    assert body["totals"]["members"] == a["members"] + b["members"]


def test_who_reads_the_figures(client, world, login, db, arranged):
    lower = make_member(db, world.cell, username="canbo.xa.d", roles=[(Role.staff, world.grassroots)])
    db.commit()
    url = f"{BASE}/{arranged.id}/figures"
    cases = [  # (caller, org, status)
        (world.staff, world.district, 200),
        (world.province_staff, world.province, 200),
        (world.admin, world.province, 200),
        (world.secretary, world.cell, 200),
        (lower, world.grassroots, 200),
        (world.secretary, world.sibling_cell, 404),
        (world.member, world.cell, 404),
        (lower, world.district, 404),
        (world.other_staff, world.other_district, 404),
        (world.other_member, world.other_cell, 404),
    ]
    for person, org, status in cases:
        resp = client.get(url, params={"org_id": org.id}, headers=login(person))
        assert resp.status_code == status, (person.username, org.name, resp.text)
    assert (
        client.get(
            f"{BASE}/{arranged.id}/figures/export",
            params={"org_id": world.cell.id},
            headers=login(world.member),
        ).status_code
        == 404
    )


def test_the_number_of_queries_does_not_grow_with_the_cells(client, world, login, app, db, arranged):
    headers = login(world.province_staff)

    def count() -> int:
        seen = []

        def before(*_args) -> None:
            seen.append(1)

        event.listen(app.state.db.engine, "before_cursor_execute", before)
        try:
            resp = client.get(
                f"{BASE}/{arranged.id}/figures", params={"org_id": world.province.id}, headers=headers
            )
            assert resp.status_code == 200
        finally:
            event.remove(app.state.db.engine, "before_cursor_execute", before)
        return len(seen)

    few = count()
    for n in range(12):
        cell = make_org(db, f"Chi bộ thêm {n}", OrgKind.cell, world.grassroots)
        make_member(db, cell)
    db.commit()
    assert count() == few


def test_export_xlsx_with_vietnamese_headers(client, world, login, arranged):
    resp = client.get(
        f"{BASE}/{arranged.id}/figures/export",
        params={"org_id": world.district.id},
        headers=login(world.staff),
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(resp.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "STT")
    assert header[:4] == ["STT", "Chi bộ", "Số đảng viên", "Đã làm bài"] and "Bài thu hoạch đã nhận" in header
    assert any(r[1] == "Cộng: Đảng bộ huyện A" for r in rows)
    csv = client.get(
        f"{BASE}/{arranged.id}/figures/export",
        params={"org_id": world.district.id, "format": "csv"},
        headers=login(world.staff),
    )
    assert csv.status_code == 200 and "Điểm trung bình" in csv.content.decode("utf-8-sig")
