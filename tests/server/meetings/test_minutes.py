"""Minutes are read by members once published; resolutions pass with more than half of the base."""

from datetime import UTC, datetime, timedelta

from server.meetings.minutes import passed
from shared.enums import MemberKind
from tests.factories import make_member
from tests.server.meetings.factories import make_meeting, mark


def now() -> datetime:
    return datetime.now(UTC)


def test_passed_needs_more_than_half():
    assert passed(6, 10) and not passed(5, 10)
    assert passed(5, 9) and not passed(4, 9)
    assert not passed(0, 0)


def test_minutes_published_to_members(client, world, login, db):
    m = make_meeting(
        db, world.cell, starts_at=now() - timedelta(hours=1), opened_at=now() - timedelta(hours=1)
    )
    db.commit()
    sec = login(world.secretary)
    url = f"/api/v1/meetings/{m.id}/minutes"
    resp = client.put(url, headers=sec, json={"text": "Biên bản sinh hoạt chi bộ...", "publish": True})
    assert resp.status_code == 409 and resp.json()["code"] == "meeting_not_closed"
    assert client.put(url, headers=sec, json={"text": "Biên bản (dự thảo)"}).status_code == 200
    assert client.put(url, headers=login(world.member), json={"text": "Sửa"}).status_code == 403
    resp = client.get(url, headers=login(world.member))
    assert resp.status_code == 404 and resp.json()["code"] == "minutes_not_published"
    assert client.get(url, headers=login(world.staff)).json()["text"] == "Biên bản (dự thảo)"
    client.post(f"/api/v1/meetings/{m.id}/close", headers=sec)
    resp = client.put(url, headers=sec, json={"text": "Biên bản chính thức", "publish": True})
    assert resp.status_code == 200 and resp.json()["published"] is True
    got = client.get(url, headers=login(world.member))
    assert got.status_code == 200 and got.json()["text"] == "Biên bản chính thức"
    assert client.get(f"/api/v1/meetings/{m.id}", headers=login(world.member)).json()["minutes_published"]
    for person in (world.other_member, world.other_staff, world.sibling_member):
        assert client.get(url, headers=login(person)).status_code == 404
        assert client.put(url, headers=login(person), json={"text": "x"}).status_code == 404


def test_resolution_base_leaves_out_excused_and_absent_exempt(client, world, login, db):
    # cell: secretary, member, member2 + 7 more = 10 regular members, + 2 exempt (one comes, one does not)
    extra = [make_member(db, world.cell) for _ in range(7)]
    exempt_present = make_member(db, world.cell, kind=MemberKind.exempt)
    make_member(db, world.cell, kind=MemberKind.exempt)
    m = make_meeting(
        db, world.cell, starts_at=now() - timedelta(hours=1), opened_at=now() - timedelta(hours=1)
    )
    for person in [world.secretary, world.member] + extra[:5]:
        mark(db, m, person, "present")
    mark(db, m, exempt_present, "present", expected=False)
    mark(db, m, world.member2, "excused")
    mark(db, m, extra[5], "excused")
    mark(db, m, extra[6], "absent")
    db.commit()
    # roster 12; out of base: 1 absent exempt + 2 excused -> base 9; attending 8
    sec = login(world.secretary)
    url = f"/api/v1/meetings/{m.id}/resolutions"
    resp = client.post(
        url,
        headers=sec,
        json={
            "title": "Nghị quyết lãnh đạo nhiệm vụ quý I",
            "votes_for": 5,
            "votes_against": 2,
            "votes_abstain": 1,
        },
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["base_roster"], body["base_exempt_absent"], body["base_excused"], body["base"]) == (
        12,
        1,
        2,
        9,
    )
    assert body["passed"] is True  # 5 > 9/2
    rid = body["id"]
    resp = client.put(
        f"{url}/{rid}",
        headers=sec,
        json={
            "title": "Nghị quyết lãnh đạo nhiệm vụ quý I",
            "votes_for": 4,
            "votes_against": 3,
            "votes_abstain": 1,
        },
    )
    assert resp.status_code == 200 and resp.json()["passed"] is False  # 4 of 9 is not more than half
    resp = client.post(
        url,
        headers=sec,
        json={"title": "Quá số phiếu", "votes_for": 7, "votes_against": 2, "votes_abstain": 0},
    )
    assert resp.status_code == 422 and resp.json()["code"] == "votes_exceed_attending"
    assert (
        client.post(
            url,
            headers=login(world.member),
            json={"title": "Không quyền", "votes_for": 1, "votes_against": 0, "votes_abstain": 0},
        ).status_code
        == 403
    )
    for person in (world.other_secretary, world.other_staff):
        assert (
            client.post(
                url,
                headers=login(person),
                json={"title": "Không quyền", "votes_for": 1, "votes_against": 0, "votes_abstain": 0},
            ).status_code
            == 404
        )
        assert client.delete(f"{url}/{rid}", headers=login(person)).status_code == 404
    minutes = client.get(f"/api/v1/meetings/{m.id}/minutes", headers=sec).json()
    assert [r["passed"] for r in minutes["resolutions"]] == [False]
    assert client.delete(f"{url}/{rid}", headers=sec).status_code == 204
    assert client.get(f"/api/v1/meetings/{m.id}/minutes", headers=sec).json()["resolutions"] == []


def test_no_resolution_on_a_future_meeting(client, world, login, db):
    m = make_meeting(db, world.cell, starts_at=now() + timedelta(days=2))
    db.commit()
    resp = client.post(
        f"/api/v1/meetings/{m.id}/resolutions",
        headers=login(world.secretary),
        json={"title": "Sớm quá", "votes_for": 0, "votes_against": 0, "votes_abstain": 0},
    )
    assert resp.status_code == 409
