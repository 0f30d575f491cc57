"""Serve the web client wholly from its own origin.

Flet's prebuilt Flutter client (`main.dart.js`, and `main.dart.wasm` for the skwasm renderer) loads the Rive
animation runtime from `cdn.jsdelivr.net` at start-up, even with `no_cdn`. A closed network then waits on a
host it cannot reach, and on an open one a foreign host learns who opens the app and when. The app uses no
Rive animation, and no flet package ships the Rive runtime, so the CDN address is rewritten to this server
and answered with a stub that says "Rive is not available": the client then gives up on Rive at once,
instead of waiting on a script that never loads.
"""

from __future__ import annotations

import atexit
import logging
import re
import shutil
import tempfile
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# Any version: a flet upgrade moves the pinned version, not the host.
RIVE_CDN = re.compile(rb"https://cdn\.jsdelivr\.net/npm/@rive-app/flutter-native-wasm@[^/\"'\s]+/")
RIVE_DIR = "rive"
# The client asks for `<base>wasm/rive_native.js`, then `<base>wasm_compatibility/rive_native.js`.
RIVE_FILES = ("wasm/rive_native.js", "wasm_compatibility/rive_native.js")
PATCHED = ("main.dart.js", "main.dart.wasm")
# The client calls `RiveNative()` and takes a rejected promise as "no Rive here" (and stops trying).
RIVE_STUB = (
    "// Sổ tay đảng viên không dùng hoạt hình Rive: tệp này thay thư viện Rive trên CDN để trang chỉ tải\n"
    "// từ máy chủ của chính nó. Lời hứa bị từ chối báo cho ứng dụng rằng Rive không có sẵn.\n"
    "globalThis.RiveNative = function () {\n"
    '  return Promise.reject(new Error("Rive không có sẵn trong bản web này"));\n'
    "};\n"
)
# Flet's own static files carry these; the files served here must too (the page is cross-origin isolated).
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Access-Control-Allow-Origin": "*",
}


def local_rive_base(cdn_url: bytes) -> bytes:
    """A relative URL of exactly the CDN URL's length that resolves to `/<RIVE_DIR>/` against the page's
    base. The same length keeps the wasm binary valid (its strings are length-prefixed) without parsing it."""
    target = RIVE_DIR.encode() + b"/"
    pad = len(cdn_url) - len(target)
    if pad < 0:  # pragma: no cover - the CDN address is far longer than "rive/"
        raise ValueError("CDN URL shorter than the local path")
    # "./" segments resolve to nothing; an odd leftover becomes an empty segment ("//rive/"), matched too.
    return b"./" * (pad // 2) + b"/" * (pad % 2) + target


def patch_client(source: bytes) -> tuple[bytes, int]:
    """The client with every Rive CDN address pointed at this server, and how many were replaced."""
    return RIVE_CDN.subn(lambda m: local_rive_base(m.group(0)), source)


def prepare(web_dir: Path, out_dir: Path) -> list[str]:
    """Write the patched client files and the Rive stub into out_dir; return the paths to serve from it."""
    served: list[str] = []
    for name in PATCHED:
        src = web_dir / name
        if not src.exists():
            continue
        patched, count = patch_client(src.read_bytes())
        if count == 0:
            continue  # nothing leaves the origin from this file: let Flet serve its own copy
        (out_dir / name).write_bytes(patched)
        served.append(name)
    for rel in RIVE_FILES:
        dest = out_dir / RIVE_DIR / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(RIVE_STUB, encoding="utf-8")
        served.append(f"{RIVE_DIR}/{rel}")
    return served


class OwnOrigin:
    """ASGI wrapper around the Flet web app: answers the patched client files and the Rive stub itself,
    passes everything else (pages, assets, the WebSocket, lifespan) to Flet untouched."""

    def __init__(self, app: ASGIApp, web_dir: Path, work_dir: Path):
        self.app = app
        self.served = set(prepare(web_dir, work_dir))
        # StaticFiles, not a bare response: ETag and 304 keep a reload from fetching 9 MB again.
        self.static = StaticFiles(directory=work_dir)

    def _local(self, path: str) -> str | None:
        rel = re.sub("/+", "/", path).lstrip("/")  # "//rive/..." comes from the odd-length padding
        return rel if rel in self.served else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rel = self._local(scope.get("path", "")) if scope["type"] == "http" else None
        if rel is None:
            await self.app(scope, receive, send)
            return

        async def send_isolated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in ISOLATION_HEADERS.items():
                    headers[key] = value
            await send(message)

        await self.static({**scope, "path": "/" + rel, "root_path": ""}, receive, send_isolated)


def own_origin(app: ASGIApp, web_dir: Path | None = None) -> OwnOrigin:
    """Wrap the Flet ASGI app; the patched copies live in a temporary directory removed at exit."""
    if web_dir is None:
        from flet_web import get_package_web_dir

        web_dir = Path(get_package_web_dir())
    work_dir = Path(tempfile.mkdtemp(prefix="sotay-web-"))
    atexit.register(shutil.rmtree, work_dir, ignore_errors=True)
    wrapped = OwnOrigin(app, web_dir, work_dir)
    log.info("web client served from its own origin: %s", ", ".join(sorted(wrapped.served)))
    return wrapped
