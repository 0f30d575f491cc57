"""Elderly-first (issue 12, item 11 and its "Elderly-first" paragraph): at the largest text size the bottom
bar does not wrap, tappable things are at least 48 dp, and a high-contrast theme that the device remembers."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft
import pytest

from client.router import TABS, Router
from client.state.app import TEXT_SCALES, AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from client.views import ui
from tests.client.fakes import FakeApi
from tests.client.pages import FakePage, walk

LARGEST = TEXT_SCALES[-1]
TAPPABLE = (ft.Button, ft.FilledButton, ft.FilledTonalButton, ft.OutlinedButton, ft.TextButton, ft.IconButton)


def _app(tmp_path, prefs: MemoryPrefs | None = None) -> AppState:
    app = AppState(
        ClientConfig(server_url="http://127.0.0.1:8080", data_root=tmp_path),
        prefs or MemoryPrefs(),
        api_factory=lambda url, **kw: FakeApi(url, **kw),
    )  # type: ignore[arg-type]
    app.after_login = None
    return app


async def _shown(tmp_path, route: str, scale: float = LARGEST, high_contrast: bool = False):
    from client.app import ROUTES

    app = _app(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.text_scale, app.high_contrast = scale, high_contrast
    page = FakePage()
    router = Router(page, app, ROUTES)  # type: ignore[arg-type]
    await router.show(route)
    for task in page.tasks:
        task.cancel()
    return app, router, page


def _too_small_or_fixed(roots: list[Any]) -> list[tuple[str, str, float]]:
    """Tappable controls set below 48 dp, and buttons held to a fixed height (which cuts their label off once
    the text grows: the theme sizes buttons instead)."""
    found = []
    for root in roots:
        for c in walk(root) if root is not None else ():
            if isinstance(c, TAPPABLE) and not isinstance(c, ft.IconButton) and c.height is not None:
                found.append((type(c).__name__, "fixed height", c.height))
            if not (isinstance(c, TAPPABLE) or getattr(c, "on_click", None) is not None):
                continue
            for side in ("height", "width"):
                size = getattr(c, side, None)
                if size is not None and size < ui.TOUCH_TARGET:
                    found.append((type(c).__name__, side, size))
    return found


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


async def test_the_bottom_bar_keeps_icons_and_names_but_drops_wrapping_labels_at_the_largest_size(tmp_path):
    _, _, page = await _shown(tmp_path, "/home", scale=LARGEST)
    nav = page.views[0].navigation_bar
    assert nav.label_behavior == ft.NavigationBarLabelBehavior.ALWAYS_HIDE  # "Thông báo" would wrap
    for dest, (_, icon, selected, label) in zip(nav.destinations, TABS, strict=True):
        assert (dest.icon, dest.selected_icon) == (icon, selected)  # the icons stay
        assert dest.label == label  # read out by screen readers
        assert dest.tooltip == label  # and shown on a long press
    _, _, page = await _shown(tmp_path, "/home", scale=TEXT_SCALES[0])
    assert page.views[0].navigation_bar.label_behavior == ft.NavigationBarLabelBehavior.ALWAYS_SHOW


def test_the_label_policy_hides_labels_at_every_size_above_the_one_they_fit():
    # At the default size the five labels fit 72 dp each (checked in Chromium at 360 dp wide).
    assert ui.nav_label_behavior(1.0) == ft.NavigationBarLabelBehavior.ALWAYS_SHOW
    for scale in TEXT_SCALES[1:]:
        assert ui.nav_label_behavior(scale) == ft.NavigationBarLabelBehavior.ALWAYS_HIDE


@pytest.mark.parametrize("high_contrast", [False, True])
def test_the_theme_gives_every_button_a_48_dp_target(high_contrast):
    theme = ui.app_theme(LARGEST, high_contrast)
    # Flutter's desktop-browser default (compact) would shrink buttons to 32-40 dp.
    assert theme.visual_density == ft.VisualDensity.STANDARD
    smallest_line = 14 * 1.43  # label_large at scale 1.0, Material's line height
    for button_theme in (
        theme.button_theme,
        theme.filled_button_theme,
        theme.outlined_button_theme,
        theme.text_button_theme,
    ):
        style = button_theme.style
        assert style.visual_density == ft.VisualDensity.STANDARD
        assert style.padding.top + style.padding.bottom + smallest_line >= ui.TOUCH_TARGET
    icon = theme.icon_button_theme.style
    assert icon.padding.top + icon.padding.bottom + 24 >= ui.TOUCH_TARGET


@pytest.mark.parametrize("route", ["/home", "/meetings", "/documents", "/inbox", "/profile"])
async def test_no_tappable_control_is_set_smaller_than_48_dp_at_the_largest_size(tmp_path, route):
    _, _, page = await _shown(tmp_path, route)
    view = page.views[0]
    too_small = _too_small_or_fixed(
        [*view.controls, view.appbar, view.navigation_bar, view.floating_action_button]
    )
    assert not too_small, too_small


async def test_the_sign_in_button_grows_with_the_text_instead_of_being_cut(tmp_path):
    from client.views import auth

    app = _app(tmp_path)
    app.text_scale = LARGEST
    page = FakePage()
    router = Router(page, app, [])  # type: ignore[arg-type]
    assert _too_small_or_fixed([auth.login(router.ctx).body]) == []


async def test_high_contrast_is_remembered_on_the_device_and_restyles_the_app(tmp_path):
    prefs = MemoryPrefs()
    app, router, page = await _shown(tmp_path, "/profile", scale=1.0)
    app.prefs = prefs
    before = ui.app_theme(1.0)
    assert before.color_scheme is None  # the seeded Party-red palette
    switch = next(c.content for c in walk(page.views[0].controls[0])
                  if isinstance(c, ft.Semantics) and c.identifier == "high-contrast")
    assert isinstance(switch, ft.Switch) and switch.value is False
    started = len(page.tasks)
    switch.value = True
    await switch.on_change(type("E", (), {"control": switch})())
    await asyncio.sleep(0)
    assert app.high_contrast is True
    assert prefs.values["high_contrast"] == "1"
    scheme = page.theme.color_scheme  # the router restyled the whole app
    assert scheme is not None and scheme.surface == "#FFFFFF" and scheme.on_surface == "#000000"
    await page.tasks[started]  # the router draws the screen again in the new theme
    for task in page.tasks[started + 1 :]:
        task.cancel()
    assert page.views[-1].bgcolor == "#FFFFFF"
    assert page.views[-1].navigation_bar.bgcolor == ui.HC_BAR  # the bar stands out from the white page
    shown = next(c.content for c in walk(page.views[-1].controls[0])
                 if isinstance(c, ft.Semantics) and c.identifier == "high-contrast")
    assert shown.value is True  # the redrawn screen shows the choice

    again = _app(tmp_path, prefs)  # the next start on this device
    await again.load_prefs()
    assert again.high_contrast is True
    await again.set_high_contrast(False)
    assert prefs.values["high_contrast"] == "0"


def test_the_high_contrast_palette_meets_wcag_aa_for_text():
    scheme = ui.app_theme(LARGEST, high_contrast=True).color_scheme
    assert scheme is not None
    pairs = [
        (scheme.on_surface, scheme.surface),
        (scheme.on_surface_variant, scheme.surface),
        (scheme.primary, scheme.surface),
        (scheme.on_primary, scheme.primary),
        (scheme.on_primary_container, scheme.primary_container),
        (scheme.on_secondary_container, scheme.secondary_container),
        (scheme.error, scheme.surface),
        (ui.HC_MUTED, ui.HC_BACKGROUND),
        (scheme.on_surface_variant, ui.HC_BAR),  # the bottom bar's icons and names
        ("#FFFFFF", ui.PRIMARY),  # the app bar's title
    ]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, contrast(fg, bg))
    assert contrast(ui.HC_BORDER, ui.HC_BACKGROUND) >= 3  # borders: WCAG's 3:1 for non-text
