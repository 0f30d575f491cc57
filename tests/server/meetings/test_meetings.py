"""Meeting CRUD, the status machine and who may see or run a meeting."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.records.audit import AuditEntry
from server.records.changelog import Change, ChangeScope
from tests.server.meetings.factories import make_meeting

BODY = {
    "title": "Sinh hoạt chi bộ tháng 12",
    "kind": "regular",
    "starts_at": "2030-12-04T19:30:00+07:00",
    "location": "Nhà văn hóa thôn",
    "agenda": [{"title": "Kiểm điểm công tác tháng"}, {"title": "Học tập chuyên đề", "presenter": "Bí thư"}],
}


def test_secretary_creates_meeting(client, world, login, db):
    resp = client.post("/api/v1/meetings", json=BODY, headers=login(world.secretary))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["id"] > 0
    assert body["org_id"] == world.cell.id
    assert body["status"] == "scheduled"
    assert body["starts_at"].startswith("2030-12-04T12:30:00")  # stored and returned in UTC
    assert [a["title"] for a in body["agenda"]] == ["Kiểm điểm công tác tháng", "Học tập chuyên đề"]
    assert body["agenda"][1]["presenter"] == "Bí thư"
    # audited, and the cell's devices hear about it
    entry = db.execute(select(AuditEntry).where(AuditEntry.action == "meeting.create")).scalar_one()
    assert entry.org_id == world.cell.id and entry.actor_user_id == world.secretary.user.id
    change = db.execute(select(Change).where(Change.entity_type == "meeting")).scalar_one()
    scopes = (
        db.execute(select(ChangeScope.org_id).where(ChangeScope.version == change.version)).scalars().all()
    )
    assert scopes == [world.cell.id]
    # members read it
    got = client.get(f"/api/v1/meetings/{body['id']}", headers=login(world.member))
    assert got.status_code == 200 and got.json()["title"] == BODY["title"]


def test_naive_or_bad_times_are_refused(client, world, login):
    h = login(world.secretary)
    resp = client.post("/api/v1/meetings", json={**BODY, "starts_at": "2030-12-04T19:30:00"}, headers=h)
    assert resp.status_code == 422 and resp.json()["code"] == "validation_error"
    assert client.post("/api/v1/meetings", json={**BODY, "kind": "weekly"}, headers=h).status_code == 422
    resp = client.post("/api/v1/meetings", json={**BODY, "ends_at": "2030-12-04T19:00:00+07:00"}, headers=h)
    assert resp.status_code == 422


def test_only_leaders_create(client, world, login):
    assert client.post("/api/v1/meetings", json=BODY, headers=login(world.member)).status_code == 422
    resp = client.post(
        "/api/v1/meetings", json={**BODY, "org_id": world.cell.id}, headers=login(world.member)
    )
    assert resp.status_code == 403 and resp.json()["code"] == "not_cell_leader"
    resp = client.post("/api/v1/meetings", json={**BODY, "org_id": world.cell.id}, headers=login(world.staff))
    assert resp.status_code == 403
    for person in (world.other_member, world.other_staff, world.other_secretary):
        resp = client.post("/api/v1/meetings", json={**BODY, "org_id": world.cell.id}, headers=login(person))
        assert resp.status_code == 404, person.username


def test_visibility_of_meetings(client, world, login, db):
    scheduled = make_meeting(db, world.cell)
    draft = make_meeting(db, world.cell, status="draft")
    other = make_meeting(db, world.other_cell)
    db.commit()

    def ids(person, **params):
        resp = client.get("/api/v1/meetings", params=params, headers=login(person))
        assert resp.status_code == 200, resp.text
        return {m["id"] for m in resp.json()["items"]}

    assert ids(world.secretary) == {scheduled.id, draft.id}
    assert ids(world.member) == {scheduled.id}  # drafts are the secretary's work in progress
    assert ids(world.staff, org_id=world.cell.id) == {scheduled.id, draft.id}
    assert ids(world.other_member) == {other.id}
    assert ids(world.province_staff, org_id=world.province.id) == {scheduled.id, draft.id, other.id}
    assert ids(world.staff, org_id=world.district.id) == {scheduled.id, draft.id}
    assert (
        client.get(
            "/api/v1/meetings", params={"org_id": world.province.id}, headers=login(world.staff)
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/meetings/{draft.id}", headers=login(world.member)).status_code == 404
    for person in (world.other_member, world.other_staff, world.sibling_member):
        assert client.get(f"/api/v1/meetings/{scheduled.id}", headers=login(person)).status_code == 404
        assert (
            client.get(
                "/api/v1/meetings", params={"org_id": world.cell.id}, headers=login(person)
            ).status_code
            == 404
        )
    assert (
        client.get(f"/api/v1/meetings/{scheduled.id}", headers=login(world.province_staff)).status_code == 200
    )


def test_upcoming_list_in_time_order(client, world, login, db):
    now = datetime.now(UTC)
    later = make_meeting(db, world.cell, starts_at=now + timedelta(days=9))
    sooner = make_meeting(db, world.cell, starts_at=now + timedelta(days=2))
    make_meeting(db, world.cell, starts_at=now - timedelta(days=30), status="closed")
    db.commit()
    resp = client.get(
        "/api/v1/meetings", params={"since": now.isoformat(), "order": "asc"}, headers=login(world.member)
    )
    assert [m["id"] for m in resp.json()["items"]] == [sooner.id, later.id]
    assert (
        client.get(
            "/api/v1/meetings", params={"since": "2026-01-01T00:00:00"}, headers=login(world.member)
        ).status_code
        == 422
    )


def test_edit_reschedule_cancel(client, world, login, db):
    h = login(world.secretary)
    mid = client.post("/api/v1/meetings", json=BODY, headers=h).json()["id"]
    resp = client.patch(
        f"/api/v1/meetings/{mid}",
        headers=h,
        json={"starts_at": "2030-12-05T19:30:00+07:00", "agenda": [{"title": "Nội dung mới"}]},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["starts_at"].startswith("2030-12-05T12:30:00")
    assert [a["title"] for a in resp.json()["agenda"]] == ["Nội dung mới"]
    entry = db.execute(select(AuditEntry).where(AuditEntry.action == "meeting.reschedule")).scalar_one()
    assert json.loads(entry.detail)["before"]["starts_at"].startswith("2030-12-04T12:30")
    assert (
        client.patch(
            f"/api/v1/meetings/{mid}", headers=login(world.member), json={"title": "Sửa trái phép"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/meetings/{mid}", headers=h, json={"starts_at": "2030-12-05T19:30:00"}
        ).status_code
        == 422
    )
    resp = client.post(
        f"/api/v1/meetings/{mid}/cancel", headers=h, json={"reason": "Trùng lịch họp cấp trên"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert resp.json()["cancel_reason"] == "Trùng lịch họp cấp trên"
    resp = client.patch(f"/api/v1/meetings/{mid}", headers=h, json={"title": "Sau khi hủy"})
    assert resp.status_code == 409 and resp.json()["code"] == "meeting_locked"
    assert client.post(f"/api/v1/meetings/{mid}/schedule", headers=h).status_code == 409


def test_draft_schedule_delete_and_close_transitions(client, world, login, db):
    h = login(world.secretary)
    mid = client.post("/api/v1/meetings", json={**BODY, "status": "draft"}, headers=h).json()["id"]
    assert client.get(f"/api/v1/meetings/{mid}", headers=login(world.member)).status_code == 404
    # in the sync log a draft reaches the leaders only, not the whole cell
    version = db.execute(select(Change.version).where(Change.entity_id == mid)).scalar_one()
    scopes = db.execute(
        select(ChangeScope.org_id, ChangeScope.user_id).where(ChangeScope.version == version)
    ).all()
    assert [tuple(s) for s in scopes] == [(None, world.secretary.user.id)]
    assert client.post(f"/api/v1/meetings/{mid}/schedule", headers=login(world.member)).status_code == 404
    resp = client.post(f"/api/v1/meetings/{mid}/schedule", headers=h)
    assert resp.status_code == 200 and resp.json()["status"] == "scheduled"
    assert client.get(f"/api/v1/meetings/{mid}", headers=login(world.member)).status_code == 200
    assert client.delete(f"/api/v1/meetings/{mid}", headers=h).status_code == 409  # only drafts
    # closing before the start is refused
    resp = client.post(f"/api/v1/meetings/{mid}/close", headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "meeting_not_started"
    second = {**BODY, "status": "draft", "kind": "thematic"}  # one regular meeting a month
    draft = client.post("/api/v1/meetings", json=second, headers=h).json()["id"]
    assert client.delete(f"/api/v1/meetings/{draft}", headers=h).status_code == 204
    assert client.get(f"/api/v1/meetings/{draft}", headers=h).status_code == 404


def test_started_meeting_keeps_its_time(client, world, login, db):
    m = make_meeting(
        db,
        world.cell,
        starts_at=datetime.now(UTC) - timedelta(minutes=5),
        opened_at=datetime.now(UTC) - timedelta(minutes=6),
    )
    db.commit()
    h = login(world.secretary)
    resp = client.patch(
        f"/api/v1/meetings/{m.id}", headers=h, json={"starts_at": "2030-01-01T19:00:00+07:00"}
    )
    assert resp.status_code == 409 and resp.json()["code"] == "meeting_started"
    assert (
        client.patch(f"/api/v1/meetings/{m.id}", headers=h, json={"location": "Hội trường"}).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/meetings/{m.id}/cancel", headers=h, json={"reason": "abc"}).status_code == 409
    )
