"""Regenerate the web app's install icons in client/assets/icons/ from client/assets/icon.png.

Run after changing the icon: `.venv/bin/python scripts/make_web_icons.py`. The PNGs are committed so the
web client needs no image library at run time (Pillow comes with the server's PDF dependency, not with the
phone's). Flet serves client/assets before its own web files, so these replace Flet's icons of the same
names, which the installed app would otherwise show.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ASSETS = Path(__file__).resolve().parents[1] / "client" / "assets"
RED = (0xB7, 0x1C, 0x1C, 255)  # the icon's own background (icon.svg), = client.views.ui.PRIMARY
# A maskable icon may be cut to any shape inside the central circle of 80% of its width: keep the drawing
# inside it, on a background that fills the whole square.
SAFE_ZONE = 0.8


def plain(src: Image.Image, size: int) -> Image.Image:
    return src.resize((size, size), Image.Resampling.LANCZOS)


def full_bleed(src: Image.Image, size: int) -> Image.Image:
    """The icon on a square of its own red, shrunk into the safe zone: for launchers that cut their own
    shape (maskable) and for iOS, which rounds the corners itself and shows transparency as black."""
    out = Image.new("RGBA", (size, size), RED)
    inner = round(size * SAFE_ZONE)
    art = src.resize((inner, inner), Image.Resampling.LANCZOS)
    out.alpha_composite(art, ((size - inner) // 2, (size - inner) // 2))
    return out.convert("RGB")


def main() -> None:
    src = Image.open(ASSETS / "icon.png").convert("RGBA")
    out = ASSETS / "icons"
    out.mkdir(exist_ok=True)
    for size in (192, 512):
        plain(src, size).save(out / f"icon-{size}.png", optimize=True)
        full_bleed(src, size).save(out / f"icon-maskable-{size}.png", optimize=True)
    full_bleed(src, 192).save(out / "apple-touch-icon-192.png", optimize=True)
    # The splash while the client loads: Flet's is its own logo, which an installed app must not show.
    plain(src, 512).save(out / "loading-animation.png", optimize=True)


if __name__ == "__main__":
    main()
