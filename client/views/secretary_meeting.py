"""Secretary screens of one meeting, each at its own address under meeting_route: the check-in code, the
attendance sheet with absence requests, the minutes and votes."""

from __future__ import annotations

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.meetings import MeetingsState
from client.state.secretary import ATTENDANCE_CHOICES, SecretaryState, attendance_label
from client.views.secretary import _header, meeting_route
from client.views.ui import PRIMARY, STATUS_COLORS, Ctx, action_button, card, chip, save_export, section, tag


def _opened(ctx: Ctx, meeting_id: str) -> tuple[int, SecretaryState, MeetingsState, ft.Column]:
    """What each screen of a meeting starts from: its id, the states it reads, the header it fills."""
    return int(meeting_id), SecretaryState(ctx.app), MeetingsState(ctx.app), ft.Column(spacing=4)


def meeting_checkin(ctx: Ctx, meeting_id: str) -> Screen:
    """The rotating check-in code, large, with its QR: the screen shown to the room."""
    mid, sec, meetings, header = _opened(ctx, meeting_id)
    code_box = ft.Column(horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=6)

    def draw_code() -> None:
        c = sec.code
        if not c:
            code_box.controls = [
                action_button(
                    ctx, "open-checkin", "Mở điểm danh", ft.Icons.QR_CODE, open_checkin, primary=True
                )
            ]
            return
        code_box.controls = [
            ctx.muted("Mã điểm danh — đảng viên nhập mã này vào ứng dụng"),
            tag(
                "checkin-code-display",
                ft.Text(
                    " ".join(c["code"][i : i + 3] for i in (0, 3)),
                    size=64,
                    weight=ft.FontWeight.BOLD,
                    color=PRIMARY,
                    font_family="monospace",
                ),
                label=c["code"],
            ),
            ctx.muted(f"Đổi mã lúc {fmt.when(c.get('expires_at'))[:5]}"),
        ]
        if sec.qr_png:
            code_box.controls.append(tag("checkin-qr", ft.Image(src=sec.qr_png, width=220, height=220)))

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        draw_code()

    async def open_checkin() -> None:
        outcome = await sec.open_check_in(mid)
        if not outcome.ok:
            ctx.toast(outcome.message, error=True)
        redraw()
        ctx.page.update()

    async def load() -> None:
        await meetings.load_detail(mid)
        if (meetings.get(mid) or {}).get("checkin_open") and not sec.code:
            await sec.refresh_code(mid)  # opened before (another device, a reload): show the code at once
        redraw()

    async def tick() -> None:
        if sec.code:
            before = sec.code.get("code")
            await sec.refresh_code(mid)
            if sec.code and sec.code.get("code") != before:
                draw_code()

    redraw()
    body = ft.Column(
        [header, card(ft.Container(code_box, alignment=ft.Alignment.CENTER), identifier="checkin-panel")],
        spacing=10,
    )
    return Screen(
        title="Mã điểm danh", body=body, load=load, redraw=redraw, back=meeting_route(mid), timers=[tick]
    )


