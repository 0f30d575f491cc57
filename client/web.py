"""Serve the web client wholly from its own origin.

Flet's prebuilt Flutter client (`main.dart.js`, and `main.dart.wasm` for the skwasm renderer) loads the Rive
animation runtime from `cdn.jsdelivr.net` at start-up, even with `no_cdn`. A closed network then waits on a
host it cannot reach, and on an open one a foreign host learns who opens the app and when. The app uses no
Rive animation, and no flet package ships the Rive runtime, so the CDN address is rewritten to this server
and answered with a stub that says "Rive is not available": the client then gives up on Rive at once,
instead of waiting on a script that never loads.

It also makes the web client installable as the app itself (issue 12, "on the phone's home screen"): the
web app manifest carries the app's Vietnamese name, icons and colours instead of Flet's, and a service worker
keeps the app shell in the browser's cache. What that can and cannot do offline is in docs/client.md: the
screens are drawn by Python in this process, so the cache makes reloads light and turns "this server is
unreachable" into a Vietnamese page of our own, but it cannot draw the app without this server.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"

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


# --- installable app: manifest and service worker ------------------------------------------------------

APP_NAME = "Sổ tay đảng viên"
# Launchers cut labels at about 12 characters: "Sổ tay đảng viên" would show as "Sổ tay đản…".
APP_SHORT_NAME = "Sổ tay ĐV"
APP_DESCRIPTION = "Sổ tay đảng viên điện tử: lịch sinh hoạt, tài liệu, điểm danh và thông báo của chi bộ."
# The app's own colours (client/views/ui.py PRIMARY; the light theme's first paint and the loading screen
# are white), kept here as literals so serving the manifest does not import the UI.
THEME_COLOR = "#B71C1C"
BACKGROUND_COLOR = "#FFFFFF"
MANIFEST_FILE = "manifest.json"
SERVICE_WORKER_FILE = "flutter_service_worker.js"  # the name Flet's flutter_bootstrap.js registers
OFFLINE_PAGE = "offline.html"  # in client/assets: what a reload shows when this server cannot be reached
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-192.png", "192x192", "maskable"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def manifest() -> dict:
    """The web app manifest. Flet's says "Flet" in pink and starts at "." (the page it was installed from,
    e.g. /meetings/3); the app starts at its home and owns the whole origin."""
    return {
        "name": APP_NAME,
        "short_name": APP_SHORT_NAME,
        "description": APP_DESCRIPTION,
        "lang": "vi",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["productivity", "education"],
        "prefer_related_applications": False,
        "icons": [
            {"src": src, "sizes": sizes, "type": "image/png", "purpose": purpose}
            for src, sizes, purpose in ICONS
        ],
    }


# Small files every renderer needs: cached when the worker installs. The renderer's big files (main.dart.js
# or .wasm/.mjs, canvaskit/ or skwasm) are cached as the page first asks for them, so a phone never
# downloads the renderer it does not use.
PRECACHE = (
    "flutter_bootstrap.js",
    "python.js",
    "text_input_fix.js",
    "favicon.png",
    MANIFEST_FILE,
    OFFLINE_PAGE,
    *(src for src, _, _ in ICONS),
    "icons/apple-touch-icon-192.png",
    "icons/loading-animation.png",
    "assets/FontManifest.json",
    "assets/AssetManifest.bin.json",
    "assets/fonts/roboto.woff2",
    "assets/fonts/MaterialIcons-Regular.otf",
)
# Only files of these kinds are cached at run time: the shell. Pages (every route answers index.html, whose
# Flet session data must come fresh), the WebSocket and uploads never are.
SHELL_EXTENSIONS = (
    ".js",
    ".mjs",
    ".wasm",
    ".json",
    ".png",
    ".svg",
    ".ico",
    ".woff2",
    ".otf",
    ".ttf",
    ".frag",
)

SERVICE_WORKER = """\
// Sổ tay đảng viên: service worker of the web app (generated by client/web.py; see there and docs/client.md).
// It replaces Flet's flutter_service_worker.js, which only unregisters itself.
'use strict';

const VERSION = "__VERSION__";
const CACHE = "sotay-shell-" + VERSION;
const PRECACHE = __PRECACHE__;
const SHELL_EXTENSIONS = __EXTENSIONS__;
const OFFLINE_PAGE = "__OFFLINE__";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One by one: a file missing from this Flet build must not keep the rest out of the cache.
    await Promise.allSettled(PRECACHE.map((path) => cache.add(new Request(path, { cache: "reload" }))));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // A new version means a new client or new assets: the old shell must not be served next to it.
    for (const key of await caches.keys()) {
      if (key.startsWith("sotay-shell-") && key !== CACHE) await caches.delete(key);
    }
    // Take the page that registered us now, so the renderer it loads next is cached on this first visit.
    await self.clients.claim();
  })());
});

function isShell(url) {
  if (url.origin !== self.location.origin || url.pathname.startsWith("/upload")) return false;
  return SHELL_EXTENSIONS.some((ext) => url.pathname.endsWith(ext));
}

async function fromCacheOrNetwork(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

async function pageOrOffline(request) {
  try {
    // Always from the server: the page carries this session's Flet settings, and the app is drawn by the
    // server anyway.
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_PAGE, { ignoreSearch: true });
    if (offline) return offline;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
    return;
  }
  if (isShell(new URL(request.url))) event.respondWith(fromCacheOrNetwork(request));
});
"""


def shell_version(web_dir: Path, assets_dir: Path) -> str:
    """Changes whenever the shell may have: another Flet build, other app assets, another worker. A new
    version makes the browser install the new worker, which drops the old cache."""
    digest = hashlib.sha256()
    version = web_dir / "version.json"
    digest.update(version.read_bytes() if version.exists() else str(web_dir).encode())
    digest.update(SERVICE_WORKER.encode())
    digest.update(json.dumps(manifest(), sort_keys=True).encode())
    for path in sorted(p for p in assets_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(assets_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def service_worker(version: str) -> str:
    return (
        SERVICE_WORKER.replace("__VERSION__", version)
        .replace("__PRECACHE__", json.dumps(list(PRECACHE)))
        .replace("__EXTENSIONS__", json.dumps(list(SHELL_EXTENSIONS)))
        .replace("__OFFLINE__", OFFLINE_PAGE)
    )


def prepare_installable(web_dir: Path, assets_dir: Path, out_dir: Path) -> list[str]:
    """Write the manifest and the service worker into out_dir; return the paths to serve from it."""
    (out_dir / MANIFEST_FILE).write_text(
        json.dumps(manifest(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (out_dir / SERVICE_WORKER_FILE).write_text(
        service_worker(shell_version(web_dir, assets_dir)), encoding="utf-8"
    )
    return [MANIFEST_FILE, SERVICE_WORKER_FILE]


class OwnOrigin:
    """ASGI wrapper around the Flet web app: answers the patched client files and the Rive stub itself,
    passes everything else (pages, assets, the WebSocket, lifespan) to Flet untouched."""

    def __init__(self, app: ASGIApp, web_dir: Path, work_dir: Path, assets_dir: Path = ASSETS):
        self.app = app
        self.served = set(prepare(web_dir, work_dir)) | set(
            prepare_installable(web_dir, assets_dir, work_dir)
        )
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
                if rel == MANIFEST_FILE:
                    headers["Content-Type"] = "application/manifest+json; charset=utf-8"
                elif rel == SERVICE_WORKER_FILE:
                    # The browser checks the worker for updates itself; a cached copy would delay a new
                    # shell by up to a day.
                    headers["Cache-Control"] = "no-cache"
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
