"""The year-end self-review on the client (issue 13): the member's form written offline and sent later through
`review.save`, the cell's list, proposal (with the cap warning) and exemption, the committee's distribution,
decision and export; a fake server that keeps reviews and feeds them back as `self_review`. The clock is
injected: 31/12/2026 at 23:59 in Vietnam."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.api import ApiError
from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.state.review import SAVE, SAVED_OFFLINE, MyReviewState, ReviewsState, fact_lines
from client.views import review as views
from tests.client.fakes import ME, STAFF_IN_A_CELL, FakeApi
from tests.client.pages import FakePage, by_id, walk
from tests.client.test_year import LEADER, MEMBERS

FACTS = {
    "year": 2026,
    "meetings": {"held": 11, "present": 9, "late": 1, "excused": 1, "absent": 0},
    "commitment": {"commitment_id": 1, "status": "approved", "items": 3, "with_results": 2},
    "others": [{"key": "study_checks", "label": "Bài kiểm tra nhận thức đã làm", "value": 2,
                "detail": "điểm trung bình 8,5"}],
}
WARNING = {"org_id": 4, "stage": "proposed", "excellent": 1, "good": 0, "share": 0.2, "allowed": 0,
           "message": "Chi bộ đề xuất 1 \"xuất sắc\" so với 0 \"tốt\": "
                      "tỷ lệ 20% chỉ cho phép 0."}


class ReviewServer:
    """The server's side of reviews as the client sees it: one per test, shared by the devices."""

    def __init__(self, clock: list[datetime]):
        self.clock = clock
        self.reviews: dict[int, dict[str, Any]] = {}
        self.changes: list[int] = []
        self.made_at: dict[str, datetime] = {}

    def _changed(self, r: dict[str, Any]) -> None:
        r["updated_at"] = (self.clock[0] + timedelta(seconds=len(self.changes))).isoformat()
        self.changes.append(r["id"])

    def of(self, member_id: int, year: int) -> dict[str, Any] | None:
        found = [r for r in self.reviews.values() if r["member_id"] == member_id and r["year"] == year]
        return found[0] if found else None

    def new(self, member_id: int, year: int) -> dict[str, Any]:
        rid = len(self.reviews) + 1
        r = self.reviews[rid] = {"id": rid, "year": year, "member_id": member_id, "org_id": 4,
                                 "full_name": MEMBERS.get(member_id), "status": "draft", "facts": FACTS}
        return r

    def save(self, me: dict, payload: dict[str, Any]) -> dict[str, Any]:
        r = self.of(me["member_id"], payload["year"]) or self.new(me["member_id"], payload["year"])
        if r["status"] not in ("draft", "submitted"):
            return {"status": "refused", "code": "review_locked",
                    "message": "Bản kiểm điểm đã được chi bộ xếp loại: không sửa được nữa."}
        for name in ("strengths", "shortcomings", "causes", "direction", "self_level"):
            r[name] = payload.get(name)
        if payload.get("submit"):
            r["status"] = "submitted"
        self._changed(r)
        return {"status": "applied", "result": {"review_id": r["id"], "status": r["status"]}}


