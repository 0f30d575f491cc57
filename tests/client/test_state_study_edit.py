"""Staff write a study check in the app (client/state/study_edit.py): the form's checks before sending, the
requests it builds (UTC from Vietnam time), editing before and after the opening, the server's refusals.
A fake server keeps the checks; the clock is injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from client.api import ApiError
from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.state.study_edit import CHECK_ERRORS, NEED_NETWORK, CheckEditor
from tests.client.fakes import ME, FakeApi

PROVINCE = {"id": 1, "name": "Đảng bộ tỉnh", "kind": "province"}
STAFF = {
    **ME,
    "id": 40,
    "username": "canbo.tinh",
    "full_name": "Lê Văn Tỉnh",
    "member_id": None,
    "roles": [{"role": "staff", "organization": PROVINCE}],
}
NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 08:00 on 4/12/2026 in Vietnam
DOC = {
    "id": 30, "title": "Nghị quyết 57-NQ/TW", "doc_type": "resolution", "number": "57-NQ/TW",
    "type_code": "NQ", "issuer": "TW", "issued_on": None, "effective_on": None, "summary": None,
    "category": "documents", "topic": None, "status": "published", "publish_at": None,
    "published_at": NOW.isoformat(), "version": 1, "offline_allowed": True, "comments_until": None,
    "superseded_by_id": None, "replaces_id": None, "updated_at": NOW.isoformat(),
}
ORGS = [PROVINCE, {"id": 2, "name": "Đảng bộ xã A1", "kind": "grassroots", "parent_id": 1},
        {"id": 4, "name": "Chi bộ thôn A1-1", "kind": "cell", "parent_id": 2}]


class Resp:
    def __init__(self, data: Any):
        self.data = data

    def json(self) -> Any:
        return self.data


class CheckApi(FakeApi):
    """The few /study/checks and /documents routes the form uses, over a dict of checks."""

    checks: dict[int, dict[str, Any]]
    refuse: ApiError | None = None

    async def get_json(self, path: str, **kw: Any) -> Any:
        self._check()
        self.got.append((path, kw.get("params")))
        if path == "/documents":
            p = kw["params"]
            found = [DOC] if p.get("doc_type") == "resolution" else [
                {**DOC, "id": 31, "title": "Tài liệu học tập chuyên đề", "doc_type": "guidance",
                 "category": "study", "published_at": (NOW + timedelta(hours=1)).isoformat()}]
            return {"items": found, "total": len(found)}
        if path == "/documents/30":
            return DOC
        if path == "/orgs":
            return {"items": ORGS}
        if path.startswith("/study/checks/"):
            return self.checks[int(path.rsplit("/", 1)[1])]
        return await super().get_json(path, **kw)

    async def get_model(self, path: str, model: Any, **kw: Any) -> Any:
        return model.model_validate(await self.get_json(path, **kw))

    async def get_list(self, path: str, item: Any, **kw: Any) -> Any:
        return [item.model_validate(i) for i in (await self.get_json(path, **kw))["items"]]

    def _saved(self, cid: int, body: dict[str, Any]) -> dict[str, Any]:
        old = self.checks.get(cid, {})
        check = {**old, **body, "id": cid, "created_at": NOW.isoformat(), "updated_at": NOW.isoformat()}
        check.setdefault("document_id", 30)
        check["question_count"] = len(check["questions"])
        check["key_shown"] = True
        self.checks[cid] = check
        return check

    async def post_json(self, path: str, body: Any = None) -> Any:
        self._check()
        self.posted.append((path, body))
        if self.refuse is not None:
            raise self.refuse
        assert path == "/study/checks"
        return self._saved(len(self.checks) + 1, body)

    async def request(self, method: str, path: str, **kw: Any) -> Any:
        self._check()
        if method == "DELETE":
            self.posted.append((f"DELETE {path}", None))
            if self.refuse is not None:
                raise self.refuse
            del self.checks[int(path.rsplit("/", 1)[1])]
            return Resp(None)
        assert method == "PATCH", method
        self.posted.append((path, kw["json"]))
        if self.refuse is not None:
            raise self.refuse
        return Resp(self._saved(int(path.rsplit("/", 1)[1]), kw["json"]))


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def staff(tmp_path: Path, clock):
    return staff_device(tmp_path, clock)


def staff_device(tmp_path: Path, clock: list[datetime]):
    """A signed-in province staff member on the fake server, on the test's clock (the view tests share it)."""

    async def make() -> tuple[AppState, CheckApi]:
        apis: list[CheckApi] = []

        def factory(url: str, **kw: Any) -> CheckApi:
            api = CheckApi(url, me=STAFF, **kw)
            api.checks = {}
            apis.append(api)
            return api

        app = AppState(
            ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path, clock=lambda: clock[0]),
            MemoryPrefs(),
            api_factory=factory,
        )  # type: ignore[arg-type]
        app.after_login = None
        await app.sign_in("", STAFF["username"], "dung-mat-khau")
        return app, apis[-1]

    return make


