"""The check-in protocol: rotating codes, present/late, idempotent client ids, offline check-ins, refusals."""

import uuid
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import func, select

from server.meetings import checkin
from server.meetings.models import Attendance, Meeting
from server.records.members import Member
from shared.enums import MemberKind
from shared.schemas.meetings import CheckinRequest
from tests.factories import make_member
from tests.server.meetings.factories import code_at, make_meeting, principal


def now() -> datetime:
    return datetime.now(UTC)


def cid() -> str:
    return uuid.uuid4().hex


def test_open_check_in_and_present(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() + timedelta(minutes=10))
    db.commit()
    sec = login(world.secretary)
    resp = client.post(f"/api/v1/meetings/{m.id}/check-in/open", headers=sec)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert len(body["code"]) == 6 and body["code"].isdigit()
    expires = datetime.fromisoformat(body["expires_at"])
    assert now() < expires <= now() + timedelta(seconds=31)
    assert body["qr_payload"] == f"sotay://check-in?meeting={m.id}&code={body['code']}"
    shown = client.get(f"/api/v1/meetings/{m.id}/check-in/code", headers=sec).json()
    db.expire_all()
    assert shown["code"] in {body["code"], code_at(db.get(Meeting, m.id))}
    assert client.get(f"/api/v1/meetings/{m.id}", headers=sec).json()["status"] == "in_progress"
    db.expire_all()
    current = code_at(db.get(Meeting, m.id))
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(world.member),
        json={"code": current, "client_id": cid()},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "present" and resp.json()["offline"] is False
    sheet = client.get(f"/api/v1/meetings/{m.id}/attendance", headers=sec).json()
    row = next(r for r in sheet["items"] if r["member_id"] == world.member.member.id)
    assert row["status"] == "present" and row["source"] == "checkin"


def test_code_and_qr_only_for_leaders(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=1))
    db.commit()
    sec = login(world.secretary)
    svg = client.get(f"/api/v1/meetings/{m.id}/check-in/qr", headers=sec)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    png = client.get(f"/api/v1/meetings/{m.id}/check-in/qr", params={"format": "png"}, headers=sec)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert (
        client.get(f"/api/v1/meetings/{m.id}/check-in/code", headers=login(world.member)).status_code == 403
    )
    assert (
        client.post(f"/api/v1/meetings/{m.id}/check-in/open", headers=login(world.member)).status_code == 403
    )
    for person in (world.other_member, world.other_secretary, world.other_staff):
        h = login(person)
        assert client.get(f"/api/v1/meetings/{m.id}/check-in/code", headers=h).status_code == 404
        assert client.get(f"/api/v1/meetings/{m.id}/check-in/qr", headers=h).status_code == 404
        assert client.post(f"/api/v1/meetings/{m.id}/check-in/open", headers=h).status_code == 404


def test_open_outside_window(client, world, login, db):
    early = make_meeting(db, world.cell, starts_at=now() + timedelta(hours=3))
    late = make_meeting(db, world.cell, starts_at=now() - timedelta(hours=3))
    db.commit()
    sec = login(world.secretary)
    resp = client.post(f"/api/v1/meetings/{early.id}/check-in/open", headers=sec)
    assert resp.status_code == 409 and resp.json()["code"] == "checkin_not_yet"
    resp = client.post(f"/api/v1/meetings/{late.id}/check-in/open", headers=sec)
    assert resp.status_code == 409 and resp.json()["code"] == "checkin_window_closed"
    # a member cannot check in before the secretary opens it
    resp = client.post(
        f"/api/v1/meetings/{early.id}/check-ins",
        headers=login(world.member),
        json={"code": "123456", "client_id": cid()},
    )
    assert resp.status_code == 409 and resp.json()["code"] == "checkin_not_open"


def test_late_after_grace(client, world, login, db):
    m = make_meeting(
        db,
        world.cell,
        starts_at=now() - timedelta(minutes=20),
        grace_minutes=10,
        opened_at=now() - timedelta(minutes=40),
    )
    db.commit()
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(world.member),
        json={"code": code_at(m), "client_id": cid()},
    )
    assert resp.status_code == 201 and resp.json()["status"] == "late"
    m2 = make_meeting(
        db,
        world.cell,
        starts_at=now() - timedelta(minutes=5),
        grace_minutes=10,
        opened_at=now() - timedelta(minutes=40),
    )
    db.commit()
    resp = client.post(
        f"/api/v1/meetings/{m2.id}/check-ins",
        headers=login(world.member),
        json={"code": code_at(m2), "client_id": cid()},
    )
    assert resp.status_code == 201 and resp.json()["status"] == "present"


