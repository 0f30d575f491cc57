"""Who sees a document: inside, outside, at the edge of its audience; audience changes; drafts; withdrawal."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from server.documents import service
from server.documents.models import Document
from server.records.changelog import Change, ChangeScope
from tests.server.documents.factories import API, create_doc, visible_titles


def test_member_sees_exactly_documents_reaching_their_cell(client, world, login):
    staff = login(world.province_staff)
    create_doc(client, staff, "Gửi toàn tỉnh", [world.province.id])
    create_doc(client, staff, "Gửi huyện A", [world.district.id])
    create_doc(client, staff, "Gửi chi bộ A1-1", [world.cell.id])
    create_doc(client, staff, "Gửi chi bộ A1-2", [world.sibling_cell.id])
    create_doc(client, staff, "Gửi huyện B", [world.other_district.id])

    assert sorted(visible_titles(client, login(world.member))) == [
        "Gửi chi bộ A1-1",
        "Gửi huyện A",
        "Gửi toàn tỉnh",
    ]
    # Sibling cell: same grassroots, but the cell document is not theirs (edge of the subtree).
    assert sorted(visible_titles(client, login(world.sibling_member))) == [
        "Gửi chi bộ A1-2",
        "Gửi huyện A",
        "Gửi toàn tỉnh",
    ]
    assert sorted(visible_titles(client, login(world.other_member))) == ["Gửi huyện B", "Gửi toàn tỉnh"]


def test_out_of_scope_get_is_404_for_other_cell_and_other_subtree(client, world, login):
    doc = create_doc(client, login(world.staff), "Kế hoạch của chi bộ A1-1", [world.cell.id], doc_type="plan")
    assert client.get(f"{API}/{doc['id']}", headers=login(world.member)).status_code == 200
    for person in (world.sibling_member, world.other_member, world.other_staff, world.other_secretary):
        resp = client.get(f"{API}/{doc['id']}", headers=login(person))
        assert resp.status_code == 404, person.username
        assert resp.json()["code"] == "document_not_found"


def test_multiple_audience_orgs(client, world, login):
    create_doc(client, login(world.province_staff), "Hai nơi nhận", [world.cell.id, world.other_cell.id])
    assert visible_titles(client, login(world.member)) == ["Hai nơi nhận"]
    assert visible_titles(client, login(world.other_member)) == ["Hai nơi nhận"]
    assert visible_titles(client, login(world.sibling_member)) == []


def test_audience_change_takes_document_away_and_logs_both_scopes(client, world, login, db):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Đổi nơi nhận", [world.cell.id])
    member, sibling = login(world.member), login(world.sibling_member)
    assert visible_titles(client, member) == ["Đổi nơi nhận"]
    resp = client.patch(
        f"{API}/{doc['id']}", json={"audience_org_ids": [world.sibling_cell.id]}, headers=staff
    )
    assert resp.status_code == 200, resp.text
    assert visible_titles(client, member) == []
    assert client.get(f"{API}/{doc['id']}", headers=member).status_code == 404
    assert visible_titles(client, sibling) == ["Đổi nơi nhận"]
    last = (
        db.execute(
            select(Change)
            .where(Change.entity_type == "document", Change.entity_id == doc["id"])
            .order_by(Change.version.desc())
        )
        .scalars()
        .first()
    )
    scopes = set(db.execute(select(ChangeScope.org_id).where(ChangeScope.version == last.version)).scalars())
    assert scopes == {world.cell.id, world.sibling_cell.id}


def test_staff_cannot_publish_outside_their_subtree(client, world, login):
    staff = login(world.staff)
    resp = client.post(
        API,
        json={
            "title": "Vượt phạm vi",
            "doc_type": "notice",
            "category": "documents",
            "audience_org_ids": [world.other_cell.id],
        },
        headers=staff,
    )
    assert resp.status_code == 403
    resp = client.post(
        API,
        json={
            "title": "Toàn tỉnh",
            "doc_type": "notice",
            "category": "documents",
            "audience_org_ids": [world.province.id],
        },
        headers=staff,
    )
    assert resp.status_code == 403
    # A plain member publishes nothing.
    resp = client.post(
        API,
        json={
            "title": "Của tôi",
            "doc_type": "notice",
            "category": "meeting",
            "audience_org_ids": [world.cell.id],
        },
        headers=login(world.member),
    )
    assert resp.status_code == 403
    # Another subtree's staff cannot edit the district's document: they cannot even see it.
    doc = create_doc(client, staff, "Của huyện A", [world.district.id])
    resp = client.patch(f"{API}/{doc['id']}", json={"title": "Sửa trộm"}, headers=login(world.other_staff))
    assert resp.status_code == 404
    # The province staff sees it and may edit it (the district is inside the province).
    resp = client.patch(
        f"{API}/{doc['id']}", json={"title": "Sửa bởi tỉnh"}, headers=login(world.province_staff)
    )
    assert resp.status_code == 200
    # A member who sees it may not edit it.
    resp = client.patch(f"{API}/{doc['id']}", json={"title": "Sửa"}, headers=login(world.member))
    assert resp.status_code == 403


def test_secretary_publishes_meeting_documents_to_own_cell_only(client, world, login):
    sec = login(world.secretary)
    doc = create_doc(
        client, sec, "Tài liệu sinh hoạt tháng 12", [world.cell.id], category="meeting", doc_type="plan"
    )
    assert doc["can_manage"] is True
    assert visible_titles(client, login(world.member2)) == ["Tài liệu sinh hoạt tháng 12"]
    for audience, category in (
        ([world.sibling_cell.id], "meeting"),
        ([world.cell.id], "documents"),
        ([world.grassroots.id], "meeting"),
    ):
        resp = client.post(
            API,
            json={
                "title": "Không được",
                "doc_type": "plan",
                "category": category,
                "audience_org_ids": audience,
            },
            headers=sec,
        )
        assert resp.status_code == 403, (audience, category)
    resp = client.post(
        API,
        json={
            "title": "Không được",
            "doc_type": "plan",
            "category": "meeting",
            "audience_org_ids": [world.cell.id],
        },
        headers=login(world.other_secretary),
    )
    assert resp.status_code == 403


def test_withdrawn_is_gone_for_members_and_logged_as_delete(client, world, login, db):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Sẽ thu hồi", [world.grassroots.id])
    member = login(world.member)
    assert client.get(f"{API}/{doc['id']}", headers=member).status_code == 200
    resp = client.post(f"{API}/{doc['id']}/withdraw", headers=staff)
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert client.get(f"{API}/{doc['id']}", headers=member).status_code == 404
    assert visible_titles(client, member) == []
    assert client.get(f"{API}/{doc['id']}", headers=staff).json()["status"] == "withdrawn"
    last = (
        db.execute(
            select(Change)
            .where(Change.entity_type == "document", Change.entity_id == doc["id"])
            .order_by(Change.version.desc())
        )
        .scalars()
        .first()
    )
    assert last.op == "delete"
    assert client.post(f"{API}/{doc['id']}/withdraw", headers=login(world.other_staff)).status_code == 404


def test_drafts_and_scheduled_only_for_publishers(client, world, login, app):
    staff = login(world.staff)
    create_doc(client, staff, "Dự thảo", [world.cell.id], status="draft")
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    sched = create_doc(client, staff, "Hẹn giờ", [world.cell.id], publish_at=later)
    assert sched["status"] == "scheduled"
    assert visible_titles(client, login(world.member)) == []
    assert visible_titles(client, login(world.secretary)) == []
    assert sorted(visible_titles(client, staff)) == ["Dự thảo", "Hẹn giờ"]
    assert visible_titles(client, login(world.other_staff)) == []
    # The scheduler publishes it when due; running it twice changes nothing more.
    with app.state.db.transaction() as session:
        assert service.publish_due(session, datetime.now(UTC)) == []
        assert service.publish_due(session, datetime.now(UTC) + timedelta(days=2)) == [sched["id"]]
    with app.state.db.transaction() as session:
        assert service.publish_due(session, datetime.now(UTC) + timedelta(days=3)) == []
    assert visible_titles(client, login(world.member)) == ["Hẹn giờ"]


def test_publishing_a_draft(client, world, login):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Dự thảo rồi phát hành", [world.cell.id], status="draft")
    member = login(world.member)
    assert client.get(f"{API}/{doc['id']}", headers=member).status_code == 404
    assert client.post(f"{API}/{doc['id']}/publish", headers=login(world.member)).status_code == 404
    resp = client.post(f"{API}/{doc['id']}/publish", headers=staff)
    assert resp.status_code == 200 and resp.json()["status"] == "published"
    assert client.get(f"{API}/{doc['id']}", headers=member).status_code == 200


def test_new_version_supersedes_old(client, world, login):
    staff = login(world.staff)
    old = create_doc(client, staff, "Quy chế làm việc 2023", [world.district.id], doc_type="statute")
    new = create_doc(
        client, staff, "Quy chế làm việc 2024", [world.district.id], doc_type="statute", replaces_id=old["id"]
    )
    assert new["version"] == 2 and new["replaces_id"] == old["id"]
    member = login(world.member)
    got = client.get(f"{API}/{old['id']}", headers=member).json()
    assert got["status"] == "superseded" and got["superseded_by_id"] == new["id"]
    versions = client.get(f"{API}/{new['id']}/versions", headers=member).json()
    assert [v["version"] for v in versions] == [1, 2]
    # Replacing it again is refused; replacing a document out of scope is 404.
    resp = client.post(
        API,
        json={
            "title": "Lần nữa",
            "doc_type": "statute",
            "category": "documents",
            "audience_org_ids": [world.district.id],
            "replaces_id": old["id"],
        },
        headers=staff,
    )
    assert resp.status_code == 409
    resp = client.post(
        API,
        json={
            "title": "Khác huyện",
            "doc_type": "statute",
            "category": "documents",
            "audience_org_ids": [world.other_district.id],
            "replaces_id": new["id"],
        },
        headers=login(world.other_staff),
    )
    assert resp.status_code == 404


def test_staff_see_documents_of_their_subtree(client, world, login):
    create_doc(client, login(world.secretary), "Sinh hoạt chi bộ A1-1", [world.cell.id], category="meeting")
    # District staff (own cell elsewhere) see the cell's document: it lies in their subtree.
    assert visible_titles(client, login(world.staff)) == ["Sinh hoạt chi bộ A1-1"]
    assert visible_titles(client, login(world.other_staff)) == []


def test_number_parsed_on_create(client, world, login):
    doc = create_doc(
        client,
        login(world.province_staff),
        "Về việc lấy phiếu tín nhiệm",
        [world.province.id],
        doc_type="regulation",
        number="Quy định số 96-QĐ/TW ngày 2-2-2023",
    )
    assert (doc["number"], doc["type_code"], doc["issuer"], doc["issued_on"]) == (
        "96-QĐ/TW",
        "QĐ",
        "TW",
        "2023-02-02",
    )
    member = login(world.member)
    assert visible_titles(client, member, year=2023) == ["Về việc lấy phiếu tín nhiệm"]
    assert visible_titles(client, member, year=2022) == []
    assert visible_titles(client, member, issuer="tw", doc_type="regulation") == [
        "Về việc lấy phiếu tín nhiệm"
    ]
    assert visible_titles(client, member, doc_type="resolution") == []


def test_invalid_audience_and_bodies(client, world, login):
    staff = login(world.province_staff)
    resp = client.post(
        API,
        json={
            "title": "Không nơi nhận",
            "doc_type": "notice",
            "category": "documents",
            "audience_org_ids": [],
        },
        headers=staff,
    )
    assert resp.status_code == 422
    resp = client.post(
        API,
        json={
            "title": "Tổ chức lạ",
            "doc_type": "notice",
            "category": "documents",
            "audience_org_ids": [999999],
        },
        headers=staff,
    )
    assert resp.status_code == 422
    resp = client.post(
        API,
        json={
            "title": "Loại lạ",
            "doc_type": "memo",
            "category": "documents",
            "audience_org_ids": [world.province.id],
        },
        headers=staff,
    )
    assert resp.status_code == 422
    assert client.get(API).status_code == 401


def test_delete_only_unpublished_drafts(client, world, login):
    staff = login(world.staff)
    draft = create_doc(client, staff, "Tạo nhầm", [world.cell.id], status="draft")
    published = create_doc(client, staff, "Đã phát hành", [world.cell.id])
    assert client.delete(f"{API}/{draft['id']}", headers=login(world.other_staff)).status_code == 404
    assert client.delete(f"{API}/{published['id']}", headers=staff).status_code == 409
    assert client.delete(f"{API}/{draft['id']}", headers=staff).status_code == 204
    assert client.get(f"{API}/{draft['id']}", headers=staff).status_code == 404
    assert visible_titles(client, staff, q="tao nham") == []


def _found(client, headers, q):
    resp = client.get(API, params={"q": q, "limit": 200}, headers=headers)
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["total"] == len(page["items"])
    return sorted(d["title"] for d in page["items"])


def test_staff_search_never_reaches_past_their_subtree(client, world, app, login):
    province, staff, other = login(world.province_staff), login(world.staff), login(world.other_staff)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    docs = {
        title: create_doc(client, province, title, audience, **extra)["id"]
        for title, audience, extra in [
            ("Nghị quyết gửi huyện A", [world.district.id], {}),
            ("Nghị quyết gửi chi bộ A1-1", [world.cell.id], {}),
            ("Nghị quyết gửi huyện B", [world.other_district.id], {}),
            # Not live and partly outside district A: only the province's staff manage it.
            ("Nghị quyết dự thảo hai huyện", [world.cell.id, world.other_cell.id], {"status": "draft"}),
            ("Nghị quyết dự thảo huyện A", [world.cell.id], {"status": "draft"}),
            ("Nghị quyết hẹn giờ huyện B", [world.other_cell.id], {"publish_at": later}),
            ("Nghị quyết thu hồi hai huyện", [world.district.id, world.other_district.id], {}),
        ]
    }
    withdrawn = docs["Nghị quyết thu hồi hai huyện"]
    assert client.post(f"{API}/{withdrawn}/withdraw", headers=province).status_code == 200

    district_a = ["Nghị quyết dự thảo huyện A", "Nghị quyết gửi chi bộ A1-1", "Nghị quyết gửi huyện A"]
    assert _found(client, staff, "nghi quyet") == district_a
    assert _found(client, other, "nghi quyet") == ["Nghị quyết gửi huyện B", "Nghị quyết hẹn giờ huyện B"]
    assert _found(client, province, "nghi quyet") == sorted(docs)
    assert _found(client, login(world.member), "nghi quyet") == district_a[1:]
    for title, doc_id in docs.items():
        if title not in district_a:
            assert client.get(f"{API}/{doc_id}", headers=staff).status_code == 404, title

    # A status the server never writes is shown to no publisher (it is neither live nor not live).
    with app.state.db.transaction() as session:
        session.execute(
            update(Document).where(Document.id == docs["Nghị quyết dự thảo huyện A"]).values(status="lost")
        )
    assert _found(client, staff, "nghi quyet") == district_a[1:]
