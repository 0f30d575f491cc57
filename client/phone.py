"""Entry point on a phone (`flet build apk|ipa`): the app's Python runs on the device, data in its storage."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# `flet build` packages the project directory; make `client` and `shared` importable from it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flet as ft  # noqa: E402

from client.app import default_config, make_main  # noqa: E402


def run() -> None:
    config = default_config()
    config.device_name = os.environ.get("SOTAY_DEVICE_NAME", "Điện thoại")
    ft.run(make_main(config), assets_dir=str(Path(__file__).parent / "assets"))


if __name__ == "__main__":
    run()
