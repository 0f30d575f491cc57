"""Self-reviews on devices: only their own member's devices hold them; the offline `review.save`."""

from datetime import datetime, timedelta

from server.timeutil import utcnow
from tests.server.sync.helpers import Device, fresh_view

PUSH = "/api/v1/sync/push"
FORM = {"strengths": "Gương mẫu", "shortcomings": "Còn chậm học tập", "self_level": "good"}


def _push(client, headers, client_id, payload, made_at):
    resp = client.post(PUSH, headers=headers, json={"actions": [
        {"client_id": client_id, "type": "review.save", "payload": payload, "made_at": made_at.isoformat()}]})
    assert resp.status_code == 200, resp.text
    return resp.json()["results"][0]


def test_the_feed_carries_a_review_to_its_member_only(client, world, login, clock):
    member, secretary, cellmate, outsider, staff = (
        Device(client, login(p)) for p in (world.member, world.secretary, world.member2,
                                           world.other_secretary, world.staff))
    devices = (member, secretary, cellmate, outsider, staff)
    for d in devices:
        d.pull()
    acted = utcnow() - timedelta(hours=2)
    pushed = _push(client, member.headers, "kiem-diem-0001", {"year": 2026, **FORM, "submit": True}, acted)
    assert pushed["status"] == "applied", pushed
    rid = pushed["result"]["review_id"]
    assert pushed["result"]["status"] == "submitted"
    for d in devices:
        d.pull()
    held = member.of_type("self_review")[rid]
    assert held["status"] == "submitted" and held["self_level"] == "good"
    assert datetime.fromisoformat(held["submitted_at"]) == acted  # when the member acted, offline
    assert held["facts"]["year"] == 2026 and "meetings" in held["facts"]
    assert all(d.of_type("self_review") == {} for d in (secretary, cellmate, outsider, staff))

    clock.shift(60)
    proposed = client.put(f"/api/v1/year/reviews/{rid}/proposal", json={"level": "excellent"},
                          headers=secretary.headers)
    assert proposed.status_code == 200, proposed.text
    for d in devices:
        d.pull()
    assert member.of_type("self_review")[rid]["proposed_level"] == "excellent"
    assert all(d.of_type("self_review") == {} for d in (secretary, cellmate, outsider, staff))
    assert member.store == fresh_view(client, member.headers)


def test_a_stale_offline_save_is_refused(client, world, login, clock):
    headers = login(world.member)
    now = utcnow()
    first = _push(client, headers, "kiem-diem-0002", {"year": 2026, **FORM}, now)
    assert first["status"] == "applied", first
    older = _push(client, headers, "kiem-diem-0003", {"year": 2026, **FORM, "strengths": "Cũ"},
                  now - timedelta(minutes=5))
    assert older["status"] == "refused" and older["code"] == "review_newer", older
    mine = client.get("/api/v1/year/reviews/mine/2026", headers=headers).json()
    assert mine["strengths"] == "Gương mẫu" and mine["status"] == "draft"
    bad = _push(client, headers, "kiem-diem-0004", {"year": 2026, "self_level": "tot"}, now)
    assert bad["status"] == "refused"
    admin = _push(client, login(world.admin), "kiem-diem-0005", {"year": 2026, **FORM}, now)
    assert admin["status"] == "refused" and admin["code"] == "not_a_member"