class ReviewApi(FakeApi):
    server: ReviewServer

    async def sync_pull(self, cursor: str | None, limit: int) -> dict:
        self._check()
        since, seen = int(cursor or 0), {}
        for version, rid in enumerate(self.server.changes, 1):
            if version > since:
                seen[rid] = version
        changes = [{"type": "self_review", "op": "upsert", "id": rid, "version": v,
                    "data": dict(self.server.reviews[rid])}
                   for rid, v in sorted(seen.items(), key=lambda kv: kv[1])
                   if self.server.reviews[rid]["member_id"] == self._me["member_id"]]
        return {"changes": changes, "cursor": str(len(self.server.changes)), "has_more": False}

    async def sync_push(self, actions: list) -> list:
        self._check()
        out = []
        for a in actions:
            assert a["type"] == SAVE
            self.server.made_at[a["client_id"]] = datetime.fromisoformat(a["made_at"])
            out.append({"client_id": a["client_id"], **self.server.save(self._me, a["payload"])})
        return out

    async def get_model(self, path: str, model: Any, **kw: Any) -> Any:
        self._check()
        self.got.append((path, kw.get("params")))
        s = self.server
        if path.startswith("/year/reviews/mine/"):
            year = int(path.rsplit("/", 1)[1])
            blank = {"id": None, "year": year, "member_id": self._me["member_id"], "org_id": 4,
                     "status": None, "facts": FACTS}
            r = s.of(self._me["member_id"], year) or blank
            return model.model_validate(r)
        if path == "/year/reviews":
            rows = [r for r in s.reviews.values() if r["status"] != "draft"]
            return model.model_validate({"items": rows, "total": len(rows), "limit": 200, "offset": 0})
        if path.startswith("/year/reviews/"):
            return model.model_validate(s.reviews[int(path.rsplit("/", 1)[1])])
        if path.endswith("/reviews/summary"):
            counts = {"excellent": 0, "good": 0, "done": 0, "failed": 0}
            for r in s.reviews.values():
                if r.get("proposed_level"):
                    counts[r["proposed_level"]] += 1
            cell = {"cell_id": 4, "name": "Chi bộ thôn A1-1", "members": 3, "submitted": len(s.reviews),
                    "proposed": counts, "warnings": [WARNING] if counts["excellent"] else []}
            return model.model_validate({"org_id": 2, "year": 2026, "top_share": 0.2, "cells": [cell],
                                         "totals": {**cell, "cell_id": 2, "name": "Đảng bộ xã A1"}})
        raise AssertionError(path)

    async def cell_commitments(self, cell_id: int, year: int) -> Any:
        from shared.schemas.year import CellCommitments

        members = [{"member_id": m, "full_name": n, "member_kind": "official", "commitment_id": None,
                    "status": None, "items": 0, "results": 0} for m, n in MEMBERS.items()]
        return CellCommitments.model_validate({"cell_id": cell_id, "year": year, "members": members,
                                               "counts": {}})

    async def request(self, method: str, path: str, **kw: Any) -> Any:
        self._check()
        s, body = self.server, kw.get("json") or {}
        data: Any
        headers: dict[str, str] = {}
        if path.endswith("/proposal") or path.endswith("/confirmation"):
            r = s.reviews[int(path.split("/")[3])]
            if r["member_id"] == self._me["member_id"]:
                raise ApiError(403, "own_review", "Không tự đề xuất.")
            stage = "proposed" if path.endswith("/proposal") else "confirmed"
            r.update({"status": stage, f"{stage}_level": body["level"], f"{stage}_note": body.get("note")})
            s._changed(r)
            warnings = [WARNING] if stage == "proposed" and body["level"] == "excellent" else []
            data = {**r, "facts": None, "warnings": warnings}
        elif path == "/year/reviews/exemption":
            r = s.of(body["member_id"], body["year"]) or s.new(body["member_id"], body["year"])
            r.update({"status": "exempt" if body["exempt"] else "draft", "exempt_reason": body.get("reason")})
            s._changed(r)
            data = r
        elif path.endswith("/reviews/export"):
            headers = {"content-disposition": 'attachment; filename="xep-loai-dang-vien-2026-to-chuc-2.xlsx"'}
            data = b"PK"
        else:
            raise AssertionError(path)

        class Resp:
            content = data if isinstance(data, bytes) else b""

            def __init__(self) -> None:
                self.headers = headers

            def json(self) -> Any:
                return data

        return Resp()


@pytest.fixture
def server(clock) -> ReviewServer:
    return ReviewServer(clock)


@pytest.fixture
def device(tmp_path: Path, clock, server):
    async def make(me: dict = ME) -> tuple[AppState, ReviewApi]:
        apis: list[ReviewApi] = []

        def factory(url: str, **kw: Any) -> ReviewApi:
            api = ReviewApi(url, me=me, **kw)
            api.server = server
            apis.append(api)
            return api

        app = AppState(ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path / str(me["id"]),
                                    clock=lambda: clock[0]), MemoryPrefs(), api_factory=factory)  # type: ignore[arg-type]
        app.after_login = None
        await app.sign_in("", me["username"], "dung-mat-khau")
        return app, apis[-1]

    return make


def write(state: MyReviewState, level: str | None = "good", **sections: str) -> None:
    state.start_editing()
    for name, text in {"strengths": "Gương mẫu, dự đủ sinh hoạt", "shortcomings": "Còn chậm nộp thu hoạch",
                       **sections}.items():
        state.set_section(name, text)
    state.set_level(level)


