"""Study figures and bài thu hoạch for those who lead: the cell's essays and figures for its leaders
(/secretary/study), the figures by cell up the tree for committee staff (/staff/study)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import flet as ft
import flet_charts as fc

from client.router import Screen
from client.state.staff import StaffState, short_org_label
from client.state.study import CellStudyState, StaffStudyState, local_words, participation, window_words
from client.views.ui import PRIMARY, Ctx, card, keeper, nav_button, save_export, section, tag


def cell_study(ctx: Ctx) -> Screen:
    """Route /secretary/study: the cell's bài thu hoạch (Đã nhận, with a remark), and per check the cell's
    participation and average."""
    state = CellStudyState(ctx.app)
    col = ft.Column(spacing=10)
    remarks: dict[int, ft.TextField] = {}

    def redraw() -> None:
        col.controls = [section(ctx, "Bài thu hoạch của chi bộ")]
        essays = state.essays()
        if not essays:
            col.controls.append(ctx.muted("Chưa có đảng viên nào nộp bài thu hoạch."))
        for e in essays:
            col.controls.append(_essay_card(ctx, state, e, remarks, receive))
        col.controls.append(section(ctx, "Kiểm tra nhận thức: số liệu của chi bộ"))
        if state.error:
            col.controls.append(tag("cell-study-error", ctx.text(state.error, 14, color="#B00020")))
        checks = state.checks()
        if not checks:
            col.controls.append(ctx.muted("Chưa có bài kiểm tra nào gửi tới chi bộ."))
        for c in checks:
            f = state.figures.get(int(c["id"]))
            lines: list[ft.Control] = [
                ctx.text(c.get("title", ""), 15, weight=ft.FontWeight.W_600),
                ctx.muted(window_words(c), 13),
            ]
            if f is not None:
                t = f.totals
                avg = f"{t.average_score:.1f}".replace(".", ",") if t.average_score is not None else "chưa có"
                lines.append(
                    tag(
                        f"cell-figures-{c['id']}",
                        ctx.text(
                            f"Đã làm {t.taken}/{t.members} đảng viên · điểm trung bình {avg}/10 · "
                            f"{t.essays_received} bài thu hoạch đã nhận",
                            14,
                        ),
                    )
                )
            col.controls.append(card(ft.Column(lines, spacing=4)))

    async def receive(essay_id: int) -> None:
        field = remarks.get(essay_id)
        outcome = await state.receive(essay_id, field.value if field is not None else "")
        ctx.toast(outcome.message, error=not (outcome.ok or outcome.queued))
        if outcome.ok:  # the figures count the essays received
            for c in state.checks():
                await state.load_figures(int(c["id"]))
        redraw()
        ctx.page.update()

    async def load() -> None:
        for c in state.checks():
            await state.load_figures(int(c["id"]))
        redraw()

    redraw()
    return Screen(title="Học tập của chi bộ", body=col, load=load, redraw=redraw, back="/secretary")


def _essay_card(
    ctx: Ctx,
    state: CellStudyState,
    e: dict[str, Any],
    remarks: dict[int, ft.TextField],
    receive: Callable[[int], Any],
) -> ft.Control:
    eid = int(e["id"])
    lines: list[ft.Control] = [
        ctx.text(e.get("full_name") or "Đảng viên", 15, weight=ft.FontWeight.W_600),
        ctx.muted(
            f"{state.document_title(int(e['document_id']))} · nộp {local_words(e.get('written_at'))}", 13
        ),
        ft.ExpansionTile(
            title=ctx.text("Xem bài", 14), controls=[ctx.text(e.get("text", ""), 14, selectable=True)]
        ),
    ]
    if e.get("received_at"):
        said = f"Đã nhận ngày {local_words(e['received_at'])[:10]}"
        if e.get("remark"):
            said += f". Nhận xét: {e['remark']}"
        lines.append(tag(f"essay-received-{eid}", ctx.text(said, 14, color="#1B5E20")))
    elif state.is_own(e):
        lines.append(ctx.muted("Bài của đồng chí: một đồng chí khác trong cấp ủy chi bộ sẽ nhận.", 13))
    elif (word := state.receipt_word(eid)) is not None and word.queued:
        lines.append(tag(f"essay-received-{eid}", ctx.text(word.message, 14, color="#1B5E20")))
    else:
        if word is not None:  # the server refused a receipt sent from this device: say why, offer it again
            lines.append(tag(f"essay-refused-{eid}", ctx.text(word.message, 14, color="#B00020")))
        box = ft.TextField(label="Nhận xét", helper="Không bắt buộc", multiline=True)
        field = remarks.setdefault(eid, box)
        lines += [
            tag(f"essay-remark-{eid}", field),
            tag(
                f"essay-receive-{eid}",
                ft.FilledTonalButton(
                    "Đã nhận", icon=ft.Icons.CHECK, on_click=lambda ev: ctx.run(lambda: receive(eid))
                ),
            ),
        ]
    return card(ft.Column(lines, spacing=4), identifier=f"essay-{eid}")


def staff_checks(ctx: Ctx) -> Screen:
    """Route /staff/study: the checks reaching the staff member's subtree; the way to write a new one, and to
    change one they manage."""
    state = StaffStudyState(ctx.app)
    col = ft.Column(spacing=10)
    keep = keeper()

    def redraw() -> None:
        col.controls = [
            section(ctx, "Bài kiểm tra nhận thức"),
            keep("new", lambda: nav_button(
                ctx, "study-new", "Tạo bài kiểm tra", ft.Icons.ADD, "/staff/study/new", primary=True
            )),
        ]
        if state.error:
            col.controls.append(ctx.text(state.error, 14, color="#B00020"))
        elif not state.checks:
            col.controls.append(ctx.muted("Chưa có bài kiểm tra nào trong phạm vi phụ trách."))
        for c in state.checks:
            col.controls.append(keep(repr(sorted(c.items())), partial(_staff_check, ctx, c)))

    async def load() -> None:
        await state.load_checks()
        redraw()

    redraw()
    return Screen(title="Kiểm tra nhận thức", body=col, load=load, redraw=redraw, back="/staff")


def _staff_check(ctx: Ctx, c: dict[str, Any]) -> ft.Control:
    return card(
        ft.Column(
            [
                ctx.text(c.get("title", ""), 15, weight=ft.FontWeight.W_600),
                ctx.muted(window_words(c), 13),
                *_manage(ctx, c),
            ],
            spacing=4,
        ),
        on_click=lambda e: ctx.go(f"/staff/study/{c['id']}"),
        identifier=f"staff-check-{c['id']}",
    )


def _manage(ctx: Ctx, c: dict[str, Any]) -> list[ft.Control]:
    """The way to a check's form, for those who manage it (the server shows them the key; others read it)."""
    if not c.get("key_shown") or c.get("my_attempt"):
        return []
    return [nav_button(ctx, f"staff-check-edit-{c['id']}", "Sửa bài kiểm tra", ft.Icons.EDIT,
                       f"/staff/study/{c['id']}/edit")]


