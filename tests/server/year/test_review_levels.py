"""The cap on "Hoàn thành xuất sắc" (a setting, warned about, never applied), the distribution by cell up the
tree, and the committee's export."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import event

from shared.enums import MemberKind, OrgKind
from tests.factories import make_member, make_org
from tests.server.year.factories import make_review

BASE = "/api/v1/year/reviews"


def _propose(client, headers, review_id, level):
    resp = client.put(f"{BASE}/{review_id}/proposal", json={"level": level}, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_cap_warns_and_never_changes_a_level(app, client, world, db, login, monkeypatch):
    people = [world.member, world.member2, *(make_member(db, world.cell) for _ in range(4))]
    reviews = [make_review(db, p, 2026).id for p in people]
    db.commit()
    sec, staff = login(world.secretary), login(world.staff)
    for rid in reviews[:4]:
        assert _propose(client, sec, rid, "good")["warnings"] == []
    over = _propose(client, sec, reviews[4], "excellent")  # 1 of 4 "tốt": 20% of 4 allows 0
    assert over["proposed_level"] == "excellent" and over["status"] == "proposed"
    [warning] = over["warnings"]
    assert warning["stage"] == "proposed" and warning["org_id"] == world.cell.id
    assert (warning["excellent"], warning["good"], warning["allowed"], warning["share"]) == (1, 4, 0, 0.2)
    assert "vượt quá 20%" in warning["message"] and "không bị tự động thay đổi" in warning["message"]
    assert _propose(client, sec, reviews[5], "good")["warnings"] == []  # 1 of 5: allowed

    confirmed = client.put(f"{BASE}/{reviews[4]}/confirmation", json={"level": "excellent"}, headers=staff)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_level"] == "excellent"
    [warning] = confirmed.json()["warnings"]  # the committee has confirmed no "tốt" yet
    assert warning["stage"] == "confirmed" and warning["org_id"] == world.district.id
    for rid in reviews[:4]:
        done = client.put(f"{BASE}/{rid}/confirmation", json={"level": "good"}, headers=staff).json()
    assert [w["allowed"] for w in done["warnings"]] == [0]  # 1 "xuất sắc" to 4 "tốt": over 20%
    # The province sets 25%: 1 to 4 is allowed.
    monkeypatch.setattr(app.state.settings, "review_top_share", 0.25)

    summary = client.get(f"/api/v1/year/orgs/{world.district.id}/reviews/summary",
                         params={"year": 2026}, headers=staff)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["top_share"] == 0.25
    cell = next(c for c in body["cells"] if c["cell_id"] == world.cell.id)
    assert cell["submitted"] == 6 and cell["members"] == 7
    assert cell["self_levels"] == {"excellent": 0, "good": 6, "done": 0, "failed": 0}
    assert cell["proposed"] == {"excellent": 1, "good": 5, "done": 0, "failed": 0}
    assert cell["confirmed"] == {"excellent": 1, "good": 4, "done": 0, "failed": 0}
    assert cell["warnings"] == []
    assert [c["name"] for c in body["cells"]] == ["Chi bộ thôn A1-1", "Chi bộ thôn A1-2"]
    assert body["totals"]["confirmed"]["excellent"] == 1 and body["totals"]["name"] == "Đảng bộ huyện A"
    monkeypatch.setattr(app.state.settings, "review_top_share", 0.2)
    strict = client.get(f"/api/v1/year/orgs/{world.district.id}/reviews/summary",
                        params={"year": 2026}, headers=staff).json()
    assert [w["stage"] for w in strict["totals"]["warnings"]] == ["confirmed"]


def test_the_committees_export(client, world, db, login):
    world.member.member.position = "Trưởng thôn"
    db.add(world.member.member)
    exempt = make_member(db, world.cell, full_name="Phạm Văn Cao", kind=MemberKind.exempt)
    make_review(db, world.member, 2026, "confirmed", self_level="excellent", proposed="good",
                confirmed="good")
    make_review(db, world.member2, 2026, "draft")
    db.commit()
    sec, staff = login(world.secretary), login(world.staff)
    client.put(f"{BASE}/exemption", headers=sec, json={"member_id": exempt.member.id, "year": 2026,
                                                        "reason": "Tuổi cao, sức yếu"})
    url = f"/api/v1/year/orgs/{world.district.id}/reviews/export"
    resp = client.get(url, params={"year": 2026}, headers=staff)
    assert resp.status_code == 200, resp.text
    assert "xep-loai-dang-vien-2026" in resp.headers["content-disposition"]
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Kiểm điểm, xếp loại đảng viên năm 2026 - Đảng bộ huyện A"
    assert list(rows[1]) == [
        "STT", "Họ và tên", "Số thẻ đảng viên", "Chi bộ", "Chức vụ", "Loại đảng viên", "Tình trạng",
        "Tự xếp loại", "Chi bộ đề xuất", "Cấp ủy quyết định", "Miễn/ghi chú"]
    by_name = {r[1]: r for r in rows[2:]}
    rated = by_name["Trần Thị Đảng"]
    assert rated[3] == "Chi bộ thôn A1-1" and rated[4] == "Trưởng thôn"
    good = "Hoàn thành tốt nhiệm vụ"
    assert rated[7:10] == ("Hoàn thành xuất sắc nhiệm vụ", good, good)
    assert by_name["Lê Văn Hai"][6] == "Chưa gửi bản kiểm điểm"  # a draft is private
    assert by_name["Phạm Văn Cao"][5] == "Miễn sinh hoạt"
    assert by_name["Phạm Văn Cao"][10] == "Miễn: Tuổi cao, sức yếu" and by_name["Phạm Văn Cao"][7] is None
    assert by_name["Phạm Văn Cao"][6] == "Miễn kiểm điểm, xếp loại"
    csv = client.get(url, params={"year": 2026, "format": "csv"}, headers=staff)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    cell_url = f"/api/v1/year/orgs/{world.cell.id}/reviews/export"
    assert client.get(cell_url, params={"year": 2026}, headers=sec).status_code == 200
    assert client.get(cell_url, params={"year": 2026}, headers=login(world.member)).status_code == 404


def test_the_summary_asks_the_same_few_queries_whatever_the_number_of_cells(app, client, world, db, login):
    staff = login(world.province_staff)
    url = f"/api/v1/year/orgs/{world.province.id}/reviews/summary"
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    def queries() -> int:
        seen.clear()
        event.listen(app.state.db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url, params={"year": 2026}, headers=staff).status_code == 200
        finally:
            event.remove(app.state.db.engine, "before_cursor_execute", count)
        return len(seen)

    make_review(db, world.member, 2026)
    db.commit()
    few = queries()
    for n in range(6):
        cell = make_org(db, f"Chi bộ thêm {n}", OrgKind.cell, world.grassroots)
        make_review(db, make_member(db, cell), 2026, self_level="done")
    db.commit()
    assert queries() == few
    assert few <= 12  # the caller and session, the access check, then cells, members, reviews
