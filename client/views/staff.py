"""Committee staff screens: the subtree dashboard with charts, publishing a document, the audit log."""

from __future__ import annotations

from typing import Any

import flet as ft
import flet_charts as fc

from client import format as fmt
from client.router import Screen
from client.state.staff import StaffState
from client.views.ui import PRIMARY, Ctx, card, empty, section, tag
from shared.enums import MEMBER_KIND_LABELS


def _rates_chart(cells: list[dict]) -> ft.Control:
    cells = cells[:8]
    groups = [
        fc.BarChartGroup(
            x=i,
            rods=[
                fc.BarChartRod(
                    from_y=0,
                    to_y=round((c.get("rate") or 0) * 100),
                    width=22,
                    border_radius=3,
                    color="#2E7D32" if (c.get("rate") or 0) >= 0.85 else "#C62828",
                    tooltip=fc.BarChartRodTooltip(text=f"{c.get('org_name')}: {fmt.percent(c.get('rate'))}"),
                )
            ],
        )
        for i, c in enumerate(cells)
    ]
    return fc.BarChart(
        groups=groups,
        max_y=100,
        min_y=0,
        height=240,
        interactive=True,
        left_axis=fc.ChartAxis(
            label_size=36, labels=[fc.ChartAxisLabel(value=v, label=f"{v}%") for v in (0, 50, 85, 100)]
        ),
        bottom_axis=fc.ChartAxis(
            label_size=40,
            labels=[
                fc.ChartAxisLabel(value=i, label=ft.Text(c.get("org_name", "")[-12:], size=10))
                for i, c in enumerate(cells)
            ],
        ),
        horizontal_grid_lines=fc.ChartGridLines(interval=85, color="#FFB300", width=1),
    )


