"""The private .ics feed: public by token, the cell's meetings only, revocable and replaceable."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from tests.server.meetings.factories import make_meeting


def test_feed_by_token(client, world, login, db):
    now = datetime.now(UTC)
    upcoming = make_meeting(
        db,
        world.cell,
        starts_at=now + timedelta(days=3),
        title="Sinh hoạt tháng 12",
        location="Hội trường UBND xã",
    )
    cancelled = make_meeting(db, world.cell, starts_at=now + timedelta(days=5), status="cancelled")
    make_meeting(db, world.cell, starts_at=now + timedelta(days=6), status="draft", title="Bản nháp bí mật")
    make_meeting(db, world.other_cell, starts_at=now + timedelta(days=3), title="Chi bộ khác")
    db.commit()
    h = login(world.member)
    resp = client.post("/api/v1/meetings/calendar/token", headers=h)
    assert resp.status_code == 201, resp.text
    link = resp.json()
    assert link["url"].endswith(f"/api/v1/meetings/calendar/{link['token']}.ics")
    feed = client.get(f"/api/v1/meetings/calendar/{link['token']}.ics")  # no Authorization header
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Sinh hoạt tháng 12", cancelled.title}
    ev = events["Sinh hoạt tháng 12"]
    assert ev.decoded("dtstart") == upcoming.starts_at.replace(microsecond=0) or abs(
        ev.decoded("dtstart") - upcoming.starts_at
    ) < timedelta(seconds=1)
    assert str(ev["location"]) == "Hội trường UBND xã"
    assert str(events[cancelled.title]["status"]) == "CANCELLED"
    # replacing the token kills the old URL
    new = client.post("/api/v1/meetings/calendar/token", headers=h).json()
    assert client.get(f"/api/v1/meetings/calendar/{link['token']}.ics").status_code == 404
    assert client.get(f"/api/v1/meetings/calendar/{new['token']}.ics").status_code == 200
    assert client.delete("/api/v1/meetings/calendar/token", headers=h).status_code == 204
    resp = client.get(f"/api/v1/meetings/calendar/{new['token']}.ics")
    assert resp.status_code == 404 and resp.json()["code"] == "calendar_not_found"
    assert client.get("/api/v1/meetings/calendar/dangdoan.ics").status_code == 404
    assert client.post("/api/v1/meetings/calendar/token").status_code == 401


def test_feed_follows_the_member_and_stops_for_disabled_accounts(client, world, login, db):
    make_meeting(db, world.other_cell, starts_at=datetime.now(UTC) + timedelta(days=2), title="Ở chi bộ mới")
    db.commit()
    token = client.post("/api/v1/meetings/calendar/token", headers=login(world.member)).json()["token"]
    world.member.member.org_id = world.other_cell.id  # transferred
    db.add(world.member.member)
    db.commit()
    cal = Calendar.from_ical(client.get(f"/api/v1/meetings/calendar/{token}.ics").content)
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Ở chi bộ mới"]
    world.member.user.is_active = False
    db.add(world.member.user)
    db.commit()
    assert client.get(f"/api/v1/meetings/calendar/{token}.ics").status_code == 404
