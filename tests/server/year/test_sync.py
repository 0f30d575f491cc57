"""Commitments on devices: who holds them through the feed, and the offline actions with their times."""

from datetime import timedelta

from server.timeutil import utcnow
from tests.server.sync.helpers import Device, fresh_view
from tests.server.year.factories import ITEMS, make_commitment

BASE = "/api/v1/year/commitments"
PUSH = "/api/v1/sync/push"


def _push(client, headers, *actions):
    resp = client.post(PUSH, json={"actions": list(actions)}, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["results"]


def _action(client_id, kind, payload, made_at=None):
    return {"client_id": client_id, "type": kind, "payload": payload,
            "made_at": made_at.isoformat() if made_at else None}


def test_the_feed_carries_ones_own_and_the_led_cells_and_nothing_to_others(client, world, login, clock):
    member, secretary, cellmate, outsider, staff = (
        Device(client, login(p)) for p in (world.member, world.secretary, world.member2,
                                           world.other_secretary, world.staff))
    devices = (member, secretary, cellmate, outsider, staff)
    for d in devices:
        d.pull()
    created = client.post(BASE, json={"year": 2027, "items": ITEMS}, headers=member.headers).json()
    cid = created["id"]
    for d in devices:
        d.pull()
    assert set(member.of_type("commitment")) == {cid}
    assert member.of_type("commitment")[cid]["status"] == "draft"
    assert all(d.of_type("commitment") == {} for d in (secretary, cellmate, outsider, staff))  # a draft

    clock.shift(60)
    client.post(f"{BASE}/{cid}/submit", headers=member.headers)
    for d in devices:
        d.pull()
    held = secretary.of_type("commitment")[cid]
    assert held["status"] == "submitted" and held["full_name"] == "Trần Thị Đảng" and len(held["items"]) == 3
    assert all(d.of_type("commitment") == {} for d in (cellmate, outsider, staff))

    client.post(f"{BASE}/{cid}/decision", json={"approve": True}, headers=secretary.headers)
    member.pull()
    assert member.of_type("commitment")[cid]["status"] == "approved"
    assert member.store == fresh_view(client, member.headers)
    secretary.pull()
    assert secretary.store == fresh_view(client, secretary.headers)

    # A deleted draft leaves its author's device.
    draft = client.post(BASE, json={"year": 2026, "items": ITEMS}, headers=member.headers).json()
    member.pull()
    assert draft["id"] in member.of_type("commitment")
    client.delete(f"{BASE}/{draft['id']}", headers=member.headers)
    member.pull()
    assert set(member.of_type("commitment")) == {cid}


def test_offline_save_submits_at_the_time_the_member_acted_and_applies_once(client, world, login, clock):
    device = Device(client, login(world.member))
    leader = Device(client, login(world.secretary))
    device.pull()
    leader.pull()
    acted = utcnow() - timedelta(hours=20)  # written in a dead zone yesterday evening
    draft = _action("cam-ket-0001", "commitment.save", {"year": 2027, "items": ITEMS[:2]}, acted)
    sent = _action("cam-ket-0002", "commitment.save", {"year": 2027, "items": ITEMS, "submit": True},
                   acted + timedelta(minutes=10))
    first, second = _push(client, device.headers, draft, sent)
    assert first["status"] == "applied" and first["result"]["status"] == "draft", first
    assert second["status"] == "applied" and second["result"]["status"] == "submitted", second
    cid = second["result"]["commitment_id"]
    again = _push(client, device.headers, sent)[0]
    assert again["status"] == "already_applied"
    device.pull()
    leader.pull()
    mine = device.of_type("commitment")[cid]
    assert mine["status"] == "submitted" and len(mine["items"]) == 3
    assert mine["submitted_at"].startswith((acted + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    assert mine["edited_at"].startswith((acted + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    assert leader.of_type("commitment")[cid]["status"] == "submitted"
    # Once sent, a queued edit is refused with its reason (and leaves nothing behind).
    late = _push(client, device.headers, _action("cam-ket-0003", "commitment.save",
                                                  {"year": 2027, "items": ITEMS[:1]}, acted))[0]
    assert late["status"] == "refused" and late["code"] == "commitment_locked"
    empty = {"year": 2027, "items": []}
    bad = _push(client, device.headers, _action("cam-ket-0004", "commitment.save", empty))
    assert bad[0]["status"] == "refused" and bad[0]["code"] == "invalid_payload"


def test_a_queued_edit_older_than_the_servers_is_refused(client, world, login, clock):
    headers = login(world.member)
    queued_at = utcnow()
    clock.shift(120)
    online = client.post(BASE, json={"year": 2027, "items": ITEMS}, headers=headers)
    assert online.status_code == 201
    stale = _push(client, headers, _action("cam-ket-0101", "commitment.save",
                                           {"year": 2027, "items": ITEMS[:1]}, queued_at))[0]
    assert stale["status"] == "refused" and stale["code"] == "commitment_newer"
    assert len(client.get(f"{BASE}/{online.json()['id']}", headers=headers).json()["items"]) == 3


def test_offline_results_keep_the_newest_and_only_the_owner_writes_them(client, world, login, db, clock):
    commitment = make_commitment(db, world.member, 2026, "approved")
    db.commit()
    headers = login(world.member)
    device = Device(client, headers)
    device.pull()
    items = device.of_type("commitment")[commitment.id]["items"]
    older, newer = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    payload = {"commitment_id": commitment.id, "results": [{"item_id": items[0]["id"], "result": "Bản mới"}]}
    applied = _push(client, headers, _action("ket-qua-0001", "commitment.result", payload, newer))[0]
    assert applied["status"] == "applied" and applied["result"]["kept_newer"] == []
    old = dict(payload, results=[{"item_id": items[0]["id"], "result": "Bản cũ"}])
    kept = _push(client, headers, _action("ket-qua-0002", "commitment.result", old, older))[0]
    assert kept["status"] == "applied" and kept["result"]["kept_newer"] == [items[0]["id"]]
    device.pull()
    item = device.of_type("commitment")[commitment.id]["items"][0]
    assert item["result"] == "Bản mới" and item["result_at"].startswith(newer.strftime("%Y-%m-%dT%H:%M"))
    # Another member of the cell cannot write them, nor learn that the commitment exists.
    other = _push(client, login(world.member2), _action("ket-qua-0003", "commitment.result", payload))[0]
    assert other["status"] == "refused" and other["code"] == "commitment_not_found"
    leader = _push(client, login(world.secretary), _action("ket-qua-0004", "commitment.result", payload))[0]
    assert leader["status"] == "refused" and leader["code"] == "not_owner"
    pending = make_commitment(db, world.member, 2027, "submitted")
    db.commit()
    early = _push(client, headers, _action("ket-qua-0005", "commitment.result",
                                           {"commitment_id": pending.id, "results": payload["results"]}))[0]
    assert early["status"] == "refused" and early["code"] == "commitment_not_approved"


def test_a_leader_decides_and_remarks_offline_at_the_time_they_acted(client, world, login, db, clock):
    commitment = make_commitment(db, world.member, 2027, "submitted", at=utcnow() - timedelta(days=1))
    db.commit()
    sec, member = login(world.secretary), login(world.member)
    acted = utcnow() - timedelta(hours=2)  # at the cell's meeting, without network
    decided = _push(client, sec, _action("duyet-0001", "commitment.decide",
                                         {"commitment_id": commitment.id, "approve": True}, acted))[0]
    assert decided["status"] == "applied" and decided["result"]["status"] == "approved", decided
    held = client.get(f"{BASE}/{commitment.id}", headers=member).json()
    assert held["decided_at"].startswith(acted.strftime("%Y-%m-%dT%H:%M"))
    item = held["items"][0]["id"]
    remark = {"commitment_id": commitment.id, "remarks": [{"item_id": item, "remark": "Thực hiện tốt"}]}
    done = _push(client, sec, _action("nhan-xet-0001", "commitment.remark", remark, acted))[0]
    assert done["status"] == "applied" and done["result"]["kept_newer"] == []
    # The member cannot do either; a return without a comment is refused as a bad payload.
    own = _push(client, member, _action("duyet-0002", "commitment.remark", remark))[0]
    assert own["status"] == "refused" and own["code"] == "not_cell_leader"
    other = _push(client, login(world.other_secretary), _action("duyet-0003", "commitment.decide",
                                                                {"commitment_id": commitment.id,
                                                                 "approve": True}))[0]
    assert other["status"] == "refused" and other["code"] == "commitment_not_found"
    resent = make_commitment(db, world.member2, 2027, "submitted")
    db.commit()
    silent = _push(client, sec, _action("duyet-0004", "commitment.decide",
                                        {"commitment_id": resent.id, "approve": False}))[0]
    assert silent["status"] == "refused" and silent["code"] == "invalid_payload"
    # Decided on a version the member has sent again since: refused, the new one waits for a look.
    stale = _push(client, sec, _action("duyet-0005", "commitment.decide",
                                       {"commitment_id": resent.id, "approve": True},
                                       utcnow() - timedelta(hours=1)))[0]
    assert stale["status"] == "refused" and stale["code"] == "commitment_newer"


def test_a_device_clock_ahead_is_cut_to_the_servers_time_and_online_edits_win(client, world, login, clock):
    headers = login(world.member)
    ahead = utcnow() + timedelta(hours=3)
    pushed = _push(client, headers, _action("cam-ket-0201", "commitment.save",
                                            {"year": 2027, "items": ITEMS}, ahead))[0]
    assert pushed["status"] == "applied"
    cid = pushed["result"]["commitment_id"]
    held = client.get(f"{BASE}/{cid}", headers=headers).json()
    assert held["edited_at"].startswith(utcnow().strftime("%Y-%m-%dT%H:%M"))
    edited = client.patch(f"{BASE}/{cid}", json={"items": ITEMS[:1]}, headers=headers)
    assert edited.status_code == 200 and len(edited.json()["items"]) == 1
