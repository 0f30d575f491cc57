"""Committee staff screens: the subtree dashboard with charts and where the other staff screens are reached
from (staff_documents, staff_members, staff_orgs), the audit log."""

from __future__ import annotations

from typing import Any

import flet as ft
import flet_charts as fc

from client import format as fmt
from client.router import Screen
from client.state.staff import ReadingState, StaffState, short_org_label
from client.views.ui import Ctx, card, empty, nav_button, save_export, section, tag
from shared.timefmt import fmt_month


def _rates_chart(items: list[dict], *, target: float = 0.85, limit: int = 8) -> ft.Control:
    """Bars of rates (0..1) with the target line; the labels under them are short and carry the value."""
    items = items[:limit]
    groups = [
        fc.BarChartGroup(
            x=i,
            rods=[
                fc.BarChartRod(
                    from_y=0,
                    to_y=round((c.get("rate") or 0) * 100),
                    width=22,
                    border_radius=3,
                    color="#2E7D32" if (c.get("rate") or 0) >= target else "#C62828",
                    tooltip=fc.BarChartRodTooltip(text=f"{_name(c)}: {fmt.percent(c.get('rate'))}"),
                )
            ],
        )
        for i, c in enumerate(items)
    ]
    return fc.BarChart(
        groups=groups,
        max_y=100,
        min_y=0,
        height=260,
        interactive=True,
        left_axis=fc.ChartAxis(
            label_size=40,
            label_spacing=5,
            labels=[fc.ChartAxisLabel(value=v, label=f"{v}%") for v in (0, 50, 85, 100)],
        ),
        bottom_axis=fc.ChartAxis(
            label_size=44,
            labels=[
                fc.ChartAxisLabel(
                    value=i,
                    label=ft.Text(
                        f"{short_org_label(_name(c))}\n{fmt.percent(c.get('rate'))}",
                        size=11,
                        text_align=ft.TextAlign.CENTER,
                    ),
                )
                for i, c in enumerate(items)
            ],
        ),
        horizontal_grid_lines=fc.ChartGridLines(interval=round(target * 100), color="#FFB300", width=1),
    )


def _name(c: dict) -> str:
    return str(c.get("org_name") or c.get("name") or "")


def _reading(ctx: Ctx, reading: ReadingState) -> list[ft.Control]:
    """Reading rates: each recent document's share of members who opened it; the latest one by cell."""
    out: list[ft.Control] = [section(ctx, "Tỷ lệ đọc văn bản mới")]
    if not reading.documents:
        out.append(ctx.muted(reading.error or "Chưa có văn bản đã phát hành trong phạm vi phụ trách."))
        return out
    rows: list[ft.Control] = []
    for d in reading.documents:
        rate = d["rate"]
        rows.append(
            tag(
                f"reading-doc-{d['id']}",
                ft.Column(
                    [
                        ft.Row(
                            [
                                ctx.text(d["title"], 14, expand=True),
                                ctx.text(
                                    f"{d['read']}/{d['members']} · {fmt.percent(rate)}",
                                    14,
                                    weight=ft.FontWeight.W_600,
                                ),
                            ]
                        ),
                        ft.ProgressBar(
                            value=rate, color="#2E7D32" if rate >= 0.85 else "#EF6C00", bgcolor="#EEEEEE"
                        ),
                    ],
                    spacing=2,
                ),
            )
        )
    out.append(card(ft.Column(rows, spacing=10), identifier="reading"))
    latest = reading.documents[0]
    if len(latest["by_cell"]) > 1:
        out += [
            section(ctx, f"Tỷ lệ đọc theo chi bộ: {latest['title']}"),
            ctx.muted("Các chi bộ đọc ít nhất trước."),
            tag("reading-chart", _rates_chart(latest["by_cell"])),
        ]
    return out


def _exports(ctx: Ctx, state: StaffState, export: Any) -> list[ft.Control]:
    """Each cell's attendance over the year as a spreadsheet, one tap per cell."""
    cells = state.cells
    if not cells:
        return []
    year = (state.overview or {}).get("year")
    rows: list[ft.Control] = [
        ctx.beside(
            ctx.text(c.get("name", ""), 15),
            tag(
                f"export-year-{c['id']}",
                ft.TextButton(
                    "Excel",
                    icon=ft.Icons.DOWNLOAD,
                    tooltip=f"Xuất điểm danh năm {year or ''} của {c.get('name', '')}",
                    on_click=lambda e, i=c["id"]: ctx.run(lambda: export(i)),
                ),
            ),
        )
        for c in cells
    ]
    return [
        section(ctx, f"Xuất điểm danh năm {year or ''} theo chi bộ"),
        card(ft.Column(rows, spacing=4), identifier="year-exports"),
    ]


def staff_home(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    reading = ReadingState(ctx.app, state.staff_org_id)
    col = ft.Column(spacing=10)

    # Built once: the same buttons on every redraw, so a tap landing while the dashboard is redrawn (its
    # two-step load) still reaches the button Flutter keeps (as on the home).
    buttons = ft.Row(
        [
            nav_button(ctx, "publish", "Phát hành văn bản", ft.Icons.UPLOAD_FILE, "/staff/publish",
                       primary=True),
            nav_button(ctx, "audit", "Nhật ký hệ thống", ft.Icons.POLICY, "/staff/audit"),
            nav_button(ctx, "members", "Đảng viên", ft.Icons.GROUPS, "/staff/members"),
            nav_button(ctx, "orgs", "Tổ chức đảng", ft.Icons.ACCOUNT_TREE, "/staff/orgs"),
            nav_button(ctx, "comments", "Góp ý dự thảo", ft.Icons.RATE_REVIEW, "/staff/drafts"),
            nav_button(ctx, "study-checks", "Kiểm tra nhận thức", ft.Icons.QUIZ, "/staff/study"),
            nav_button(ctx, "reviews", "Xếp loại đảng viên", ft.Icons.ASSIGNMENT, "/staff/reviews"),
        ],
        wrap=True,
    )

    def redraw() -> None:
        col.controls = [buttons]
        o = state.overview
        if not o:
            col.controls.append(ctx.muted(state.error or "Đang tải số liệu..."))
            return
        col.controls += [
            tag(
                "overview-month",
                section(ctx, f"Tháng {fmt_month(o.get('month'))}: {o.get('cells', 0)} chi bộ"),
            ),
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
        col.controls += _exports(ctx, state, export)
        col.controls += _reading(ctx, reading)
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

    saver = ft.FilePicker()

    async def export(cell_id: int) -> None:
        year = (state.overview or {}).get("year")  # the dashboard's year, as it counts the month shown
        await save_export(ctx, saver, lambda: state.export_year(cell_id, int(year) if year else None))

    async def load() -> None:
        await state.load_overview()
        redraw()
        ctx.page.update()  # the attendance figures first; the reading rates take a request per document
        await state.load_orgs()
        await reading.load()
        redraw()

    redraw()
    return Screen(title="Quản lý cấp ủy", body=col, load=load, back="/home")


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
