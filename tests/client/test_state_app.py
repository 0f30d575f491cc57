"""Session state with fake HTTP and storage: sign-in, offline restore, wipe on revocation and sign-out,
the text size, refused actions, the offline clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from client.api import ApiError, OfflineError, SessionEnded
from client.store import user_store_dir
from tests.client.fakes import FakeApi


async def test_sign_in_refuses_with_the_servers_words_then_opens_own_store(made, tmp_path):
    app, apis = made()
    with pytest.raises(ApiError) as err:
        await app.sign_in("", "dangvien.a", "sai")
    assert err.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert not app.signed_in
    with pytest.raises(ApiError) as err:
        await app.sign_in("", "", "")
    assert err.value.message == "Vui lòng nhập tên đăng nhập và mật khẩu."
    await app.sign_in("127.0.0.1:8080", "dangvien.a", "dung-mat-khau")
    assert app.signed_in and app.me.full_name == "Trần Thị Đảng"
    assert await app.prefs.get("server_url") == "http://127.0.0.1:8080"
    assert await app.prefs.get("refresh_token") == "r1"
    assert user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert not app.is_secretary and not app.is_staff


async def test_restore_offline_uses_the_cached_profile(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21"})
    await app._close(wipe=False)  # the tab closes; the phone keeps its data

    again, apis = made(prefs=app.prefs)
    apis_before = len(apis)
    original = FakeApi.me

    async def offline_me(self):  # the server cannot be reached this time
        raise OfflineError("down")

    FakeApi.me = offline_me  # type: ignore[method-assign]
    try:
        assert await again.restore() is True
    finally:
        FakeApi.me = original  # type: ignore[method-assign]
    assert len(apis) == apis_before + 1
    assert again.online is False
    assert again.me.full_name == "Trần Thị Đảng"
    assert again.store.get("document", 1)["title"] == "Nghị quyết 21"


async def test_revoked_session_wipes_the_store_and_asks_to_sign_in(made, tmp_path):
    app, apis = made()
    events: list[str] = []
    app.subscribe(events.append)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Riêng tư"})
    apis[-1].ended = True
    with pytest.raises(SessionEnded):
        await app.call(apis[-1].me())
    assert "signed_out" in events
    assert not app.signed_in
    assert app.notice == "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."
    assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert await app.prefs.get("refresh_token") is None


async def test_sign_out_wipes_too(made, tmp_path):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await app.sign_out()
    assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()
    assert await app.prefs.get("user_id") is None


async def test_text_scale_is_remembered(made):
    app, _ = made()
    await app.set_text_scale(2.0)
    again, _ = made(prefs=app.prefs)
    await again.load_prefs()
    assert again.text_scale == 2.0


async def test_a_text_size_saved_by_an_older_version_becomes_the_nearest_offered(made):
    app, _ = made()
    await app.prefs.set("text_scale", "1.4")  # the largest size before 200% was offered
    await app.load_prefs()
    assert app.text_scale == 1.5


async def test_refused_actions_are_shown_until_dismissed(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    item = app.store.enqueue("meeting.check_in", {"meeting_id": 1, "code": "000000"})
    app.store.outbox_failed(item.client_id, "checkin_code_invalid", "Mã điểm danh không đúng.")
    assert app.pending_actions == 0 and len(app.store.outbox("failed")) == 1
    app.dismiss_failed()
    assert app.store.outbox() == []


async def _offline_restore(made, prefs):  # type: ignore[no-untyped-def]
    again, _ = made(prefs=prefs)
    original = FakeApi.me

    async def offline_me(self):
        raise OfflineError("down")

    FakeApi.me = offline_me  # type: ignore[method-assign]
    try:
        return again, await again.restore()
    finally:
        FakeApi.me = original  # type: ignore[method-assign]


@pytest.mark.parametrize("away,shown", [
    (timedelta(days=14) - timedelta(minutes=1), True),  # the province's 14 days, not yet up
    (timedelta(days=14) + timedelta(minutes=1), False),
])
async def test_a_device_out_of_touch_too_long_forgets_its_copy(made, clock, tmp_path, away, shown):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")  # the server says 14 days (SOTAY_OFFLINE_MAX_DAYS)
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21"})
    await app._close(wipe=False)
    clock[0] = clock[0] + away
    again, restored = await _offline_restore(made, app.prefs)
    assert restored is shown
    if shown:
        assert again.store.get("document", 1)["title"] == "Nghị quyết 21"
    else:
        assert again.store is None and again.me is None
        assert "14 ngày" in again.notice and "đăng nhập lại" in again.notice
        assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 7).exists()  # the copy is gone
        assert await again.prefs.get("refresh_token") is None


async def test_each_contact_with_the_server_restarts_the_offline_clock(made, clock):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    clock[0] = clock[0] + timedelta(days=10)
    app._on_status(True)  # the sync engine reached the server
    await app._close(wipe=False)
    clock[0] = clock[0] + timedelta(days=10)  # 20 days since sign-in, 10 since the last contact
    _, restored = await _offline_restore(made, app.prefs)
    assert restored is True


async def test_a_device_online_for_weeks_is_not_wiped_on_its_first_offline_start(made, clock):
    # Online all along, the engine never changes status, yet every answer from the server is a contact.
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app._on_status(True)
    for _day in range(4):
        clock[0] = clock[0] + timedelta(days=5)
        app.engine.queue("document.read", {"document_id": 1})
        await app.engine.push()
    await app._close(wipe=False)
    clock[0] = clock[0] + timedelta(days=2)  # 22 days since sign-in, 2 since the last answer
    again, restored = await _offline_restore(made, app.prefs)
    assert restored is True and again.store is not None
