"""client/api.py against the real server: sign-in, refresh with rotation, errors, sessions, offline."""

from datetime import UTC, datetime, timedelta

import pytest

from client.api import Api, ApiError, OfflineError, SessionEnded, Tokens
from shared.schemas.auth import MePublic


async def test_login_me_and_vietnamese_error(live_server, world):
    api = Api(live_server.url)
    with pytest.raises(ApiError) as err:
        await api.login(world.member.username, "sai-mat-khau")
    assert err.value.status == 401
    assert err.value.message and "Traceback" not in err.value.message
    assert any(ch in err.value.message for ch in "ăâđêôơư")  # said in Vietnamese
    await api.login(world.member.username, world.member.password, "Điện thoại thử")
    me = await api.me()
    assert isinstance(me, MePublic)
    assert me.full_name == "Trần Thị Đảng"
    assert me.organization and me.organization.id == world.cell.id
    await api.aclose()


async def test_expired_access_token_is_refreshed_once_and_rotates(live_server, world):
    saved: list[Tokens | None] = []
    api = Api(live_server.url, on_tokens=saved.append)
    first = await api.login(world.member.username, world.member.password)
    api.tokens = Tokens(access="hong", refresh=first.refresh)  # as if the access token had expired
    me = await api.me()
    assert me.username == world.member.username
    assert api.tokens.refresh != first.refresh  # rotated
    assert saved[-1] == api.tokens
    # the old refresh token is now spent: using it again ends the session (theft detection)
    thief = Api(live_server.url, tokens=Tokens(access="x", refresh=first.refresh))
    with pytest.raises(SessionEnded):
        await thief.me()
    await api.aclose()
    await thief.aclose()


async def test_concurrent_401s_share_one_refresh(live_server, world):
    import asyncio

    api = Api(live_server.url)
    first = await api.login(world.member.username, world.member.password)
    api.tokens = Tokens(access="hong", refresh=first.refresh)
    results = await asyncio.gather(api.me(), api.sessions(), api.me())
    assert results[0].id == results[2].id
    assert await api.me()  # the session survived: nobody re-used a spent refresh token
    await api.aclose()


async def test_sign_out_others_ends_their_session(live_server, world):
    phone = Api(live_server.url)
    desk = Api(live_server.url)
    await phone.login(world.member.username, world.member.password, "Điện thoại")
    await desk.login(world.member.username, world.member.password, "Máy tính")
    sessions = await desk.sessions()
    assert sorted(s.device_name or "" for s in sessions) == ["Máy tính", "Điện thoại"]
    assert [s.current for s in sessions if s.device_name == "Máy tính"] == [True]
    assert await desk.revoke_other_sessions() == 1
    with pytest.raises(SessionEnded):
        await phone.me()
    assert phone.tokens is None
    await phone.aclose()
    await desk.aclose()


async def test_change_password_wrong_current_is_explained(live_server, world):
    api = Api(live_server.url)
    await api.login(world.member.username, world.member.password)
    with pytest.raises(ApiError) as err:
        await api.change_password("khong-dung", "mat-khau-moi-123")
    assert err.value.code == "wrong_password"
    assert err.value.message == "Mật khẩu hiện tại không đúng. Hãy nhập lại."
    await api.change_password(world.member.password, "mat-khau-moi-123")
    await api.logout()
    again = Api(live_server.url)
    await again.login(world.member.username, "mat-khau-moi-123")
    await again.aclose()
    await api.aclose()


