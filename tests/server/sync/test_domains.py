"""Meetings and documents on devices: what each member's feed holds, offline actions through the batch."""

from datetime import timedelta

from server.timeutil import utcnow
from tests.server.documents.factories import create_doc, pdf_bytes
from tests.server.meetings.factories import code_at, make_meeting
from tests.server.sync.helpers import Device, fresh_view

PUSH = "/api/v1/sync/push"


def _meeting_body(**extra):
    starts = (utcnow() + timedelta(days=3)).isoformat()
    return {"title": "Sinh hoạt chi bộ tháng 12", "kind": "regular", "starts_at": starts,
            "location": "Hội trường thôn", "agenda": [{"title": "Quán triệt Nghị quyết"}], **extra}


def test_meetings_reach_own_cell_only_and_drafts_only_leaders(client, world, login):
    sec = login(world.secretary)
    member, outsider, leader = (Device(client, login(p)) for p in (world.member, world.other_member,
                                                                     world.secretary))
    for d in (member, outsider, leader):
        d.pull()
    draft = client.post("/api/v1/meetings", json=_meeting_body(status="draft"), headers=sec)
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    scheduled = client.post("/api/v1/meetings", json=_meeting_body(kind="thematic"), headers=sec).json()["id"]
    for d in (member, outsider, leader):
        d.pull()
    assert set(member.of_type("meeting")) == {scheduled}
    assert member.of_type("meeting")[scheduled]["agenda"][0]["title"] == "Quán triệt Nghị quyết"
    assert set(leader.of_type("meeting")) == {scheduled, draft_id}
    assert outsider.of_type("meeting") == {}
    # Cancel: an update members see; delete a draft: gone from the leader's device.
    client.post(f"/api/v1/meetings/{scheduled}/cancel", json={"reason": "Mưa bão"}, headers=sec)
    client.delete(f"/api/v1/meetings/{draft_id}", headers=sec)
    member.pull()
    leader.pull()
    assert member.of_type("meeting")[scheduled]["status"] == "cancelled"
    assert set(leader.of_type("meeting")) == {scheduled}
    assert member.store == fresh_view(client, member.headers)


def test_offline_check_in_through_batch_once(client, world, login, db):
    opened = utcnow() - timedelta(minutes=5)
    meeting = make_meeting(db, world.cell, starts_at=utcnow() + timedelta(minutes=5), opened_at=opened)
    db.commit()
    device = Device(client, login(world.member))
    leader = Device(client, login(world.secretary))
    device.pull()
    leader.pull()
    made = utcnow() - timedelta(minutes=1)
    action = {"client_id": "chk-0001-member", "type": "meeting.check_in",
              "payload": {"meeting_id": meeting.id, "code": code_at(meeting, made)},
              "made_at": made.isoformat()}
    first = client.post(PUSH, json={"actions": [action]}, headers=device.headers).json()["results"][0]
    assert first["status"] == "applied", first
    assert first["result"]["status"] == "present" and first["result"]["offline"] is True
    again = client.post(PUSH, json={"actions": [action]}, headers=device.headers).json()["results"][0]
    assert again["status"] == "already_applied"
    device.pull()
    leader.pull()
    [row] = device.of_type("attendance").values()
    assert row["member_id"] == world.member.member.id and row["status"] == "present"
    assert row in leader.of_type("attendance").values()
    assert "my_status" not in device.of_type("meeting")[meeting.id]
    wrong = dict(action, client_id="chk-0002-member", payload={"meeting_id": meeting.id, "code": "000000"})
    outsider = client.post(PUSH, json={"actions": [wrong]}, headers=login(world.other_member)).json()
    assert outsider["results"][0]["status"] == "refused"
    assert outsider["results"][0]["code"] == "meeting_not_found"


def test_absence_request_offline_and_decision_reaches_member(client, world, login, db):
    meeting = make_meeting(db, world.cell, starts_at=utcnow() + timedelta(days=2))
    db.commit()
    device = Device(client, login(world.member))
    device.pull()
    action = {"client_id": "abs-0001-member", "type": "meeting.absence_request",
              "payload": {"meeting_id": meeting.id, "reason": "Đi công tác huyện"}}
    result = client.post(PUSH, json={"actions": [action]}, headers=device.headers).json()["results"][0]
    assert result["status"] == "applied", result
    request_id = result["result"]["id"]
    resp = client.post(f"/api/v1/meetings/{meeting.id}/absence-requests/{request_id}/decision",
                       json={"approve": True}, headers=login(world.secretary))
    assert resp.status_code == 200, resp.text
    device.pull()
    assert device.of_type("absence_request")[request_id]["status"] == "approved"
    assert [a["status"] for a in device.of_type("attendance").values()] == ["excused"]
    kinds = [n["kind"] for n in device.of_type("notification").values()]
    assert "absence_answered" in kinds