def staff_figures(ctx: Ctx, check_id: str) -> Screen:
    """Route /staff/study/{id}: participation by cell as a bar chart, the table, the XLSX export."""
    cid = int(check_id)
    state = StaffStudyState(ctx.app, StaffState(ctx.app).staff_org_id)
    col = ft.Column(spacing=10)
    saver = ft.FilePicker()

    def redraw() -> None:
        f = state.figures
        if f is None:
            col.controls = [ctx.muted(state.error or "Đang tải số liệu...")]
            return
        t = f.totals
        col.controls = [
            tag(
                "figures-total",
                ctx.text(
                    f"Toàn bộ: {t.taken}/{t.members} đảng viên đã làm bài ({participation(t):.0%}) · "
                    f"điểm trung bình {_avg(t.average_score)} · {t.essays_received} bài thu hoạch đã nhận",
                    15,
                ),
            ),
            section(ctx, "Tỷ lệ tham gia theo chi bộ"),
            tag("figures-chart", _chart(f.cells[:12])),
            section(
                ctx,
                "Bảng số liệu",
                tag(
                    "figures-export",
                    ft.OutlinedButton(
                        "Xuất Excel", icon=ft.Icons.DOWNLOAD, on_click=lambda e: ctx.run(export)
                    ),
                ),
            ),
        ]
        for c in f.cells:
            col.controls.append(
                tag(
                    f"figures-cell-{c.cell_id}",
                    card(
                        ft.Column(
                            [
                                ctx.text(c.name, 15, weight=ft.FontWeight.W_600),
                                ctx.text(_cell_words(c), 14),
                            ],
                            spacing=2,
                        )
                    ),
                )
            )

    async def export() -> None:
        await save_export(ctx, saver, lambda: state.export(cid))

    async def load() -> None:
        await state.load_figures(cid)
        redraw()

    redraw()
    return Screen(title="Số liệu kiểm tra nhận thức", body=col, load=load, redraw=redraw, back="/staff/study")


def _cell_words(c: Any) -> str:
    return (f"Đã làm {c.taken}/{c.members} ({participation(c):.0%}) · điểm trung bình "
            f"{_avg(c.average_score)} · thu hoạch đã nhận {c.essays_received}")


def _avg(value: float | None) -> str:
    return f"{value:.1f}/10".replace(".", ",") if value is not None else "chưa có"


def _chart(cells: list[Any]) -> ft.Control:
    groups = [
        fc.BarChartGroup(
            x=i,
            rods=[
                fc.BarChartRod(
                    from_y=0,
                    to_y=round(participation(c) * 100),
                    width=22,
                    border_radius=3,
                    color=PRIMARY,
                    tooltip=fc.BarChartRodTooltip(text=f"{c.name}: {participation(c):.0%}"),
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
            label_size=40, labels=[fc.ChartAxisLabel(value=v, label=f"{v}%") for v in (0, 50, 100)]
        ),
        bottom_axis=fc.ChartAxis(
            label_size=44,
            labels=[
                fc.ChartAxisLabel(
                    value=i,
                    label=ft.Text(
                        f"{short_org_label(c.name)}\n{participation(c):.0%}",
                        size=11,
                        text_align=ft.TextAlign.CENTER,
                    ),
                )
                for i, c in enumerate(cells)
            ],
        ),
    )