async def test_server_down_is_offline_error():
    api = Api("http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(OfflineError) as err:
        await api.info()
    assert err.value.message.startswith("Không kết nối được máy chủ")
    await api.aclose()


async def test_staff_find_members_and_import_after_a_dry_run(live_server, world, tmp_path):
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs
    from client.state.staff import StaffState

    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await app.sign_in("", world.staff.username, world.staff.password)
    assert app.is_staff
    staff = StaffState(app)
    await staff.search_members("tran thi dang")  # typed without tone marks
    assert [m.full_name for m in staff.members] == ["Trần Thị Đảng"]
    await staff.search_members("")
    assert world.other_member.member.full_name not in {m.full_name for m in staff.members}  # other subtree
    csv = (
        "Họ và tên,Số thẻ đảng viên,Ngày sinh,Mã chi bộ\n"
        f"Phạm Văn Mới,88800001,01/02/1990,{world.cell.code}\n"
        f"X,88800002,01/02/1990,{world.cell.code}\n"
    ).encode()
    checked = await staff.import_members("danh-sach.csv", csv, apply=False)
    assert not checked.ok and "1 mới" in checked.message and "1 dòng lỗi" in checked.message
    await staff.search_members("pham van moi")
    assert staff.members == []  # a dry run writes nothing
    refused = await staff.import_members("danh-sach.csv", csv, apply=True)
    assert not refused.ok and refused.message.startswith("Chưa nhập gì")  # all or nothing
    good = csv.decode().rsplit("X,", 1)[0].encode()
    applied = await staff.import_members("danh-sach.csv", good, apply=True)
    assert applied.ok and applied.message.startswith("Đã nhập: 1 mới")
    await staff.search_members("pham van moi")
    assert [m.card_number for m in staff.members] == ["88800001"]
    await app.sign_out()


async def test_member_comments_on_a_draft_open_for_comments(live_server, world, tmp_path):
    from datetime import UTC, datetime, timedelta

    from client.state.app import AppState, ClientConfig
    from client.state.documents import DocumentsState
    from client.state.prefs import MemoryPrefs

    staff = Api(live_server.url)
    await staff.login(world.staff.username, world.staff.password)
    draft = await staff.post_json(
        "/documents",
        {
            "title": "Dự thảo Báo cáo chính trị Đại hội Đảng bộ huyện",
            "doc_type": "report",
            "category": "documents",
            "audience_org_ids": [world.district.id],
            "status": "draft",
            "comments_until": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        },
    )
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await app.sign_in("", world.member.username, world.member.password)
    docs = DocumentsState(app)
    await docs.refresh()
    assert draft["id"] in [d["id"] for d in docs.results()]  # the draft reached the member's device
    empty = await docs.comment(draft["id"], "   ")
    assert not empty.ok and empty.message == "Vui lòng nhập nội dung góp ý."
    sent = await docs.comment(draft["id"], "Đề nghị bổ sung phần đánh giá công tác phát triển đảng viên.")
    assert sent.ok and not sent.queued, sent.message
    comments = await staff.get_json(f"/documents/{draft['id']}/comments")
    assert [c["body"] for c in comments] == ["Đề nghị bổ sung phần đánh giá công tác phát triển đảng viên."]
    await app.sign_out()
    await staff.aclose()


async def test_restore_in_a_new_session_refreshes_and_is_online(live_server, world, tmp_path):
    """A new app session holds only the saved refresh token: it must come back online, signed in.

    Before, it sent `Authorization: Bearer ` (empty), httpx refused to send that, and the refusal was
    taken for "offline": the session then stayed offline for good.
    """
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs

    prefs = MemoryPrefs()
    first = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), prefs)
    await first.sign_in(live_server.url, world.member.username, world.member.password)
    await first._close(wipe=False)  # the tab closes; the saved sign-in stays

    again = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), prefs)
    assert await again.restore() is True
    assert again.online is True
    assert again.me is not None and again.me.username == world.member.username
    assert again.api is not None and again.api.tokens is not None and again.api.tokens.access
    assert await again.api.me()  # the fresh access token works
    await again._close(wipe=False)


async def test_a_request_the_client_cannot_send_is_not_offline(live_server):
    api = Api(live_server.url, tokens=Tokens(access="bad\nheader", refresh="r"))
    with pytest.raises(ApiError) as err:
        await api.me()
    assert not isinstance(err.value, OfflineError)
    assert err.value.code == "request_error"
    await api.aclose()


async def test_sign_in_keeps_the_device_token_per_account_and_sends_it_back(live_server, world, tmp_path):
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs

    prefs = MemoryPrefs()
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), prefs)
    await app.sign_in(live_server.url, world.member.username, world.member.password)
    key = f"device_token:{app.server_url}:{world.member.username}"
    first = await prefs.get(key)
    assert first and "." in first
    # The province's offline rule came with the sign-in (SOTAY_OFFLINE_MAX_DAYS, 30 by default).
    assert app.store is not None and app.store.get_meta("offline_max_days") == 30
    assert app.store.get_meta("last_contact")
    await app.sign_out()
    assert await prefs.get(key) == first  # signing out does not forget that this phone is the member's
    # A stranger's guesses from elsewhere would now slow unknown clients; this device still signs in.
    await app.sign_in(live_server.url, world.member.username, world.member.password)
    assert await prefs.get(key) and await prefs.get(key) != first  # renewed on each sign-in
    await app.sign_out()


