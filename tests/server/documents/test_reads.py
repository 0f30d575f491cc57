"""Read receipts (idempotent, late from offline devices), study marks, bookmarks and read statistics."""

from datetime import UTC, datetime, timedelta

from tests import factories
from tests.server.documents.factories import API, create_doc, visible_titles


def test_read_is_idempotent_and_accepts_late_timestamps(client, world, login):
    doc = create_doc(client, login(world.staff), "Đọc một lần", [world.cell.id])
    member = login(world.member)
    first = client.post(f"{API}/{doc['id']}/read", headers=member)
    assert first.status_code == 201
    again = client.post(f"{API}/{doc['id']}/read", headers=member)
    assert again.status_code == 200 and again.json()["read_at"] == first.json()["read_at"]
    # An offline phone reports an earlier opening: the first opening counts.
    earlier = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    late = client.post(f"{API}/{doc['id']}/read", json={"read_at": earlier}, headers=member)
    assert late.status_code == 200
    assert datetime.fromisoformat(late.json()["read_at"]) < datetime.fromisoformat(first.json()["read_at"])
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    resp = client.post(f"{API}/{doc['id']}/read", json={"read_at": future}, headers=member)
    assert resp.status_code == 422 and resp.json()["code"] == "read_at_in_future"
    resp = client.post(f"{API}/{doc['id']}/read", json={"read_at": "2024-01-01T10:00:00"}, headers=member)
    assert resp.status_code == 422  # naive time: refused
    assert client.get(f"{API}/{doc['id']}", headers=member).json()["read_at"] is not None


def test_read_out_of_scope_is_404(client, world, login):
    doc = create_doc(client, login(world.staff), "Chỉ chi bộ A1-1", [world.cell.id])
    for person in (world.sibling_member, world.other_member):
        assert client.post(f"{API}/{doc['id']}/read", headers=login(person)).status_code == 404
        assert client.put(f"{API}/{doc['id']}/bookmark", headers=login(person)).status_code == 404


def test_bookmarks(client, world, login):
    staff = login(world.staff)
    a = create_doc(client, staff, "Đọc sau", [world.cell.id])
    create_doc(client, staff, "Không đánh dấu", [world.cell.id])
    member = login(world.member)
    assert client.put(f"{API}/{a['id']}/bookmark", headers=member).status_code == 204
    assert client.put(f"{API}/{a['id']}/bookmark", headers=member).status_code == 204
    assert visible_titles(client, member, bookmarked="true") == ["Đọc sau"]
    assert visible_titles(client, login(world.member2), bookmarked="true") == []
    assert client.delete(f"{API}/{a['id']}/bookmark", headers=member).status_code == 204
    assert visible_titles(client, member, bookmarked="true") == []


def test_studied_marks_for_study_materials(client, world, login):
    staff = login(world.staff)
    study = create_doc(
        client,
        staff,
        "Chuyên đề học tập 2024",
        [world.district.id],
        category="study",
        doc_type="guidance",
        topic="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    )
    plain = create_doc(client, staff, "Thông báo", [world.district.id], doc_type="notice")
    member = login(world.member)
    resp = client.post(f"{API}/{study['id']}/studied", headers=member)
    assert resp.status_code == 200 and resp.json()["studied_at"] and resp.json()["read_at"]
    assert client.post(f"{API}/{plain['id']}/studied", headers=member).status_code == 422
    assert client.get(f"{API}/topics", headers=member).json() == [
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
    ]
    assert client.get(f"{API}/topics", headers=login(world.other_member)).json() == []
    resp = client.delete(f"{API}/{study['id']}/studied", headers=member)
    assert resp.status_code == 200 and resp.json()["studied_at"] is None


def test_read_stats_by_cell_within_scope(client, world, login, db):
    staff = login(world.province_staff)
    doc = create_doc(client, staff, "Toàn tỉnh đọc", [world.province.id])
    for person in (world.member, world.secretary, world.other_member):
        client.post(f"{API}/{doc['id']}/read", headers=login(person))
    # Province staff: every cell of the province.
    stats = client.get(f"{API}/{doc['id']}/read-stats", headers=staff).json()
    by_cell = {c["org_id"]: (c["members"], c["read"]) for c in stats["by_cell"]}
    assert by_cell[world.cell.id] == (3, 2)
    assert by_cell[world.sibling_cell.id] == (3, 0)  # district staff, province staff, sibling member
    assert by_cell[world.other_cell.id] == (3, 1)
    assert (stats["members"], stats["read"]) == (9, 3)
    # District staff: only their district.
    district = client.get(f"{API}/{doc['id']}/read-stats", headers=login(world.staff)).json()
    assert {c["org_id"] for c in district["by_cell"]} == {world.cell.id, world.sibling_cell.id}
    # Secretary: their cell only; who has not read yet.
    sec = login(world.secretary)
    assert [
        c["org_id"] for c in client.get(f"{API}/{doc['id']}/read-stats", headers=sec).json()["by_cell"]
    ] == [world.cell.id]
    unread = client.get(f"{API}/{doc['id']}/readers", params={"read": "false"}, headers=sec).json()
    assert [r["full_name"] for r in unread["items"]] == ["Lê Văn Hai"]
    read = client.get(f"{API}/{doc['id']}/readers", params={"read": "true"}, headers=sec).json()
    assert sorted(r["full_name"] for r in read["items"]) == ["Nguyễn Văn Bí", "Trần Thị Đảng"]
    # Narrowing to an organisation outside one's scope is refused; members get no statistics.
    resp = client.get(
        f"{API}/{doc['id']}/read-stats", params={"org_id": world.other_cell.id}, headers=login(world.staff)
    )
    assert resp.status_code == 404
    assert client.get(f"{API}/{doc['id']}/read-stats", headers=login(world.member)).status_code == 403
    assert client.get(f"{API}/{doc['id']}/readers", headers=login(world.other_member)).status_code == 403


def test_read_stats_out_of_scope_document_is_404(client, world, login, db):
    doc = create_doc(client, login(world.staff), "Huyện A", [world.district.id])
    for person in (world.other_staff, world.other_secretary):
        assert client.get(f"{API}/{doc['id']}/read-stats", headers=login(person)).status_code == 404
        assert client.get(f"{API}/{doc['id']}/readers", headers=login(person)).status_code == 404
    # A member who moves to another cell is counted where they are now.
    newcomer = factories.make_member(db, world.cell, username="moi.den")
    db.commit()
    stats = client.get(f"{API}/{doc['id']}/read-stats", headers=login(world.staff)).json()
    assert {c["org_id"]: c["members"] for c in stats["by_cell"]}[world.cell.id] == 4
    assert newcomer.member is not None
