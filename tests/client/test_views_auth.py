"""The sign-in view and the router around it (guards, deep links, signing out), on a fake page."""

from __future__ import annotations

import asyncio

from client.router import Router
from client.views import auth
from tests.client.pages import by_id, make, walk


async def test_login_view_shows_the_error_then_signs_in(tmp_path):
    app, router, page = make(tmp_path)
    screen = auth.login(router.ctx)
    by_id(screen.body, "username").value = "dangvien.a"
    by_id(screen.body, "password").value = "sai"
    await by_id(screen.body, "login").on_click(None)
    assert by_id(screen.body, "login-error").value == "Tên đăng nhập hoặc mật khẩu không đúng."
    by_id(screen.body, "password").value = "dung-mat-khau"
    await by_id(screen.body, "login").on_click(None)
    assert app.signed_in
    assert by_id(screen.body, "login-error").value == ""


async def test_router_guards_roles_and_remembers_the_deep_link(tmp_path):
    from client.app import ROUTES

    app, _, page = make(tmp_path)
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await router.show("/check-in?meeting=5&code=123456")
    assert router.current_route == "/login"
    assert app.after_login == "/check-in?meeting=5&code=123456"  # the QR's link survives signing in
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await router.show("/secretary")
    assert router.current_route == "/home"  # a member is not a secretary
    await router.show("/staff/audit")
    assert router.current_route == "/home"
    await router.show("/login")
    assert router.current_route == "/home"  # signed in: no sign-in screen
    app.store.put(
        "meeting",
        5,
        {
            "id": 5,
            "title": "Sinh hoạt tháng 11",
            "status": "scheduled",
            "starts_at": "2030-01-01T12:00:00+00:00",
        },
    )
    page.route = "/check-in?meeting=5&code=123456"
    await router.show(page.route)
    assert by_id(router.current.body, "checkin-code").value == "123456"
    for task in page.tasks:
        task.cancel()


async def test_signing_out_goes_to_the_sign_in_address_without_an_offline_banner(tmp_path):
    from client.app import ROUTES

    app, _, page = make(tmp_path)
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    await router.show("/profile")
    app.online = False  # the last poll failed just before
    await app.sign_out()
    await asyncio.gather(*page.tasks)
    assert page.route == "/login"  # a reload opens the sign-in, not the profile
    [banner] = [c for c in walk(router.banner) if getattr(c, "identifier", None) == "offline-banner"]
    assert banner.visible is False
