"""The web client's own-origin wrapper (issue 12, item 13), without a browser: the CDN address is rewritten
in place, the stub is served, everything else reaches Flet untouched."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urljoin

import httpx

from client.web import RIVE_STUB, OwnOrigin, local_rive_base, patch_client

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
