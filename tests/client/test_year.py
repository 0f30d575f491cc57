"""Yearly commitments on the client (issue 13): the member's "Năm của tôi" and the cell's view, with a fake
server that keeps commitments, takes the four offline actions and feeds them back. The clock is injected:
31/12 at 23:59 in Vietnam, so "this year" is 2026 while UTC is still on the same day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft
import pytest

from client.api import ApiError
from client.router import Router
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.state.year import SAVE, SAVED_OFFLINE, CellYearState, MyYearState, this_year, year_choices
from client.views import year as views
from shared.schemas.year import CellCommitments, CommitmentPublic
from tests.client.fakes import ME, FakeApi
from tests.client.pages import FakePage, by_id, walk

CELL = {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell"}
LEADER = {
    **ME,
    "id": 8,
    "username": "bithu.a",
    "full_name": "Nguyễn Văn Bí",
    "member_id": 9,
    "roles": [{"role": "secretary", "organization": CELL}],
}
MEMBERS = {3: "Trần Thị Đảng", 9: "Nguyễn Văn Bí", 11: "Lê Văn Hai"}


class YearServer:
    """The server's side of commitments, as far as the client sees it: one per test, shared by devices."""

    def __init__(self, clock: list[datetime]):
        self.clock = clock
        self.commitments: dict[int, dict[str, Any]] = {}
        self.changes: list[int] = []  # commitment id per feed version (version = index + 1)
        self.made_at: dict[str, datetime] = {}
        self.refuse: str | None = None  # refuse the next action with this message

    def _changed(self, c: dict[str, Any]) -> None:
        c["updated_at"] = (self.clock[0] + timedelta(seconds=len(self.changes))).isoformat()
        self.changes.append(c["id"])

    def _fail(self, code: str, message: str) -> dict[str, Any]:
        return {"status": "refused", "code": code, "message": message}

    def act(self, me: dict, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self.refuse:
            message, self.refuse = self.refuse, None
            return self._fail("refused", message)
        if kind == "commitment.save":
            mine = [
                c
                for c in self.commitments.values()
                if c["member_id"] == me["member_id"] and c["year"] == payload["year"]
            ]
            if mine:
                c = mine[0]
                if c["status"] not in ("draft", "returned"):
                    return self._fail("commitment_locked", "Bản đăng ký đã gửi nên không sửa được.")
            else:
                cid = len(self.commitments) + 1
                c = self.commitments[cid] = {
                    "id": cid,
                    "year": payload["year"],
                    "member_id": me["member_id"],
                    "full_name": me["full_name"],
                    "org_id": 4,
                    "status": "draft",
                    "items": [],
                    "edited_at": self.clock[0].isoformat(),
                    "created_at": self.clock[0].isoformat(),
                }
            base = 100 * c["id"]
            c["items"] = [{"id": base + n, "position": n, **i} for n, i in enumerate(payload["items"], 1)]
            if payload.get("submit"):
                c["status"] = "submitted"
            self._changed(c)
            return {"status": "applied", "result": {"commitment_id": c["id"], "status": c["status"]}}
        c = self.commitments[payload["commitment_id"]]
        if kind == "commitment.decide":
            if c["status"] != "submitted":
                return self._fail("commitment_not_submitted", "Bản đăng ký không còn chờ duyệt.")
            c["status"] = "approved" if payload["approve"] else "returned"
            c["return_comment"] = None if payload["approve"] else payload["comment"]
        elif kind in ("commitment.result", "commitment.remark"):
            field, entries = (
                ("result", payload["results"])
                if kind == "commitment.result"
                else ("remark", payload["remarks"])
            )
            by_id = {e["item_id"]: e[field] for e in entries}
            for item in c["items"]:
                if item["id"] in by_id:
                    item[field] = by_id[item["id"]]
        self._changed(c)
        return {"status": "applied", "result": {"commitment_id": c["id"]}}

    def visible(self, me: dict, c: dict[str, Any]) -> bool:
        leads = any(g["role"] == "secretary" for g in me["roles"])
        return c["member_id"] == me["member_id"] or (leads and c["status"] != "draft")


class YearApi(FakeApi):
    """FakeApi with a feed and a push endpoint backed by a YearServer."""

    server: YearServer

    async def sync_pull(self, cursor: str | None, limit: int) -> dict:
        self._check()
        since = int(cursor or 0)
        seen: dict[int, int] = {}
        for version, cid in enumerate(self.server.changes, 1):
            if version > since:
                seen[cid] = version
        changes = [
            {
                "type": "commitment",
                "op": "upsert",
                "id": cid,
                "version": v,
                "data": dict(self.server.commitments[cid]),
            }
            for cid, v in sorted(seen.items(), key=lambda kv: kv[1])
            if self.server.visible(self._me, self.server.commitments[cid])
        ]
        return {"changes": changes, "cursor": str(len(self.server.changes)), "has_more": False}

    async def sync_push(self, actions: list) -> list:
        self._check()
        out = []
        for a in actions:
            self.server.made_at[a["client_id"]] = datetime.fromisoformat(a["made_at"])
            out.append({"client_id": a["client_id"], **self.server.act(self._me, a["type"], a["payload"])})
        return out

    async def get_commitment(self, commitment_id: int) -> CommitmentPublic:
        self._check()
        c = self.server.commitments.get(commitment_id)
        if c is None or not self.server.visible(self._me, c):
            raise ApiError(404, "commitment_not_found", "Không tìm thấy bản đăng ký.")
        return CommitmentPublic.model_validate(c)

    async def cell_commitments(self, cell_id: int, year: int) -> CellCommitments:
        self._check()
        members = []
        for member_id, name in MEMBERS.items():
            mine = [
                c
                for c in self.server.commitments.values()
                if c["member_id"] == member_id and c["year"] == year and c["status"] != "draft"
            ]
            c = mine[0] if mine else None
            members.append(
                {
                    "member_id": member_id,
                    "full_name": name,
                    "member_kind": "official",
                    "commitment_id": c["id"] if c else None,
                    "status": c["status"] if c else None,
                    "items": len(c["items"]) if c else 0,
                    "results": sum(1 for i in c["items"] if i.get("result")) if c else 0,
                }
            )
        return CellCommitments.model_validate(
            {"cell_id": cell_id, "year": year, "members": members, "counts": {}}
        )


@pytest.fixture
def clock() -> list[datetime]:
    return [datetime(2026, 12, 31, 16, 59, tzinfo=UTC)]  # 23:59 on 31/12/2026 in Vietnam


@pytest.fixture
def server(clock) -> YearServer:
    return YearServer(clock)


@pytest.fixture
def device(tmp_path: Path, clock, server):
    """device(me) -> (signed-in AppState, its YearApi)."""

    async def make(me: dict = ME) -> tuple[AppState, YearApi]:
        apis: list[YearApi] = []

        def factory(url: str, **kw: Any) -> YearApi:
            api = YearApi(url, me=me, **kw)
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
        return app, apis[-1]

    return make


def write(state: MyYearState, *items: tuple[str, str | None]) -> None:
    state.start_editing()
    state.items = []
    for text, category in items:
        state.add_item()
        state.set_text(len(state.items) - 1, text)
        state.set_category(len(state.items) - 1, category)


def test_the_year_is_vietnams_and_the_choices_are_the_servers_window():
    assert this_year(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026
    assert this_year(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2027  # 00:00 on 1/1 in Vietnam
    assert year_choices(datetime(2026, 6, 1, tzinfo=UTC)) == [2025, 2026, 2027]


async def test_a_commitment_written_with_the_network_off_is_sent_later(device, server, clock):
    app, api = await device()
    state = MyYearState(app)
    assert state.year == 2026 and state.status() is None and state.status_words() == "Chưa đăng ký"
    write(
        state, ("Gương mẫu tham gia vệ sinh môi trường thôn", "residence"), ("Học xong Nghị quyết 21", None)
    )
    api.offline = True
    written_at = clock[0]
    said = await state.save(submit=True)
    assert (said.ok, said.queued, said.message) == (False, True, SAVED_OFFLINE)
    assert state.notice() is not None and state.notice().message == SAVED_OFFLINE
    assert state.status() == "submitted" and not state.editable  # sent as soon as the network is back
    assert [i["text"] for i in state.shown_items()] == [
        "Gương mẫu tham gia vệ sinh môi trường thôn",
        "Học xong Nghị quyết 21",
    ]
    [queued] = app.store.outbox("pending")
    assert queued.kind == SAVE and queued.payload["submit"] is True
    assert queued.payload["items"][0] == {
        "text": "Gương mẫu tham gia vệ sinh môi trường thôn",
        "category": "residence",
    }
    assert server.commitments == {}

    clock[0] += timedelta(hours=3)  # sent on 1/1/2027: it stays the 2026 commitment the member wrote
    api.offline = False
    assert await app.sync_now()
    assert server.commitments[1]["status"] == "submitted"
    assert server.made_at[queued.client_id] == written_at  # the time the member acted, not when it was sent
    assert app.store.outbox() == []
    assert server.commitments[1]["year"] == 2026
    assert MyYearState(app).year == 2027 and MyYearState(app).status() is None
    again = MyYearState(app, year=2026)
    assert again.status() == "submitted" and again.notice() is None
    assert again.status_words() == "Đã gửi — chờ chi bộ duyệt"


@pytest.mark.parametrize(
    ("items", "said"),
    [
        ([("   ", None)], "Vui lòng ghi ít nhất một việc đồng chí đăng ký làm theo."),
        (
            [("Đọc báo Nhân Dân mỗi ngày", None), ("x", None)],
            "Mục 2 quá ngắn: vui lòng ghi rõ việc đồng chí sẽ làm.",
        ),
        ([("a" * 1001, None)], "Mục 1 dài quá 1000 ký tự: vui lòng viết gọn lại."),
    ],
)
async def test_items_are_checked_on_the_device_with_what_to_do(device, items, said):
    app, _ = await device()
    state = MyYearState(app)
    write(state, *items)
    outcome = await state.save()
    assert (outcome.ok, outcome.queued, outcome.message) == (False, False, said)
    assert app.store.outbox() == []


async def test_a_year_outside_the_servers_window_is_refused_on_the_device(device):
    app, _ = await device()
    state = MyYearState(app, year=2029)
    write(state, ("Tham gia hiến máu tình nguyện", "volunteer"))
    outcome = await state.save()
    assert outcome.message == "Chỉ đăng ký cho năm 2025, 2026, 2027: vui lòng chọn lại năm."


async def test_the_servers_refusal_is_said_and_the_typing_stays(device, server):
    app, _ = await device()
    state = MyYearState(app)
    write(state, ("Tham gia hiến máu tình nguyện", "volunteer"))
    server.refuse = "Chỉ đăng ký cam kết cho năm 2025, 2026 hoặc 2027."
    outcome = await state.save()
    assert (outcome.ok, outcome.message) == (False, "Chỉ đăng ký cam kết cho năm 2025, 2026 hoặc 2027.")
    assert state.notice() is not None and state.notice().message == outcome.message
    state.start_editing()
    assert state.items[0].text == "Tham gia hiến máu tình nguyện"  # not wiped by the refusal


async def test_returned_edited_resent_approved_then_results_and_remarks(device, server):
    member, _ = await device(ME)
    leader, _ = await device(LEADER)
    mine = MyYearState(member)
    write(mine, ("Tham gia hiến máu tình nguyện", "volunteer"), ("Đọc sách về Bác", "study_follow"))
    assert (await mine.save(submit=False)).message == "Đã lưu bản nháp."
    assert mine.status() == "draft" and mine.editable

    cell = CellYearState(leader)
    await cell.load()
    assert [r.status for r in cell.rows()] == [None, None, None]  # a draft is the member's own
    assert (await mine.save(submit=True)).message == "Đã gửi bản đăng ký tới chi bộ."
    await leader.sync_now()
    await cell.load()
    assert [(r.full_name, r.status) for r in cell.rows("submitted")] == [("Trần Thị Đảng", "submitted")]
    assert cell.counts_words() == "3 đảng viên: 0 đã duyệt, 1 chờ duyệt, 0 đã trả lại, 2 chưa đăng ký"
    cid = cell.rows("submitted")[0].commitment_id
    assert cid is not None and (await cell.open(cid))["full_name"] == "Trần Thị Đảng"

    refused = await cell.decide(cid, approve=False, comment=" ")
    assert refused.message == "Vui lòng ghi ý kiến để đảng viên biết cần sửa gì trước khi trả lại."
    returned = await cell.decide(cid, approve=False, comment="Mục 2 cần ghi rõ sách nào, đọc xong khi nào.")
    assert returned.ok and cell.shown_status(cid) == "returned"

    await member.sync_now()
    mine = MyYearState(member)
    assert mine.status() == "returned" and mine.editable
    assert mine.return_comment() == "Mục 2 cần ghi rõ sách nào, đọc xong khi nào."
    mine.start_editing()
    assert [i.text for i in mine.items] == ["Tham gia hiến máu tình nguyện", "Đọc sách về Bác"]
    mine.set_text(1, "Đọc xong cuốn 'Đường cách mệnh' trước tháng 6")
    assert (await mine.save(submit=True)).ok
    assert mine.status() == "submitted" and mine.return_comment() is None

    await leader.sync_now()
    assert (await cell.decide(cid, approve=True)).message == "Đã duyệt bản đăng ký."
    assert (
        await cell.decide(cid, approve=True)
    ).message == "Chỉ duyệt hoặc trả lại bản đăng ký đang chờ duyệt."

    await member.sync_now()
    mine = MyYearState(member)
    mine.start_editing()
    assert mine.status() == "approved" and not mine.editable
    first, second = (int(i["id"]) for i in mine.shown_items())
    assert (await mine.save_results()).message.startswith("Chưa có kết quả nào thay đổi")
    mine.results[first] = "Đã hiến máu 2 lần"
    member.api.offline = True  # type: ignore[union-attr]
    said = await mine.save_results()
    assert said.queued and mine.notice().message == SAVED_OFFLINE
    assert mine.shown_items()[0]["result"] == "Đã hiến máu 2 lần"  # shown before the server has it
    member.api.offline = False  # type: ignore[union-attr]
    await member.sync_now()
    assert server.commitments[cid]["items"][0]["result"] == "Đã hiến máu 2 lần"

    await leader.sync_now()
    await cell.open(cid)
    cell.remarks[second] = "Cần cố gắng hơn"
    assert (await cell.save_remarks(cid)).message == "Đã lưu nhận xét của chi bộ."
    await member.sync_now()
    assert MyYearState(member).shown_items()[1]["remark"] == "Cần cố gắng hơn"


async def test_offline_the_cell_list_comes_from_the_device(device):
    leader, api = await device(LEADER)
    cell = CellYearState(leader)
    api.offline = True
    await cell.load()
    assert cell.overview is None
    assert cell.error == ("Chưa có mạng nên chưa tải được danh sách: vui lòng kiểm tra mạng rồi bấm Làm mới.")
    api.offline = False
    await cell.load()
    api.offline = True
    again = CellYearState(leader)
    await again.load()
    assert len(again.rows()) == 3 and again.error == "Chưa có mạng: đang hiển thị danh sách đã lưu trên máy."


# --- views ------------------------------------------------------------------------------------------


async def _settle(page: FakePage) -> None:
    while page.tasks:
        tasks, page.tasks = page.tasks, []
        await asyncio.gather(*tasks)


def _said(root: Any, identifier: str) -> str:
    for c in walk(by_id(root, identifier)):
        if isinstance(c, ft.Text) and c.value:
            return c.value
    return ""


async def test_my_year_view_saves_offline_then_shows_the_status(device):
    app, api = await device()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = views.my_year(router.ctx)
    assert by_id(screen.body, "year-pick").value == "2026"
    field = by_id(screen.body, "year-item-0")
    field.value = "Gương mẫu chấp hành quy định nơi cư trú"
    field.on_change(type("E", (), {"control": field})())
    by_id(screen.body, "year-add-item").on_click(None)
    api.offline = True
    by_id(screen.body, "year-send").on_click(None)
    await _settle(page)
    assert _said(screen.body, "year-notice") == SAVED_OFFLINE
    assert by_id_label(screen.body, "year-status") == "Đã gửi — chờ chi bộ duyệt"
    with pytest.raises(LookupError):
        by_id(screen.body, "year-send")  # sent: nothing left to edit
    api.offline = False
    await app.sync_now()
    screen.redraw()
    assert _said(screen.body, "year-notice") == ""


def by_id_label(root: Any, identifier: str) -> str:
    for c in walk(root):
        if isinstance(c, ft.Semantics) and c.identifier == identifier:
            return c.label or ""
    raise LookupError(identifier)


async def test_cell_views_list_members_and_refuse_a_return_without_comment(device):
    member, _ = await device(ME)
    mine = MyYearState(member)
    write(mine, ("Tham gia hiến máu tình nguyện", "volunteer"))
    await mine.save(submit=True)
    leader, _ = await device(LEADER)
    page = FakePage()
    router = Router(page, leader, [])  # type: ignore[arg-type]
    screen = views.cell_year(router.ctx)
    await screen.load()
    assert _said(screen.body, "cell-year-counts").startswith("3 đảng viên: 0 đã duyệt, 1 chờ duyệt")
    assert by_id(screen.body, "cell-year-3") is not None  # the member who sent, openable
    assert by_id(screen.body, "cell-year-11") is not None  # and the one who has not registered
    one = views.cell_commitment(router.ctx, "1")
    await one.load()
    by_id(one.body, "decide-return").on_click(None)
    await _settle(page)
    assert _said(one.body, "cell-commitment-notice") == (
        "Vui lòng ghi ý kiến để đảng viên biết cần sửa gì trước khi trả lại."
    )
    box = by_id(one.body, "decide-comment")
    box.value = "Ghi rõ thời gian hiến máu"
    box.on_change(type("E", (), {"control": box})())
    by_id(one.body, "decide-return").on_click(None)
    await _settle(page)
    assert by_id_label(one.body, "cell-commitment-status") == "Bị trả lại để sửa"


async def test_after_approval_the_view_takes_results_and_shows_the_cells_remark(device, server):
    items = [{"text": "Tham gia hiến máu tình nguyện", "category": "volunteer"}]
    server.act(ME, "commitment.save", {"year": 2026, "items": items, "submit": True})
    server.act(LEADER, "commitment.decide", {"commitment_id": 1, "approve": True, "comment": None})
    server.act(
        LEADER, "commitment.remark", {"commitment_id": 1, "remarks": [{"item_id": 101, "remark": "Tốt"}]}
    )
    app, _ = await device()
    await app.sync_now()
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    screen = views.my_year(router.ctx)
    assert by_id_label(screen.body, "year-status") == "Đã duyệt"
    assert _said(screen.body, "year-remark-101") == "Nhận xét của chi bộ: Tốt"
    box = by_id(screen.body, "year-result-101")
    box.value = "Đã hiến máu 2 lần trong năm"
    box.on_change(type("E", (), {"control": box})())
    by_id(screen.body, "year-save-results").on_click(None)
    await _settle(page)
    assert _said(screen.body, "year-notice") == "Đã lưu kết quả thực hiện."
    assert server.commitments[1]["items"][0]["result"] == "Đã hiến máu 2 lần trong năm"
    assert by_id(screen.body, "year-result-101").value == "Đã hiến máu 2 lần trong năm"


async def test_a_secretary_is_told_another_leader_decides_their_own(device):
    leader, _ = await device(LEADER)
    own = MyYearState(leader)
    write(own, ("Giữ gìn phẩm chất đạo đức", None))
    assert (await own.save(submit=True)).ok
    cell = CellYearState(leader)
    said = await cell.decide(1, approve=True)
    assert (said.ok, said.queued) == (False, False) and said.message.startswith("Đồng chí không tự duyệt")
    page = FakePage()
    router = Router(page, leader, [])  # type: ignore[arg-type]
    one = views.cell_commitment(router.ctx, "1")
    await one.load()
    assert _said(one.body, "cell-commitment-own").startswith("Đồng chí không tự duyệt")
    with pytest.raises(LookupError):
        by_id(one.body, "decide-approve")
