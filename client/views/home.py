"""Trang chủ: the next meeting with its countdown, unread documents, latest notifications."""

from __future__ import annotations

from typing import Any

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.documents import DocumentsState
from client.state.meetings import MeetingsState
from client.state.profile import InboxState
from client.views.ui import GOLD, PRIMARY, Ctx, card, empty, keeper, nav_button, section, tag


def meeting_card(
    ctx: Ctx, m: dict[str, Any], identifier: str = "next-meeting", cell: str | None = None
) -> ft.Control:
    """One meeting; `cell` names the cell of a meeting that is not the caller's own."""
    place = m.get("location") or ("Trực tuyến" if m.get("online_link") else "")
    kind = fmt.MEETING_KIND.get(m.get("kind", ""), "Sinh hoạt chi bộ")
    lines: list[ft.Control] = [
        ctx.text(f"{cell} · {kind}" if cell else kind, 13, color=PRIMARY),
        ctx.text(m.get("title", ""), 17, weight=ft.FontWeight.BOLD),
        ft.Row(
            [
                ft.Icon(ft.Icons.SCHEDULE, size=16),
                ctx.text(fmt.weekday_when(m.get("starts_at")), 14, expand=True),
            ]
        ),
    ]
    if place:
        lines.append(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, size=16), ctx.text(place, 14, expand=True)]))
    lines.append(
        tag(
            "countdown",
            ctx.text(fmt.countdown(m.get("starts_at")), 14, weight=ft.FontWeight.W_600, color="#E65100"),
        )
    )
    return card(
        ft.Column(lines, spacing=4), on_click=lambda e: ctx.go(f"/meetings/{m['id']}"), identifier=identifier
    )


def study_section(ctx: Ctx, docs: DocumentsState, limit: int = 3) -> list[ft.Control]:
    """Cần học: study materials not studied yet, the nearest due date first, each with its due date."""
    pending = docs.to_study()
    out: list[ft.Control] = [
        tag(
            "to-study",
            section(
                ctx,
                f"Cần học ({len(pending)})",
                ft.TextButton("Học tập", on_click=lambda e: ctx.go("/study")),
            ),
        )
    ]
    if not pending:
        out.append(ctx.muted("Đồng chí đã học hết tài liệu được giao."))
        return out
    for d in pending[:limit]:
        lines: list[ft.Control] = [
            ctx.text(d.get("topic") or "Tài liệu học tập", 13, color=PRIMARY),
            ctx.text(d.get("title", ""), 15, weight=ft.FontWeight.W_600),
        ]
        due = docs.due_words(d)
        if due:
            overdue = due.startswith("Quá hạn")
            lines.append(ctx.text(due, 14, color="#B71C1C" if overdue else "#E65100"))
        out.append(
            card(
                ft.Column(lines, spacing=2),
                on_click=lambda e, i=d["id"]: ctx.go(f"/documents/{i}"),
                identifier=f"to-study-{d['id']}",
            )
        )
    return out


def home(ctx: Ctx) -> Screen:
    app = ctx.app
    meetings, docs, inbox = MeetingsState(app), DocumentsState(app), InboxState(app)
    col = ft.Column(spacing=12)

    # The role and link buttons stay the same controls across redraws (the first sync after signing in
    # redraws the home): a tap landing meanwhile still reaches the button.
    keep = keeper()

    def role_buttons() -> ft.Control:
        row: list[ft.Control] = []
        if app.is_secretary:
            row.append(nav_button(ctx, "open-secretary", "Công tác chi bộ", ft.Icons.GROUPS, "/secretary",
                                  kind=ft.FilledTonalButton))
        if app.is_staff:
            row.append(nav_button(ctx, "open-staff", "Quản lý cấp ủy", ft.Icons.DASHBOARD, "/staff",
                                  kind=ft.FilledTonalButton))
        return ft.Row(row, wrap=True)

    def links() -> ft.Control:
        return (
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Học tập", icon=ft.Icons.SCHOOL_OUTLINED, on_click=lambda e: ctx.go("/study")
                    ),
                    tag(
                        "open-year",
                        ft.OutlinedButton(
                            "Năm của tôi", icon=ft.Icons.FLAG_OUTLINED, on_click=lambda e: ctx.go("/year")
                        ),
                    ),
                    ft.OutlinedButton(
                        "Lịch sử điểm danh", icon=ft.Icons.HISTORY, on_click=lambda e: ctx.go("/history")
                    ),
                ],
                wrap=True,
            )
        )

    def redraw() -> None:
        me = app.me
        col.controls = [
            tag(
                "greeting",
                ctx.text(f"Xin chào, {me.full_name}" if me else "Xin chào", 18, weight=ft.FontWeight.BOLD),
            ),
            ctx.muted(me.organization.name if me and me.organization else ""),
        ]
        if app.is_secretary or app.is_staff:
            col.controls.append(keep(("roles", app.is_secretary, app.is_staff), role_buttons))
        col.controls.append(section(ctx, "Buổi sinh hoạt sắp tới"))
        nxt = meetings.next_meeting()
        col.controls.append(
            meeting_card(ctx, nxt)
            if nxt
            else empty(ctx, "Chưa có lịch sinh hoạt sắp tới.", ft.Icons.EVENT_AVAILABLE)
        )
        others = meetings.others_upcoming()
        if others:  # staff hold their subtree's meetings: each one under its own cell's name
            col.controls.append(section(ctx, "Các chi bộ"))
            for m in others[:5]:
                col.controls.append(meeting_card(ctx, m, f"cell-meeting-{m['id']}", meetings.cell_name(m)))
        unread = docs.unread()
        col.controls.append(
            section(
                ctx,
                f"Văn bản chưa đọc ({len(unread)})",
                ft.TextButton("Xem tất cả", on_click=lambda e: ctx.go("/documents")),
            )
        )
        if unread:
            for d in unread[:3]:
                col.controls.append(
                    card(
                        ft.Column(
                            [
                                ctx.text(
                                    fmt.DOC_TYPES.get(d.get("doc_type", ""), "Văn bản")
                                    + (f" {d['number']}" if d.get("number") else ""),
                                    13,
                                    color=PRIMARY,
                                ),
                                ctx.text(d.get("title", ""), 15, weight=ft.FontWeight.W_600),
                            ],
                            spacing=2,
                        ),
                        on_click=lambda e, i=d["id"]: ctx.go(f"/documents/{i}"),
                    )
                )
        else:
            col.controls.append(ctx.muted("Bạn đã đọc hết văn bản mới."))
        col.controls += study_section(ctx, docs)
        notes = inbox.items()[:3]
        col.controls.append(
            section(
                ctx,
                f"Thông báo ({inbox.unread_count()} chưa đọc)",
                ft.TextButton("Hộp thư", on_click=lambda e: ctx.go("/inbox")),
            )
        )
        for n in notes:
            col.controls.append(
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.CIRCLE, size=10, color=GOLD if not n.get("read_at") else "#BDBDBD"
                    ),
                    title=ctx.text(n.get("title", ""), 14),
                    subtitle=ctx.muted(fmt.when(n.get("created_at")), 12),
                    dense=True,
                )
            )
        col.controls.append(keep("links", links))

    async def load() -> None:
        await meetings.refresh()
        await docs.refresh()
        redraw()

    async def tick() -> None:
        nxt = meetings.next_meeting()
        if nxt:
            redraw()

    redraw()
    return Screen(title="Sổ tay đảng viên", body=col, load=load, redraw=redraw, tab=0, timers=[tick])
