"""In Chromium: the web app installs as the app itself and survives its server going away (issue 12, "On the
phone's home screen").

The page's manifest is the app's own (Vietnamese name, red theme, its icons), the service worker is
registered and holds the shell, and a reload while the app's server is unreachable shows the app's
Vietnamese offline page from the cache (not the browser's error), which reopens the app once the server is
back. The app's screens are drawn by that server (Flet), so nothing more can be shown without it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from client.views.ui import PRIMARY
from tests.client.browser.harness import el, open_app, phone, ready

pytestmark = [pytest.mark.browser]


def test_manifest_service_worker_and_offline_reload(stack, browser):
    ctx = phone(browser)
    page = open_app(ctx, stack.web_url + "/login")
    expect(el(page, "username")).to_be_attached(timeout=30_000)

    href = page.evaluate("() => document.querySelector('link[rel=manifest]').href")
    assert href == stack.web_url + "/manifest.json"
    m = page.evaluate("async (u) => (await fetch(u)).json()", href)
    assert m["name"] == "Sổ tay đảng viên" and m["short_name"] == "Sổ tay ĐV" and m["lang"] == "vi"
    assert m["theme_color"] == PRIMARY and m["background_color"] != "#FF005F"
    assert m["start_url"] == "/" and m["display"] == "standalone"
    assert page.evaluate("() => document.querySelector('meta[name=theme-color]').content") == PRIMARY
    for icon in m["icons"]:
        size = page.evaluate(
            """(src) => new Promise((ok, fail) => { const i = new Image(); i.onload = () =>
                 ok(`${i.naturalWidth}x${i.naturalHeight}`); i.onerror = fail; i.src = src; })""",
            icon["src"],
        )
        assert size == icon["sizes"], icon

    # Flet's loader registers flutter_service_worker.js; ours stays registered and takes the page.
    script = page.evaluate(
        "() => Promise.race([navigator.serviceWorker.ready.then(r => r.active.scriptURL),"
        " new Promise(ok => setTimeout(() => ok('not registered'), 15000))])"
    )
    assert script.startswith(stack.web_url + "/flutter_service_worker.js")
    deadline = time.monotonic() + 30
    cached: list[str] = []
    while time.monotonic() < deadline:  # the renderer is cached as the page loads it
        cached = page.evaluate(
            """async () => { const out = [];
                 for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys())
                   out.push(new URL(r.url).pathname);
                 return out; }"""
        )
        if "/main.dart.js" in cached or "/main.dart.wasm" in cached:
            break
        page.wait_for_timeout(500)
    for path in ("/manifest.json", "/offline.html", "/icons/icon-512.png", "/assets/fonts/roboto.woff2"):
        assert path in cached, cached
    assert "/main.dart.js" in cached or "/main.dart.wasm" in cached, cached
    assert any(p.startswith("/canvaskit/") for p in cached), cached

    # The app's server goes away: a reload shows our page from the cache, in Vietnamese.
    stack.client.stop()
    page.reload()
    expect(page.get_by_text("Chưa kết nối được máy chủ")).to_be_visible(timeout=15_000)
    assert page.locator("[data-offline-page=sotay]").count() == 1
    page.screenshot(path=str(stack.data_dir / "offline.png"))

    # And the app comes back by itself once the server does ("Thử lại" just does it sooner).
    stack.client.start()
    page.get_by_role("button", name="Thử lại").click()
    ready(page)
    expect(el(page, "username")).to_be_attached(timeout=30_000)
    ctx.close()