def test_wrong_and_expired_codes(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=20))
    db.commit()
    h = login(world.member)
    good = code_at(m)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": wrong, "client_id": cid()}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "checkin_code_invalid"
    old = code_at(m, now() - timedelta(minutes=3))
    if old != good:
        resp = client.post(
            f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": old, "client_id": cid()}
        )
        assert resp.status_code == 400 and resp.json()["code"] == "checkin_code_expired"
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": "12ab56", "client_id": cid()}
    )
    assert resp.status_code == 422
    assert db.execute(select(func.count()).select_from(Attendance)).scalar_one() == 0


def test_idempotent_client_id(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=5))
    db.commit()
    h = login(world.member)
    payload = {"code": code_at(m), "client_id": cid()}
    first = client.post(f"/api/v1/meetings/{m.id}/check-ins", headers=h, json=payload)
    assert first.status_code == 201
    again = client.post(f"/api/v1/meetings/{m.id}/check-ins", headers=h, json=payload)
    assert again.status_code == 200 and again.json() == first.json()
    # same id, other payload: refused
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=h,
        json={**payload, "code": f"{(int(payload['code']) + 7) % 1_000_000:06d}"},
    )
    assert resp.status_code == 409 and resp.json()["code"] == "client_id_reused"
    # another id after checking in: the existing record, nothing new
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": code_at(m), "client_id": cid()}
    )
    assert resp.status_code == 200 and resp.json() == first.json()
    # the secretary correcting the status does not change the replayed answer
    client.put(
        f"/api/v1/meetings/{m.id}/attendance/{world.member.member.id}",
        headers=login(world.secretary),
        json={"status": "late"},
    )
    again = client.post(f"/api/v1/meetings/{m.id}/check-ins", headers=h, json=payload)
    assert again.status_code == 200 and again.json() == first.json()
    assert db.execute(select(func.count()).select_from(Attendance)).scalar_one() == 1


def test_offline_check_in_accepted_later(client, world, login, db):
    # The meeting ran 3 hours ago; the member's phone queued the check-in in a dead zone.
    start = now() - timedelta(hours=3)
    m = make_meeting(db, world.cell, starts_at=start, opened_at=start - timedelta(minutes=15))
    db.commit()
    at = start + timedelta(minutes=2)
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(world.member),
        json={"code": code_at(m, at), "client_id": cid(), "checked_in_at": at.isoformat()},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["offline"] is True and body["status"] == "present"
    assert datetime.fromisoformat(body["checked_in_at"]) == at.replace(microsecond=at.microsecond)
    # also after the meeting was closed (member marked absent), the late-arriving proof wins
    m2 = make_meeting(db, world.cell, starts_at=start, opened_at=start - timedelta(minutes=15))
    db.commit()
    client.post(f"/api/v1/meetings/{m2.id}/close", headers=login(world.secretary))
    at2 = start + timedelta(minutes=25)
    resp = client.post(
        f"/api/v1/meetings/{m2.id}/check-ins",
        headers=login(world.member2),
        json={"code": code_at(m2, at2), "client_id": cid(), "checked_in_at": at2.isoformat()},
    )
    assert resp.status_code == 201 and resp.json()["status"] == "late"
    row = db.execute(
        select(Attendance).where(
            Attendance.meeting_id == m2.id, Attendance.member_id == world.member2.member.id
        )
    ).scalar_one()
    assert row.status == "late"


def test_forged_offline_check_ins_refused(client, world, login, db):
    start = now() - timedelta(hours=3)
    m = make_meeting(db, world.cell, starts_at=start, opened_at=start - timedelta(minutes=15))
    db.commit()
    h = login(world.member)
    url = f"/api/v1/meetings/{m.id}/check-ins"
    at = start + timedelta(minutes=2)
    # today's code with a claimed time during the meeting
    fake = code_at(m)
    if fake != code_at(m, at):
        resp = client.post(
            url, headers=h, json={"code": fake, "client_id": cid(), "checked_in_at": at.isoformat()}
        )
        assert resp.status_code == 400 and resp.json()["code"] == "checkin_offline_mismatch"
    # a code valid at a time outside the window
    outside = start + timedelta(minutes=90)
    resp = client.post(
        url,
        headers=h,
        json={"code": code_at(m, outside), "client_id": cid(), "checked_in_at": outside.isoformat()},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "checkin_time_outside_window"
    # before the secretary opened check-in (the code was never shown)
    before = start - timedelta(minutes=25)
    resp = client.post(
        url,
        headers=h,
        json={"code": code_at(m, before), "client_id": cid(), "checked_in_at": before.isoformat()},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "checkin_time_outside_window"
    # in the future
    future = now() + timedelta(hours=1)
    resp = client.post(
        url,
        headers=h,
        json={"code": code_at(m, future), "client_id": cid(), "checked_in_at": future.isoformat()},
    )
    assert resp.status_code == 422 and resp.json()["code"] == "checkin_time_in_future"
    # a naive time
    resp = client.post(
        url, headers=h, json={"code": "123456", "client_id": cid(), "checked_in_at": "2026-01-01T10:00:00"}
    )
    assert resp.status_code == 422
    # a random secret (forged generator) does not help
    forged = pyotp.TOTP(pyotp.random_base32()).at(at)
    if forged != code_at(m, at):
        resp = client.post(
            url, headers=h, json={"code": forged, "client_id": cid(), "checked_in_at": at.isoformat()}
        )
        assert resp.status_code == 400
    assert db.execute(select(func.count()).select_from(Attendance)).scalar_one() == 0


def test_offline_too_late(client, world, login, db):
    start = now() - timedelta(days=5)
    m = make_meeting(db, world.cell, starts_at=start, opened_at=start - timedelta(minutes=10))
    db.commit()
    at = start + timedelta(minutes=1)
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(world.member),
        json={"code": code_at(m, at), "client_id": cid(), "checked_in_at": at.isoformat()},
    )
    assert resp.status_code == 409 and resp.json()["code"] == "checkin_offline_too_late"


def test_nobody_checks_in_to_another_cell(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=5))
    db.commit()
    for person in (
        world.other_member,
        world.other_secretary,
        world.other_staff,
        world.staff,
        world.sibling_member,
        world.admin,
    ):
        resp = client.post(
            f"/api/v1/meetings/{m.id}/check-ins",
            headers=login(person),
            json={"code": code_at(m), "client_id": cid()},
        )
        assert resp.status_code == 404, person.username
    assert db.execute(select(func.count()).select_from(Attendance)).scalar_one() == 0


