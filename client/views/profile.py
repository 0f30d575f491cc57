"""Cá nhân (profile, devices, password, text size and contrast, calendar link, sign out) and Thông báo
(inbox)."""

from __future__ import annotations

from typing import Any

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.app import TEXT_SCALES
from client.state.profile import InboxState, ProfileState
from client.views.ui import GOLD, PRIMARY, Ctx, card, empty, section, tag


def profile(ctx: Ctx) -> Screen:
    app = ctx.app
    state = ProfileState(app)
    devices = ft.Column(spacing=6)
    current = ft.TextField(label="Mật khẩu hiện tại", password=True, can_reveal_password=True)
    new = ft.TextField(
        label="Mật khẩu mới", helper="Ít nhất 8 ký tự", password=True, can_reveal_password=True
    )
    repeat = ft.TextField(label="Nhắc lại mật khẩu", password=True, can_reveal_password=True)
    calendar = ft.TextField(
        label="Đường dẫn lịch",
        helper="Dạng iCalendar, dán vào ứng dụng lịch",
        read_only=True,
        hint_text="Bấm nút bên trên để lấy đường dẫn",
    )

    def draw_devices() -> None:
        devices.controls = [
            ft.ListTile(
                leading=ft.Icon(
                    ft.Icons.SMARTPHONE
                    if "điện thoại" in (s.device_name or "").lower()
                    else ft.Icons.COMPUTER
                ),
                title=ctx.text((s.device_name or "Thiết bị") + (" (thiết bị này)" if s.current else ""), 14),
                subtitle=ctx.muted(f"Dùng gần nhất {fmt.when(s.last_seen_at)}"),
                dense=True,
            )
            for s in state.sessions
        ] or [ctx.muted(state.error or "Đang tải danh sách thiết bị...")]

    async def load() -> None:
        await state.load_sessions()
        draw_devices()

    async def sign_out_others() -> None:
        outcome = await state.sign_out_others()
        ctx.toast(outcome.message, error=not outcome.ok)
        draw_devices()
        ctx.page.update()

    async def change_password() -> None:
        outcome = await state.change_password(current.value or "", new.value or "", repeat.value or "")
        ctx.toast(outcome.message, error=not outcome.ok)
        if outcome.ok:
            current.value = new.value = repeat.value = ""
        ctx.page.update()

    async def get_calendar() -> None:
        outcome = await state.calendar_link()
        if outcome.ok and state.calendar_url:
            calendar.value = state.calendar_url
        ctx.toast(outcome.message, error=not outcome.ok)
        ctx.page.update()

    async def set_scale(e: Any) -> None:
        await app.set_text_scale(float(e.control.value))

    async def set_contrast(e: Any) -> None:
        await app.set_high_contrast(bool(e.control.value))

    async def sign_out() -> None:
        await app.sign_out()

    me = app.me
    info = []
    if me:
        info = [
            tag("profile-name", ctx.title(me.full_name, 20)),
            ctx.muted(me.organization.name if me.organization else ""),
        ]
        if me.card_number:
            info.append(ctx.text(f"Số thẻ đảng viên: {me.card_number}", 14))
        info += [ctx.text(r, 14, color=PRIMARY) for r in state.role_labels()]
    draw_devices()
    body = ft.Column(
        [
            card(ft.Column(info, spacing=4)),
            section(ctx, "Cỡ chữ"),
            tag(
                "text-scale",
                ft.RadioGroup(
                    value=str(app.text_scale),
                    on_change=set_scale,
                    content=ft.Row(
                        [
                            ft.Radio(value=str(s), label=label)
                            for s, label in zip(TEXT_SCALES, ["Vừa", "Lớn", "Rất lớn"], strict=True)
                        ],
                        wrap=True,
                    ),
                ),
            ),
            # The words in a Text of their own that wraps: a Switch's own label is one line that a large text
            # size pushes off a phone's screen.
            ft.Row(
                [
                    ft.Column(
                        [
                            ctx.text("Tương phản cao", 15, weight=ft.FontWeight.W_600),
                            ctx.muted("Chữ đen trên nền trắng, viền đậm: dễ đọc hơn."),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                    tag(
                        "high-contrast",
                        ft.Switch(value=app.high_contrast, on_change=set_contrast),
                        label="Tương phản cao",
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            section(ctx, "Thiết bị đang đăng nhập"),
            devices,
            tag(
                "sign-out-others",
                ft.OutlinedButton(
                    "Đăng xuất các thiết bị khác",
                    icon=ft.Icons.PHONELINK_ERASE,
                    on_click=lambda e: ctx.run(sign_out_others),
                ),
            ),
            section(ctx, "Đổi mật khẩu"),
            tag("pw-current", current),
            tag("pw-new", new),
            tag("pw-repeat", repeat),
            tag(
                "pw-submit", ft.FilledTonalButton("Đổi mật khẩu", on_click=lambda e: ctx.run(change_password))
            ),
            section(ctx, "Lịch trên điện thoại"),
            ctx.muted("Thêm lịch sinh hoạt chi bộ vào ứng dụng lịch của điện thoại."),
            tag(
                "calendar-link",
                ft.OutlinedButton(
                    "Lấy đường dẫn lịch",
                    icon=ft.Icons.CALENDAR_MONTH,
                    on_click=lambda e: ctx.run(get_calendar),
                ),
            ),
            tag("calendar-url", calendar),
            ft.Divider(),
            tag(
                "sign-out",
                ft.FilledButton(
                    "Đăng xuất",
                    icon=ft.Icons.LOGOUT,
                    on_click=lambda e: ctx.run(sign_out),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                ),
            ),
            ctx.muted("Đăng xuất sẽ xóa dữ liệu đã lưu trên thiết bị này.", 12),
        ],
        spacing=10,
    )
    return Screen(title="Cá nhân", body=body, load=load, tab=4)


def inbox(ctx: Ctx) -> Screen:
    state = InboxState(ctx.app)
    col = ft.Column(spacing=6)

    def open_ref(n: dict) -> None:
        if not n.get("read_at"):
            ctx.run(lambda: state.mark_read([n["id"]]))
        route = state.target(n)
        if route:
            ctx.go(route)

    def redraw() -> None:
        items = state.items()
        col.controls = [
            card(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.CIRCLE, size=10, color=GOLD if not n.get("read_at") else "#BDBDBD"),
                        ft.Column(
                            [
                                ctx.text(
                                    n.get("title", ""),
                                    15,
                                    weight=None if n.get("read_at") else ft.FontWeight.W_600,
                                ),
                                ctx.text(n.get("body") or "", 13) if n.get("body") else ft.Container(),
                                ctx.muted(fmt.when(n.get("created_at")), 12),
                            ],
                            spacing=2,
                            expand=True,
                        ),
                    ]
                ),
                on_click=lambda e, n=n: open_ref(n),
                identifier=f"notification-{n['id']}",
            )
            for n in items[:100]
        ]
        if not items:
            col.controls = [empty(ctx, "Chưa có thông báo.", ft.Icons.NOTIFICATIONS_NONE)]

    async def load() -> None:
        await state.refresh()
        redraw()

    async def mark_all() -> None:
        await state.mark_all_read()
        redraw()
        ctx.page.update()

    redraw()
    actions: list[ft.Control] = [
        tag(
            "mark-all-read",
            ft.IconButton(
                ft.Icons.DONE_ALL,
                tooltip="Đánh dấu đã đọc tất cả",
                icon_color="#FFFFFF",
                on_click=lambda e: ctx.run(mark_all),
            ),
        )
    ]
    return Screen(title="Thông báo", body=col, load=load, redraw=redraw, tab=3, actions=actions)
