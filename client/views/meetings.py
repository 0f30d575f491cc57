"""Lịch sinh hoạt: list, detail with agenda, documents and minutes, check-in, absence request, history."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.meetings import PENDING, MeetingsState
from client.views.home import meeting_card
from client.views.ui import PRIMARY, STATUS_COLORS, Ctx, card, chip, empty, loading, section, tag


def _row(ctx: Ctx, m: dict[str, Any]) -> ft.Control:
    status = m.get("my_status")
    right: list[ft.Control] = []
    if status:
        bg, fg = STATUS_COLORS.get(status, ("#EEEEEE", "#424242"))
        right.append(chip(ctx, fmt.MY_ATTENDANCE.get(status, status), bg, fg))
    elif m.get("status") in ("cancelled", "in_progress"):
        right.append(chip(ctx, fmt.MEETING_STATUS[m["status"]]))
    return card(
        ft.Row(
            [
                ft.Column(
                    [
                        ctx.text(m.get("title", ""), 15, weight=ft.FontWeight.W_600),
                        ctx.muted(fmt.weekday_when(m.get("starts_at"))),
                    ],
                    spacing=2,
                    expand=True,
                ),
                *right,
            ]
        ),
        on_click=lambda e: ctx.go(f"/meetings/{m['id']}"),
        identifier=f"meeting-{m['id']}",
    )


def meetings_list(ctx: Ctx) -> Screen:
    state = MeetingsState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        up, past = state.upcoming(), state.past()
        col.controls = [section(ctx, "Sắp tới")]
        col.controls += [_row(ctx, m) for m in up] or [empty(ctx, "Chưa có lịch sinh hoạt sắp tới.")]
        col.controls.append(section(ctx, "Đã diễn ra"))
        col.controls += [_row(ctx, m) for m in past[:24]] or [ctx.muted("Chưa có buổi sinh hoạt nào.")]
        if state.error:
            col.controls.insert(0, ctx.text(state.error, 14, color="#B00020"))

    async def load() -> None:
        if not state.all():
            col.controls = [loading(ctx)]
            ctx.page.update()
        await state.refresh()
        redraw()

    redraw()
    return Screen(title="Lịch sinh hoạt", body=col, load=load, redraw=redraw, tab=1)


def check_in_link(ctx: Ctx) -> Screen:
    """/check-in?meeting=ID&code=123456: where the QR on the secretary's screen leads a phone camera."""
    query = parse_qs(urlparse(ctx.page.route).query)
    meeting = (query.get("meeting") or ["0"])[0]
    code = (query.get("code") or [""])[0]
    if not meeting.isdigit():
        return meetings_list(ctx)
    return meeting_detail(ctx, meeting, prefill=code if code.isdigit() else "")