def meeting_attendance(ctx: Ctx, meeting_id: str) -> Screen:
    """Who came: the live list, one explicit choice per member with undo, absence requests, the export."""
    mid, sec, meetings, header = _opened(ctx, meeting_id)
    attendance = ft.Column(spacing=4)
    requests = ft.Column(spacing=4)
    saver = ft.FilePicker()

    def draw_attendance() -> None:
        sheet = sec.sheet
        if not sheet:
            attendance.controls = [ctx.muted(sec.error or "Đang tải danh sách...")]
            return
        counts = sheet.get("counts", {})
        attendance.controls = [
            tag(
                "attendance-counts",
                ctx.text(
                    f"Có mặt {counts.get('present', 0)} · Muộn {counts.get('late', 0)} · Vắng có lý do "
                    f"{counts.get('excused', 0)} · Vắng {counts.get('absent', 0)} · "
                    f"Chưa ghi {counts.get('unrecorded', 0)}"
                    f" — tỷ lệ {fmt.percent(counts.get('rate'))}",
                    14,
                    weight=ft.FontWeight.W_600,
                ),
            )
        ]
        for row in sheet.get("items", []):
            status = row.get("status")
            bg, fg = STATUS_COLORS.get(status or "", ("#F5F5F5", "#616161"))
            attendance.controls.append(
                tag(
                    f"attendance-{row['member_id']}",
                    ft.Container(
                        ctx.beside(
                            ctx.text(row.get("full_name", ""), 15),
                            chip(ctx, attendance_label(status), bg, fg),
                            ft.Icon(ft.Icons.ARROW_DROP_DOWN, color="#616161"),
                        ),
                        padding=10,
                        border_radius=8,
                        bgcolor="#FFFFFF",
                        ink=True,
                        # A tap only opens the choice: a stray tap must not change anyone's record.
                        on_click=lambda e, r=row: choose_for(r),
                    ),
                )
            )

    def choose_for(row: dict) -> None:
        """The four statuses as a list to pick from, the recorded one marked; nothing is saved until one
        is picked."""
        current = row.get("status")
        sheet = ft.BottomSheet(content=ft.Container())

        def pick(status: str) -> None:
            sheet.open = False
            ctx.page.update()
            ctx.run(lambda: choose(row["member_id"], status))

        options: list[ft.Control] = [
            tag(
                f"attendance-choice-{status}",
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.RADIO_BUTTON_CHECKED
                        if status == current
                        else ft.Icons.RADIO_BUTTON_UNCHECKED,
                        color=STATUS_COLORS[status][1],
                    ),
                    title=ctx.text(attendance_label(status), 16),
                    selected=status == current,
                    min_height=56,
                    on_click=lambda e, s=status: pick(s),
                ),
            )
            for status in ATTENDANCE_CHOICES
        ]

        def cancel(e: object) -> None:
            sheet.open = False
            ctx.page.update()

        sheet.content = tag(
            "attendance-choices",
            ft.Container(
                ft.Column(
                    [
                        ctx.title(f"Điểm danh: {row.get('full_name', '')}", 18),
                        ctx.muted(f"Hiện tại: {attendance_label(current)}"),
                        *options,
                        ft.Row(
                            [
                                tag(
                                    "attendance-choice-cancel",
                                    ft.TextButton("Đóng", on_click=cancel),
                                )
                            ],
                            alignment=ft.MainAxisAlignment.END,
                        ),
                    ],
                    spacing=4,
                    tight=True,
                ),
                padding=16,
            ),
        )
        ctx.page.show_dialog(sheet)

    def draw_requests() -> None:
        requests.controls = [
            card(
                ft.Column(
                    [
                        ctx.text(f"{r.get('full_name')}: {r.get('reason')}", 14),
                        ft.Row(
                            [
                                chip(ctx, fmt.ABSENCE.get(r.get("status", ""), "")),
                                *(
                                    [
                                        ft.TextButton(
                                            "Chấp thuận",
                                            on_click=lambda e, i=r["id"]: ctx.run(lambda: decide(i, True)),
                                        ),
                                        ft.TextButton(
                                            "Từ chối",
                                            on_click=lambda e, i=r["id"]: ctx.run(lambda: decide(i, False)),
                                        ),
                                    ]
                                    if r.get("status") == "pending"
                                    else []
                                ),
                            ]
                        ),
                    ]
                ),
                identifier=f"absence-{r['id']}",
            )
            for r in sec.requests
        ] or [ctx.muted("Không có đơn xin vắng.")]

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        draw_attendance()
        draw_requests()

    def undo_bar(message: str) -> ft.SnackBar:
        # Long enough for an elderly secretary to read it and reach "Hoàn tác".
        return ft.SnackBar(
            content=tag("toast", ft.Text(message, size=round(14 * ctx.scale, 1))),
            action="Hoàn tác",
            on_action=lambda e: ctx.run(undo),
            duration=8000,
        )

    async def choose(member_id: int, status: str) -> None:
        changed = sec.last_change
        outcome = await sec.set_status(mid, member_id, status)
        draw_attendance()
        if not outcome.ok:
            ctx.toast(outcome.message, error=True)
        elif sec.last_change is not changed:  # something was written: offer to take it back
            ctx.page.show_dialog(undo_bar(outcome.message))
        else:
            ctx.toast(outcome.message)
        ctx.page.update()

    async def undo() -> None:
        outcome = await sec.undo(mid)
        draw_attendance()
        ctx.toast(outcome.message, error=not outcome.ok)
        ctx.page.update()

    async def decide(request_id: int, approve: bool) -> None:
        outcome = await sec.decide(mid, request_id, approve)
        ctx.toast(outcome.message, error=not outcome.ok)
        await sec.load_attendance(mid)
        redraw()
        ctx.page.update()

    async def export() -> None:
        await save_export(ctx, saver, lambda: sec.export_attendance(mid))

    async def load() -> None:
        await meetings.load_detail(mid)
        await sec.load_attendance(mid)
        await sec.load_requests(mid)
        redraw()

    async def tick() -> None:
        # Redraw only what changed: rebuilding rows under a finger would move the tap to another row.
        if await sec.load_attendance(mid):
            draw_attendance()

    redraw()
    body = ft.Column(
        [
            header,
            section(ctx, "Điểm danh (chạm vào tên để chọn trạng thái)"),
            attendance,
            section(ctx, "Đơn xin vắng"),
            requests,
            ft.Divider(),
            action_button(
                ctx, "export-attendance", "Xuất danh sách điểm danh (Excel)", ft.Icons.DOWNLOAD, export
            ),
        ],
        spacing=10,
    )
    return Screen(
        title="Điểm danh", body=body, load=load, redraw=redraw, back=meeting_route(mid), timers=[tick]
    )