def fill(editor: CheckEditor, n: int = 5) -> None:
    editor.title = "Kiểm tra nhận thức Nghị quyết 57"
    while len(editor.questions) < n:
        editor.add_question()
    for i, q in enumerate(editor.questions):
        q.text = f"Câu hỏi số {i + 1}?"
        q.options = ["Đúng", "Sai", "Không rõ"]
        editor.set_correct(i, 0)


async def reopened(app) -> CheckEditor:
    """A check saved from a document's page (check 1), then opened again in the form."""
    first = CheckEditor(app, document_id=30)
    fill(first)
    assert (await first.save()).ok
    editor = CheckEditor(app, check_id=1)
    await editor.load()
    return editor


async def test_a_new_check_defaults_to_tomorrow_for_a_week_and_the_staffs_own_organisation(staff):
    app, _ = await staff()
    editor = CheckEditor(app, document_id=30)
    assert (editor.opens_day, editor.opens_time) == ("05/12/2026", "07:00")
    assert (editor.closes_day, editor.closes_time) == ("12/12/2026", "21:00")
    assert editor.audience == {1} and len(editor.questions) == 5 and editor.minutes == "15"
    await editor.load()
    assert editor.document_title == "Nghị quyết 57-NQ/TW"
    assert editor.audience_words() == "Đối tượng: Đảng bộ tỉnh (cả các chi bộ trực thuộc)"
    assert [(o["id"], level) for o, level in editor.orgs] == [(1, 0), (2, 1), (4, 2)]


async def test_the_documents_are_resolutions_and_study_materials_newest_first(staff):
    app, api = await staff()
    editor = CheckEditor(app)
    await editor.load_documents()
    assert [d.id for d in editor.documents] == [31, 30]
    asked = [p for path, p in api.got if path == "/documents"]
    assert {"doc_type": "resolution"}.items() <= asked[0].items() and asked[1]["category"] == "study"


async def test_every_fault_is_said_next_to_its_field_and_nothing_is_sent(staff):
    app, api = await staff()
    editor = CheckEditor(app, document_id=30)
    editor.questions = editor.questions[:4]
    editor.questions[0].text = "Thủ đô?"
    editor.questions[0].options = ["Hà Nội", ""]
    editor.questions[1].text = "Chọn hai"
    editor.questions[1].options = ["A", "B"]
    editor.questions[1].correct = [0, 1]  # single choice with two keys
    editor.questions[2].text = "Không đáp án"
    editor.questions[2].options = ["A", "B"]
    editor.minutes = "0"
    editor.closes_day, editor.closes_time = "05/12/2026", "06:00"  # before the opening at 07:00
    editor.audience = set()
    outcome = await editor.save()
    assert not outcome.ok and outcome.message == CHECK_ERRORS
    assert editor.errors == {
        "title": "Vui lòng đặt tên bài kiểm tra (từ 2 đến 300 ký tự).",
        "minutes": "Thời gian làm bài là số phút, từ 1 đến 240: vui lòng nhập lại.",
        "closes": "Giờ đóng phải sau giờ mở: vui lòng chọn lại giờ đóng.",
        "questions": "Bài kiểm tra có từ 5 đến 30 câu hỏi (đang có 4): vui lòng thêm câu hỏi.",
        "q0": "Câu 1: có phương án để trống: vui lòng nhập hoặc xóa phương án đó.",
        "q1": "Câu 2: câu một lựa chọn có đúng một đáp án đúng: vui lòng bỏ bớt.",
        "q2": "Câu 3: chưa chọn đáp án đúng: vui lòng đánh dấu phương án đúng.",
        "q3": "Câu 4: chưa có nội dung câu hỏi: vui lòng nhập.",
        "audience": "Vui lòng chọn ít nhất một tổ chức làm bài.",
    }
    assert api.posted == []


