"""Refresh rotation, reuse detection, logout, device session listing and revocation."""

import json

from tests.server.auth.helpers import REFRESH, assert_error, bearer, tokens


def _refresh(client, refresh_token):
    return client.post(REFRESH, json={"refresh_token": refresh_token})


def test_refresh_rotates_the_pair_and_spends_the_old_token(client, world):
    first = tokens(client, "dangvien.a", world.member.password)
    resp = _refresh(client, first["refresh_token"])
    assert resp.status_code == 200, resp.text
    second = resp.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200
    # The new refresh token works in turn.
    third = _refresh(client, second["refresh_token"])
    assert third.status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_device_session(client, world):
    first = tokens(client, "dangvien.a", world.member.password, device="điện thoại")
    other_device = tokens(client, "dangvien.a", world.member.password, device="máy tính")
    second = _refresh(client, first["refresh_token"]).json()
    # Someone replays the old token: refused, and the session it belongs to is over.
    assert_error(_refresh(client, first["refresh_token"]), 401, "refresh_token_reused")
    assert_error(client.get("/api/v1/me", headers=bearer(second["access_token"])), 401, "session_revoked")
    assert_error(_refresh(client, second["refresh_token"]), 401, "session_revoked")
    # Only that device: the user's other session keeps working.
    assert client.get("/api/v1/me", headers=bearer(other_device["access_token"])).status_code == 200


def test_unknown_refresh_token_is_401(client, world):
    assert_error(_refresh(client, "khong-phai-token"), 401, "invalid_refresh_token")
    assert_error(client.post(REFRESH, json={}), 422, "validation_error")


def test_refresh_of_a_disabled_account_is_refused(client, world, db):
    pair = tokens(client, "dangvien.a", world.member.password)
    world.member.user.is_active = False
    db.add(world.member.user)
    db.commit()
    assert_error(_refresh(client, pair["refresh_token"]), 401, "account_disabled")


def test_logout_ends_that_session_only(client, world):
    phone = tokens(client, "dangvien.a", world.member.password, device="phone")
    laptop = tokens(client, "dangvien.a", world.member.password, device="laptop")
    resp = client.post("/api/v1/auth/logout", headers=bearer(phone["access_token"]))
    assert resp.status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(phone["access_token"])), 401)
    assert_error(_refresh(client, phone["refresh_token"]), 401)
    assert client.get("/api/v1/me", headers=bearer(laptop["access_token"])).status_code == 200
    assert _refresh(client, laptop["refresh_token"]).status_code == 200


def test_list_own_sessions_with_the_current_one_flagged(client, world):
    phone = tokens(client, "dangvien.a", world.member.password, device="phone")
    tokens(client, "dangvien.a", world.member.password, device="laptop")
    tokens(client, "dangvien.a2", world.member2.password, device="someone else")
    resp = client.get("/api/v1/auth/sessions", headers=bearer(phone["access_token"]))
    assert resp.status_code == 200
    rows = resp.json()
    assert sorted(r["device_name"] for r in rows) == ["laptop", "phone"]
    assert [r["device_name"] for r in rows if r["current"]] == ["phone"]
    assert all(r["client_address"] == "testclient" for r in rows)


def test_revoke_one_session(client, world):
    phone = tokens(client, "dangvien.a", world.member.password, device="phone")
    laptop = tokens(client, "dangvien.a", world.member.password, device="laptop")
    rows = client.get("/api/v1/auth/sessions", headers=bearer(phone["access_token"])).json()
    laptop_id = next(r["id"] for r in rows if r["device_name"] == "laptop")
    resp = client.delete(f"/api/v1/auth/sessions/{laptop_id}", headers=bearer(phone["access_token"]))
    assert resp.status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(laptop["access_token"])), 401, "session_revoked")
    assert_error(_refresh(client, laptop["refresh_token"]), 401)
    remaining = client.get("/api/v1/auth/sessions", headers=bearer(phone["access_token"])).json()
    assert [r["device_name"] for r in remaining] == ["phone"]


def test_cannot_revoke_someone_elses_session(client, world):
    mine = tokens(client, "dangvien.a", world.member.password)
    theirs = tokens(client, "dangvien.a2", world.member2.password)
    their_id = client.get("/api/v1/auth/sessions", headers=bearer(theirs["access_token"])).json()[0]["id"]
    assert_error(client.delete(f"/api/v1/auth/sessions/{their_id}", headers=bearer(mine["access_token"])),
                 404, "session_not_found")
    assert client.get("/api/v1/me", headers=bearer(theirs["access_token"])).status_code == 200
    # A staff member or admin is no exception: sessions are their owner's business.
    admin = tokens(client, world.admin.username, world.admin.password)
    assert_error(client.delete(f"/api/v1/auth/sessions/{their_id}", headers=bearer(admin["access_token"])),
                 404)


def test_revoke_other_sessions_keeps_the_current_one(client, world):
    current = tokens(client, "dangvien.a", world.member.password, device="current")
    others = [tokens(client, "dangvien.a", world.member.password, device=f"d{i}") for i in range(2)]
    resp = client.post("/api/v1/auth/sessions/revoke-others", headers=bearer(current["access_token"]))
    assert resp.status_code == 200 and resp.json() == {"revoked": 2}
    for other in others:
        assert_error(client.get("/api/v1/me", headers=bearer(other["access_token"])), 401)
    assert client.get("/api/v1/me", headers=bearer(current["access_token"])).status_code == 200
    rows = client.get("/api/v1/auth/sessions", headers=bearer(current["access_token"])).json()
    assert [r["device_name"] for r in rows] == ["current"]