async def test_a_review_written_offline_waits_then_is_sent_with_the_moment_written(device, server, clock):
    app, api = await device()
    state = MyReviewState(app)
    await state.load()
    assert state.year == 2026 and state.years() == [2025, 2026] and state.status() is None
    assert fact_lines(state.facts())[0] == ("Sinh hoạt chi bộ: 11 buổi đã tổ chức; có mặt 9, đến muộn 1, "
                                            "vắng có lý do 1, vắng không lý do 0.")
    assert "Bài kiểm tra nhận thức đã làm: 2 (điểm trung bình 8,5)." in fact_lines(state.facts())
    write(state, causes="Bận công tác")
    api.offline = True
    written_at = clock[0]
    said = await state.save(submit=True)
    assert (said.ok, said.queued, said.message) == (False, True, SAVED_OFFLINE)
    assert state.status() == "submitted" and state.editable and state.notice().message == SAVED_OFFLINE
    assert state.facts() is not None  # the form fetched earlier stays on the device
    [queued] = app.store.outbox("pending")
    assert queued.kind == SAVE and queued.payload == {
        "year": 2026, "strengths": "Gương mẫu, dự đủ sinh hoạt", "shortcomings": "Còn chậm nộp thu hoạch",
        "causes": "Bận công tác", "direction": None, "self_level": "good", "submit": True}

    clock[0] += timedelta(hours=2)  # 1/1/2027: still the 2026 review
    api.offline = False
    assert await app.sync_now()
    assert server.reviews[1]["status"] == "submitted" and server.made_at[queued.client_id] == written_at
    again = MyReviewState(app, year=2026)
    assert again.status() == "submitted" and again.notice() is None
    assert again.review()["causes"] == "Bận công tác"


async def test_what_is_missing_or_too_long_is_said_before_anything_is_queued(device):
    app, _ = await device()
    state = MyReviewState(app)
    write(state, level=None, shortcomings="")
    said = await state.save(submit=True)
    assert said.message == "Vui lòng ghi mức tự xếp loại, hạn chế, khuyết điểm trước khi gửi chi bộ."
    write(state, direction="x" * 4001)
    said = await state.save()
    assert said.message == "Phần \"Phương hướng khắc phục\" dài 4001 ký tự, quá 4000: vui lòng viết gọn lại."
    assert (await MyReviewState(app, year=2024).save()).message.startswith("Chỉ viết bản kiểm điểm năm 2026")
    assert app.store.outbox() == []


async def test_the_cell_proposes_with_the_cap_warning_the_committee_decides_the_member_sees(device, server):
    member, _ = await device(ME)
    mine = MyReviewState(member)
    write(mine, level="excellent")
    assert (await mine.save(submit=True)).message == "Đã gửi bản kiểm điểm tới chi bộ."

    leader, _ = await device(LEADER)
    cell = ReviewsState(leader)
    await cell.load()
    assert cell.error is None
    assert cell.counts_words() == "3 đảng viên: 1 đã gửi bản kiểm điểm, 0 được miễn, 2 chưa gửi"
    [(title, [row])] = [(t, m) for t, m in cell.groups() if m and t.startswith("Đã gửi")]
    assert row.member_id == 3 and row.review is not None
    await cell.open(row.review.id)
    assert cell.level == "excellent" and cell.can_decide()  # the self level is offered first
    said = await cell.decide()
    assert said.ok and cell.desk.warnings == [WARNING["message"]]  # warned, never blocked
    assert server.reviews[1]["proposed_level"] == "excellent"

    await member.sync_now()
    assert mine.status() == "proposed" and not mine.editable
    assert mine.locked_reason() == "Chi bộ đã đề xuất mức xếp loại nên bản kiểm điểm không sửa được nữa."
    assert (await mine.save()).message == mine.locked_reason()

    staff, _ = await device(STAFF_IN_A_CELL)
    committee = ReviewsState(staff, staff=True)
    assert committee.org_id == 2
    await committee.load()
    assert committee.summary is not None and committee.summary_warnings() == [WARNING["message"]]
    await committee.open(1)
    committee.level = "good"
    committee.note = "Theo tỷ lệ của đảng bộ"
    assert (await committee.decide()).message == "Đã quyết định: Hoàn thành tốt nhiệm vụ."
    assert await committee.export() == ("xep-loai-dang-vien-2026-to-chuc-2.xlsx", b"PK")

    await member.sync_now()
    assert mine.status() == "confirmed"
    assert mine.levels() == [("Tự xếp loại", "Hoàn thành xuất sắc nhiệm vụ"),
                             ("Chi bộ đề xuất", "Hoàn thành xuất sắc nhiệm vụ"),
                             ("Cấp ủy quyết định", "Hoàn thành tốt nhiệm vụ — Theo tỷ lệ của đảng bộ")]


