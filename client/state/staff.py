"""Committee staff screens: publish a document with attachments and audience, dashboard, audit log."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from client.api import ApiError
from client.format import local_input_to_utc
from client.state.app import AppState
from client.state.meetings import Outcome
from shared.enums import Role
from shared.schemas.members import ImportReport, MemberPublic


class StaffState:
    def __init__(self, app: AppState):
        self.app = app
        self.orgs: list[dict[str, Any]] = []
        self.overview: dict[str, Any] | None = None
        self.audit: list[dict[str, Any]] = []
        self.members: list[MemberPublic] = []
        self.import_report: ImportReport | None = None
        self.error: str | None = None

    @property
    def staff_org_id(self) -> int | None:
        me = self.app.me
        if not me:
            return None
        for grant in me.roles:
            if grant.role in (Role.staff, Role.admin) and grant.organization:
                return grant.organization.id
        return me.org_path[0].id if me.org_path else None

    async def load_orgs(self) -> None:
        try:
            page = await self.app.call(self.app.require_api().get_json("/orgs", params={"limit": 200}))
            self.orgs = page.get("items", []) if isinstance(page, dict) else page
        except ApiError as exc:
            self.error = exc.message

    @property
    def cells(self) -> list[dict[str, Any]]:
        """The cells among the orgs staff may see, by name: what the yearly attendance export is asked for."""
        return sorted((o for o in self.orgs if o.get("kind") == "cell"), key=lambda o: str(o.get("name", "")))

    async def export_year(
        self, cell_id: int, year: int | None = None, fmt: str = "xlsx"
    ) -> tuple[str, bytes]:
        """A cell's attendance over the year (every closed meeting, every member): (file name, bytes)."""
        params: dict[str, Any] = {"format": fmt}
        if year is not None:
            params["year"] = year
        resp = await self.app.call(
            self.app.require_api().request("GET", f"/stats/cells/{cell_id}/attendance/export", params=params)
        )
        return _filename(resp, f"diem-danh-nam-{year or ''}-chi-bo-{cell_id}.{fmt}"), resp.content

    async def publish(
        self,
        *,
        title: str,
        doc_type: str,
        number: str,
        issued_on: str,
        summary: str,
        body: str,
        category: str,
        audience_ids: list[int],
        files: list[tuple[str, bytes, str]] | None = None,
        comments_until: str = "",
        study_due_on: str = "",
    ) -> Outcome:
        """Publish now; with `comments_until` (dd/mm/yyyy), a draft open for comments until that day ends."""
        if len(title.strip()) < 3:
            return Outcome(False, "Vui lòng nhập tiêu đề văn bản.")
        if not audience_ids:
            return Outcome(False, "Chọn ít nhất một tổ chức nhận.")
        issued: date | None = None
        if issued_on.strip():
            try:
                issued = datetime.strptime(issued_on.strip(), "%d/%m/%Y").date()
            except ValueError:
                return Outcome(False, "Ngày ban hành phải có dạng dd/mm/yyyy.")
        payload: dict[str, Any] = {
            "title": title.strip(),
            "doc_type": doc_type,
            "category": category,
            "audience_org_ids": audience_ids,
        }
        for key, value in (("number", number), ("summary", summary), ("body", body)):
            if value.strip():
                payload[key] = value.strip()
        if issued:
            payload["issued_on"] = issued.isoformat()
        if study_due_on.strip():
            if category != "study":
                return Outcome(
                    False, "Chỉ tài liệu học tập mới có hạn học: hãy chọn danh mục Tài liệu học tập."
                )
            due = parse_day(study_due_on)
            if due is None:
                return Outcome(False, "Hạn học phải có dạng dd/mm/yyyy, ví dụ 31/12/2026.")
            payload["study_due_on"] = due.isoformat()
        if comments_until.strip():
            try:
                until = local_input_to_utc(comments_until, "23:59")
            except ValueError:
                return Outcome(False, "Hạn góp ý phải có dạng dd/mm/yyyy.")
            payload["status"] = "draft"
            payload["comments_until"] = until.isoformat()
        api = self.app.require_api()
        try:
            created = await self.app.call(api.post_json("/documents", payload))
            for name, content, ctype in files or []:
                await self.app.call(
                    api.request(
                        "POST",
                        f"/documents/{created['id']}/attachments",
                        files={"file": (name, content, ctype)},
                    )
                )
        except ApiError as exc:
            return Outcome(False, exc.message)
        if comments_until.strip():
            return Outcome(True, f"Đã gửi dự thảo lấy ý kiến: {created.get('title')}")
        return Outcome(True, f"Đã phát hành: {created.get('title')}")

    async def load_overview(self) -> None:
        org_id = self.staff_org_id
        if org_id is None:
            return
        try:
            self.overview = await self.app.call(
                self.app.require_api().get_json(f"/stats/orgs/{org_id}/overview")
            )
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    async def search_members(self, query: str, org_id: int | None = None) -> None:
        params: dict[str, Any] = {"limit": 100}
        if query.strip():
            params["q"] = query.strip()
        if org_id:
            params["org_id"] = org_id
        try:
            self.members = await self.app.call(
                self.app.require_api().get_list("/members", MemberPublic, params=params)
            )
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    async def import_members(self, name: str, data: bytes, *, apply: bool) -> Outcome:
        """Check the file first (dry run: nothing written), then apply it when the staff member agrees."""
        api = self.app.require_api()
        try:
            resp = await self.app.call(
                api.request(
                    "POST",
                    "/members/import",
                    files={"file": (name, data, "application/octet-stream")},
                    data={"dry_run": "false" if apply else "true"},
                )
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        self.import_report = ImportReport.model_validate(resp.json())
        r = self.import_report
        counts = f"{r.created} mới, {r.updated} cập nhật, {r.unchanged} không đổi, {r.rejected} dòng lỗi"
        if apply and not r.applied:
            return Outcome(False, f"Chưa nhập gì ({counts}): sửa các dòng lỗi rồi nhập lại.")
        return Outcome(r.rejected == 0, f"{'Đã nhập' if r.applied else 'Kiểm tra'}: {counts}.")

    async def load_audit(self) -> None:
        try:
            page = await self.app.call(self.app.require_api().get_json("/audit", params={"limit": 50}))
            self.audit = page.get("items", [])
        except ApiError as exc:
            self.error = exc.message


def read_upload(path: Path) -> tuple[str, bytes, str]:
    import mimetypes

    return path.name, path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# --- the dashboard's reading rates, draft comments, the organisation tree, new members -------------------


def short_org_label(name: str) -> str:
    """A chart label that keeps what tells cells apart: "Chi bộ thôn A1-1" -> "Thôn A1-1"."""
    text = " ".join((name or "").split())
    for prefix in ("Chi bộ ", "Đảng bộ cơ sở ", "Đảng bộ ", "Chi bộ", "Đảng bộ"):
        if text.lower().startswith(prefix.lower()) and len(text) > len(prefix):
            text = text[len(prefix) :].strip()
            break
    text = text[:1].upper() + text[1:]
    return text if len(text) <= 14 else text[:13] + "…"


def tree_order(orgs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Organisations parent first, then under it its đảng bộ and its chi bộ by name, with their level."""
    ids = {o["id"] for o in orgs}
    children: dict[int | None, list[dict[str, Any]]] = {}
    for o in orgs:
        parent = o.get("parent_id") if o.get("parent_id") in ids else None
        children.setdefault(parent, []).append(o)
    out: list[tuple[dict[str, Any], int]] = []

    def visit(parent: int | None, level: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda o: (o.get("kind") == "cell", o.get("name", ""))):
            out.append((o, level))
            visit(o["id"], level + 1)

    visit(None, 0)
    return out


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy) -> date; None when it is not a real day."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _filename(resp: Any, default: str) -> str:
    disposition = resp.headers.get("content-disposition", "")
    if "filename=" in disposition:
        return disposition.split("filename=", 1)[1].split(";")[0].strip('" ') or default
    return default


class ReadingState:
    """Reading rates in the staff member's subtree: the latest published documents, read by how many."""

    def __init__(self, app: AppState, org_id: int | None):
        self.app = app
        self.org_id = org_id
        self.documents: list[dict[str, Any]] = []  # {"id","title","members","read","rate","by_cell"}
        self.error: str | None = None

    async def load(self, limit: int = 5) -> None:
        api = self.app.require_api()
        try:
            page = await self.app.call(
                api.get_json("/documents", params={"status": "published", "limit": limit})
            )
        except ApiError as exc:
            self.error = exc.message
            return
        out: list[dict[str, Any]] = []
        for doc in page.get("items", []) if isinstance(page, dict) else page:
            params = {"org_id": self.org_id} if self.org_id else {}
            try:
                stats = await self.app.call(api.get_json(f"/documents/{doc['id']}/read-stats", params=params))
            except ApiError as exc:
                if exc.status == 0:  # offline: say so once, keep what was loaded
                    self.error = exc.message
                    break
                continue  # a document outside the caller's statistics scope
            members, read = int(stats.get("members") or 0), int(stats.get("read") or 0)
            if not members:
                continue
            cells = [
                {**c, "rate": (c["read"] / c["members"]) if c.get("members") else None}
                for c in stats.get("by_cell", [])
            ]
            out.append(
                {
                    "id": doc["id"],
                    "title": doc.get("title", ""),
                    "members": members,
                    "read": read,
                    "rate": read / members,
                    "by_cell": sorted(cells, key=lambda c: (c["rate"] is None, c["rate"] or 0)),
                }
            )
        self.documents = out
        if out:
            self.error = None


class CommentsState:
    """Góp ý dự thảo: the drafts staff published, the comments on one, its export."""

    def __init__(self, app: AppState):
        self.app = app
        self.drafts: list[dict[str, Any]] = []
        self.document: dict[str, Any] | None = None
        self.comments: list[dict[str, Any]] = []
        self.error: str | None = None

    async def load_drafts(self) -> None:
        try:
            page = await self.app.call(
                self.app.require_api().get_json("/documents", params={"status": "draft", "limit": 100})
            )
            items = page.get("items", []) if isinstance(page, dict) else page
            # Drafts open for comments first, the nearest deadline on top.
            self.drafts = sorted(
                items, key=lambda d: (d.get("comments_until") is None, d.get("comments_until") or "")
            )
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    async def load_comments(self, document_id: int) -> None:
        api = self.app.require_api()
        try:
            self.document = await self.app.call(api.get_json(f"/documents/{document_id}"))
            self.comments = list(await self.app.call(api.get_json(f"/documents/{document_id}/comments")))
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    async def export(self, document_id: int, fmt: str = "xlsx") -> tuple[str, bytes]:
        """Every comment as a spreadsheet (publishers only): (file name, bytes)."""
        resp = await self.app.call(
            self.app.require_api().request(
                "GET", f"/documents/{document_id}/comments/export", params={"format": fmt}
            )
        )
        return _filename(resp, f"gop-y-van-ban-{document_id}.{fmt}"), resp.content


class OrgsState:
    """The subtree as an indented tree with member counts; create a child, rename, set the meeting rule."""

    def __init__(self, app: AppState, root_id: int | None):
        self.app = app
        self.root_id = root_id
        self.rows: list[tuple[dict[str, Any], int]] = []
        self.error: str | None = None

    @property
    def cells(self) -> list[dict[str, Any]]:
        return [o for o, _ in self.rows if o.get("kind") == "cell"]

    @property
    def parents(self) -> list[dict[str, Any]]:
        return [o for o, _ in self.rows if o.get("kind") != "cell"]

    async def load(self) -> None:
        params: dict[str, Any] = {"limit": 500}
        if self.root_id:
            params["within"] = self.root_id
        try:
            page = await self.app.call(self.app.require_api().get_json("/orgs", params=params))
            self.rows = tree_order(page.get("items", []) if isinstance(page, dict) else page)
            self.error = None
        except ApiError as exc:
            self.error = exc.message

    @staticmethod
    def _rule(day: str, time: str) -> tuple[dict[str, Any], str | None]:
        out: dict[str, Any] = {}
        if day.strip():
            if not day.strip().isdigit() or not 1 <= int(day) <= 28:
                return {}, "Ngày sinh hoạt hằng tháng là một số từ 1 đến 28."
            out["meeting_day"] = int(day)
        if time.strip():
            try:
                out["meeting_time"] = datetime.strptime(time.strip(), "%H:%M").strftime("%H:%M")
            except ValueError:
                return {}, "Giờ sinh hoạt phải có dạng HH:MM, ví dụ 19:30."
        return out, None

    async def create(
        self, *, parent_id: int | None, name: str, kind: str, code: str, day: str = "", time: str = ""
    ) -> Outcome:
        if parent_id is None:
            return Outcome(False, "Chọn tổ chức cấp trên.")
        if len(name.strip()) < 2:
            return Outcome(False, "Vui lòng nhập tên tổ chức.")
        if not code.strip():
            return Outcome(False, "Vui lòng nhập mã tổ chức (chữ không dấu, số, dấu chấm, gạch).")
        rule, problem = self._rule(day, time)
        if problem:
            return Outcome(False, problem)
        body = {"parent_id": parent_id, "name": name.strip(), "kind": kind, "code": code.strip(), **rule}
        try:
            created = await self.app.call(self.app.require_api().post_json("/orgs", body))
        except ApiError as exc:
            return Outcome(False, exc.message)  # the server's own words (duplicate code, bad pattern...)
        await self.load()
        return Outcome(True, f"Đã tạo {created.get('name')}.")

    async def update(self, org_id: int, *, name: str, day: str = "", time: str = "") -> Outcome:
        if len(name.strip()) < 2:
            return Outcome(False, "Vui lòng nhập tên tổ chức.")
        rule, problem = self._rule(day, time)
        if problem:
            return Outcome(False, problem)
        body = {"name": name.strip(), **rule}
        try:
            resp = await self.app.call(self.app.require_api().request("PATCH", f"/orgs/{org_id}", json=body))
        except ApiError as exc:
            return Outcome(False, exc.message)
        await self.load()
        return Outcome(True, f"Đã lưu {resp.json().get('name')}.")


class NewMemberState:
    """The form for one new member: checks what the device can, then shows the server's words as they are."""

    def __init__(self, app: AppState):
        self.app = app
        self.created: MemberPublic | None = None
        self.field_errors: dict[str, str] = {}  # field -> the server's words, to show under that field

    async def create(
        self, *, full_name: str, birth_date: str, card_number: str, kind: str, org_id: int | None
    ) -> Outcome:
        if len(full_name.strip()) < 2:
            return Outcome(False, "Vui lòng nhập họ và tên.")
        if org_id is None:
            return Outcome(False, "Chọn chi bộ sinh hoạt.")
        body: dict[str, Any] = {"full_name": " ".join(full_name.split()), "kind": kind, "org_id": org_id}
        if birth_date.strip():
            born = parse_day(birth_date)
            if born is None:
                return Outcome(False, "Ngày sinh phải có dạng dd/mm/yyyy, ví dụ 04/12/1975.")
            body["birth_date"] = born.isoformat()
        if card_number.strip():
            body["card_number"] = card_number.strip()
        self.field_errors = {}
        try:
            data = await self.app.call(self.app.require_api().post_json("/members", body))
        except ApiError as exc:
            self.field_errors = {
                str(e["field"]).rsplit(".", 1)[-1]: str(e.get("message") or "")
                for e in exc.errors
                if isinstance(e, dict) and e.get("field")
            }
            return Outcome(False, exc.message)
        self.created = MemberPublic.model_validate(data)
        return Outcome(True, f"Đã thêm đảng viên {self.created.full_name}.")
