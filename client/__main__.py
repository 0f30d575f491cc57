"""`python -m client --server URL [--port P]`: serve the app in web mode (no CDN: works offline)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import flet as ft

from client.app import default_config, make_main

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
    os.environ.setdefault("FLET_FORCE_WEB_SERVER", "1")  # headless hosts: serve, do not try a desktop window
    ft.run(
        make_main(config),
        view=ft.AppView.WEB_BROWSER,
        host=args.host,
        port=args.port,
        assets_dir=str(ASSETS),
        no_cdn=True,
        name="",
        # skwasm (the default) paints nothing in headless Chromium without a GPU; CanvasKit paints.
        web_renderer=ft.WebRenderer(os.environ.get("FLET_WEB_RENDERER", "canvaskit")),
    )


if __name__ == "__main__":
    main()