def meeting_detail(ctx: Ctx, meeting_id: str, prefill: str = "") -> Screen:
    state = MeetingsState(ctx.app)
    mid = int(meeting_id)
    col = ft.Column(spacing=12)
    code = ft.TextField(
        value=prefill,
        label="Mã điểm danh (6 chữ số)",
        max_length=6,
        keyboard_type=ft.KeyboardType.NUMBER,
        text_size=round(22 * ctx.scale),
        width=ctx.width(220),
    )
    reason = ft.TextField(label="Lý do vắng mặt", multiline=True, min_lines=2)
    result = ctx.text("", 15, weight=ft.FontWeight.W_600)

    async def do_check_in(e: object = None) -> None:
        outcome = await state.check_in(mid, code.value or "")
        if outcome.ok or outcome.queued:
            code.value = ""
        redraw()
        ctx.page.update()

    async def do_absence(e: object = None) -> None:
        outcome = await state.report_absence(mid, reason.value or "")
        ctx.toast(outcome.message, error=not outcome.ok)
        if outcome.ok:
            reason.value = ""
        redraw()
        ctx.page.update()

    code.on_submit = do_check_in

    def redraw() -> None:
        m = state.get(mid)
        if m is None:
            col.controls = [empty(ctx, "Không tìm thấy buổi sinh hoạt (có thể chưa tải về máy).")]
            return
        col.controls = [meeting_card(ctx, m, "meeting-header")]
        chips = [chip(ctx, fmt.MEETING_STATUS.get(m.get("status", ""), ""))]
        mine = m.get("my_status")
        if mine == PENDING:
            bg, fg = STATUS_COLORS[PENDING]
            saved = chip(ctx, "Điểm danh: chờ xác nhận", bg, fg)  # the result line below says why
            chips.append(tag("checkin-queued", saved))
        elif mine:
            bg, fg = STATUS_COLORS.get(mine, ("#EEE", "#333"))
            chips.append(tag("my-status", chip(ctx, "Bạn: " + fmt.ATTENDANCE.get(mine, ""), bg, fg)))
        if m.get("my_absence_request"):
            chips.append(chip(ctx, "Đơn xin vắng: " + fmt.ABSENCE.get(m["my_absence_request"], "")))
        col.controls.append(ft.Row(chips, wrap=True))
        if m.get("description"):
            col.controls.append(ctx.text(m["description"], 14))
        agenda = m.get("agenda") or []
        col.controls.append(section(ctx, "Chương trình"))
        if agenda:
            for i, (item, docs) in enumerate(state.agenda_documents(m), 1):
                sub = item.get("presenter") and f"Trình bày: {item['presenter']}"
                col.controls.append(
                    ft.ListTile(
                        leading=ctx.text(f"{i}.", 15),
                        title=ctx.text(item["title"], 15),
                        subtitle=ctx.muted(sub) if sub else None,
                        dense=True,
                    )
                )
                for doc in docs:
                    col.controls.append(
                        tag(
                            f"agenda-doc-{doc.id}",
                            ft.Column(
                                [
                                    ft.TextButton(
                                        doc.title,
                                        icon=ft.Icons.ATTACH_FILE,
                                        on_click=lambda e, d=doc.id: ctx.go(f"/documents/{d}"),
                                    ),
                                    ctx.muted(doc.words),
                                ],
                                spacing=0,
                            ),
                        )
                    )
        else:
            col.controls.append(ctx.muted("Chưa có chương trình."))
        # Only a member of the meeting's cell checks in to it (staff may open other cells' meetings).
        open_now = (
            state.is_own(m) and m.get("status") in ("scheduled", "in_progress") and not m.get("my_status")
        )
        if open_now:
            col.controls += [
                section(ctx, "Điểm danh"),
                ctx.muted(
                    "Nhập mã 6 số bí thư đang hiển thị. Không có mạng vẫn điểm danh được: "
                    "máy lưu lại và gửi khi có mạng, rồi báo kết quả của máy chủ."
                ),
                ft.Row(
                    [
                        tag("checkin-code", code),
                        tag(
                            "checkin-submit",
                            ft.FilledButton(
                                "Điểm danh",
                                icon=ft.Icons.HOW_TO_REG,
                                on_click=do_check_in,
                                style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                            ),
                        ),
                    ],
                    wrap=True,
                ),
            ]
        # Drawn from the state at every redraw, so the server's verdict on a queued check-in replaces the
        # "saved" sentence as soon as the sync brings it.
        said = state.check_in_message(mid)
        result.value = said.message if said else ""
        result.color = (
            None if said is None else ("#E65100" if said.queued else ("#1B5E20" if said.ok else "#B00020"))
        )
        col.controls.append(tag("checkin-result", result))
        if (
            state.is_own(m)
            and m.get("status") == "scheduled"
            and not m.get("my_status")
            and not m.get("my_absence_request")
        ):
            col.controls += [
                section(ctx, "Báo vắng"),
                tag("absence-reason", reason),
                tag("absence-submit", ft.OutlinedButton("Gửi đơn xin vắng", on_click=do_absence)),
            ]
        minutes = state.minutes(mid)
        if minutes and minutes.get("text"):
            col.controls += [
                section(ctx, "Biên bản"),
                tag("minutes", ctx.text(minutes["text"], 14, selectable=True)),
            ]
            for r in minutes.get("resolutions") or []:
                verdict = "Thông qua" if r.get("passed") else "Không thông qua"
                col.controls.append(
                    card(
                        ft.Column(
                            [
                                ctx.text(r.get("title", ""), 15, weight=ft.FontWeight.W_600),
                                ctx.muted(f"Tán thành {r.get('votes_for')}/{r.get('base')} — {verdict}"),
                            ]
                        )
                    )
                )
        if ctx.app.is_secretary:
            col.controls.append(
                tag(
                    "manage-meeting",
                    ft.FilledTonalButton(
                        "Điều hành buổi sinh hoạt",
                        icon=ft.Icons.ADMIN_PANEL_SETTINGS,
                        on_click=lambda e: ctx.go(f"/secretary/meetings/{mid}"),
                    ),
                )
            )

    async def load() -> None:
        await state.load_detail(mid)
        redraw()

    redraw()
    return Screen(title="Buổi sinh hoạt", body=col, load=load, redraw=redraw, back="/meetings", tab=None)


def history(ctx: Ctx) -> Screen:
    state = MeetingsState(ctx.app)
    col = ft.Column(spacing=8)

    def redraw() -> None:
        rows = state.history()
        col.controls = [_row(ctx, m) for m, _ in rows] or [empty(ctx, "Chưa có buổi sinh hoạt nào đã qua.")]

    async def load() -> None:
        await state.refresh()
        redraw()

    redraw()
    return Screen(title="Lịch sử điểm danh", body=col, load=load, redraw=redraw, back="/home")