async def test_a_leader_does_not_rate_their_own_and_an_exemption_needs_a_reason(device, server):
    leader, _ = await device(LEADER)
    own = MyReviewState(leader)
    write(own)
    await own.save(submit=True)
    cell = ReviewsState(leader)
    await cell.open(1)
    assert cell.is_own() and not cell.can_decide()
    assert "không tự đề xuất" in (await cell.decide()).message
    said = await cell.exempt(11, " ")
    assert (said.ok, said.message) == (False, "Vui lòng ghi lý do miễn (ví dụ: miễn sinh hoạt vì tuổi cao, "
                                               "sức yếu).")
    said = await cell.exempt(11, "Miễn sinh hoạt vì tuổi cao")
    assert said.ok and [m.status for m in cell.members if m.member_id == 11] == ["exempt"]
    assert (await cell.exempt(11, "", exempt=False)).message == "Đã bỏ miễn kiểm điểm."


# --- views ------------------------------------------------------------------------------------------------


async def _settle(page: FakePage) -> None:
    while page.tasks:
        tasks, page.tasks = page.tasks, []
        await asyncio.gather(*tasks)


def _label(root: Any, identifier: str) -> str:
    for c in walk(root):
        if isinstance(c, ft.Semantics) and c.identifier == identifier:
            return c.label or ""
    raise LookupError(identifier)


async def test_the_member_screen_confirms_before_sending_and_shows_the_facts(device):
    app, api = await device()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = views.my_review(router.ctx)
    await screen.load()
    assert "11 buổi đã tổ chức" in " ".join(c.value for c in walk(by_id(screen.body, "review-facts"))
                                            if isinstance(c, ft.Text) and isinstance(c.value, str))
    for name, text in (("strengths", "Gương mẫu"), ("shortcomings", "Còn chậm")):
        box = by_id(screen.body, f"review-{name}")
        box.value = text
        box.on_change(type("E", (), {"control": box})())
    by_id(screen.body, "review-self-good").on_click(None)
    assert _label(screen.body, "review-self-good") == "Đã chọn: Hoàn thành tốt nhiệm vụ"
    api.offline = True
    by_id(screen.body, "review-send").on_click(None)
    dialog = page.dialogs[-1]
    assert isinstance(dialog, ft.AlertDialog)
    page.pop_dialog = lambda: None  # type: ignore[attr-defined]
    by_id(dialog, "review-send-confirm").on_click(None)
    await _settle(page)
    assert _label(screen.body, "review-status") == "Đã gửi chi bộ"
    notice = by_id(screen.body, "review-notice")
    assert any(isinstance(c, ft.Text) and c.value == SAVED_OFFLINE for c in walk(notice))


async def test_the_staff_screen_draws_a_bar_per_stage_and_the_warning(device, server):
    member, _ = await device(ME)
    mine = MyReviewState(member)
    write(mine, level="excellent")
    await mine.save(submit=True)
    server.reviews[1].update(status="proposed", proposed_level="excellent")
    staff, _ = await device(STAFF_IN_A_CELL)
    page = FakePage()
    screen = views.staff_reviews(Router(page, staff, []).ctx)  # type: ignore[arg-type]
    await screen.load()
    assert _label(screen.body, "reviews-cell-4-proposed") == (
        "Chi bộ đề xuất: Xuất sắc 1 · Tốt 0 · Hoàn thành 0 · Không hoàn thành 0")
    assert WARNING["message"] in " ".join(c.value for c in walk(by_id(screen.body, "reviews-cap-warnings"))
                                          if isinstance(c, ft.Text) and isinstance(c.value, str))
    by_id(screen.body, "staff-review-1")  # the review waiting for the committee's decision
