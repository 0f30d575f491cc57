"""`python -m client --server URL [--port P]`: serve the app in web mode, wholly from this server (no CDN:
works offline and on closed networks)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import flet as ft
import uvicorn

from client.app import default_config, make_main
from client.web import own_origin

ASSETS = Path(__file__).parent / "assets"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m client", description="Ứng dụng Sổ tay đảng viên (web)")
    parser.add_argument(
        "--server",
        default=os.environ.get("SOTAY_SERVER_URL", ""),
        help="địa chỉ máy chủ API, ví dụ http://127.0.0.1:8080",
    )
    parser.add_argument("--port", type=int, default=8550)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", default=None, help="thư mục lưu dữ liệu ngoại tuyến của từng người dùng")
    parser.add_argument("--fixed-server", action="store_true", help="không cho người dùng đổi máy chủ")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = default_config()
    if args.server:
        config.server_url = args.server
    if args.data:
        config.data_root = Path(args.data)
    config.fixed_server = config.fixed_server or args.fixed_server
    app = ft.run(
        make_main(config),
        export_asgi_app=True,
        assets_dir=str(ASSETS),
        no_cdn=True,
        name="",
        # skwasm (the default) paints nothing in headless Chromium without a GPU; CanvasKit paints.
        web_renderer=ft.WebRenderer(os.environ.get("FLET_WEB_RENDERER", "canvaskit")),
    )
    # Served here rather than by ft.run's own server so the client can be patched on the way out: Flet's
    # prebuilt client would otherwise fetch a script from a CDN (see client/web.py).
    uvicorn.run(own_origin(app), host=args.host, port=args.port, ws="websockets-sansio", log_level="info")


if __name__ == "__main__":
    main()
