"""Committee staff screens for members: finding them, importing a list, adding one by hand."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.router import Screen
from client.state.staff import NewMemberState, OrgsState, StaffState
from client.views.ui import Ctx, action_button, empty, form_done, nav_button, tag, text_field
from shared.enums import MEMBER_KIND_LABELS, MemberKind


def members(ctx: Ctx) -> Screen:
    """Đảng viên: find members of the subtree; import a list exported from the party's member database."""
    state = StaffState(ctx.app)
    results = ft.Column(spacing=4)
    report = ft.Column(spacing=2)
    search = ft.TextField(
        label="Tìm đảng viên",
        hint_text="tên (không dấu cũng được) hoặc số thẻ",
        prefix_icon=ft.Icons.SEARCH,
    )
    picker = ft.FilePicker()
    pending: dict[str, Any] = {}

    def draw() -> None:
        results.controls = [
            ft.ListTile(
                title=ctx.text(m.full_name, 15),
                subtitle=ctx.muted(
                    f"{m.org_name or ''} · {MEMBER_KIND_LABELS.get(m.kind, m.kind)}"
                    + (f" · thẻ {m.card_number}" if m.card_number else "")
                ),
                dense=True,
            )
            for m in state.members
        ] or [empty(ctx, state.error or "Không tìm thấy đảng viên phù hợp.", ft.Icons.PERSON_SEARCH)]
        r = state.import_report
        report.controls = []
        if r is not None:
            bad = [row for row in r.rows if row.status == "rejected"][:10]
            report.controls = [
                ctx.text(f"Dòng {row.row}: {'; '.join(row.errors)}", 13, color="#B00020") for row in bad
            ]
            if pending and not r.applied:
                report.controls.append(
                    action_button(ctx, "import-apply", "Áp dụng", ft.Icons.DONE, apply, primary=True)
                )

    async def find(e: Any = None) -> None:
        await state.search_members(search.value or "")
        draw()
        ctx.page.update()

    async def pick() -> None:
        files = await picker.pick_files(allowed_extensions=["csv", "xlsx"], with_data=True)
        if not files:
            return
        f = files[0]
        data = getattr(f, "bytes", None)
        if not data:
            ctx.toast("Không đọc được tệp.", error=True)
            return
        pending.update(name=f.name, data=data)
        outcome = await state.import_members(f.name, data, apply=False)
        ctx.toast(outcome.message, error=not outcome.ok)
        draw()
        ctx.page.update()

    async def apply() -> None:
        outcome = await state.import_members(pending["name"], pending["data"], apply=True)
        pending.clear()
        ctx.toast(outcome.message, error=not outcome.ok)
        await find()

    search.on_submit = find
    draw()
    body = ft.Column(
        [
            tag("member-search", search),
            ft.Row(
                [
                    ft.FilledTonalButton("Tìm", icon=ft.Icons.SEARCH, on_click=find),
                    nav_button(
                        ctx, "member-new", "Thêm đảng viên", ft.Icons.PERSON_ADD, "/staff/members/new"
                    ),
                    action_button(
                        ctx, "import-members", "Nhập danh sách (CSV, XLSX)", ft.Icons.UPLOAD_FILE, pick
                    ),
                ],
                wrap=True,
            ),
            report,
            results,
        ],
        spacing=10,
    )
    return Screen(title="Đảng viên", body=body, load=find, back="/staff")


def new_member(ctx: Ctx) -> Screen:
    """Thêm đảng viên: one member by hand; the server's Vietnamese refusal is shown as it comes."""
    staff = StaffState(ctx.app)
    orgs_state = OrgsState(ctx.app, staff.staff_org_id)
    state = NewMemberState(ctx.app)
    name = text_field("Họ và tên")
    born = text_field("Ngày sinh", helper="dd/mm/yyyy", width=ctx.width(220))
    card_no = text_field("Số thẻ đảng viên", width=ctx.width(220), keyboard_type=ft.KeyboardType.NUMBER)
    kind = ft.Dropdown(
        label="Loại đảng viên",
        value=MemberKind.official.value,
        width=ctx.width(220),
        options=[ft.dropdown.Option(k.value, v) for k, v in MEMBER_KIND_LABELS.items()],
    )
    cell = ft.Dropdown(label="Chi bộ", width=ctx.width(380))
    error = ctx.text("", 14, color="#B00020")

    def draw_cells() -> None:
        cell.options = [ft.dropdown.Option(str(o["id"]), o.get("name", "")) for o in orgs_state.cells]
        if orgs_state.cells and not cell.value:
            cell.value = str(orgs_state.cells[0]["id"])

    async def save() -> None:
        outcome = await state.create(
            full_name=name.value or "",
            birth_date=born.value or "",
            card_number=card_no.value or "",
            kind=kind.value or MemberKind.official.value,
            org_id=int(cell.value) if cell.value else None,
        )
        fields = {"full_name": name, "birth_date": born, "card_number": card_no}
        for key, field in fields.items():
            field.error = state.field_errors.get(key)
        form_done(ctx, outcome, error, "/staff/members")

    async def load() -> None:
        await orgs_state.load()
        draw_cells()

    body = ft.Column(
        [
            tag("member-new-name", name),
            ft.Row(
                [tag("member-new-born", born), tag("member-new-card", card_no), tag("member-new-kind", kind)],
                wrap=True,
            ),
            tag("member-new-cell", cell),
            tag("member-new-error", error),
            action_button(ctx, "member-new-save", "Thêm đảng viên", ft.Icons.PERSON_ADD, save, primary=True),
        ],
        spacing=10,
    )
    return Screen(title="Thêm đảng viên", body=body, load=load, back="/staff/members")