async def test_a_badly_typed_day_and_a_close_already_past_are_refused(staff):
    app, _ = await staff()
    editor = CheckEditor(app, document_id=30)
    fill(editor)
    editor.opens_day = "31/02/2026"
    editor.closes_day, editor.closes_time = "04/12/2026", "07:59"
    assert editor.build_create() is None
    assert editor.errors == {
        "opens": "Giờ mở: Ngày phải có dạng dd/mm/yyyy, ví dụ 04/12/2026.",
        "closes": "Giờ đóng đã qua: vui lòng chọn một thời điểm sắp tới.",
    }


async def test_the_request_is_sent_in_utc_with_the_key_and_the_audience(staff):
    app, api = await staff()
    editor = CheckEditor(app, document_id=30)
    fill(editor, 6)
    editor.set_multiple(5, True)
    editor.set_correct(5, 2)
    editor.move_question(5, -1)  # the multiple-choice one is fifth now
    editor.minutes, editor.show_score = "20", False
    editor.audience = {2, 4}
    outcome = await editor.save()
    assert outcome.ok and outcome.message == "Đã tạo bài kiểm tra; đảng viên sẽ nhận được khi đồng bộ."
    [(path, body)] = api.posted
    assert path == "/study/checks"
    assert body["opens_at"] == "2026-12-05T00:00:00Z" and body["closes_at"] == "2026-12-12T14:00:00Z"
    assert body["audience_org_ids"] == [2, 4] and body["time_limit_minutes"] == 20
    assert body["show_score"] is False and body["document_id"] == 30
    assert [q["correct"] for q in body["questions"]] == [[0], [0], [0], [0], [0, 2], [0]]
    assert body["questions"][4] == {
        "text": "Câu hỏi số 6?", "multiple": True, "options": ["Đúng", "Sai", "Không rõ"], "correct": [0, 2]
    }


def test_options_removed_keep_the_key_on_the_same_answers(tmp_path):
    app = AppState(ClientConfig(server_url="http://x", data_root=tmp_path, clock=lambda: NOW), MemoryPrefs())
    editor = CheckEditor(app)
    q = editor.questions[0]
    q.options = ["A", "B", "C", "D"]
    editor.set_multiple(0, True)
    editor.set_correct(0, 1)
    editor.set_correct(0, 3)
    editor.remove_option(0, 0)
    assert (q.options, q.correct) == (["B", "C", "D"], [0, 2])
    editor.set_multiple(0, False)  # single choice keeps one key
    assert q.correct == [0]
    editor.set_correct(0, 2)
    assert q.correct == [2]
    editor.remove_option(0, 2)
    editor.remove_option(0, 1)  # two options stay at least
    assert (q.options, q.correct) == (["B", "C"], [])
    editor.remove_question(0)
    assert len(editor.questions) == 4


async def test_a_check_not_yet_open_is_changed_in_full(staff, clock):
    app, api = await staff()
    editor = await reopened(app)
    assert not editor.opened and editor.locked_words() == ""
    assert editor.title == "Kiểm tra nhận thức Nghị quyết 57" and editor.questions[0].correct == [0]
    assert (editor.opens_day, editor.opens_time) == ("05/12/2026", "07:00")
    editor.questions[0].text = "Câu hỏi đã sửa?"
    editor.opens_time = "08:00"
    outcome = await editor.save()
    assert outcome.ok and outcome.message == "Đã lưu bài kiểm tra."
    path, body = api.posted[-1]
    assert path == "/study/checks/1" and body["questions"][0]["text"] == "Câu hỏi đã sửa?"
    assert body["opens_at"] == "2026-12-05T01:00:00Z" and "document_id" not in body


