"""Study on the phone (issue 12, "Study"): "Đã học" online and offline through the offline actions, the
home's "Cần học" list with due dates, and the mark reaching a live server with the time it was made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from client.api import Api
from client.router import Router
from client.state.documents import DocumentsState
from client.store import SqliteStore
from client.sync import READ, SyncEngine
from client.views import home
from tests.client.pages import FakePage, by_id, said

STUDY = {"category": "study", "status": "published", "doc_type": "guidance"}


async def _member(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    return app, apis


async def test_marking_studied_online_sends_it_and_shows_it(made):
    app, apis = await _member(made)
    app.store.put("document", 5, {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY})
    state = DocumentsState(app, "study")
    outcome = await state.mark_studied(5)
    assert outcome.ok and not outcome.queued
    assert outcome.message == "Đã ghi nhận đồng chí học xong tài liệu này."
    assert state.get(5)["studied_at"] and app.store.outbox() == []
    assert state.to_study() == []
    again = await state.mark_studied(5)  # once: nothing queued a second time
    assert again.ok and again.message.startswith("Đồng chí đã học tài liệu này ngày")
    assert app.store.outbox() == []


async def test_marking_studied_offline_queues_the_offline_action(made):
    app, apis = await _member(made)
    app.store.put("document", 5, {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY})
    apis[-1].offline = True
    outcome = await DocumentsState(app, "study").mark_studied(5)
    assert outcome.ok and outcome.queued and outcome.message == "Đã lưu trên máy: sẽ gửi khi có mạng."
    assert DocumentsState(app, "study").get(5)["studied_at"]
    assert [(i.kind, i.payload) for i in app.store.outbox("pending")] == [
        ("document.read", {"document_id": 5, "studied": True})
    ]
    apis[-1].offline = False
    assert await app.sync_now() is True
    assert app.store.outbox() == []


async def test_a_refused_mark_is_undone_with_the_servers_words(made):
    app, apis = await _member(made)
    app.store.put("document", 5, {"id": 5, "title": "Tài liệu đã thu hồi", **STUDY})
    apis[-1].push_answers[None] = {"status": "refused", "code": "document_not_found",
                                   "message": "Không tìm thấy văn bản."}
    outcome = await DocumentsState(app, "study").mark_studied(5)
    assert not outcome.ok and outcome.message == "Không tìm thấy văn bản."
    assert not DocumentsState(app, "study").get(5).get("studied_at")
    plain = {"id": 6, "title": "Nghị quyết", "category": "documents", "status": "published"}
    app.store.put("document", 6, plain)
    refused = await DocumentsState(app).mark_studied(6)
    assert not refused.ok and refused.message == "Chỉ đánh dấu đã học với tài liệu học tập."


async def test_the_home_lists_what_is_still_to_study_by_its_due_date(made, clock):
    app, _ = await _member(made)
    clock[0] = datetime(2026, 12, 19, 17, 30, tzinfo=UTC)  # 00:30 on 20/12 in Vietnam
    app.store.put("document", 1, {"id": 1, "title": "Không có hạn", "topic": "Chuyên đề năm", **STUDY})
    app.store.put("document", 2, {"id": 2, "title": "Hạn cuối tháng", "study_due_on": "2026-12-31", **STUDY})
    app.store.put("document", 3, {"id": 3, "title": "Quá hạn", "study_due_on": "2026-12-19", **STUDY})
    app.store.put("document", 4, {"id": 4, "title": "Hôm nay", "study_due_on": "2026-12-20", **STUDY})
    app.store.put("document", 5, {"id": 5, "title": "Đã học", "study_due_on": "2026-12-01", **STUDY})
    app.store.put("read_mark", 9, {"id": 9, "document_id": 5, "read_at": "2026-12-01T01:00:00+00:00",
                                   "studied_at": "2026-12-01T02:00:00+00:00"})
    app.store.put("document", 6, {"id": 6, "title": "Văn bản", "category": "documents",
                                  "status": "published"})
    state = DocumentsState(app, "study")
    assert [d["id"] for d in state.to_study()] == [3, 4, 2, 1]
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    screen = home.home(router.ctx)
    assert "Cần học (4)" in said(by_id(screen.body, "to-study"))
    assert "Quá hạn học từ 19/12/2026" in said(by_id(screen.body, "to-study-3"))
    assert "Hôm nay là hạn học" in said(by_id(screen.body, "to-study-4"))
    assert "Hạn học: 31/12/2026" in said(by_id(screen.body, "to-study-2"))
    for hidden in (1, 5, 6):  # three at most on the home; studied and plain documents never
        try:
            by_id(screen.body, f"to-study-{hidden}")
        except LookupError:
            continue
        raise AssertionError(f"to-study-{hidden} should not be on the home")
    for doc_id in (1, 2, 3, 4):
        app.store.put("read_mark", 10 + doc_id, {"id": 10 + doc_id, "document_id": doc_id,
                                                 "read_at": "2026-12-19T01:00:00+00:00",
                                                 "studied_at": "2026-12-19T02:00:00+00:00"})
    screen = home.home(router.ctx)
    assert "Cần học (0)" in said(by_id(screen.body, "to-study"))
    assert "Đồng chí đã học hết tài liệu được giao." in said(screen.body)


async def _signed_in(url: str, person) -> Api:
    api = Api(url)
    await api.login(person.username, person.password, "Điện thoại thử")
    return api


async def _study_doc(url, world) -> dict:
    staff = await _signed_in(url, world.staff)
    doc = await staff.post_json("/documents", {
        "title": "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "doc_type": "guidance",
        "category": "study", "audience_org_ids": [world.district.id], "study_due_on": "2026-12-31"})
    await staff.aclose()
    return doc


async def test_studied_offline_reaches_the_live_server_once(live_server, world, tmp_path):
    doc = await _study_doc(live_server.url, world)
    assert doc["study_due_on"] == "2026-12-31"
    api = await _signed_in(live_server.url, world.member)
    engine = SyncEngine(api, SqliteStore(tmp_path / "s.db"))
    engine.queue(READ, {"document_id": doc["id"], "studied": True})
    engine.queue(READ, {"document_id": doc["id"], "studied": True})  # a second tap before the network
    report = await engine.push()
    assert report.sent == 2 and report.refused == []
    detail = await api.get_json(f"/documents/{doc['id']}")
    assert detail["studied_at"] and detail["read_at"]
    await api.aclose()


async def test_the_one_by_one_route_keeps_the_time_the_member_studied(live_server, world):
    doc = await _study_doc(live_server.url, world)
    api = await _signed_in(live_server.url, world.member)
    made_at = datetime.now(UTC)  # after the document was published: the server keeps it as sent
    await asyncio.sleep(1.5)  # the route's own "now" would be 1.5 s later
    await api.send_action("document.read", {"document_id": doc["id"], "studied": True}, "c-1", made_at)
    detail = await api.get_json(f"/documents/{doc['id']}")
    studied = datetime.fromisoformat(detail["studied_at"])
    assert abs(studied - made_at) < timedelta(seconds=0.5), (studied, made_at)
    await api.aclose()


async def test_the_secretary_sees_the_cells_progress_on_the_study_material(made):
    from client.views import documents
    from tests.client.fakes import SECRETARY

    app, apis = made(me=SECRETARY)
    await app.sign_in("", "bithu.a", "dung-mat-khau")
    app.store.put("document", 5, {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY})
    apis[-1].answers["/documents/5"] = {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY}
    apis[-1].answers["/documents/study-rates"] = {
        "document_id": 5, "org_id": 4, "study_due_on": None, "members": 3, "studied": 1, "rate": 0.3333,
        "cells": [{"org_id": 4, "name": "Chi bộ thôn A1-1", "members": 3, "studied": 1, "rate": 0.3333}],
        "not_studied": [{"member_id": 2, "full_name": "Lê Văn Hai"},
                        {"member_id": 1, "full_name": "Nguyễn Văn Bí"}],
    }
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    screen = documents.document_detail(router.ctx, "5")
    await screen.load()
    shown = said(by_id(screen.body, "study-progress"))
    assert "Đã học 1/3 đảng viên (33%)" in shown
    assert "Chưa học (2): Lê Văn Hai, Nguyễn Văn Bí" in shown
    assert ("/documents/study-rates", {"document_id": 5, "org_id": 4}) in apis[-1].got
    # Offline: a sentence, not an error.
    apis[-1].offline = True
    screen = documents.document_detail(router.ctx, "5")
    await screen.load()
    assert "tiến độ học tập sẽ hiện khi có mạng" in said(screen.body)


async def test_a_member_asks_for_no_progress(made):
    from client.views import documents

    app, apis = await _member(made)
    app.store.put("document", 5, {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY})
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    screen = documents.document_detail(router.ctx, "5")
    await screen.load()
    assert all(path != "/documents/study-rates" for path, _ in apis[-1].got)
    try:
        by_id(screen.body, "study-progress")
    except LookupError:
        return
    raise AssertionError("a member sees no study progress")


async def test_staff_see_each_cells_rate_in_one_request(made):
    from client.views import documents
    from tests.client.fakes import STAFF_IN_A_CELL

    app, apis = made(me=STAFF_IN_A_CELL)
    await app.sign_in("", "canbo", "dung-mat-khau")
    app.store.put("document", 5, {"id": 5, "title": "Chuyên đề Bác Hồ", **STUDY})
    apis[-1].answers["/documents/study-rates"] = {
        "document_id": 5, "org_id": None, "members": 7, "studied": 3, "rate": 0.4286, "not_studied": [],
        "cells": [{"org_id": 4, "name": "Chi bộ thôn A1-1", "members": 3, "studied": 2, "rate": 0.6667},
                  {"org_id": 5, "name": "Chi bộ thôn A1-2", "members": 4, "studied": 1, "rate": 0.25}],
    }
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    screen = documents.document_detail(router.ctx, "5")
    await screen.load()
    shown = said(by_id(screen.body, "study-progress"))
    assert "Đã học 3/7 đảng viên (43%)" in shown
    assert shown.index("Chi bộ thôn A1-2: 1/4 (25%)") < shown.index("Chi bộ thôn A1-1: 2/3 (67%)")
    assert [p for p in apis[-1].got if p[0] == "/documents/study-rates"] == [
        ("/documents/study-rates", {"document_id": 5})]
