"""Study checks and bài thu hoạch on the client (issue 13): the member's list, taking a check offline and the
server's verdict afterwards, the essay, the cell receiving it, staff figures. A fake server keeps checks,
attempts and essays, feeds them back as `study_check` / `study_essay` entities (the key never in them) and
takes the two offline actions. The clock is injected."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.state.study import (
    ATTEMPT,
    ESSAY,
    ESSAY_SAVED_OFFLINE,
    RECEIVE,
    RECEIVED_OFFLINE,
    SAVED_OFFLINE,
    CellStudyState,
    QuizState,
    StaffStudyState,
    StudyState,
    local_words,
    window_words,
)
from client.views import study as views
from client.views import study_cell as cell_views
from tests.client.fakes import ME, FakeApi
from tests.client.pages import FakePage, by_id, said, walk

CELL = {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"}
LEADER = {
    **ME,
    "id": 8,
    "username": "bithu.a",
    "full_name": "Nguyễn Văn Bí",
    "member_id": 9,
    "roles": [{"role": "secretary", "organization": CELL}],
}
T0 = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 08:00 on 4/12/2026 in Vietnam
KEY = [[1], [0, 2], [0], [1], [0]]


def _check(cid: int, opens: datetime, closes: datetime, show_score: bool = True) -> dict[str, Any]:
    questions = [
        {"text": f"Câu {n + 1}", "multiple": len(k) > 1, "options": ["A", "B", "C"], "correct": k}
        for n, k in enumerate(KEY)
    ]
    return {
        "id": cid,
        "document_id": 30,
        "title": f"Kiểm tra Nghị quyết {cid}",
        "audience_org_ids": [1],
        "time_limit_minutes": 15,
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "show_score": show_score,
        "questions": questions,
        "created_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
    }


class StudyServer:
    def __init__(self, clock: list[datetime]):
        self.clock = clock
        self.checks = {
            1: _check(1, T0, T0 + timedelta(hours=2)),
            2: _check(2, T0 + timedelta(days=1), T0 + timedelta(days=2), show_score=False),
        }
        self.attempts: dict[tuple[int, int], dict[str, Any]] = {}
        self.essays: dict[int, dict[str, Any]] = {}
        self.version = 0
        self.received: list[tuple[int, Any]] = []

    def feed(self, me: dict) -> list[dict[str, Any]]:
        out = []
        for cid, c in self.checks.items():
            data = {**c, "questions": [{**q, "correct": None} for q in c["questions"]],
                    "question_count": len(c["questions"])}
            if self.clock[0] < datetime.fromisoformat(c["opens_at"]):  # none before the opening, as served
                data["questions"] = []
            mine = self.attempts.get((cid, me["member_id"]))
            if mine is not None:
                data["my_attempt"] = {**mine, "score": mine["score"] if c["show_score"] else None}
                data["key_shown"] = c["show_score"]
                if c["show_score"]:
                    data["questions"] = c["questions"]
            out.append({"type": "study_check", "op": "upsert", "id": cid, "version": 1, "data": data})
        leads = any(g["role"] == "secretary" for g in me["roles"])
        for eid, e in self.essays.items():
            if e["member_id"] == me["member_id"] or leads:
                out.append({"type": "study_essay", "op": "upsert", "id": eid, "version": 1, "data": dict(e)})
        return out

    def act(self, me: dict, kind: str, payload: dict[str, Any], made_at: str) -> dict[str, Any]:
        if kind == ATTEMPT:
            c = self.checks[payload["check_id"]]
            if datetime.fromisoformat(payload["answered_at"]) > datetime.fromisoformat(c["closes_at"]):
                return {
                    "status": "refused",
                    "code": "quiz_closed",
                    "message": "Bài kiểm tra đã đóng trước khi đồng chí trả lời xong.",
                }
            score = sum(1 for a, k in zip(payload["answers"], KEY, strict=True) if a == k)
            self.attempts[(c["id"], me["member_id"])] = {
                "id": len(self.attempts) + 1,
                "check_id": c["id"],
                "member_id": me["member_id"],
                "started_at": payload["started_at"],
                "answered_at": payload["answered_at"],
                "submitted_at": self.clock[0].isoformat(),
                "answers": payload["answers"],
                "total": 5,
                "score": score,
            }
            return {"status": "applied", "result": {"check_id": c["id"], "score": score}}
        if kind == RECEIVE:
            e = self.essays.get(payload["essay_id"])
            if e is None or e["org_id"] != 4:
                return {"status": "refused", "code": "essay_not_found",
                        "message": "Không tìm thấy bài thu hoạch."}
            e["received_at"], e["remark"] = made_at, payload.get("remark")
            self.received.append((e["id"], payload.get("remark")))
            return {"status": "applied", "result": {"essay_id": e["id"], "received_at": made_at}}
        assert kind == ESSAY
        eid = len(self.essays) + 1
        self.essays[eid] = {
            "id": eid,
            "document_id": payload["document_id"],
            "member_id": me["member_id"],
            "org_id": 4,
            "full_name": me["full_name"],
            "text": payload["text"],
            "written_at": made_at,
        }
        return {"status": "applied", "result": {"essay_id": eid}}


class StudyApi(FakeApi):
    server: StudyServer

    async def sync_pull(self, cursor: str | None, limit: int) -> dict:
        self._check()
        return {"changes": self.server.feed(self._me), "cursor": "1", "has_more": False}

    async def sync_push(self, actions: list) -> list:
        self._check()
        return [
            {"client_id": a["client_id"], **self.server.act(self._me, a["type"], a["payload"], a["made_at"])}
            for a in actions
        ]

    async def get_json(self, path: str, **kw: Any) -> Any:
        self._check()
        self.got.append((path, kw.get("params")))
        if path.endswith("/figures"):
            cells = [
                {
                    "cell_id": 4,
                    "name": "Chi bộ thôn A1-1",
                    "members": 3,
                    "taken": 1,
                    "average_score": 8.0,
                    "essays_received": 1,
                }
            ]
            return {
                "check_id": 1,
                "org_id": kw["params"].get("org_id", 1),
                "cells": cells,
                "totals": cells[0],
            }
        if path == "/study/checks":
            return {"items": list(self.server.checks.values()), "total": 2, "limit": 100, "offset": 0}
        return await super().get_json(path, **kw)


@pytest.fixture
def clock() -> list[datetime]:
    return [T0 + timedelta(minutes=30)]


@pytest.fixture
def server(clock) -> StudyServer:
    return StudyServer(clock)


@pytest.fixture
def device(tmp_path: Path, clock, server):
    async def make(me: dict = ME) -> tuple[AppState, StudyApi]:
        apis: list[StudyApi] = []

        def factory(url: str, **kw: Any) -> StudyApi:
            api = StudyApi(url, me=me, **kw)
            api.server = server
            apis.append(api)
            return api

        app = AppState(
            ClientConfig(
                server_url="http://127.0.0.1:8080", data_root=tmp_path / str(me["id"]), clock=lambda: clock[0]
            ),
            MemoryPrefs(),
            api_factory=factory,
        )  # type: ignore[arg-type]
        app.after_login = None
        await app.sign_in("", me["username"], "dung-mat-khau")
        await app.sync_now()
        return app, apis[-1]

    return make


def test_windows_are_written_in_vietnam_time():
    assert local_words("2026-12-04T01:00:00+00:00") == "04/12/2026 08:00"
    assert (
        window_words(_check(1, T0, T0 + timedelta(hours=2))) == "Mở từ 04/12/2026 08:00 đến 04/12/2026 10:00"
    )


async def test_the_list_says_each_checks_state(device, clock):
    app, _ = await device()
    state = StudyState(app)
    assert [c["id"] for c in state.checks()] == [2, 1]
    assert [state.state_words(c) for c in state.checks()] == ["Chưa mở", "Đang mở"]
    assert all(q["correct"] is None for c in state.checks() for q in c["questions"])  # no key on the device
    router = Router(FakePage(), app, [])  # type: ignore[arg-type]
    listing = views.my_studies(router.ctx)
    assert "5 câu hỏi, làm trong 15 phút" in said(by_id(listing.body, "check-2"))  # none on the device yet
    clock[0] = T0 + timedelta(hours=3)
    assert state.state_words(state.check(1)) == "Đã đóng"


async def test_a_check_taken_offline_is_sent_later_and_a_late_sending_counts(device, server, clock):
    app, api = await device()
    quiz = QuizState(app, 1)
    quiz.start()
    started = clock[0]
    clock[0] += timedelta(minutes=5)
    assert QuizState(app, 1).started_at is None  # not started until opened
    again = QuizState(app, 1)
    again.start()
    assert again.started_at == started  # leaving and coming back keeps the clock running
    assert quiz.countdown_words() == "Còn 10:00"
    for q, options in enumerate(KEY[:4]):
        for o in options:
            quiz.choose(q, o)
    quiz.choose(0, 2)  # single choice: the new one replaces the old
    assert quiz.answers[0] == [2] and quiz.unanswered() == 1
    quiz.choose(0, 1)
    api.offline = True
    answered = clock[0]
    said = await quiz.submit()
    assert (said.ok, said.queued, said.message) == (False, True, SAVED_OFFLINE)
    state = StudyState(app)
    assert state.state_words(state.check(1)) == "Đã làm, chờ gửi"
    [queued] = app.store.outbox("pending")
    assert queued.payload["answered_at"] == answered.isoformat()
    assert queued.payload["started_at"] == started.isoformat()

    clock[0] = T0 + timedelta(hours=5)  # the network is back after the close: answered before it, counted
    api.offline = False
    assert await app.sync_now()
    assert app.store.outbox() == []
    verdict = state.verdict(state.check(1))
    assert verdict is not None and verdict.message == "Đã nộp bài: đúng 4/5 câu, 8/10 điểm"
    assert state.state_words(state.check(1)) == "Đã làm: đúng 4/5 câu, 8/10 điểm"


async def test_an_answer_after_the_close_is_refused_with_the_servers_reason(device, server, clock):
    app, api = await device()
    quiz = QuizState(app, 1)
    quiz.start()
    api.offline = True
    server.checks[1]["closes_at"] = (clock[0] - timedelta(minutes=1)).isoformat()  # closed meanwhile
    assert (await quiz.submit()).queued
    api.offline = False
    await app.sync_now()
    state = StudyState(app)
    verdict = state.verdict(state.check(1))
    assert verdict is not None and not verdict.ok
    assert verdict.message == "Bài làm không được tính: Bài kiểm tra đã đóng trước khi đồng chí trả lời xong."


async def test_a_hidden_score_waits_for_the_close(device, server, clock):
    app, _ = await device()
    clock[0] = T0 + timedelta(days=1, minutes=1)
    await app.sync_now()  # the opening is announced: the questions reach the device
    quiz = QuizState(app, 2)
    quiz.start()
    said = await quiz.submit()
    assert said.ok and said.message == "Đã nộp bài: điểm hiện sau giờ đóng (06/12/2026 08:00)"


async def test_a_check_not_open_cannot_be_taken(device):
    app, _ = await device()
    quiz = QuizState(app, 2)
    quiz.start()
    assert quiz.started_at is None and not quiz.can_take()
    assert (await quiz.submit()).message == "Bài kiểm tra không mở để làm bài lúc này."


async def test_the_essay_offline_then_received_with_a_remark(device, server, clock):
    app, api = await device()
    leader, _ = await device(LEADER)
    state = StudyState(app)
    short = await state.submit_essay(30, "Quá ngắn")
    assert short.message == "Bài thu hoạch cần ít nhất 200 ký tự (mới có 8): vui lòng viết thêm."
    api.offline = True
    text = "Qua học tập Nghị quyết, tôi nhận thức sâu sắc hơn về trách nhiệm của đảng viên. " * 4
    said = await state.submit_essay(30, text)
    assert (said.queued, said.message) == (True, ESSAY_SAVED_OFFLINE)
    assert state.essay_words(30).message == ESSAY_SAVED_OFFLINE
    assert (await state.submit_essay(30, text)).message == "Đồng chí đã nộp bài thu hoạch về văn bản này."
    api.offline = False
    await app.sync_now()
    assert state.essay_words(30).message == "Đã nộp ngày 04/12/2026, chờ chi bộ nhận."

    await leader.sync_now()
    cell = CellStudyState(leader)
    [essay] = cell.essays()
    assert essay["full_name"] == ME["full_name"]
    said = await cell.receive(essay["id"], " Bài viết tốt,  liên hệ thực tế ")
    assert said.ok and server.received == [(1, "Bài viết tốt, liên hệ thực tế")]
    await app.sync_now()
    assert state.essay_words(30).message == (
        "Chi bộ đã nhận bài ngày 04/12/2026. Nhận xét của chi bộ: Bài viết tốt, liên hệ thực tế"
    )


async def test_received_offline_waits_on_the_phone_then_the_server_decides(device, server):
    leader, api = await device(LEADER)
    mine = StudyState(leader)
    assert (await mine.submit_essay(30, "x" * 250)).ok
    cell = CellStudyState(leader)
    [essay] = cell.essays()
    assert (await cell.receive(essay["id"])).message.startswith("Đồng chí không tự nhận bài thu hoạch")
    server.essays[2] = {**essay, "id": 2, "member_id": 3}
    server.essays[3] = {**essay, "id": 3, "member_id": 5}
    await leader.sync_now()
    api.offline = True
    said = await cell.receive(2, "Có liên hệ bản thân")
    assert (said.ok, said.queued, said.message) == (False, True, RECEIVED_OFFLINE)
    assert cell.receipt_word(2) == said and server.received == []
    assert (await cell.receive(3)).queued
    server.essays[3]["org_id"] = 9  # moved to another cell meanwhile: the server refuses the receipt
    api.offline = False
    await leader.sync_now()
    assert server.received == [(2, "Có liên hệ bản thân")] and cell.receipt_word(2) is None
    assert leader.store.get("study_essay", 2)["remark"] == "Có liên hệ bản thân"
    assert cell.receipt_word(3).message == "Không tìm thấy bài thu hoạch."


async def test_figures_for_the_cell_and_for_staff(device):
    leader, api = await device(LEADER)
    cell = CellStudyState(leader)
    await cell.load_figures(1)
    assert cell.error is None and cell.figures[1].totals.taken == 1
    assert api.got[-1] == ("/study/checks/1/figures", {"org_id": 4})
    staff = StaffStudyState(leader, org_id=1)
    await staff.load_checks()
    assert [c["id"] for c in staff.checks] == [1, 2]
    await staff.load_figures(1)
    assert staff.figures is not None and staff.figures.cells[0].average_score == 8.0
    api.offline = True
    await staff.load_figures(1)
    assert staff.error == "Chưa có mạng nên chưa tải được số liệu: vui lòng thử lại khi có mạng."


# --- views ------------------------------------------------------------------------------------------------


async def _settle(page: FakePage) -> None:
    while page.tasks:
        tasks, page.tasks = page.tasks, []
        await asyncio.gather(*tasks)


def _text(root: Any, identifier: str) -> str:
    return " ".join(c.value for c in walk(by_id(root, identifier)) if isinstance(c, ft.Text) and c.value)


async def test_the_quiz_screen_takes_a_check_offline_with_a_confirmation(device, clock):
    app, api = await device()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    listing = views.my_studies(router.ctx)
    assert _text(listing.body, "check-state-1") == "Đang mở"
    screen = views.take_check(router.ctx, "1")
    by_id(screen.body, "check-start").on_click(None)
    assert _text(screen.body, "check-clock") == "Còn 15:00"
    radio = by_id(screen.body, "question-1")
    group = next(c for c in walk(radio) if isinstance(c, ft.RadioGroup))
    group.value = "1"
    group.on_change(None)
    box = by_id(screen.body, "q2-o3")
    box.value = True
    box.on_change(type("E", (), {"control": box})())
    by_id(screen.body, "check-submit").on_click(None)
    dialog = page.dialogs[-1]
    assert _text(dialog, "submit-confirm") == "Còn 3 câu chưa trả lời. Sau khi nộp không sửa được bài làm."
    api.offline = True
    by_id(dialog, "submit-yes").on_click(None)
    await _settle(page)
    assert _text(screen.body, "check-verdict") == SAVED_OFFLINE
    [queued] = app.store.outbox("pending")
    assert queued.payload["answers"] == [[1], [2], [], [], []]
    api.offline = False
    await app.sync_now()
    screen.redraw()
    assert _text(screen.body, "check-verdict") == "Đã nộp bài: đúng 1/5 câu, 2/10 điểm"


async def test_the_essay_screen_counts_and_hands_in(device):
    app, _ = await device()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = views.write_essay(router.ctx, "30")
    box = by_id(screen.body, "essay-body")
    box.value = "Bài học " * 30
    box.on_change(None)
    assert _text(screen.body, "essay-count") == "239 ký tự (từ 200 đến 20.000)"
    by_id(screen.body, "essay-send").on_click(None)
    await _settle(page)
    assert _text(screen.body, "essay-status") == "Đã nộp ngày 04/12/2026, chờ chi bộ nhận."


async def test_the_cell_and_staff_screens(device, server):
    app, _ = await device()
    assert (await StudyState(app).submit_essay(30, "y" * 300)).ok
    leader, _ = await device(LEADER)
    page = FakePage()
    router = Router(page, leader, [])  # type: ignore[arg-type]
    screen = cell_views.cell_study(router.ctx)
    await screen.load()
    assert _text(screen.body, "cell-figures-1").startswith("Đã làm 1/3 đảng viên · điểm trung bình 8,0/10")
    remark = by_id(screen.body, "essay-remark-1")
    remark.value = "Tốt"
    by_id(screen.body, "essay-receive-1").on_click(None)
    await _settle(page)
    assert _text(screen.body, "essay-received-1") == "Đã nhận ngày 04/12/2026. Nhận xét: Tốt"
    figures = cell_views.staff_figures(router.ctx, "1")
    await figures.load()
    assert _text(figures.body, "figures-total").startswith("Toàn bộ: 1/3 đảng viên đã làm bài (33%)")
    assert by_id(figures.body, "figures-cell-4") is not None


async def test_the_countdown_hands_in_at_the_close_with_the_close_as_the_answer_time(device, clock):
    app, _ = await device()
    clock[0] = T0 + timedelta(hours=2) - timedelta(minutes=5)  # five minutes before the close
    quiz = QuizState(app, 1)
    quiz.start()
    assert quiz.countdown_words() == "Còn 05:00"
    clock[0] += timedelta(minutes=5, seconds=2)  # the screen's tick comes a moment after the close
    assert quiz.seconds_left() == 0 and quiz.countdown_words() == "Hết giờ làm bài"
    said = await quiz.submit()
    assert said.ok, said.message
    attempt = StudyState(app).check(1)["my_attempt"]
    assert attempt["answered_at"] == (T0 + timedelta(hours=2)).isoformat()


async def test_a_resolution_shows_its_checks_and_the_way_to_the_essay(device):
    from client.views import documents as doc_views

    app, _ = await device()
    app.store.put(
        "document",
        30,
        {
            "id": 30,
            "title": "Nghị quyết 57",
            "doc_type": "resolution",
            "category": "documents",
            "status": "published",
        },
    )
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = doc_views.document_detail(router.ctx, "30")
    screen.redraw()
    assert _text(screen.body, "check-state-1") == "Đang mở"
    assert by_id(screen.body, "essay-open").content == "Viết bài thu hoạch"
