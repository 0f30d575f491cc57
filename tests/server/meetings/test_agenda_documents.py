"""Documents on the agenda: only what the cell sees, the secretary's upload, unread per item, one reminder."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.notifications.models import Notification
from server.timeutil import utcnow
from shared.enums import Role
from tests.factories import make_member
from tests.server.documents.factories import create_doc, pdf_bytes
from tests.server.meetings.factories import make_meeting

API = "/api/v1/meetings"


def _body(agenda: list[dict]) -> dict:
    return {"title": "Sinh hoạt chi bộ", "kind": "thematic", "starts_at": "2030-12-04T19:30:00+07:00",
            "agenda": agenda}


@pytest.fixture
def docs(client, world, login):
    """A district paper the cell sees, one for another district, a draft, and one for the sibling cell."""
    staff = login(world.staff)
    other = login(world.other_staff)
    return {
        "seen": create_doc(client, staff, "Nghị quyết huyện", [world.district.id])["id"],
        "seen2": create_doc(client, staff, "Chỉ thị huyện", [world.grassroots.id])["id"],
        "elsewhere": create_doc(client, other, "Văn bản huyện B", [world.other_district.id])["id"],
        "draft": create_doc(client, staff, "Dự thảo", [world.cell.id], status="draft")["id"],
        "sibling": create_doc(client, staff, "Cho chi bộ bên", [world.sibling_cell.id])["id"],
    }


def test_agenda_documents_the_cell_sees_are_kept(client, world, login, docs):
    agenda = [{"title": "Quán triệt", "document_ids": [docs["seen"], docs["seen2"]]}]
    resp = client.post(API, json=_body(agenda), headers=login(world.secretary))
    assert resp.status_code == 201, resp.text
    assert resp.json()["agenda"][0]["document_ids"] == [docs["seen"], docs["seen2"]]


@pytest.mark.parametrize("which", ["elsewhere", "draft", "sibling", "missing"])
def test_agenda_document_the_cell_cannot_see_is_refused(client, world, login, docs, which):
    bad = docs.get(which, 999_999)
    agenda = [{"title": "Kiểm điểm", "document_ids": [docs["seen"]]},
              {"title": "Học tập nghị quyết", "document_ids": [docs["seen"], bad]}]
    h = login(world.secretary)
    resp = client.post(API, json=_body(agenda), headers=h)
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["code"] == "agenda_document_not_visible"
    assert "Mục 2" in body["message"] and "Học tập nghị quyết" in body["message"]
    assert body["position"] == 2 and body["document_ids"] == [bad]
    # the same on an edit, and nothing was stored
    meeting = client.post(API, json=_body([{"title": "Kiểm điểm"}]), headers=h).json()
    resp = client.patch(f"{API}/{meeting['id']}", json={"agenda": agenda}, headers=h)
    assert resp.status_code == 422 and resp.json()["code"] == "agenda_document_not_visible"
    assert client.get(f"{API}/{meeting['id']}", headers=h).json()["agenda"][0]["document_ids"] == []


def test_secretary_uploads_a_paper_for_the_cell_and_attaches_it(client, world, login):
    """The documents domain already lets a cell's leaders publish meeting papers to their own cell."""
    h = login(world.secretary)
    doc = create_doc(client, h, "Báo cáo tháng", [world.cell.id], category="meeting")
    att = client.post(f"/api/v1/documents/{doc['id']}/attachments", headers=h,
                      files={"file": ("bao-cao.pdf", pdf_bytes(), "application/pdf")})
    assert att.status_code == 201, att.text
    resp = client.post(API, json=_body([{"title": "Báo cáo", "document_ids": [doc["id"]]}]), headers=h)
    assert resp.status_code == 201, resp.text
    # members see it, with its file
    member = login(world.member)
    got = client.get(f"/api/v1/documents/{doc['id']}", headers=member)
    assert got.status_code == 200
    assert client.get(f"/api/v1/attachments/{att.json()['id']}", headers=member).status_code == 200
    # and their devices get both with the feed, to read them offline at the meeting
    feed = client.get("/api/v1/sync", params={"limit": 500}, headers=member).json()
    held = {(c["type"], c["id"]) for c in feed["changes"]}
    assert ("document", doc["id"]) in held and ("attachment", att.json()["id"]) in held
    # but not for another cell, nor an ordinary document
    assert client.post("/api/v1/documents", headers=h, json={
        "title": "Cho chi bộ bên", "doc_type": "report", "category": "meeting",
        "audience_org_ids": [world.sibling_cell.id]}).status_code == 403
    assert client.post("/api/v1/documents", headers=h, json={
        "title": "Văn bản", "doc_type": "report", "category": "documents",
        "audience_org_ids": [world.cell.id]}).status_code == 403


@pytest.fixture
def meeting(client, world, login, docs, db):
    h = login(world.secretary)
    agenda = [{"title": "Quán triệt nghị quyết", "document_ids": [docs["seen"], docs["seen2"]]},
              {"title": "Kiểm điểm", "document_ids": []},
              {"title": "Chỉ thị", "document_ids": [docs["seen2"]]}]
    created = client.post(API, json=_body(agenda), headers=h)
    assert created.status_code == 201, created.text
    return created.json()