def test_exempt_member_may_check_in_but_is_not_expected(client, world, login, db):
    elder = make_member(db, world.cell, username="dangvien.mien", kind=MemberKind.exempt)
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=5))
    db.commit()
    sheet = client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(world.secretary)).json()
    row = next(r for r in sheet["items"] if r["member_id"] == elder.member.id)
    assert row["expected"] is False
    assert sheet["counts"]["expected"] == 3  # secretary, member, member2
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(elder),
        json={"code": code_at(m), "client_id": cid()},
    )
    assert resp.status_code == 201
    sheet = client.get(f"/api/v1/meetings/{m.id}/attendance", headers=login(world.secretary)).json()
    assert sheet["counts"]["expected"] == 3 and sheet["counts"]["extra_attended"] == 1
    assert sheet["counts"]["attended"] == 0


def test_wrong_codes_are_throttled(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now(), opened_at=now() - timedelta(minutes=5))
    db.commit()
    h = login(world.member)
    good = code_at(m)
    bad = [f"{(int(good) + k * 1000 + 500) % 1_000_000:06d}" for k in range(12)]
    statuses = [
        client.post(
            f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": c, "client_id": cid()}
        ).status_code
        for c in bad[:10]
    ]
    assert statuses == [400] * 10
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins", headers=h, json={"code": good, "client_id": cid()}
    )
    assert resp.status_code == 429 and resp.json()["code"] == "checkin_rate_limited"
    # another member is not affected
    resp = client.post(
        f"/api/v1/meetings/{m.id}/check-ins",
        headers=login(world.member2),
        json={"code": code_at(m), "client_id": cid()},
    )
    assert resp.status_code == 201


def test_service_verifies_for_any_instant(db, world):
    """The code of a past instant verifies for that instant, and only around it."""
    start = now() - timedelta(hours=1)
    m = make_meeting(db, world.cell, starts_at=start, opened_at=start - timedelta(minutes=20))
    member = db.get(Member, world.member.member.id)
    assert member is not None
    at = start - timedelta(minutes=10)
    out, created = checkin.check_in(
        db,
        principal(db, world.member),
        m.id,
        CheckinRequest(code=code_at(m, at), client_id=cid(), checked_in_at=at),
    )
    assert created and out.status == "present" and out.offline


def test_code_schedule_for_a_secretary_going_offline(client, world, login, db):
    start = now()
    m = make_meeting(
        db, world.cell, starts_at=start, checkin_after_minutes=10, opened_at=start - timedelta(minutes=2)
    )
    db.commit()
    resp = client.get(f"/api/v1/meetings/{m.id}/check-in/codes", headers=login(world.secretary))
    assert resp.status_code == 200, resp.text
    steps = resp.json()["steps"]
    assert 20 <= len(steps) <= 22  # ~10 minutes of 30-second steps
    # each step carries the code the server will verify for that instant
    later = steps[5]
    assert later["code"] == code_at(m, datetime.fromisoformat(later["valid_from"]))
    assert (
        client.get(f"/api/v1/meetings/{m.id}/check-in/codes", headers=login(world.member)).status_code == 403
    )
    for person in (world.other_secretary, world.other_staff):
        assert client.get(f"/api/v1/meetings/{m.id}/check-in/codes", headers=login(person)).status_code == 404