def meeting_minutes(ctx: Ctx, meeting_id: str) -> Screen:
    """The minutes (saved, then published) and the votes with their computed result."""
    mid, sec, meetings, header = _opened(ctx, meeting_id)
    minutes_text = ft.TextField(label="Biên bản", multiline=True, min_lines=5)
    res_title = ft.TextField(label="Tên nghị quyết")
    v_for = ft.TextField(label="Tán thành", width=ctx.width(110), keyboard_type=ft.KeyboardType.NUMBER)
    v_against = ft.TextField(
        label="Không tán thành", width=ctx.width(140), keyboard_type=ft.KeyboardType.NUMBER
    )
    v_abstain = ft.TextField(
        label="Không biểu quyết", width=ctx.width(140), keyboard_type=ft.KeyboardType.NUMBER
    )
    vote_result = ctx.text("", 15, weight=ft.FontWeight.W_600)

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        if sec.minutes and sec.minutes.get("text") and not minutes_text.value:
            minutes_text.value = sec.minutes["text"]

    async def save_minutes(publish: bool) -> None:
        outcome = await sec.save_minutes(mid, minutes_text.value or "", publish)
        ctx.toast(outcome.message, error=not outcome.ok)

    async def add_resolution() -> None:
        outcome = await sec.add_resolution(
            mid, res_title.value or "", (v_for.value or "0", v_against.value or "0", v_abstain.value or "0")
        )
        vote_result.value = outcome.message
        vote_result.color = "#1B5E20" if outcome.ok and "KHÔNG" not in outcome.message else "#B71C1C"
        ctx.page.update()

    async def load() -> None:
        await meetings.load_detail(mid)
        await sec.load_minutes(mid)
        redraw()

    redraw()
    body = ft.Column(
        [
            header,
            tag("minutes-text", minutes_text),
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Lưu biên bản", on_click=lambda e: ctx.run(lambda: save_minutes(False))
                    ),
                    ft.FilledTonalButton(
                        "Công bố biên bản", on_click=lambda e: ctx.run(lambda: save_minutes(True))
                    ),
                ],
                wrap=True,
            ),
            tag("resolution-title", res_title),
            ft.Row(
                [tag("votes-for", v_for), tag("votes-against", v_against), tag("votes-abstain", v_abstain)],
                wrap=True,
            ),
            tag(
                "add-resolution",
                ft.FilledTonalButton("Ghi kết quả biểu quyết", on_click=lambda e: ctx.run(add_resolution)),
            ),
            tag("vote-result", vote_result),
        ],
        spacing=10,
    )
    return Screen(
        title="Biên bản và biểu quyết", body=body, load=load, redraw=redraw, back=meeting_route(mid)
    )