async def test_staff_end_a_lost_phones_sessions_and_it_wipes_its_copy(live_server, world, tmp_path):
    """Remote wipe: the committee ends the member's sessions; the phone's next contact deletes its data."""
    import httpx

    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs
    from client.store import user_store_dir

    phone = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path), MemoryPrefs())
    await phone.sign_in(live_server.url, world.member.username, world.member.password)
    assert phone.store is not None and phone.me is not None
    phone.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21"})
    folder = user_store_dir(tmp_path, phone.server_url, phone.me.id)
    assert folder.exists()

    async with httpx.AsyncClient(base_url=live_server.url + "/api/v1") as http:
        staff = (await http.post("/auth/login", json={"username": world.staff.username,
                                                      "password": world.staff.password})).json()
        ended = await http.post(f"/members/{world.member.member.id}/sessions/end",
                                headers={"Authorization": f"Bearer {staff['access_token']}"})
        assert ended.status_code == 200 and ended.json()["ended"] == 1

    assert await phone.sync_now() is False  # the next contact
    assert phone.store is None and phone.me is None
    assert not folder.exists()  # documents, files and the outbox are gone from the device
    assert phone.notice and "báo mất máy" in phone.notice and "đăng nhập lại" in phone.notice


async def test_the_secretary_reads_the_agendas_reading_rates_in_one_call(live_server, world, tmp_path):
    """Issue 12, item 16 against a real server: the repeated document_id reaches it as the list it is."""
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs
    from client.state.secretary import SecretaryState

    staff = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "staff"), MemoryPrefs())
    await staff.sign_in(live_server.url, world.staff.username, world.staff.password)
    api = staff.require_api()
    ids = []
    for n in range(2):
        doc = await api.post_json("/documents", {
            "title": f"Tài liệu sinh hoạt {n}", "doc_type": "resolution", "category": "documents",
            "audience_org_ids": [world.cell.id]})
        ids.append(doc["id"])
    member = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "m"), MemoryPrefs())
    await member.sign_in(live_server.url, world.member.username, world.member.password)
    await member.require_api().post_json(f"/documents/{ids[0]}/read")
    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "sec"), MemoryPrefs())
    await app.sign_in(live_server.url, world.secretary.username, world.secretary.password)
    sec = SecretaryState(app)
    await sec.load_unread({"org_id": world.cell.id, "agenda": [{"document_ids": ids}]})
    assert sec.read_rates == {ids[0]: (1, 3), ids[1]: (0, 3)}
    assert sec.unread[ids[0]] == ["Lê Văn Hai", "Nguyễn Văn Bí"]
    for state in (staff, member, app):
        await state.sign_out()