def _token_rows(app, device_name):
    from sqlalchemy import select

    from server.auth.models import DeviceSession, RefreshToken

    with app.state.db.session() as s:
        query = (select(RefreshToken).join(DeviceSession, DeviceSession.id == RefreshToken.session_id)
                 .where(DeviceSession.device_name == device_name).order_by(RefreshToken.id))
        return s.execute(query).scalars().all()


def test_spent_refresh_tokens_are_forgotten_after_the_reuse_window(client, world, app, settings):
    """An active device must not add a row per refresh forever; recent ones still catch a replay."""
    from datetime import timedelta

    from sqlalchemy import update

    from server.auth.models import RefreshToken
    from server.timeutil import utcnow

    pair = tokens(client, "dangvien.a", world.member.password, device="bền bỉ")
    old_tokens = []
    for _ in range(3):
        old_tokens.append(pair["refresh_token"])
        pair = _refresh(client, pair["refresh_token"]).json()
    assert len(_token_rows(app, "bền bỉ")) == 4  # three spent, one live
    with app.state.db.transaction() as s:  # the first two were spent long ago
        ids = [r.id for r in _token_rows(app, "bền bỉ")][:2]
        s.execute(update(RefreshToken).where(RefreshToken.id.in_(ids))
                  .values(used_at=utcnow() - timedelta(hours=settings.refresh_reuse_memory_hours + 1)))
    pair = _refresh(client, pair["refresh_token"]).json()
    rows = _token_rows(app, "bền bỉ")
    assert len(rows) == 3 and sum(r.used_at is None for r in rows) == 1
    # A forgotten token is simply unknown; a remembered one still revokes the session.
    assert_error(_refresh(client, old_tokens[0]), 401, "invalid_refresh_token")
    assert client.get("/api/v1/me", headers=bearer(pair["access_token"])).status_code == 200
    assert_error(_refresh(client, old_tokens[2]), 401, "refresh_token_reused")
    assert_error(client.get("/api/v1/me", headers=bearer(pair["access_token"])), 401)


def test_purge_removes_long_dead_sessions_only(client, world, app):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from server.auth import service
    from server.auth.models import DeviceSession, RefreshToken
    from server.timeutil import utcnow

    live = tokens(client, "dangvien.a", world.member.password, device="live")
    recently_out = tokens(client, "dangvien.a", world.member.password, device="recent")
    tokens(client, "dangvien.a", world.member.password, device="ancient")
    client.post("/api/v1/auth/logout", headers=bearer(recently_out["access_token"]))
    with app.state.db.transaction() as s:
        s.execute(update(DeviceSession).where(DeviceSession.device_name == "ancient")
                  .values(revoked_at=utcnow() - timedelta(days=40), revoked_reason="logout"))
    with app.state.db.transaction() as s:
        assert service.purge_stale_sessions(s, older_than_days=30) == 1
    with app.state.db.session() as s:
        names = set(s.execute(select(DeviceSession.device_name)).scalars())
        assert names == {"live", "recent"}
        orphans = s.execute(select(func.count()).select_from(RefreshToken).where(
            RefreshToken.session_id.not_in(select(DeviceSession.id)))).scalar_one()
        assert orphans == 0
    assert client.get("/api/v1/me", headers=bearer(live["access_token"])).status_code == 200


def _sign_in(client, world, device_token=None, device="điện thoại"):
    resp = client.post("/api/v1/auth/login", json={
        "username": "dangvien.a", "password": world.member.password, "device_name": device,
        "device_token": device_token})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_signing_in_again_on_the_same_device_replaces_its_earlier_session(client, world, db):
    from sqlalchemy import select

    from server.records.audit import AuditEntry

    first = _sign_in(client, world)
    laptop = _sign_in(client, world, device="máy tính")
    second = _sign_in(client, world, first["device_token"])
    # The phone, signed in again (with the token its first sign-in gave), is listed once.
    rows = client.get("/api/v1/auth/sessions", headers=bearer(second["access_token"])).json()
    assert sorted(r["device_name"] for r in rows) == ["máy tính", "điện thoại"]
    assert [r["device_name"] for r in rows if r["current"]] == ["điện thoại"]
    # Its earlier session is over; the other device is untouched.
    assert_error(client.get("/api/v1/me", headers=bearer(first["access_token"])), 401, "session_revoked")
    assert_error(_refresh(client, first["refresh_token"]), 401, "session_revoked")
    assert client.get("/api/v1/me", headers=bearer(laptop["access_token"])).status_code == 200
    # And again with the token the second sign-in gave: still one row for the phone.
    third = _sign_in(client, world, second["device_token"])
    rows = client.get("/api/v1/auth/sessions", headers=bearer(third["access_token"])).json()
    assert sorted(r["device_name"] for r in rows) == ["máy tính", "điện thoại"]
    assert_error(client.get("/api/v1/me", headers=bearer(second["access_token"])), 401, "session_revoked")
    # Every sign-in stays in the audit log, and the replacement says which session it ended.
    entries = db.execute(select(AuditEntry).where(AuditEntry.action == "auth.login")
                         .order_by(AuditEntry.id)).scalars().all()
    assert len(entries) == 4
    details = [json.loads(e.detail or "{}") for e in entries]
    assert details[-1]["replaced_sessions"] == [details[2]["session_id"]]
    assert details[2]["replaced_sessions"] == [details[0]["session_id"]]
    assert "replaced_sessions" not in details[1]


def test_a_device_token_of_another_account_replaces_nothing(client, world):
    other = client.post("/api/v1/auth/login", json={"username": "dangvien.a2",
                                                    "password": world.member2.password}).json()
    mine = _sign_in(client, world)
    _sign_in(client, world, other["device_token"])  # foreign token: not proof of this device
    assert client.get("/api/v1/me", headers=bearer(mine["access_token"])).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(other["access_token"])).status_code == 200
