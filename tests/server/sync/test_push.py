"""Offline action batches: applied once, replays answered from receipts, reused ids refused."""

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.notifications.service import notify
from server.sync.models_ext import SyncAction
from shared.enums import OrgKind


def _batch(*actions):
    return {"actions": list(actions)}


def _read(client_id, ids, made_at="2026-11-20T19:30:00+07:00"):
    return {"client_id": client_id, "type": "notification.read", "payload": {"ids": ids}, "made_at": made_at}


def test_batch_applied_once_and_replay_changes_nothing(client, world, login, db):
    notes = notify(db, org_ids=[world.cell.id], kind="meeting_scheduled", title="Họp") + \
        notify(db, user_ids=[world.member.user.id], kind="absence_answered", title="Duyệt")
    db.commit()
    headers = login(world.member)
    batch = _batch(_read("dev1-0001", [notes[0].id]), _read("dev1-0002", [notes[1].id]))
    first = client.post("/api/v1/sync/push", json=batch, headers=headers)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    assert [r["result"] for r in first.json()["results"]] == [{"marked": 1}, {"marked": 1}]
    feed_before = client.get("/api/v1/sync", headers=headers).json()
    replay = client.post("/api/v1/sync/push", json=batch, headers=headers).json()
    assert [r["status"] for r in replay["results"]] == ["already_applied", "already_applied"]
    assert [r["result"] for r in replay["results"]] == [{"marked": 1}, {"marked": 1}]
    assert client.get("/api/v1/sync", params={"cursor": feed_before["cursor"]}, headers=headers).json()[
        "changes"] == []


def test_same_client_id_other_payload_is_refused(client, world, login, db):
    notes = notify(db, org_ids=[world.cell.id], kind="k", title="a") + notify(db, org_ids=[world.cell.id],
                                                                              kind="k", title="b")
    db.commit()
    headers = login(world.member)
    client.post("/api/v1/sync/push", json=_batch(_read("dev1-0001", [notes[0].id])), headers=headers)
    resp = client.post("/api/v1/sync/push", json=_batch(_read("dev1-0001", [notes[1].id])),
                       headers=headers).json()
    assert resp["results"][0]["status"] == "refused"
    assert resp["results"][0]["code"] == "client_id_reused"
    assert client.get("/api/v1/notifications", params={"unread": True}, headers=headers).json()["total"] == 1


def test_client_ids_belong_to_their_user(client, world, login, db):
    [note] = notify(db, org_ids=[world.cell.id], kind="k", title="a")
    db.commit()
    batch = _batch(_read("shared-0001", [note.id]))
    a = client.post("/api/v1/sync/push", json=batch, headers=login(world.member))
    b = client.post("/api/v1/sync/push", json=batch, headers=login(world.member2))
    assert a.json()["results"][0]["status"] == "applied"
    assert b.json()["results"][0]["status"] == "applied"


def test_unknown_type_and_bad_payload_refused_without_500(client, world, login):
    headers = login(world.member)
    resp = client.post("/api/v1/sync/push", headers=headers, json=_batch(
        {"client_id": "dev1-0001", "type": "teleport", "payload": {}},
        {"client_id": "dev1-0002", "type": "notification.read", "payload": {"ids": "nope"}},
        {"client_id": "dev1-0003", "type": "notification.read", "payload": {"ids": [1], "extra": 1}},
    ))
    assert resp.status_code == 200, resp.text
    assert [(r["status"], r["code"]) for r in resp.json()["results"]] == [
        ("refused", "unknown_action"), ("refused", "invalid_payload"), ("refused", "invalid_payload")]
    again = client.post("/api/v1/sync/push", headers=headers, json=_batch(
        {"client_id": "dev1-0001", "type": "teleport", "payload": {}}))
    assert again.json()["results"][0]["code"] == "unknown_action"


def test_malformed_batch_is_422(client, world, login):
    headers = login(world.member)
    push = "/api/v1/sync/push"
    assert client.post(push, json={"actions": [{"type": "x"}]}, headers=headers).status_code == 422
    assert client.post(push, json=_batch(_read("short", [1])), headers=headers).status_code == 422
    assert client.post("/api/v1/sync/push", json=_batch()).status_code == 401


def test_concurrent_replays_apply_once(any_settings):
    from server.app import create_app
    from tests import factories

    app = create_app(any_settings, migrate=False)
    with app.state.db.transaction() as s:
        province = factories.make_org(s, kind=OrgKind.province)
        person = factories.make_member(s, province)
        note_id = notify(s, org_ids=[province.id], kind="k", title="a")[0].id
    with TestClient(app) as c:
        resp = c.post("/api/v1/auth/login", json={"username": person.username, "password": person.password})
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        batch = _batch(_read("race-0001", [note_id]))
        statuses: list[str] = []
        barrier = threading.Barrier(6)

        def send() -> None:
            barrier.wait()
            r = c.post("/api/v1/sync/push", json=batch, headers=headers)
            statuses.append(r.json()["results"][0]["status"])

        threads = [threading.Thread(target=send) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inbox = c.get("/api/v1/notifications", headers=headers).json()
    assert sorted(statuses) == ["already_applied"] * 5 + ["applied"]
    assert inbox["unread"] == 0
    with app.state.db.transaction() as s:
        assert s.execute(select(func.count()).select_from(SyncAction)).scalar_one() == 1