def test_unread_per_item(client, world, login, docs, meeting):
    assert client.post(f"/api/v1/documents/{docs['seen']}/read",
                       headers=login(world.member)).status_code == 201
    assert client.post(f"/api/v1/documents/{docs['seen2']}/read",
                       headers=login(world.member2)).status_code == 201
    resp = client.get(f"{API}/{meeting['id']}/agenda/unread", headers=login(world.secretary))
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert [i["position"] for i in items] == [1, 2, 3]
    first = {m["full_name"]: m["document_ids"] for m in items[0]["unread"]}
    assert first == {"Lê Văn Hai": [docs["seen"]], "Nguyễn Văn Bí": [docs["seen"], docs["seen2"]],
                     "Trần Thị Đảng": [docs["seen2"]]}
    assert items[1]["unread"] == [] and items[1]["documents"] == []
    rates = {d["document_id"]: (d["read"], d["members"]) for d in items[0]["documents"]}
    assert rates == {docs["seen"]: (1, 3), docs["seen2"]: (1, 3)}
    assert {m["full_name"] for m in items[2]["unread"]} == {"Nguyễn Văn Bí", "Trần Thị Đảng"}
    assert all(i["reminded_at"] is None for i in items)
    # staff above read it as they read attendance; members do not
    assert client.get(f"{API}/{meeting['id']}/agenda/unread", headers=login(world.staff)).status_code == 200
    assert client.get(f"{API}/{meeting['id']}/agenda/unread", headers=login(world.member)).status_code == 403


def test_one_reminder_per_item(client, world, login, docs, meeting, db):
    client.post(f"/api/v1/documents/{docs['seen2']}/read", headers=login(world.member))
    h = login(world.secretary)
    resp = client.post(f"{API}/{meeting['id']}/agenda/3/remind", headers=h)
    assert resp.status_code == 200, resp.text
    assert resp.json()["notified"] == 2  # the secretary and member2; member has read it
    db.rollback()  # a fresh snapshot: the API wrote in its own transaction
    notes = db.execute(select(Notification).where(Notification.kind == "agenda_reminder")).scalars().all()
    assert sorted(n.user_id for n in notes) == sorted([world.secretary.user.id, world.member2.user.id])
    assert "Chỉ thị" in notes[0].title
    again = client.post(f"{API}/{meeting['id']}/agenda/3/remind", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "agenda_reminder_sent"
    assert "một lần" in again.json()["message"]
    items = client.get(f"{API}/{meeting['id']}/agenda/unread", headers=h).json()["items"]
    assert items[2]["reminded_at"] is not None and items[0]["reminded_at"] is None
    # editing the meeting keeps the item (same title, new place): still reminded once
    agenda = [{"title": "Chỉ thị", "document_ids": [docs["seen2"]]}, {"title": "Kiểm điểm"}]
    assert client.patch(f"{API}/{meeting['id']}", json={"agenda": agenda}, headers=h).status_code == 200
    again = client.post(f"{API}/{meeting['id']}/agenda/1/remind", headers=h)
    assert again.status_code == 409 and again.json()["code"] == "agenda_reminder_sent"
    # the member's inbox has it and it names the item
    inbox = client.get("/api/v1/notifications", headers=login(world.member2)).json()["items"]
    assert any(n["kind"] == "agenda_reminder" and n["ref_type"] == "agenda_item" for n in inbox)


def test_reminder_refusals(client, world, login, docs, meeting):
    h = login(world.secretary)
    resp = client.post(f"{API}/{meeting['id']}/agenda/2/remind", headers=h)
    assert resp.status_code == 422 and resp.json()["code"] == "agenda_item_no_documents"
    resp = client.post(f"{API}/{meeting['id']}/agenda/9/remind", headers=h)
    assert resp.status_code == 404 and resp.json()["code"] == "agenda_item_not_found"
    for person in (world.member, world.member2, world.secretary):
        client.post(f"/api/v1/documents/{docs['seen2']}/read", headers=login(person))
    resp = client.post(f"{API}/{meeting['id']}/agenda/3/remind", headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "agenda_all_read"
    assert resp.json()["message"]


@pytest.mark.parametrize(("status", "days", "code"), [
    ("closed", -2, "meeting_locked"),
    ("cancelled", 2, "meeting_locked"),
    ("draft", 2, "meeting_not_scheduled"),
])
def test_no_reminder_after_the_meeting_nor_for_a_draft(client, world, login, docs, db, status, days, code):
    from server.meetings.models import AgendaItem

    meeting = make_meeting(db, world.cell, status=status, starts_at=utcnow() + timedelta(days=days))
    db.add(AgendaItem(meeting_id=meeting.id, position=1, title="Cũ", document_ids=[docs["seen"]]))
    db.commit()
    resp = client.post(f"{API}/{meeting.id}/agenda/1/remind", headers=login(world.secretary))
    assert resp.status_code == 409 and resp.json()["code"] == code and resp.json()["message"]


@pytest.mark.parametrize(("who", "status"), [
    ("member", 403),  # of the cell: reads the meeting, does not run it
    ("other_secretary", 404),  # another cell in another district
    ("sibling_member", 404),  # another cell under the same commune
    ("other_staff", 404),  # staff of another subtree
    ("commune_staff", 403),  # the lowest committee above the cell
    ("staff", 403),  # the district committee above: reads, does not run the cell's meeting
    ("province_staff", 403),
    ("admin", 200),
])
def test_who_may_remind(client, world, login, docs, meeting, db, who, status):
    if who == "commune_staff":
        caller = make_member(db, world.sibling_cell, username="canbo.xa",
                             roles=[(Role.staff, world.grassroots)])
        db.commit()
    else:
        caller = getattr(world, who)
    resp = client.post(f"{API}/{meeting['id']}/agenda/1/remind", headers=login(caller))
    assert resp.status_code == status, resp.text
    if status != 200:
        assert resp.json()["code"] and resp.json()["message"]


@pytest.mark.parametrize(("who", "status"), [
    ("other_secretary", 404), ("sibling_member", 404), ("other_staff", 404), ("member2", 403),
])
def test_who_may_read_unread(client, world, login, meeting, who, status):
    resp = client.get(f"{API}/{meeting['id']}/agenda/unread", headers=login(getattr(world, who)))
    assert resp.status_code == status, resp.text