def staff_home(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        col.controls = [
            ft.Row(
                [
                    tag(
                        "publish",
                        ft.FilledButton(
                            "Phát hành văn bản",
                            icon=ft.Icons.UPLOAD_FILE,
                            on_click=lambda e: ctx.go("/staff/publish"),
                            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                        ),
                    ),
                    tag(
                        "audit",
                        ft.OutlinedButton(
                            "Nhật ký hệ thống",
                            icon=ft.Icons.POLICY,
                            on_click=lambda e: ctx.go("/staff/audit"),
                        ),
                    ),
                    tag(
                        "members",
                        ft.OutlinedButton(
                            "Đảng viên", icon=ft.Icons.GROUPS, on_click=lambda e: ctx.go("/staff/members")
                        ),
                    ),
                ],
                wrap=True,
            )
        ]
        o = state.overview
        if not o:
            col.controls.append(ctx.muted(state.error or "Đang tải số liệu..."))
            return
        col.controls += [
            section(ctx, f"Tháng {o.get('month', '')}: {o.get('cells', 0)} chi bộ"),
            card(
                ft.Column(
                    [
                        ctx.text(
                            f"{len(o.get('cells_without_meeting', []))} chi bộ chưa sinh hoạt tháng này",
                            15,
                            color="#B71C1C" if o.get("cells_without_meeting") else "#1B5E20",
                        ),
                        ctx.text(f"{len(o.get('cells_under_target', []))} chi bộ dưới 85% dự sinh hoạt", 15),
                        ctx.text(f"{len(o.get('flagged_members', []))} đảng viên vắng 3 lần liên tiếp", 15),
                    ],
                    spacing=4,
                ),
                identifier="overview",
            ),
        ]
        under = o.get("cells_under_target", [])
        if under:
            col.controls += [
                section(ctx, "Tỷ lệ dự sinh hoạt các chi bộ dưới 85%"),
                tag("rates-chart", _rates_chart(under)),
            ]
        missing = o.get("cells_without_meeting", [])
        if missing:
            col.controls.append(section(ctx, "Chi bộ chưa sinh hoạt tháng này"))
            col.controls += [ctx.text(f"• {c.get('org_name')}", 14) for c in missing[:20]]
        flagged = o.get("flagged_members", [])
        if flagged:
            col.controls.append(section(ctx, "Đảng viên cần quan tâm"))
            col.controls += [
                ctx.text(
                    f"• {f.get('full_name')} ({f.get('org_name')}): vắng "
                    f"{f.get('consecutive_absences')} lần liên tiếp",
                    14,
                )
                for f in flagged[:20]
            ]

    async def load() -> None:
        await state.load_overview()
        redraw()

    redraw()
    return Screen(title="Quản lý cấp ủy", body=col, load=load, back="/home")


def publish(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    title = ft.TextField(label="Tiêu đề")
    doc_type = ft.Dropdown(
        label="Loại văn bản",
        value="resolution",
        options=[ft.dropdown.Option(k, v) for k, v in fmt.DOC_TYPES.items()],
    )
    category = ft.Dropdown(
        label="Danh mục",
        value="documents",
        options=[ft.dropdown.Option(k, v) for k, v in fmt.DOC_CATEGORY.items()],
    )
    number = ft.TextField(label="Số hiệu (ví dụ 21-NQ/TW)")
    issued = ft.TextField(label="Ngày ban hành (dd/mm/yyyy)")
    summary = ft.TextField(label="Trích yếu", multiline=True, min_lines=2)
    body = ft.TextField(label="Toàn văn", multiline=True, min_lines=4)
    audience = ft.Column(spacing=0)
    chosen: set[int] = set()
    files: list[tuple[str, bytes, str]] = []
    files_text = ctx.muted("Chưa có tệp đính kèm.")
    error = ctx.text("", 14, color="#B00020")
    picker = ft.FilePicker()

    def draw_audience() -> None:
        audience.controls = [
            ft.Checkbox(
                label=("  " * int(o.get("depth", 0))) + o["name"],
                value=o["id"] in chosen,
                on_change=lambda e, i=o["id"]: chosen.add(i) if e.control.value else chosen.discard(i),
            )
            for o in state.orgs[:200]
        ] or [ctx.muted(state.error or "Đang tải tổ chức...")]

    async def pick() -> None:
        picked = await picker.pick_files(allow_multiple=True, with_data=True)
        for f in picked or []:
            data = getattr(f, "bytes", None)
            if data:
                files.append((f.name, data, "application/octet-stream"))
        files_text.value = ", ".join(n for n, _, _ in files) or "Chưa có tệp đính kèm."
        ctx.page.update()

    async def submit() -> None:
        outcome = await state.publish(
            title=title.value or "",
            doc_type=doc_type.value or "resolution",
            number=number.value or "",
            issued_on=issued.value or "",
            summary=summary.value or "",
            body=body.value or "",
            category=category.value or "documents",
            audience_ids=sorted(chosen),
            files=files,
        )
        if not outcome.ok:
            error.value = outcome.message
            ctx.page.update()
            return
        ctx.toast(outcome.message)
        ctx.go("/staff")

    async def load() -> None:
        await state.load_orgs()
        draw_audience()

    draw_audience()
    form = ft.Column(
        [
            tag("doc-new-title", title),
            ft.Row([tag("doc-new-type", doc_type), category], wrap=True),
            ft.Row([tag("doc-new-number", number), tag("doc-new-issued", issued)], wrap=True),
            tag("doc-new-summary", summary),
            tag("doc-new-body", body),
            section(ctx, "Tệp đính kèm (PDF, DOCX, XLSX, ảnh)"),
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Chọn tệp", icon=ft.Icons.ATTACH_FILE, on_click=lambda e: ctx.run(pick)
                    ),
                    files_text,
                ],
                wrap=True,
            ),
            section(ctx, "Nơi nhận (cả các tổ chức trực thuộc)"),
            tag("doc-new-audience", audience),
            tag("doc-new-error", error),
            tag(
                "doc-new-submit",
                ft.FilledButton(
                    "Phát hành",
                    icon=ft.Icons.SEND,
                    on_click=lambda e: ctx.run(submit),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                ),
            ),
            ctx.muted("Không đăng tài liệu mật (Mật, Tối mật, Tuyệt mật) lên hệ thống."),
        ],
        spacing=10,
    )
    return Screen(title="Phát hành văn bản", body=form, load=load, back="/staff")


def audit(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    col = ft.Column(spacing=4)

    def redraw() -> None:
        col.controls = [
            ft.ListTile(
                title=ctx.text(
                    f"{fmt.audit_action(e.get('action'))} — {e.get('actor_name') or 'hệ thống'}", 14
                ),
                subtitle=ctx.muted(
                    f"{fmt.when(e.get('at'))} · {e.get('target_type') or ''} {e.get('target_id') or ''}"
                ),
                dense=True,
            )
            for e in state.audit
        ] or [empty(ctx, state.error or "Chưa có nhật ký.")]

    async def load() -> None:
        await state.load_audit()
        redraw()

    redraw()
    return Screen(title="Nhật ký hệ thống", body=col, load=load, back="/staff")


def members(ctx: Ctx) -> Screen:
    """Đảng viên: find members of the subtree; import a list exported from the party's member database."""
    state = StaffState(ctx.app)
    results = ft.Column(spacing=4)
    report = ft.Column(spacing=2)
    search = ft.TextField(label="Tìm theo tên (không dấu cũng được) hoặc số thẻ", prefix_icon=ft.Icons.SEARCH)
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
                    tag(
                        "import-apply",
                        ft.FilledButton(
                            "Áp dụng",
                            icon=ft.Icons.DONE,
                            on_click=lambda e: ctx.run(apply),
                            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                        ),
                    )
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
                    tag(
                        "import-members",
                        ft.OutlinedButton(
                            "Nhập danh sách (CSV, XLSX)",
                            icon=ft.Icons.UPLOAD_FILE,
                            on_click=lambda e: ctx.run(pick),
                        ),
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