async def test_once_open_only_the_title_and_a_later_close_are_sent(staff, clock):
    app, api = await staff()
    editor = await reopened(app)
    clock[0] = NOW + timedelta(days=1, hours=1)  # 08:00 on the 5th: open since 07:00
    await editor.load()
    assert editor.opened
    assert editor.locked_words().startswith("Bài kiểm tra đã mở lúc 07:00 ngày 05/12/2026: đảng viên")
    editor.closes_day = "11/12/2026"
    assert not (await editor.save()).ok
    assert editor.errors == {
        "closes": "Bài đã mở nên chỉ lùi được giờ đóng: vui lòng chọn từ 21:00 ngày 12/12/2026 trở đi."
    }
    editor.closes_day, editor.title = "14/12/2026", "Kiểm tra Nghị quyết 57 (gia hạn)"
    editor.questions[0].text = "not sent"
    assert (await editor.save()).ok
    assert api.posted[-1] == (
        "/study/checks/1", {"title": "Kiểm tra Nghị quyết 57 (gia hạn)", "closes_at": "2026-12-14T14:00:00Z"}
    )


async def test_the_servers_refusals_say_what_to_do(staff):
    app, api = await staff()
    editor = CheckEditor(app, document_id=30)
    fill(editor)
    api.refuse = ApiError(403, "audience_out_of_reach", "Đối tượng làm bài phải thuộc phạm vi.")
    assert (await editor.save()).message == (
        "Đối tượng làm bài phải thuộc phạm vi đồng chí phụ trách: vui lòng chọn lại đối tượng."
    )
    api.refuse = ApiError(409, "quiz_opened", "Bài kiểm tra đã mở.")
    assert (await editor.save()).message.startswith("Bài kiểm tra đã mở nên chỉ sửa được tên bài và lùi giờ")
    api.refuse = ApiError(422, "validation_error", "Thời điểm phải trong khoảng năm 2000-2100.")
    assert (await editor.save()).message == "Thời điểm phải trong khoảng năm 2000-2100."
    api.refuse, api.offline = None, True
    assert (await editor.save()).message == NEED_NETWORK


async def test_loading_again_shows_the_check_as_it_now_is(staff):
    # after a refusal ("bấm Làm mới"), the form reloads the server's check, not the edits it refused
    app, api = await staff()
    editor = await reopened(app)
    editor.title = "Đã sửa trên máy"
    api.checks[1]["title"] = "Đã sửa ở máy khác"
    await editor.load()
    assert editor.title == "Đã sửa ở máy khác"


async def test_a_check_is_deleted_before_it_opens_and_kept_once_open(staff, clock):
    app, api = await staff()
    editor = CheckEditor(app, document_id=30)
    await editor.load()
    fill(editor)
    assert (await editor.save()).ok
    api.offline = True
    offline = await editor.delete()
    assert (offline.ok, offline.message) == (
        False, "Chưa có mạng nên chưa xóa được bài kiểm tra: vui lòng thử lại sau.")
    api.offline = False
    clock[0] = NOW + timedelta(days=2)  # open since 07:00 yesterday: members may be taking it
    refused = await editor.delete()
    assert not refused.ok and refused.message.startswith("Bài kiểm tra đã mở, có thể đảng viên đang làm bài")
    assert not any(p.startswith("DELETE") for p, _ in api.posted) and 1 in api.checks
    clock[0] = NOW
    api.refuse = ApiError(409, "quiz_opened", "Bài kiểm tra đã mở: không xóa được.")  # opened meanwhile
    assert (await editor.delete()).message == "Bài kiểm tra vừa mở nên không xóa được nữa."
    api.refuse = None
    done = await editor.delete()
    assert (done.ok, done.message) == (True, "Đã xóa bài kiểm tra.")
    assert api.posted[-1] == ("DELETE /study/checks/1", None) and api.checks == {}
