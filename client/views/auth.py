"""Sign-in screen."""

from __future__ import annotations

import flet as ft

from client.api import ApiError
from client.router import Screen
from client.views.ui import MUTED, PRIMARY, Ctx, tag


def login(ctx: Ctx) -> Screen:
    app = ctx.app
    server = ft.TextField(
        label="Địa chỉ máy chủ",
        value=app.server_url,
        keyboard_type=ft.KeyboardType.URL,
        visible=not app.config.fixed_server,
        prefix_icon=ft.Icons.DNS_OUTLINED,
    )
    username = ft.TextField(
        label="Tên đăng nhập hoặc số thẻ đảng viên",
        autofocus=True,
        prefix_icon=ft.Icons.PERSON_OUTLINE,
        autocorrect=False,
        enable_suggestions=False,
    )
    password = ft.TextField(
        label="Mật khẩu", password=True, can_reveal_password=True, prefix_icon=ft.Icons.LOCK_OUTLINE
    )
    error = ctx.text("", 14, color="#B00020")
    busy = ft.ProgressBar(visible=False, color=PRIMARY)
    # No fixed height: the theme's padding makes it at least 48 dp, and it grows with the text size instead
    # of cutting the label off.
    button = ft.FilledButton("Đăng nhập", expand=True, style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))

    async def submit(e: object = None) -> None:
        error.value = ""
        busy.visible, button.disabled = True, True
        ctx.page.update()
        try:
            await app.sign_in(server.value or "", username.value or "", password.value or "")
        except ApiError as exc:
            error.value = exc.message
            busy.visible, button.disabled = False, False
            ctx.page.update()
            return
        target = getattr(app, "after_login", None) or "/home"
        app.after_login = None
        ctx.go(target)

    button.on_click = submit
    password.on_submit = submit
    notice = app.notice
    app.notice = None
    body = ft.Column(
        [
            ft.Container(height=24),
            ft.Row(
                [ft.Icon(ft.Icons.MENU_BOOK, color=PRIMARY, size=56)], alignment=ft.MainAxisAlignment.CENTER
            ),
            ft.Row([ctx.title("Sổ tay đảng viên", 26)], alignment=ft.MainAxisAlignment.CENTER),
            ft.Row(
                [
                    ctx.text(
                        "Đăng nhập để xem lịch sinh hoạt, văn bản và thông báo",
                        14,
                        color=MUTED,
                        text_align=ft.TextAlign.CENTER,
                    )
                ],
                alignment=ft.MainAxisAlignment.CENTER,
                wrap=True,
            ),
            ft.Container(height=8),
            tag("login-notice", ctx.text(notice, 14, color="#B00020")) if notice else ft.Container(),
            tag("server", server),
            tag("username", username),
            tag("password", password),
            tag("login-error", error),
            busy,
            ft.Row([tag("login", button)]),
            ctx.muted("Quên mật khẩu? Liên hệ bí thư chi bộ hoặc văn phòng cấp ủy để được cấp lại.", 13),
        ],
        spacing=14,
    )
    return Screen(title="Đăng nhập", body=body)
