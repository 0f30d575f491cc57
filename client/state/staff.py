"""Committee staff screens: publish a document with attachments and audience, dashboard, audit log."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from client.api import ApiError
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
    ) -> Outcome:
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
