"""The web client's own-origin wrapper (issue 12, item 13), without a browser: the CDN address is rewritten
in place, the stub is served, everything else reaches Flet untouched."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urljoin

import httpx
from flet_web import get_package_web_dir

from client.views.ui import PRIMARY
from client.web import (
    RIVE_STUB,
    SHELL_EXTENSIONS,
    OwnOrigin,
    local_rive_base,
    manifest,
    patch_client,
    shell_version,
)

CDN = b"https://cdn.jsdelivr.net/npm/@rive-app/flutter-native-wasm@44.0.0/"


def test_the_cdn_address_becomes_a_same_length_local_one():
    for cdn in (CDN, CDN.replace(b"44.0.0", b"44.0.10")):  # even and odd leftovers
        local = local_rive_base(cdn)
        assert len(local) == len(cdn)  # the wasm binary's length-prefixed strings stay valid
        resolved = urljoin("http://127.0.0.1:8550/", local.decode() + "wasm/rive_native.js")
        assert resolved.startswith("http://127.0.0.1:8550/")
        assert resolved.replace("//rive", "/rive").endswith(":8550/rive/wasm/rive_native.js")
    patched, count = patch_client(b'dvv(){return"' + CDN + b'"}')
    assert count == 1 and b"jsdelivr" not in patched


def test_patched_files_and_stub_are_served_and_the_rest_passes_through(tmp_path: Path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "main.dart.js").write_bytes(b'k.src="' + CDN + b'"+a')
    seen: list[str] = []

    async def flet(scope, receive, send):
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"flet"})

    work = tmp_path / "work"
    work.mkdir()
    app = OwnOrigin(flet, web, work)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            js = await c.get("/main.dart.js")
            assert js.status_code == 200 and b"jsdelivr" not in js.content and b"rive/" in js.content
            assert js.headers["cross-origin-embedder-policy"] == "require-corp"
            again = await c.get("/main.dart.js", headers={"if-none-match": js.headers["etag"]})
            assert again.status_code == 304  # a reload does not fetch the whole client again
            for path in ("/rive/wasm/rive_native.js", "http://t//rive/wasm_compatibility/rive_native.js"):
                stub = await c.get(path)
                assert stub.status_code == 200 and stub.text == RIVE_STUB
                assert stub.headers["content-type"].startswith("text/javascript")
            assert (await c.get("/login")).text == "flet"
            assert (await c.get("/main.dart.wasm")).text == "flet"  # not in this web dir: Flet's to answer

    asyncio.run(run())
    assert seen == ["/login", "/main.dart.wasm"]


# --- installable app (issue 12, "on the phone's home screen") ---------------------------------------------

ASSETS = Path(__file__).resolve().parents[2] / "client" / "assets"
FLET_PINK = "#FF005F"


def _serve(tmp_path: Path):
    """The wrapper around a stand-in for Flet, over a web dir holding only Flet's version file."""
    web = tmp_path / "web"
    web.mkdir(exist_ok=True)
    (web / "version.json").write_text('{"version":"1.0.5"}')
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)

    async def flet(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"flet"})

    return OwnOrigin(flet, web, work, ASSETS)


def _get(app, *paths: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return [await c.get(p) for p in paths]

    return asyncio.run(run())


def test_the_manifest_is_the_apps_own(tmp_path: Path):
    (res,) = _get(_serve(tmp_path), "/manifest.json")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/manifest+json")
    m = res.json()
    assert m["name"] == "Sổ tay đảng viên" and m["short_name"] == "Sổ tay ĐV"
    assert "Flet" not in res.text and m["description"]
    assert m["lang"] == "vi" and m["start_url"] == "/" and m["scope"] == "/" and m["display"] == "standalone"
    assert m["theme_color"] == PRIMARY != FLET_PINK  # the app's red, one source with the UI
    assert m["background_color"].startswith("#")
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in m["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes


def test_the_manifest_icons_are_the_apps_and_of_their_stated_size():
    from PIL import Image

    flet_icons = Path(get_package_web_dir()) / "icons"
    for icon in manifest()["icons"]:
        path = ASSETS / icon["src"]  # Flet serves client/assets before its own files of the same name
        with Image.open(path) as im:
            assert f"{im.width}x{im.height}" == icon["sizes"] and im.format == "PNG"
            if icon["purpose"] == "maskable":
                # a launcher may cut any shape: the corners must be the app's red, not transparent
                assert im.convert("RGBA").getpixel((1, 1)) == (0xB7, 0x1C, 0x1C, 255)
        assert path.read_bytes() != (flet_icons / path.name).read_bytes()


def test_index_points_to_the_manifest_and_carries_the_theme_colour():
    html = (ASSETS / "index.html").read_text(encoding="utf-8")
    assert '<link rel="manifest" href="manifest.json">' in html
    assert f'<meta name="theme-color" content="{PRIMARY}">' in html
    assert "<title>Sổ tay đảng viên</title>" in html and '<html lang="vi">' in html
    assert 'content="Flet' not in html
    # Flutter's loader no longer registers a worker: the page must
    assert 'navigator.serviceWorker.register("flutter_service_worker.js"' in html


def test_the_service_worker_replaces_flets_and_caches_the_shell(tmp_path: Path):
    sw, offline = _get(_serve(tmp_path), "/flutter_service_worker.js?v=1804020039", "/offline.html")
    assert sw.status_code == 200 and sw.headers["content-type"].startswith("text/javascript")
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["cross-origin-embedder-policy"] == "require-corp"
    js = sw.text
    assert "registration.unregister" not in js  # Flet's worker removes itself; this one stays
    for event in ("install", "activate", "fetch"):
        assert f'addEventListener("{event}"' in js
    for path in ("main.dart.js", "canvaskit/canvaskit.wasm"):  # the renderer: cached as first asked for
        assert any(path.endswith(ext) for ext in SHELL_EXTENSIONS)
    for path in ("manifest.json", "icons/icon-192.png", "assets/fonts/roboto.woff2", "offline.html"):
        assert f'"{path}"' in js  # precached
    # The offline page is the Flet stand-in's here; in the app it is client/assets/offline.html
    assert offline.text == "flet"
    page = (ASSETS / "offline.html").read_text(encoding="utf-8")
    assert "Chưa kết nối được máy chủ" in page and 'lang="vi"' in page


def test_the_shell_version_follows_the_flet_build_and_the_assets(tmp_path: Path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "version.json").write_text('{"version":"1.0.5"}')
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "index.html").write_text("a")
    first = shell_version(web, assets)
    assert shell_version(web, assets) == first  # stable: no needless reinstall on a restart
    (assets / "index.html").write_text("b")
    second = shell_version(web, assets)
    assert second != first
    (web / "version.json").write_text('{"version":"1.0.6"}')
    assert shell_version(web, assets) not in (first, second)