def test_documents_audience_change_and_withdraw_remove_from_devices(client, world, login):
    staff = login(world.province_staff)
    inside, outside = Device(client, login(world.member)), Device(client, login(world.other_member))
    inside.pull()
    outside.pull()
    doc = create_doc(client, staff, "Nghị quyết 21-NQ/TW", [world.district.id], number="21-NQ/TW",
                     body="Toàn văn nghị quyết")
    up = client.post(f"/api/v1/documents/{doc['id']}/attachments", headers=staff,
                     files={"file": ("nq21.pdf", pdf_bytes(), "application/pdf")})
    assert up.status_code == 201, up.text
    inside.pull()
    outside.pull()
    assert inside.of_type("document")[doc["id"]]["body"] == "Toàn văn nghị quyết"
    [att] = inside.of_type("attachment").values()
    assert att["sha256"] == up.json()["sha256"] and att["url"].endswith(f"/attachments/{att['id']}")
    assert outside.of_type("document") == {} and outside.of_type("attachment") == {}
    assert any(n["kind"] == "document_published" for n in inside.of_type("notification").values())
    # Audience moves to the other district: it leaves one device and reaches the other.
    resp = client.patch(f"/api/v1/documents/{doc['id']}",
                        json={"audience_org_ids": [world.other_district.id]},
                        headers=staff)
    assert resp.status_code == 200, resp.text
    inside.pull()
    outside.pull()
    assert inside.of_type("document") == {} and inside.of_type("attachment") == {}
    assert set(outside.of_type("document")) == {doc["id"]}
    client.post(f"/api/v1/documents/{doc['id']}/withdraw", headers=staff)
    outside.pull()
    assert outside.of_type("document") == {} and outside.of_type("attachment") == {}
    for d in (inside, outside):
        assert d.store == fresh_view(client, d.headers)


def test_read_marks_and_bookmarks_offline(client, world, login):
    staff = login(world.province_staff)
    doc = create_doc(client, staff, "Quy định 96-QĐ/TW", [world.province.id])
    device = Device(client, login(world.member))
    device.pull()
    made = (utcnow() - timedelta(hours=1)).isoformat()
    batch = {"actions": [
        {"client_id": "rd-000001", "type": "document.read", "payload": {"document_id": doc["id"]},
         "made_at": made},
        {"client_id": "bm-000001", "type": "document.bookmark", "payload": {"document_id": doc["id"]}},
    ]}
    results = client.post(PUSH, json=batch, headers=device.headers).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    device.pull()
    [mark] = device.of_type("read_mark").values()
    assert mark["document_id"] == doc["id"]
    assert set(device.of_type("bookmark")) == {doc["id"]}
    off = {"actions": [{"client_id": "bm-000002", "type": "document.bookmark",
                        "payload": {"document_id": doc["id"], "on": False}}]}
    assert client.post(PUSH, json=off, headers=device.headers).json()["results"][0]["status"] == "applied"
    device.pull()
    assert device.of_type("bookmark") == {}
    hidden = create_doc(client, login(world.other_staff), "Kế hoạch huyện B", [world.other_district.id])
    refused = client.post(PUSH, headers=device.headers, json={"actions": [
        {"client_id": "rd-000002", "type": "document.read", "payload": {"document_id": hidden["id"]}}]})
    assert refused.json()["results"][0]["status"] == "refused"


def test_wrong_codes_in_batches_hit_the_check_in_rate_limit(client, world, login, db):
    meeting = make_meeting(db, world.cell, starts_at=utcnow() + timedelta(minutes=5),
                           opened_at=utcnow() - timedelta(minutes=5))
    db.commit()
    right = code_at(meeting)
    wrong = [f"{(int(right) + i) % 1_000_000:06d}" for i in range(1, 40)]
    batch = {"actions": [{"client_id": f"guess-{i:04d}", "type": "meeting.check_in",
                          "payload": {"meeting_id": meeting.id, "code": code}}
                         for i, code in enumerate(wrong)]}
    headers = login(world.member)
    codes = [r["code"] for r in client.post(PUSH, json=batch, headers=headers).json()["results"]]
    assert codes[0] == "checkin_code_invalid"
    assert codes[-1] == "checkin_rate_limited"
    # Even the right code is refused now: guessing through batches gains nothing.
    last = {"actions": [{"client_id": "guess-right", "type": "meeting.check_in",
                         "payload": {"meeting_id": meeting.id, "code": right}}]}
    result = client.post(PUSH, json=last, headers=headers).json()["results"][0]
    assert result["code"] == "checkin_rate_limited"


def test_comment_on_a_draft_offline(client, world, login):
    staff = login(world.province_staff)
    until = (utcnow() + timedelta(days=7)).isoformat()
    draft = create_doc(client, staff, "Dự thảo Báo cáo chính trị", [world.district.id], status="draft",
                       comments_until=until)
    device = Device(client, login(world.member))
    device.pull()
    assert device.of_type("document")[draft["id"]]["status"] == "draft"  # open for comments: on the device
    action = {"client_id": "cmt-000001", "type": "document.comment",
              "payload": {"document_id": draft["id"], "body": "Đề nghị bổ sung nội dung chuyển đổi số."}}
    first = client.post(PUSH, json={"actions": [action]}, headers=device.headers).json()["results"][0]
    again = client.post(PUSH, json={"actions": [action]}, headers=device.headers).json()["results"][0]
    assert (first["status"], again["status"]) == ("applied", "already_applied")
    comments = client.get(f"/api/v1/documents/{draft['id']}/comments", headers=staff).json()
    assert [c["body"] for c in comments] == ["Đề nghị bổ sung nội dung chuyển đổi số."]
    outsider = client.post(PUSH, headers=login(world.other_member), json={"actions": [
        dict(action, client_id="cmt-000002")]}).json()["results"][0]
    assert outsider["status"] == "refused"