async def test_the_secretary_uploads_attaches_and_reminds_against_a_real_server(live_server, world, tmp_path):
    """Documents on the agenda, end to end: the paper is published to the cell with its file, the meeting
    keeps it, the unread view and the one reminder come back as the shared schemas."""
    from client.state.agenda import AgendaEditor
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs
    from client.state.secretary import SecretaryState

    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "sec"), MemoryPrefs())
    await app.sign_in(live_server.url, world.secretary.username, world.secretary.password)
    editor = AgendaEditor(app)
    uploaded = await editor.upload(0, world.cell.id, "Báo cáo tháng 11", "bao-cao.pdf",
                                   b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    assert uploaded.ok, uploaded.message
    sec = SecretaryState(app)
    created = await sec.create_meeting("Sinh hoạt chuyên đề", "thematic", "04/12/2030", "19:30", "Hội trường",
                                       editor.payload())  # a fixed day well ahead: no clock read here
    assert created.ok, created.message
    meeting = next(m for m in app.require_store().all("meeting") if m["title"] == "Sinh hoạt chuyên đề")
    assert meeting["agenda"][0]["document_ids"] == editor.items[0].document_ids
    await sec.load_agenda(meeting)
    assert [m.full_name for m in sec.agenda[0].unread] == ["Lê Văn Hai", "Nguyễn Văn Bí", "Trần Thị Đảng"]
    sent = await sec.remind(meeting["id"], 1)
    assert sent.ok and "3 đảng viên" in sent.message
    fresh = SecretaryState(app)  # another screen: the server remembers it was sent
    await fresh.load_agenda(meeting)
    assert fresh.agenda[0].reminded_at is not None
    again = await fresh.remind(meeting["id"], 1)
    assert not again.ok and "một lần" in again.message
    await app.sign_out()


async def test_the_secretary_edits_a_planned_meetings_agenda_on_a_real_server(live_server, world, tmp_path):
    """"Sửa chương trình": the editor filled from the meeting, saved with a PATCH of the agenda alone; an item
    keeps its id while its title stays; a document the cell cannot see is refused in words."""
    from client.state.agenda import AgendaEditor
    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs
    from client.state.secretary import SecretaryState

    app = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "sec"), MemoryPrefs())
    await app.sign_in(live_server.url, world.secretary.username, world.secretary.password)
    paper = AgendaEditor(app)
    uploaded = await paper.upload(0, world.cell.id, "Báo cáo tháng 11", "bao-cao.pdf",
                                  b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    assert uploaded.ok, uploaded.message
    [doc_id] = paper.items[0].document_ids
    created = await SecretaryState(app).create_meeting(
        "Sinh hoạt chuyên đề", "thematic", "04/12/2030", "19:30", "Hội trường",  # a fixed day well ahead
        [{"title": "Quán triệt"}, {"title": "Kiểm điểm"}])
    assert created.ok, created.message
    mid = next(m["id"] for m in app.require_store().all("meeting") if m["title"] == "Sinh hoạt chuyên đề")
    before = {i["title"]: i["id"] for i in (await app.require_api().get_json(f"/meetings/{mid}"))["agenda"]}

    editor = AgendaEditor(app, ())
    await editor.load(mid)
    assert [(i.title, i.document_ids) for i in editor.items] == [("Quán triệt", []), ("Kiểm điểm", [])]
    assert editor.attach(1, doc_id).ok
    editor.set_title(0, "Quán triệt Nghị quyết 21")
    saved = await editor.save()
    assert saved.ok, saved.message
    on_server = await app.require_api().get_json(f"/meetings/{mid}")
    assert [(i["title"], i["document_ids"]) for i in on_server["agenda"]] == [
        ("Quán triệt Nghị quyết 21", []), ("Kiểm điểm", [doc_id])]
    assert on_server["agenda"][1]["id"] == before["Kiểm điểm"]  # kept: its reminder stays found
    assert on_server["title"] == "Sinh hoạt chuyên đề" and on_server["location"] == "Hội trường"
    assert app.require_store().get("meeting", mid)["agenda"] == on_server["agenda"]

    assert editor.attach(0, 987654).ok  # no such document for this cell
    refused = await editor.save()
    assert not refused.ok and "không xem được" in refused.message
    await app.sign_out()


async def test_two_tabs_of_one_browser_both_stay_signed_in_past_the_access_tokens_life(
        live_server, world, tmp_path):
    """Two tabs of the app in one browser: separate sessions, one saved sign-in (localStorage). The second
    tab spends the saved refresh token when it opens; the first, when its access token expires, refreshes
    with the one saved since rather than its own spent copy (which the server takes for theft)."""
    import time_machine

    from client.state.app import AppState, ClientConfig
    from client.state.prefs import MemoryPrefs

    shared = MemoryPrefs()  # the browser's localStorage, read and written by both tabs
    first = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "a"), shared)
    await first.sign_in(live_server.url, world.member.username, world.member.password)
    second = AppState(ClientConfig(server_url=live_server.url, data_root=tmp_path / "b"), shared)
    assert await second.restore() is True  # the second tab opens: it refreshes with the saved token
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=20)):  # both access tokens expired
        assert await first.require_api().me()  # the first tab's next request refreshes too
        assert await second.require_api().me()
    await first._close(wipe=False)
    await second._close(wipe=False)
