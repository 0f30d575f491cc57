"""Bài thu hoạch over the API: hand in once, the cell receives it, who reads it."""

from shared.enums import Role
from tests.factories import make_member
from tests.server.study.factories import ESSAY, make_essay, make_study_doc

BASE = "/api/v1/study/essays"


def test_hand_in_receive_and_read(client, world, login, db):
    doc = make_study_doc(db, [world.district])
    elsewhere = make_study_doc(db, [world.other_district], title="Văn bản huyện B")
    db.commit()
    member, secretary = login(world.member), login(world.secretary)
    handed = client.post(BASE, json={"document_id": doc.id, "text": ESSAY}, headers=member)
    assert handed.status_code == 201, handed.text
    eid = handed.json()["id"]
    assert handed.json()["org_id"] == world.cell.id and handed.json()["received_at"] is None
    again = client.post(BASE, json={"document_id": doc.id, "text": ESSAY}, headers=member)
    assert again.status_code == 409 and again.json()["code"] == "essay_exists"
    short = client.post(BASE, json={"document_id": doc.id, "text": "Quá ngắn"}, headers=member)
    assert short.status_code == 422
    out = client.post(BASE, json={"document_id": elsewhere.id, "text": ESSAY}, headers=member)
    assert out.status_code == 404 and out.json()["code"] == "document_not_found"
    staff_only = client.post(BASE, json={"document_id": doc.id, "text": ESSAY}, headers=login(world.admin))
    assert staff_only.status_code == 403 and staff_only.json()["code"] == "not_a_member"

    own = client.post(f"{BASE}/{eid}/receive", json={}, headers=member)
    assert own.status_code == 403 and own.json()["code"] == "not_cell_leader"
    got = client.post(
        f"{BASE}/{eid}/receive", json={"remark": "Bài viết tốt, có liên hệ bản thân."}, headers=secretary
    )
    assert got.status_code == 200, got.text
    assert got.json()["received_at"] and got.json()["received_by"] == world.secretary.user.id
    assert (
        client.get(f"{BASE}/{eid}", headers=member).json()["remark"] == "Bài viết tốt, có liên hệ bản thân."
    )
    assert [e["id"] for e in client.get(BASE, headers=secretary).json()["items"]] == [eid]


def test_who_reads_an_essay(client, world, login, db):
    doc = make_study_doc(db, [world.district])
    essay = make_essay(db, doc, world.member)
    lower = make_member(db, world.sibling_cell, username="canbo.xa.c", roles=[(Role.staff, world.grassroots)])
    db.commit()
    expected = {
        "member": 200,
        "secretary": 200,
        "admin": 200,
        "member2": 404,
        "sibling_member": 404,
        "other_member": 404,
        "other_secretary": 404,
        "staff": 404,
        "province_staff": 404,
    }
    for name, status in expected.items():
        resp = client.get(f"{BASE}/{essay.id}", headers=login(getattr(world, name)))
        assert resp.status_code == status, (name, resp.text)
    assert client.get(f"{BASE}/{essay.id}", headers=login(lower)).status_code == 404
    for name in ("member2", "other_secretary", "staff"):
        resp = client.post(f"{BASE}/{essay.id}/receive", json={}, headers=login(getattr(world, name)))
        assert resp.status_code == 404, name
    assert client.get(BASE, headers=login(world.other_secretary)).json()["total"] == 0
