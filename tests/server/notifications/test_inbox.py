"""Notifications: addressed to users or subtrees, in the inbox, the feed and read state."""

from server.notifications.service import notify
from tests.server.sync.helpers import Device


def test_org_notification_reaches_subtree_only(client, world, login, db):
    notify(db, org_ids=[world.district.id], kind="document_published", title="Nghị quyết mới",
           ref_type="document", ref_id=7)
    db.commit()
    inside = client.get("/api/v1/notifications", headers=login(world.member)).json()
    assert [n["title"] for n in inside["items"]] == ["Nghị quyết mới"]
    assert inside["unread"] == 1
    assert inside["items"][0]["ref_type"] == "document" and inside["items"][0]["ref_id"] == 7
    for outsider in (world.other_member, world.other_staff):
        assert client.get("/api/v1/notifications", headers=login(outsider)).json()["items"] == []


def test_user_notification_is_personal(client, world, login, db):
    notify(db, user_ids=[world.member.user.id], kind="absence_answered", title="Đơn xin vắng được duyệt")
    db.commit()
    assert client.get("/api/v1/notifications", headers=login(world.member)).json()["total"] == 1
    assert client.get("/api/v1/notifications", headers=login(world.member2)).json()["total"] == 0
    assert client.get("/api/v1/notifications", headers=login(world.other_member)).json()["total"] == 0


def test_mark_read_is_per_user_and_idempotent(client, world, login, db):
    [note] = notify(db, org_ids=[world.cell.id], kind="meeting_scheduled", title="Họp chi bộ tháng 12")
    db.commit()
    h1, h2 = login(world.member), login(world.member2)
    body = client.post("/api/v1/notifications/read", json={"ids": [note.id]}, headers=h1).json()
    assert body == {"marked": 1, "unread": 0}
    again = client.post("/api/v1/notifications/read", json={"ids": [note.id]}, headers=h1).json()
    assert again == {"marked": 0, "unread": 0}
    assert client.get("/api/v1/notifications", params={"unread": True}, headers=h2).json()["total"] == 1
    assert client.get("/api/v1/notifications", params={"unread": True}, headers=h1).json()["total"] == 0


def test_cannot_mark_notification_of_another_subtree(client, world, login, db):
    [note] = notify(db, org_ids=[world.other_cell.id], kind="meeting_scheduled", title="Họp chi bộ B")
    db.commit()
    headers = login(world.member)
    body = client.post("/api/v1/notifications/read", json={"ids": [note.id]}, headers=headers).json()
    assert body["marked"] == 0
    inbox = client.get("/api/v1/notifications", headers=login(world.other_member)).json()
    assert inbox["items"][0]["read_at"] is None


def test_notifications_travel_in_feed_with_read_state(client, world, login, db):
    device = Device(client, login(world.member))
    device.pull()
    [note] = notify(db, org_ids=[world.cell.id], kind="checkin_opened", title="Đã mở điểm danh")
    db.commit()
    device.pull()
    held = device.of_type("notification")
    assert held[note.id]["title"] == "Đã mở điểm danh" and held[note.id]["read_at"] is None
    client.post("/api/v1/notifications/read", json={"all": True}, headers=device.headers)
    device.pull()
    assert device.of_type("notification")[note.id]["read_at"] is not None
    outsider = Device(client, login(world.other_member))
    outsider.pull()
    assert outsider.of_type("notification") == {}


def test_notification_without_transaction_commit_never_appears(client, world, login, db):
    notify(db, org_ids=[world.cell.id], kind="meeting_scheduled", title="Sẽ bị hủy")
    db.rollback()
    assert client.get("/api/v1/notifications", headers=login(world.member)).json()["total"] == 0


def test_old_notifications_pruned_and_removed_from_devices(client, world, login, db):
    from datetime import timedelta

    from server.notifications.models import Notification
    from server.notifications.service import prune
    from server.timeutil import utcnow

    [old] = notify(db, org_ids=[world.cell.id], kind="k", title="Cũ")
    [recent] = notify(db, user_ids=[world.member.user.id], kind="k", title="Mới")
    old.created_at = utcnow() - timedelta(days=200)
    db.commit()
    headers = login(world.member)
    client.post("/api/v1/notifications/read", json={"all": True}, headers=headers)
    device = Device(client, headers)
    device.pull()
    assert set(device.of_type("notification")) == {old.id, recent.id}
    assert prune(db, older_than=utcnow() - timedelta(days=90)) == 1
    db.commit()
    device.pull()
    assert set(device.of_type("notification")) == {recent.id}
    assert db.get(Notification, old.id) is None
