"""In a real browser: sign-in errors in Vietnamese, sign-in, profile, sign-out wipes the local store."""

import pytest
from playwright.sync_api import expect

from tests.client.browser.harness import click, el, fill, goto, open_app, phone, ready, shot, sign_in, text_of

pytestmark = pytest.mark.browser


def test_member_signs_in_sees_profile_and_signs_out(stack, browser, world):
    ctx = phone(browser)
    page = open_app(ctx, stack.web_url)
    expect(el(page, "username")).to_be_attached(timeout=60_000)
    shot(page, "01-login")
    fill(page, "username", world["member"]["username"])
    fill(page, "password", "sai-mat-khau")
    click(page, "login")
    expect(el(page, "login-error")).to_contain_text("không đúng", timeout=20_000)
    shot(page, "01-login-error")
    sign_in(page, world["member"]["username"], world["password"])
    expect(el(page, "greeting")).to_contain_text("Trần Thị Đảng")
    shot(page, "02-home")
    user_dirs = list((stack.data_dir / "client" / "users").iterdir())
    assert len(user_dirs) == 1  # this member's own store on the serving host
    goto(page, stack.web_url + "/profile")
    expect(el(page, "profile-name")).to_contain_text("Trần Thị Đảng", timeout=30_000)
    expect(page.get_by_text("Trình duyệt thử (thiết bị này)")).to_be_attached()
    shot(page, "08-profile")
    before = el(page, "profile-name").evaluate("e => e.getBoundingClientRect().height")
    page.get_by_role("radio", name="Rất lớn").dispatch_event("click")  # larger text for elderly members
    expect(page.get_by_role("radio", name="Rất lớn")).to_be_checked(timeout=20_000)
    expect(el(page, "profile-name")).to_contain_text("Trần Thị Đảng", timeout=20_000)
    page.wait_for_timeout(500)
    size = el(page, "profile-name").evaluate("e => e.getBoundingClientRect().height")
    assert size > before * 1.2, (before, size)  # the text really grew
    shot(page, "09-profile-larger-text")
    page.reload()  # remembered on this device
    ready(page)
    expect(page.get_by_role("radio", name="Rất lớn")).to_be_checked(timeout=30_000)
    expect(el(page, "profile-name")).to_be_attached()
    page.wait_for_timeout(500)
    assert el(page, "profile-name").evaluate("e => e.getBoundingClientRect().height") == size
    click(page, "sign-out")
    expect(el(page, "username")).to_be_attached(timeout=20_000)
    assert not any((stack.data_dir / "client" / "users").iterdir())  # sign-out wiped the store
    ctx.close()


def test_a_form_filled_at_once_signs_in_every_time(stack, browser, world):
    """A password manager, autofill or a paste puts a whole value into a field in one go, and the member
    taps "Đăng nhập" straight after: the password must reach the sign-in, every time (issue 12, item 3)."""
    for attempt in range(5):
        ctx = phone(browser)  # a new browser context: a new Flet session, a fresh sign-in screen
        page = open_app(ctx, stack.web_url)
        expect(el(page, "username")).to_be_attached(timeout=60_000)
        for identifier, value in (("username", world["member"]["username"]), ("password", world["password"])):
            box = el(page, identifier).locator("input, textarea").first
            box.wait_for(state="attached")
            box.fill(value)  # one input event with the whole value, no key presses
        click(page, "login")  # at once: no pause for the change to settle
        try:
            expect(el(page, "greeting")).to_be_attached(timeout=20_000)
        except AssertionError:
            raise AssertionError(
                f"try {attempt + 1}: not signed in; the screen says {text_of(page, 'login-error')!r}"
            ) from None
        ctx.close()
