"""Committee staff state with a fake server: reading rates, draft comments and their export, the organisation
tree (create, edit), a new member with the server's own Vietnamese refusal; and the views drawing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from client.api import ApiError
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.state.staff import (
    CommentsState,
    NewMemberState,
    OrgsState,
    ReadingState,
    StaffState,
    short_org_label,
    tree_order,
)
from tests.client.fakes import ME, FakeApi
from tests.client.pages import FakePage, by_id, walk

STAFF = {
    **ME,
    "id": 20,
    "full_name": "Phạm Văn Cán",
    "roles": [{"role": "staff", "organization": {"id": 2, "name": "Đảng bộ xã A1", "kind": "grassroots"}}],
}
ORGS = [
    {"id": 2, "name": "Đảng bộ xã A1", "kind": "grassroots", "code": "A1", "parent_id": 1, "member_count": 0},
    {"id": 5, "name": "Chi bộ thôn A1-2", "kind": "cell", "code": "A1-2", "parent_id": 2, "member_count": 12},
    {
        "id": 4,
        "name": "Chi bộ thôn A1-1",
        "kind": "cell",
        "code": "A1-1",
        "parent_id": 2,
        "member_count": 30,
        "meeting_day": 5,
        "meeting_time": "19:30",
    },
]


class StaffApi(FakeApi):
    """FakeApi plus the calls staff screens make: params and raw requests are recorded."""

    def __init__(self, *a: Any, **kw: Any):
        super().__init__(*a, **kw)
        self.gets: list[tuple[str, dict]] = []
        self.requests: list[tuple[str, str, dict]] = []

    async def get_json(self, path: str, **kw: Any) -> Any:
        self.gets.append((path, dict(kw.get("params") or {})))
        if f"GET {path}" in self.answers:  # when a POST to the same path answers differently
            self._check()
            return self.answers[f"GET {path}"]
        return await super().get_json(path, **kw)

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        self._check()
        self.requests.append((method, path, kw))
        answer = self.answers.get(f"{method} {path}")
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
async def staff_app(tmp_path: Path):
    apis: list[StaffApi] = []

    def factory(url: str, **kw: Any) -> StaffApi:
        apis.append(StaffApi(url, me=STAFF, **kw))
        return apis[-1]

    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        MemoryPrefs(),
        api_factory=factory,
    )  # type: ignore[arg-type]
    await app.sign_in("", "canbo", "dung-mat-khau")
    assert app.is_staff
    return app, apis[-1]


def test_chart_labels_keep_what_tells_cells_apart():
    assert short_org_label("Chi bộ thôn A1-1") == "Thôn A1-1"
    assert short_org_label("Đảng bộ xã A1") == "Xã A1"
    assert short_org_label("Chi bộ Trường Tiểu học Nguyễn Văn Trỗi") == "Trường Tiểu h…"
    assert len(short_org_label("Chi bộ Trường Tiểu học Nguyễn Văn Trỗi")) == 14


def test_tree_order_puts_children_under_their_parent_by_name():
    rows = tree_order(ORGS)
    assert [(o["id"], level) for o, level in rows] == [(2, 0), (4, 1), (5, 1)]


async def test_reading_rates_per_document_and_cell_lowest_first(staff_app):
    app, api = staff_app
    api.answers["/documents"] = {"items": [{"id": 11, "title": "Nghị quyết 21"}, {"id": 12, "title": "Mật"}]}
    api.answers["/documents/11/read-stats"] = {
        "document_id": 11,
        "members": 42,
        "read": 21,
        "by_cell": [
            {"org_id": 4, "name": "Chi bộ thôn A1-1", "members": 30, "read": 18},
            {"org_id": 5, "name": "Chi bộ thôn A1-2", "members": 12, "read": 3},
        ],
    }
    api.answers["/documents/12/read-stats"] = ApiError(403, "stats_forbidden", "Không được xem.")
    reading = ReadingState(app, 2)
    await reading.load()
    assert [d["id"] for d in reading.documents] == [11]  # the one outside the caller's scope is left out
    doc = reading.documents[0]
    assert doc["rate"] == 0.5
    assert [(c["org_id"], c["rate"]) for c in doc["by_cell"]] == [(5, 0.25), (4, 0.6)]
    assert ("/documents/11/read-stats", {"org_id": 2}) in api.gets
    assert ("/documents", {"status": "published", "limit": 5}) in api.gets


async def test_reading_offline_says_so(staff_app):
    app, api = staff_app
    api.offline = True
    reading = ReadingState(app, 2)
    await reading.load()
    assert reading.documents == [] and reading.error and "Không kết nối" in reading.error


async def test_draft_comments_and_their_export_file(staff_app):
    app, api = staff_app
    api.answers["/documents"] = {
        "items": [
            {"id": 3, "title": "Dự thảo cũ", "comments_until": None},
            {"id": 7, "title": "Dự thảo báo cáo chính trị", "comments_until": "2026-12-01T10:00:00+00:00"},
        ]
    }
    state = CommentsState(app)
    await state.load_drafts()
    assert [d["id"] for d in state.drafts] == [7, 3]  # open for comments first
    assert ("/documents", {"status": "draft", "limit": 100}) in api.gets
    api.answers["/documents/7"] = {"id": 7, "title": "Dự thảo báo cáo chính trị"}
    api.answers["/documents/7/comments"] = [{"id": 1, "body": "Đề nghị bổ sung số liệu", "author_name": "An"}]
    await state.load_comments(7)
    assert state.comments[0]["body"] == "Đề nghị bổ sung số liệu"
    api.answers["GET /documents/7/comments/export"] = httpx.Response(
        200,
        content=b"\xef\xbb\xbfSTT",
        headers={"content-disposition": 'attachment; filename="gop-y-van-ban-7.csv"'},
    )
    name, data = await state.export(7, "csv")
    assert name == "gop-y-van-ban-7.csv" and data.startswith(b"\xef\xbb\xbf")
    assert api.requests[-1][2]["params"] == {"format": "csv"}
    api.answers["GET /documents/7/comments/export"] = ApiError(404, "not_found", "Không tìm thấy văn bản.")
    with pytest.raises(ApiError):
        await state.export(7)


async def test_each_cells_yearly_attendance_exports_from_the_dashboard(staff_app):
    app, api = staff_app
    api.answers["/orgs"] = {"items": ORGS}
    state = StaffState(app)
    await state.load_orgs()
    assert [c["id"] for c in state.cells] == [4, 5]  # cells only, by name
    api.answers["GET /stats/cells/4/attendance/export"] = httpx.Response(
        200, content=b"PK",
        headers={"content-disposition": 'attachment; filename="diem-danh-nam-2026-chi-bo-4.xlsx"'},
    )
    name, data = await state.export_year(4, 2026)
    assert (name, data) == ("diem-danh-nam-2026-chi-bo-4.xlsx", b"PK")
    assert api.requests[-1][2]["params"] == {"format": "xlsx", "year": 2026}


async def test_create_org_checks_then_sends_and_shows_the_servers_words(staff_app):
    app, api = staff_app
    api.answers["/orgs"] = {"items": ORGS}
    state = OrgsState(app, 2)
    await state.load()
    assert [o["id"] for o in state.cells] == [4, 5] and [o["id"] for o in state.parents] == [2]
    bad = await state.create(parent_id=2, name="Chi bộ thôn A1-3", kind="cell", code="A1-3", day="31")
    assert bad.message == "Ngày sinh hoạt hằng tháng là một số từ 1 đến 28."
    bad = await state.create(parent_id=2, name="Chi bộ thôn A1-3", kind="cell", code="A1-3", time="7h")
    assert bad.message == "Giờ sinh hoạt phải có dạng HH:MM, ví dụ 19:30."
    assert not api.posted
    api.answers["/orgs"] = ApiError(409, "org_code_taken", "Mã tổ chức đã được dùng.")
    taken = await state.create(parent_id=2, name="Chi bộ thôn A1-3", kind="cell", code="A1-1")
    assert not taken.ok and taken.message == "Mã tổ chức đã được dùng."
    api.answers["/orgs"] = {"id": 9, "name": "Chi bộ thôn A1-3"}
    ok = await state.create(
        parent_id=2, name=" Chi bộ thôn A1-3 ", kind="cell", code="A1-3", day="10", time="7:30"
    )
    assert ok.ok and ok.message == "Đã tạo Chi bộ thôn A1-3."
    assert api.posted[-1] == (
        "/orgs",
        {
            "parent_id": 2,
            "name": "Chi bộ thôn A1-3",
            "kind": "cell",
            "code": "A1-3",
            "meeting_day": 10,
            "meeting_time": "07:30",
        },
    )


async def test_edit_org_patches_name_and_meeting_rule(staff_app):
    app, api = staff_app
    api.answers["/orgs"] = {"items": ORGS}
    state = OrgsState(app, 2)
    api.answers["PATCH /orgs/4"] = httpx.Response(200, json={"id": 4, "name": "Chi bộ thôn Một"})
    ok = await state.update(4, name="Chi bộ thôn Một", day="15", time="20:00")
    assert ok.message == "Đã lưu Chi bộ thôn Một."
    method, path, kw = api.requests[-1]
    assert (method, path, kw["json"]) == (
        "PATCH",
        "/orgs/4",
        {"name": "Chi bộ thôn Một", "meeting_day": 15, "meeting_time": "20:00"},
    )
    api.answers["PATCH /orgs/4"] = ApiError(403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")
    refused = await state.update(4, name="Chi bộ thôn Một")
    assert refused.message == "Bạn không có quyền thực hiện thao tác này."


async def test_new_member_converts_the_date_and_shows_the_server_message(staff_app):
    app, api = staff_app
    state = NewMemberState(app)
    bad = await state.create(
        full_name="Nguyễn Văn Mới", birth_date="31/02/1980", card_number="", kind="official", org_id=4
    )
    assert bad.message == "Ngày sinh phải có dạng dd/mm/yyyy, ví dụ 04/12/1975."
    assert (
        await state.create(
            full_name="Nguyễn Văn Mới", birth_date="", card_number="", kind="official", org_id=None
        )
    ).message == "Chọn chi bộ sinh hoạt."
    said = "Dữ liệu không hợp lệ (Số thẻ đảng viên: chuỗi không đúng định dạng)."
    api.answers["/members"] = ApiError(
        422, "validation_error", said, [{"field": "body.card_number", "message": "Sai định dạng"}]
    )
    refused = await state.create(
        full_name="Nguyễn Văn Mới", birth_date="4/12/1975", card_number="12ab", kind="probationary", org_id=4
    )
    assert not refused.ok and refused.message == said  # as the server said it
    assert state.field_errors == {"card_number": "Sai định dạng"}  # shown under the field it is about
    assert api.posted[-1][1] == {
        "full_name": "Nguyễn Văn Mới",
        "kind": "probationary",
        "org_id": 4,
        "birth_date": "1975-12-04",
        "card_number": "12ab",
    }
    api.answers["/members"] = {
        "id": 77,
        "full_name": "Nguyễn Văn Mới",
        "birth_date": "1975-12-04",
        "card_number": "12345678",
        "kind": "probationary",
        "org_id": 4,
        "admitted_on": None,
        "official_on": None,
        "position": None,
        "phone": None,
    }
    ok = await state.create(
        full_name="Nguyễn Văn Mới",
        birth_date="04/12/1975",
        card_number="12345678",
        kind="probationary",
        org_id=4,
    )
    assert ok.ok and ok.message == "Đã thêm đảng viên Nguyễn Văn Mới."


async def test_org_view_draws_the_tree_and_creates_a_child(staff_app):
    from client.router import Router
    from client.views import staff_orgs

    app, api = staff_app
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    api.answers["/orgs"] = {"items": ORGS}
    screen = staff_orgs.orgs(router.ctx)
    assert screen.load is not None
    await screen.load()
    ids = [
        c.identifier
        for c in walk(screen.body)
        if getattr(c, "identifier", "") and c.identifier.startswith("org-") and c.identifier[4:].isdigit()
    ]
    assert ids == ["org-2", "org-4", "org-5"]
    assert by_id(screen.body, "org-new-parent").value == "2"
    by_id(screen.body, "org-new-name").value = "Chi bộ thôn A1-3"
    by_id(screen.body, "org-new-code").value = ""
    by_id(screen.body, "org-new-submit").on_click(None)
    for t in page.tasks:
        await t
    assert by_id(screen.body, "org-new-error").value.startswith("Vui lòng nhập mã tổ chức")
    assert not api.posted
    by_id(screen.body, "org-new-code").value = "A1-3"
    api.answers["/orgs"] = {"id": 9, "name": "Chi bộ thôn A1-3"}
    api.answers["GET /orgs"] = {"items": ORGS}
    by_id(screen.body, "org-new-submit").on_click(None)
    for t in page.tasks:
        await t
    assert api.posted[-1][1]["parent_id"] == 2 and api.posted[-1][1]["kind"] == "cell"
    assert by_id(screen.body, "org-new-error").value == ""
    by_id(screen.body, "org-edit-4").on_click(None)
    assert by_id(screen.body, "org-edit-name").value == "Chi bộ thôn A1-1"
    assert by_id(screen.body, "org-edit-day").value == "5"


async def test_dashboard_labels_carry_short_names_and_rates(staff_app):
    from client.router import Router
    from client.views import staff

    app, api = staff_app
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    api.answers["/stats/orgs/2/overview"] = {
        "org_id": 2,
        "month": "2026-11",
        "year": 2026,
        "cells": 2,
        "cells_without_meeting": [],
        "cells_under_target": [{"org_id": 4, "org_name": "Chi bộ thôn A1-1", "rate": 0.72}],
        "flagged_members": [],
    }
    api.answers["/documents"] = {"items": [{"id": 11, "title": "Nghị quyết 21"}]}
    api.answers["/documents/11/read-stats"] = {
        "document_id": 11,
        "members": 4,
        "read": 1,
        "by_cell": [
            {"org_id": 4, "name": "Chi bộ thôn A1-1", "members": 2, "read": 1},
            {"org_id": 5, "name": "Chi bộ thôn A1-2", "members": 2, "read": 0},
        ],
    }
    screen = staff.staff_home(router.ctx)
    publish = by_id(screen.body, "publish")
    assert screen.load is not None
    await screen.load()
    # the load redraws twice: "Phát hành văn bản" tapped meanwhile must still be the button Flutter keeps
    assert by_id(screen.body, "publish") is publish
    chart = by_id(screen.body, "rates-chart")
    assert [lab.label.value for lab in chart.bottom_axis.labels] == ["Thôn A1-1\n72%"]
    reading = by_id(screen.body, "reading-chart")
    assert [lab.label.value for lab in reading.bottom_axis.labels] == ["Thôn A1-2\n0%", "Thôn A1-1\n50%"]
    texts = [c.value for c in walk(by_id(screen.body, "reading-doc-11")) if hasattr(c, "value")]
    assert "1/4 · 25%" in texts
    shown = [c.value for c in walk(screen.body) if isinstance(getattr(c, "value", None), str)]
    assert any(t.startswith("Tháng 11/2026:") for t in shown), shown  # not "Tháng 2026-11"


async def test_adding_under_a_row_picks_that_parent_and_its_usual_child(staff_app):
    from client.router import Router
    from client.views import staff_orgs

    app, api = staff_app
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    api.answers["/orgs"] = {"items": [{**ORGS[0], "kind": "district"}, *ORGS[1:]]}
    screen = staff_orgs.orgs(router.ctx)
    assert screen.load is not None
    await screen.load()
    by_id(screen.body, "org-add-2").on_click(None)
    assert by_id(screen.body, "org-new-parent").value == "2"
    assert by_id(screen.body, "org-new-kind").value == "grassroots"


async def test_publishing_with_a_deadline_sends_a_draft_open_for_comments(staff_app):
    from client.state.staff import StaffState

    app, api = staff_app
    state = StaffState(app)
    common = dict(
        title="Dự thảo báo cáo chính trị",
        doc_type="report",
        number="",
        issued_on="",
        summary="",
        body="",
        category="documents",
        audience_ids=[2],
    )
    bad = await state.publish(**common, comments_until="30/11")
    assert bad.message == "Hạn góp ý phải có dạng dd/mm/yyyy."
    api.answers["/documents"] = {"id": 7, "title": "Dự thảo báo cáo chính trị"}
    ok = await state.publish(**common, comments_until="30/11/2026")
    assert ok.message == "Đã gửi dự thảo lấy ý kiến: Dự thảo báo cáo chính trị"
    body = api.posted[-1][1]
    assert body["status"] == "draft" and body["comments_until"] == "2026-11-30T23:59:00+07:00"
    await state.publish(**common)
    assert "status" not in api.posted[-1][1]  # no deadline: published at once, as before


async def test_publishing_a_study_material_with_a_due_date(staff_app):
    from client.state.staff import StaffState

    app, api = staff_app
    state = StaffState(app)
    common = dict(title="Chuyên đề học tập năm 2026", doc_type="guidance", number="", issued_on="",
                  summary="", body="", audience_ids=[2])
    wrong = await state.publish(**common, category="documents", study_due_on="31/12/2026")
    assert not wrong.ok and "Chỉ tài liệu học tập mới có hạn học" in wrong.message
    bad = await state.publish(**common, category="study", study_due_on="31/13/2026")
    assert bad.message == "Hạn học phải có dạng dd/mm/yyyy, ví dụ 31/12/2026."
    api.answers["/documents"] = {"id": 8, "title": "Chuyên đề học tập năm 2026"}
    ok = await state.publish(**common, category="study", study_due_on="31/12/2026")
    assert ok.ok and api.posted[-1][1]["study_due_on"] == "2026-12-31"
