"""Committee staff screen for the party organisations: the subtree as a tree, adding and editing one."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.router import Screen
from client.state.staff import OrgsState, StaffState
from client.views.ui import Ctx, action_button, card, empty, section, tag, text_field
from shared.enums import ORG_KIND_LABELS, OrgKind


def orgs(ctx: Ctx) -> Screen:
    """Tổ chức đảng: the subtree as an indented tree with member counts; add a child, edit one."""
    staff = StaffState(ctx.app)
    state = OrgsState(ctx.app, staff.staff_org_id)
    tree = ft.Column(spacing=0)
    editing: dict[str, Any] = {}
    edit_box = ft.Column(spacing=8)
    new_parent = ft.Dropdown(label="Thuộc tổ chức", width=ctx.width(380))
    new_kind = ft.Dropdown(
        label="Loại",
        value=OrgKind.cell.value,
        width=ctx.width(200),
        options=[ft.dropdown.Option(k.value, v) for k, v in ORG_KIND_LABELS.items() if k != OrgKind.province],
    )
    new_name = text_field("Tên tổ chức", helper="Ví dụ: Chi bộ thôn Đông")
    new_code = text_field("Mã (ví dụ A1-3)", width=ctx.width(200))
    new_day = text_field("Ngày họp (1–28)", width=ctx.width(170), keyboard_type=ft.KeyboardType.NUMBER)
    new_time = text_field("Giờ (HH:MM)", width=ctx.width(140))
    new_error = ctx.text("", 14, color="#B00020")

    def row_button(
        identifier: str, icon: Any, tooltip: str, on_click: Any, visible: bool = True
    ) -> ft.Control:
        return tag(identifier, ft.IconButton(icon, tooltip=tooltip, on_click=on_click, visible=visible))

    def draw_tree() -> None:
        tree.controls = []
        for o, level in state.rows:
            rule = ""
            if o.get("meeting_day"):
                rule = f" · sinh hoạt ngày {o['meeting_day']}" + (
                    f" lúc {o['meeting_time']}" if o.get("meeting_time") else ""
                )
            is_cell = o.get("kind") == OrgKind.cell.value
            kind_label = ORG_KIND_LABELS.get(o.get("kind"), "")  # type: ignore[call-overload]
            tree.controls.append(
                tag(
                    f"org-{o['id']}",
                    ft.Container(
                        ft.Row(
                            [
                                ft.Icon(
                                    ft.Icons.GROUPS if is_cell else ft.Icons.ACCOUNT_TREE,
                                    size=18,
                                    color="#5F6368",
                                ),
                                ft.Column(
                                    [
                                        ctx.text(
                                            o.get("name", ""),
                                            15,
                                            weight=None if is_cell else ft.FontWeight.W_600,
                                        ),
                                        ctx.muted(f"{kind_label} · {o.get('code', '')}{rule}"),
                                    ],
                                    spacing=0,
                                    expand=True,
                                ),
                                ctx.text(f"{o.get('member_count') or 0} đảng viên", 13),
                                row_button(
                                    f"org-add-{o['id']}",
                                    ft.Icons.ADD,
                                    "Thêm tổ chức trực thuộc",
                                    lambda e, org=o: start_add(org),
                                    visible=not is_cell,
                                ),
                                row_button(
                                    f"org-edit-{o['id']}",
                                    ft.Icons.EDIT_OUTLINED,
                                    "Sửa tên, lịch sinh hoạt",
                                    lambda e, org=o: start_edit(org),
                                ),
                            ],
                            vertical_alignment=ft.CrossAxisAlignment.CENTER,
                        ),
                        padding=ft.Padding.only(left=8 + 24 * level, top=4, bottom=4, right=4),
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#EEEEEE")),
                    ),
                )
            )
        if not state.rows:
            tree.controls = [empty(ctx, state.error or "Đang tải tổ chức...", ft.Icons.ACCOUNT_TREE)]
        new_parent.options = [ft.dropdown.Option(str(o["id"]), o.get("name", "")) for o in state.parents]
        if state.parents and not new_parent.value:
            new_parent.value = str(state.parents[0]["id"])
        draw_edit()

    def draw_edit() -> None:
        org = editing.get("org")
        if not org:
            edit_box.controls = []
            return
        name = text_field("Tên tổ chức", org.get("name", ""))
        day = text_field("Ngày họp (1–28)", str(org.get("meeting_day") or ""), width=ctx.width(170))
        time = text_field("Giờ (HH:MM)", org.get("meeting_time") or "", width=ctx.width(140))
        error = ctx.text("", 14, color="#B00020")

        async def save() -> None:
            outcome = await state.update(
                org["id"], name=name.value or "", day=day.value or "", time=time.value or ""
            )
            if not outcome.ok:
                error.value = outcome.message
                ctx.page.update()
                return
            editing.clear()
            ctx.toast(outcome.message)
            draw_tree()
            ctx.page.update()

        def cancel() -> None:
            editing.clear()
            draw_edit()
            ctx.page.update()

        edit_box.controls = [
            card(
                ft.Column(
                    [
                        ctx.text(f"Sửa: {org.get('name', '')}", 16, weight=ft.FontWeight.BOLD),
                        tag("org-edit-name", name),
                        ft.Row([tag("org-edit-day", day), tag("org-edit-time", time)], wrap=True),
                        tag("org-edit-error", error),
                        ft.Row(
                            [
                                action_button(ctx, "org-edit-save", "Lưu", ft.Icons.SAVE, save, primary=True),
                                ft.TextButton("Hủy", on_click=lambda e: cancel()),
                            ]
                        ),
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
                identifier="org-edit",
            )
        ]

    def start_add(parent: dict[str, Any]) -> None:
        new_parent.value = str(parent["id"])
        # The usual child: chi bộ under a đảng bộ cơ sở, đảng bộ cơ sở under a huyện or khối.
        new_kind.value = {
            OrgKind.province.value: OrgKind.district.value,
            OrgKind.grassroots.value: OrgKind.cell.value,
        }.get(parent.get("kind", ""), OrgKind.grassroots.value)
        ctx.page.update()

    def start_edit(org: dict[str, Any]) -> None:
        editing["org"] = org
        draw_edit()
        ctx.page.update()

    async def create() -> None:
        outcome = await state.create(
            parent_id=int(new_parent.value) if new_parent.value else None,
            name=new_name.value or "",
            kind=new_kind.value or OrgKind.cell.value,
            code=new_code.value or "",
            day=new_day.value or "",
            time=new_time.value or "",
        )
        new_error.value = "" if outcome.ok else outcome.message
        if outcome.ok:
            ctx.toast(outcome.message)
            for f in (new_name, new_code, new_day, new_time):
                f.value = ""
            draw_tree()
        ctx.page.update()

    async def load() -> None:
        await state.load()
        draw_tree()

    draw_tree()
    body = ft.Column(
        [
            edit_box,
            section(ctx, "Thêm tổ chức trực thuộc"),
            card(
                ft.Column(
                    [
                        ft.Row([tag("org-new-parent", new_parent), tag("org-new-kind", new_kind)], wrap=True),
                        tag("org-new-name", new_name),
                        ft.Row(
                            [
                                tag("org-new-code", new_code),
                                tag("org-new-day", new_day),
                                tag("org-new-time", new_time),
                            ],
                            wrap=True,
                        ),
                        tag("org-new-error", new_error),
                        action_button(
                            ctx, "org-new-submit", "Tạo tổ chức", ft.Icons.ADD, create, primary=True
                        ),
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                )
            ),
            section(ctx, "Cây tổ chức và số đảng viên"),
            tag("orgs-tree", tree),
        ],
        spacing=10,
    )
    return Screen(title="Tổ chức đảng", body=body, load=load, back="/staff")
