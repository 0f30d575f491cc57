"""Attendance records: marking, bulk, audited corrections, closing, absence requests."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.meetings.models import Attendance
from server.records.audit import AuditEntry
from server.records.changelog import Change, ChangeScope
from shared.enums import MemberKind
from tests.factories import make_member
from tests.server.meetings.factories import make_meeting


def now() -> datetime:
    return datetime.now(UTC)


def statuses(client, login, world, meeting_id):
    sheet = client.get(f"/api/v1/meetings/{meeting_id}/attendance", headers=login(world.secretary))
    assert sheet.status_code == 200, sheet.text
    return {r["member_id"]: r["status"] for r in sheet.json()["items"]}, sheet.json()["counts"]


def test_sheet_lists_every_expected_member(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() - timedelta(minutes=5))
    db.commit()
    resp = client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(world.secretary))
    assert resp.status_code == 200
    items = resp.json()["items"]
    assert {r["member_id"] for r in items} == {
        world.secretary.member.id,
        world.member.member.id,
        world.member2.member.id,
    }
    assert all(r["status"] is None and r["expected"] for r in items)
    assert resp.json()["counts"]["unrecorded"] == 3
    # staff above the cell read it; a plain member does not; outsiders do not see it at all
    assert client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(world.staff)).status_code == 200
    assert client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(world.member)).status_code == 403
    for person in (world.other_member, world.other_staff, world.other_secretary, world.sibling_member):
        assert client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(person)).status_code == 404


def test_mark_one_and_bulk_with_audit_and_history(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() - timedelta(minutes=5))
    db.commit()
    sec = login(world.secretary)
    resp = client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
        headers=sec,
        json={"status": "present"},
    )
    assert resp.status_code == 200, resp.text
    resp = client.post(
        f"/api/v1/meetings/{m.id}/attendance/bulk",
        headers=sec,
        json={
            "items": [
                {"member_id": world.member.member.id, "status": "late", "note": "Đến lúc 19:50"},
                {"member_id": world.member2.member.id, "status": "excused"},
                {"member_id": world.secretary.member.id, "status": "present"},
            ]
        },
    )
    assert resp.status_code == 200, resp.text
    got, counts = statuses(client, login, world, m.id)
    assert got[world.member.member.id] == "late" and got[world.member2.member.id] == "excused"
    assert counts["attended"] == 2 and counts["expected"] == 3 and counts["rate"] == round(2 / 3, 4)
    history = client.get(f"/api/v1/meetings/{m.id}/attendance/history", headers=sec).json()
    mine = [h for h in history if h["member_id"] == world.member.member.id]
    assert [(h["old_status"], h["new_status"]) for h in mine] == [(None, "present"), ("present", "late")]
    assert all(h["by_user_id"] == world.secretary.user.id and h["by_name"] == "Nguyễn Văn Bí" for h in mine)
    entries = db.execute(select(AuditEntry).where(AuditEntry.action == "attendance.set")).scalars().all()
    assert len(entries) == 2 and all(e.actor_user_id == world.secretary.user.id for e in entries)
    # the member's device is told about their row
    row = db.execute(select(Attendance).where(Attendance.member_id == world.member.member.id)).scalar_one()
    versions = (
        db.execute(
            select(Change.version).where(Change.entity_type == "attendance", Change.entity_id == row.id)
        )
        .scalars()
        .all()
    )
    users = db.execute(select(ChangeScope.user_id).where(ChangeScope.version.in_(versions))).scalars().all()
    assert world.member.user.id in users
    # refusals
    assert (
        client.put(
            f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
            headers=login(world.member),
            json={"status": "present"},
        ).status_code
        == 403
    )
    assert (
        client.put(
            f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
            headers=login(world.staff),
            json={"status": "present"},
        ).status_code
        == 403
    )
    resp = client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.other_member.member.id}",
        headers=sec,
        json={"status": "present"},
    )
    assert resp.status_code == 422 and resp.json()["code"] == "member_not_in_cell"
    resp = client.post(
        f"/api/v1/meetings/{m.id}/attendance/bulk",
        headers=sec,
        json={
            "items": [
                {"member_id": world.member.member.id, "status": "absent"},
                {"member_id": world.other_member.member.id, "status": "present"},
            ]
        },
    )
    assert resp.status_code == 422
    assert statuses(client, login, world, m.id)[0][world.member.member.id] == "late"  # all or nothing
    assert (
        client.put(
            f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
            headers=sec,
            json={"status": "maybe"},
        ).status_code
        == 422
    )


def test_close_marks_missing_expected_members_absent(client, world, login, db):
    elder = make_member(db, world.cell, kind=MemberKind.exempt)
    m = make_meeting(db, world.cell, starts_at=now() - timedelta(minutes=30))
    db.commit()
    sec = login(world.secretary)
    client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
        headers=sec,
        json={"status": "present"},
    )
    assert client.post(f"/api/v1/meetings/{m.id}/close", headers=login(world.member)).status_code == 403
    resp = client.post(f"/api/v1/meetings/{m.id}/close", headers=sec)
    assert resp.status_code == 200 and resp.json()["status"] == "closed"
    got, counts = statuses(client, login, world, m.id)
    assert got[world.member.member.id] == "present"
    assert got[world.member2.member.id] == "absent" and got[world.secretary.member.id] == "absent"
    assert got[elder.member.id] is None  # exempt: not expected, not absent
    assert counts["absent"] == 2 and counts["unrecorded"] == 0
    # corrections stay possible after closing, audited; clearing a status is not
    resp = client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.secretary.member.id}",
        headers=sec,
        json={"status": "present", "note": "Quên điểm danh"},
    )
    assert resp.status_code == 200
    resp = client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.member2.member.id}", headers=sec, json={"status": None}
    )
    assert resp.status_code == 409 and resp.json()["code"] == "status_required"
    assert client.post(f"/api/v1/meetings/{m.id}/close", headers=sec).status_code == 409


def test_close_overdue_for_the_scheduler(db, world):
    from server.meetings.attendance import close_overdue

    old = make_meeting(
        db, world.cell, starts_at=now() - timedelta(days=1), opened_at=now() - timedelta(days=1)
    )
    recent = make_meeting(db, world.cell, starts_at=now() - timedelta(hours=1))
    closed = close_overdue(db)
    assert closed == [old.id]
    assert old.status == "closed" and recent.status == "scheduled"
    assert len(db.execute(select(Attendance).where(Attendance.meeting_id == old.id)).scalars().all()) == 3


def test_absence_request_approved_becomes_excused(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() + timedelta(days=3))
    db.commit()
    mh = login(world.member)
    resp = client.post(
        f"/api/v1/meetings/{m.id}/absence-requests", headers=mh, json={"reason": "Đi công tác tỉnh ngoài"}
    )
    assert resp.status_code == 201, resp.text
    rid = resp.json()["id"]
    assert resp.json()["status"] == "pending"
    assert client.get(f"/api/v1/meetings/{m.id}", headers=mh).json()["my_absence_request"] == "pending"
    # resubmitting updates the one request
    resp = client.post(
        f"/api/v1/meetings/{m.id}/absence-requests", headers=mh, json={"reason": "Đi công tác Hà Nội"}
    )
    assert resp.status_code == 200 and resp.json()["id"] == rid
    # members see only their own requests; the secretary sees all
    client.post(
        f"/api/v1/meetings/{m.id}/absence-requests", headers=login(world.member2), json={"reason": "Ốm nặng"}
    )
    assert len(client.get(f"/api/v1/meetings/{m.id}/absence-requests", headers=mh).json()) == 1
    sec = login(world.secretary)
    assert len(client.get(f"/api/v1/meetings/{m.id}/absence-requests", headers=sec).json()) == 2
    # only leaders decide
    assert (
        client.post(
            f"/api/v1/meetings/{m.id}/absence-requests/{rid}/decision", headers=mh, json={"approve": True}
        ).status_code
        == 403
    )
    resp = client.post(
        f"/api/v1/meetings/{m.id}/absence-requests/{rid}/decision",
        headers=sec,
        json={"approve": True, "note": "Đồng ý"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    got, _ = statuses(client, login, world, m.id)
    assert got[world.member.member.id] == "excused"
    assert client.get(f"/api/v1/meetings/{m.id}", headers=mh).json()["my_status"] == "excused"
    resp = client.post(f"/api/v1/meetings/{m.id}/absence-requests", headers=mh, json={"reason": "Lại xin"})
    assert resp.status_code == 409 and resp.json()["code"] == "absence_already_approved"
    # changing the decision to rejected removes the excuse
    resp = client.post(
        f"/api/v1/meetings/{m.id}/absence-requests/{rid}/decision",
        headers=sec,
        json={"approve": False, "note": "Cần có mặt"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    assert statuses(client, login, world, m.id)[0][world.member.member.id] is None
    entries = (
        db.execute(select(AuditEntry.action).where(AuditEntry.action.startswith("absence."))).scalars().all()
    )
    assert entries.count("absence.decide") == 2 and "absence.request" in entries


def test_absence_request_rules(client, world, login, db):
    started = make_meeting(db, world.cell, starts_at=now() - timedelta(minutes=1))
    future = make_meeting(db, world.cell, starts_at=now() + timedelta(days=1))
    other = make_meeting(db, world.other_cell, starts_at=now() + timedelta(days=1))
    db.commit()
    resp = client.post(
        f"/api/v1/meetings/{started.id}/absence-requests",
        headers=login(world.member),
        json={"reason": "Bận việc nhà"},
    )
    assert resp.status_code == 409 and resp.json()["code"] == "absence_too_late"
    assert (
        client.post(
            f"/api/v1/meetings/{other.id}/absence-requests",
            headers=login(world.member),
            json={"reason": "Bận việc nhà"},
        ).status_code
        == 404
    )
    for person in (world.other_member, world.staff, world.other_staff):
        assert (
            client.post(
                f"/api/v1/meetings/{future.id}/absence-requests",
                headers=login(person),
                json={"reason": "Bận việc nhà"},
            ).status_code
            == 404
        )
        assert (
            client.delete(
                f"/api/v1/meetings/{future.id}/absence-requests/mine", headers=login(person)
            ).status_code
            == 404
        )
    h = login(world.member)
    rid = client.post(
        f"/api/v1/meetings/{future.id}/absence-requests", headers=h, json={"reason": "Bận việc nhà"}
    ).json()["id"]
    for person in (world.other_secretary, world.other_staff):
        assert (
            client.post(
                f"/api/v1/meetings/{future.id}/absence-requests/{rid}/decision",
                headers=login(person),
                json={"approve": True},
            ).status_code
            == 404
        )
        assert (
            client.get(f"/api/v1/meetings/{future.id}/absence-requests", headers=login(person)).status_code
            == 404
        )
    assert client.delete(f"/api/v1/meetings/{future.id}/absence-requests/mine", headers=h).status_code == 204
    assert client.get(f"/api/v1/meetings/{future.id}/absence-requests", headers=h).json() == []


def test_approval_after_closing_turns_absent_into_excused(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() + timedelta(hours=5))
    db.commit()
    rid = client.post(
        f"/api/v1/meetings/{m.id}/absence-requests",
        headers=login(world.member),
        json={"reason": "Ốm đột xuất"},
    ).json()["id"]
    m.starts_at = now() - timedelta(hours=1)
    db.add(m)
    db.commit()
    sec = login(world.secretary)
    assert client.post(f"/api/v1/meetings/{m.id}/close", headers=sec).status_code == 200
    assert statuses(client, login, world, m.id)[0][world.member.member.id] == "absent"
    client.post(
        f"/api/v1/meetings/{m.id}/absence-requests/{rid}/decision", headers=sec, json={"approve": True}
    )
    assert statuses(client, login, world, m.id)[0][world.member.member.id] == "excused"
    client.post(
        f"/api/v1/meetings/{m.id}/absence-requests/{rid}/decision", headers=sec, json={"approve": False}
    )
    assert statuses(client, login, world, m.id)[0][world.member.member.id] == "absent"
