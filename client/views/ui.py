"""Building blocks every screen uses: scaled text, tagged controls, banners, empty and loading states."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from client.api import ApiError

PRIMARY = "#B71C1C"  # the Party red, used sparingly
ON_PRIMARY = "#FFFFFF"
GOLD = "#F9A825"
MUTED = "#5F6368"

# The high-contrast palette: black on white, a deep red that keeps the Party colour at about 11:1 on white
# (WCAG AA asks 4.5:1 for text), and borders strong enough to see in sunlight with weak eyes.
HC_PRIMARY = "#8E0000"
HC_MUTED = "#262626"
HC_BACKGROUND = "#FFFFFF"
HC_BORDER = "#000000"
HC_BAR = "#E6E6E6"

TOUCH_TARGET = 48  # dp: the least a finger, a shaky one too, should have to hit (Material, WCAG 2.5.5)


def tag(identifier: str, control: ft.Control, label: str | None = None) -> ft.Semantics:
    """A stable handle for tests and screen readers: [flt-semantics-identifier=...] in the browser."""
    wrapper = ft.Semantics(identifier=identifier, content=control, label=label)
    if getattr(control, "visible", True) is False:
        # Flutter refuses a Semantics around an invisible child: hide the wrapper instead.
        control.visible = True
        wrapper.visible = False
    return wrapper


MAX_FIELD_WIDTH = 336
"""A 360 dp phone's width less the screen's padding: no field is wider than the line it sits on."""
SIDE_BY_SIDE_MAX_SCALE = 1.0


@dataclass
class Ctx:
    """What a view needs: the page, the session state, navigation and the text scale."""

    page: ft.Page
    app: Any  # client.state.app.AppState
    go: Callable[[str], None]
    run: Callable[[Callable[[], Awaitable[Any]]], None]

    @property
    def scale(self) -> float:
        return float(getattr(self.app, "text_scale", 1.0) or 1.0)

    @property
    def high_contrast(self) -> bool:
        return bool(getattr(self.app, "high_contrast", False))

    def width(self, width: float) -> float:
        """A field's width grown with the text, up to a phone's whole line: at 200% a label written for 120
        dp would wrap letter by letter."""
        return min(round(width * self.scale), MAX_FIELD_WIDTH)

    def beside(self, main: ft.Control, *side: ft.Control) -> ft.Control:
        """A row's main text with small parts (a status chip, a choice) beside it, or under it once the text
        is large: side by side at 200% the main text is left a few letters a line."""
        if self.scale <= SIDE_BY_SIDE_MAX_SCALE:
            return ft.Row([ft.Container(main, expand=True), *side])
        return ft.Column([main, ft.Row(list(side), wrap=True)], spacing=4)

    def text(
        self,
        value: str,
        size: float = 15,
        weight: ft.FontWeight | None = None,
        color: str | None = None,
        **kw: Any,
    ) -> ft.Text:
        return ft.Text(value, size=round(size * self.scale, 1), weight=weight, color=color, **kw)

    def title(self, value: str, size: float = 20) -> ft.Text:
        return self.text(value, size=size, weight=ft.FontWeight.BOLD)

    def muted(self, value: str, size: float = 13) -> ft.Text:
        return self.text(value, size=size, color=HC_MUTED if self.high_contrast else MUTED)

    def toast(self, message: str, error: bool = False) -> None:
        self.page.show_dialog(
            ft.SnackBar(
                content=tag("toast", ft.Text(message, size=round(14 * self.scale, 1))),
                bgcolor="#B00020" if error else None,
                duration=4000,
            )
        )


# Material 3 sizes of the text styles Flet's own controls use (fields, buttons, list tiles, radios, tabs).
_M3_SIZES = {
    "body_large": 16,
    "body_medium": 14,
    "body_small": 12,
    "label_large": 14,
    "label_medium": 12,
    "label_small": 11,
    "title_medium": 16,
    "title_small": 14,
    "title_large": 22,
}


def _button_style(high_contrast: bool, outlined: bool = False) -> ft.ButtonStyle:
    # Flutter on a desktop browser picks the compact density and shrink-wrapped tap targets (32-40 dp high
    # buttons): the standard density and this padding keep every button at least TOUCH_TARGET high even at
    # the smallest text (a 20 dp label line + 2 x 14). 16 dp a side is narrower
    # than Material's 24, so rows of buttons still fit a 360 dp phone.
    return ft.ButtonStyle(
        padding=ft.Padding.symmetric(horizontal=16, vertical=14),
        visual_density=ft.VisualDensity.STANDARD,
        side=ft.BorderSide(2, HC_BORDER) if high_contrast and outlined else None,
    )


def _card_border(high_contrast: bool) -> ft.RoundedRectangleBorder | None:
    return ft.RoundedRectangleBorder(radius=12, side=ft.BorderSide(2, HC_BORDER)) if high_contrast else None


def app_theme(scale: float, high_contrast: bool = False) -> ft.Theme:
    """The app's theme at a text scale: larger text reaches fields and buttons too, not only our Text.
    High contrast swaps the seeded palette for black on white with strong borders."""
    styles = {name: ft.TextStyle(size=round(size * scale, 1)) for name, size in _M3_SIZES.items()}
    scheme = None
    if high_contrast:
        scheme = ft.ColorScheme(
            primary=HC_PRIMARY,
            on_primary="#FFFFFF",
            primary_container="#FFE3E3",
            on_primary_container="#000000",
            secondary="#000000",
            on_secondary="#FFFFFF",
            secondary_container="#FFE3E3",  # the selected tab's pill
            on_secondary_container="#000000",
            surface=HC_BACKGROUND,
            on_surface="#000000",
            on_surface_variant=HC_MUTED,  # field labels, hints, unselected tabs
            surface_container_lowest=HC_BACKGROUND,
            surface_container_low=HC_BACKGROUND,  # cards
            surface_container=HC_BACKGROUND,  # the bottom bar
            surface_container_high=HC_BACKGROUND,
            surface_container_highest=HC_BACKGROUND,  # filled fields
            outline=HC_BORDER,
            outline_variant=HC_BORDER,
            error="#B00020",
            on_error="#FFFFFF",
        )
    return ft.Theme(
        color_scheme_seed=HC_PRIMARY if high_contrast else PRIMARY,
        color_scheme=scheme,
        text_theme=ft.TextTheme(**styles),
        visual_density=ft.VisualDensity.STANDARD,
        button_theme=ft.ButtonTheme(style=_button_style(high_contrast)),
        filled_button_theme=ft.FilledButtonTheme(style=_button_style(high_contrast)),
        outlined_button_theme=ft.OutlinedButtonTheme(style=_button_style(high_contrast, outlined=True)),
        text_button_theme=ft.TextButtonTheme(style=_button_style(high_contrast)),
        # 24 dp icon + 2 x 12: the 48 dp a finger needs (the browser default is 40).
        icon_button_theme=ft.IconButtonTheme(
            style=ft.ButtonStyle(padding=ft.Padding.all(12), visual_density=ft.VisualDensity.STANDARD)
        ),
        card_theme=ft.CardTheme(shape=_card_border(high_contrast)),
        divider_color=HC_BORDER if high_contrast else None,
    )


NAV_LABEL_MAX_SCALE = 1.0
"""Above this text scale the bottom bar's five labels ("Thông báo" is the longest) no longer fit a 360 dp
phone's 72 dp per tab and wrap: the bar then shows icons only. Each tab keeps its label for screen readers
and as a tooltip on long press."""


def nav_label_behavior(scale: float) -> ft.NavigationBarLabelBehavior:
    if scale <= NAV_LABEL_MAX_SCALE:
        return ft.NavigationBarLabelBehavior.ALWAYS_SHOW
    return ft.NavigationBarLabelBehavior.ALWAYS_HIDE


def nav_bgcolor(ctx: Ctx) -> str | None:
    # On the all-white high-contrast page the bar needs a tone of its own to be seen as a bar (a border is
    # drawn only by the Cupertino bar); black icons keep 17:1 on it.
    return HC_BAR if ctx.high_contrast else None


def page_bgcolor(ctx: Ctx) -> str:
    return HC_BACKGROUND if ctx.high_contrast else "#FAFAFA"


def loading(ctx: Ctx, message: str = "Đang tải...") -> ft.Control:
    return tag(
        "loading",
        ft.Row(
            [ft.ProgressRing(width=20, height=20, stroke_width=2), ctx.muted(message)],
            alignment=ft.MainAxisAlignment.CENTER,
        ),
    )


def empty(ctx: Ctx, message: str, icon: Any = ft.Icons.INBOX_OUTLINED) -> ft.Control:
    return tag(
        "empty",
        ft.Container(
            ft.Column(
                [ft.Icon(icon, size=40, color=MUTED), ctx.muted(message, 15)],
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            padding=ft.Padding.symmetric(vertical=32),
            alignment=ft.Alignment.CENTER,
        ),
    )


def offline_banner(ctx: Ctx) -> ft.Control:
    app = ctx.app
    pending = app.pending_actions if app.signed_in else 0
    msg = "Đang ngoại tuyến — hiển thị dữ liệu đã lưu."
    if pending:
        msg += f" {pending} thao tác chờ gửi."
    return tag(
        "offline-banner",
        ft.Container(
            ft.Row(
                [ft.Icon(ft.Icons.CLOUD_OFF, color="#5D4037", size=18), ctx.text(msg, 13, color="#5D4037")],
                wrap=True,
            ),
            bgcolor="#FFF3E0",
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            visible=app.signed_in and not app.online,  # signed out, there is nothing to be offline from
        ),
    )


def pending_banner(ctx: Ctx) -> ft.Control:
    app = ctx.app
    failed = app.store.outbox("failed") if app.signed_in else []
    pending = app.pending_actions if app.signed_in else 0
    rows: list[ft.Control] = []
    if pending and app.online:
        rows.append(ctx.text(f"{pending} thao tác đang chờ gửi lên máy chủ.", 13, color="#5D4037"))
    for item in failed[-3:]:
        rows.append(ctx.text(f"Không gửi được: {item.error_message}", 13, color="#B00020"))
    if failed:
        rows.append(
            tag("dismiss-failed", ft.TextButton("Đã hiểu", on_click=lambda e: ctx.app.dismiss_failed()))
        )
    return tag(
        "pending-banner",
        ft.Container(
            ft.Column(rows, spacing=2),
            bgcolor="#FFF8E1",
            padding=ft.Padding.symmetric(horizontal=12, vertical=6),
            visible=bool(rows),
        ),
    )


def card(content: ft.Control, on_click: Any = None, identifier: str | None = None) -> ft.Control:
    c = ft.Card(ft.Container(content, padding=14, on_click=on_click, ink=on_click is not None), margin=0)
    return tag(identifier, c) if identifier else c


def _button(label: str, icon: Any, on_click: Any, primary: bool, kind: Any = ft.OutlinedButton) -> ft.Control:
    if primary:  # the screen's main action, filled in the Party red
        style = ft.ButtonStyle(bgcolor=PRIMARY, color=ON_PRIMARY)
        return ft.FilledButton(label, icon=icon, on_click=on_click, style=style)
    return kind(label, icon=icon, on_click=on_click)


def nav_button(
    ctx: Ctx, identifier: str, label: str, icon: Any, route: str, *, primary: bool = False,
    kind: Any = ft.OutlinedButton,
) -> ft.Control:
    """A tagged button that opens another screen."""
    return tag(identifier, _button(label, icon, lambda e: ctx.go(route), primary, kind))


def action_button(
    ctx: Ctx,
    identifier: str,
    label: str,
    icon: Any,
    action: Callable[[], Awaitable[Any]],
    *,
    primary: bool = False,
    kind: Any = ft.OutlinedButton,
) -> ft.Control:
    """A tagged button that runs `action` through ctx.run (a failure is said on screen, never raised)."""
    return tag(identifier, _button(label, icon, lambda e: ctx.run(action), primary, kind))


async def save_export(
    ctx: Ctx, saver: ft.FilePicker, export: Callable[[], Awaitable[tuple[str, bytes]]]
) -> None:
    """Save what an export call answers (name, bytes) as a file, a download in the browser; a refusal is
    said in the server's words."""
    try:
        name, data = await export()
    except ApiError as exc:
        ctx.toast(exc.message, error=True)
        return
    await saver.save_file(file_name=name, src_bytes=data)


def confirm(ctx: Ctx, title: str, body: str, *, cancel: tuple[str, str], accept: tuple[str, str, Any],
            then: Callable[[], Any]) -> None:
    """Ask before an act that cannot be taken back: `cancel` (identifier, label) closes the dialog,
    `accept` (identifier, label, icon) closes it and calls `then`."""

    def close(accepted: bool) -> None:
        ctx.page.pop_dialog()
        if accepted:
            then()

    ctx.page.show_dialog(ft.AlertDialog(
        modal=True,
        title=ctx.text(title, 17, weight=ft.FontWeight.BOLD),
        content=ctx.text(body, 15),
        actions=[
            tag(cancel[0], ft.TextButton(cancel[1], on_click=lambda e: close(False))),
            tag(accept[0], ft.FilledButton(accept[1], icon=accept[2], on_click=lambda e: close(True),
                                           style=ft.ButtonStyle(bgcolor=PRIMARY, color=ON_PRIMARY))),
        ],
    ))


def form_done(ctx: Ctx, outcome: Any, error: ft.Text, then: str) -> None:
    """A form's answer (an Outcome): a refusal stays under the form; success is a toast, then `then`."""
    if not outcome.ok:
        error.value = outcome.message
        ctx.page.update()
        return
    ctx.toast(outcome.message)
    ctx.go(then)


def keeper() -> Callable[[object, Callable[[], ft.Control]], ft.Control]:
    """`keep(key, build)`: the same control on every redraw while `key` holds. Flutter then keeps its node, so
    a tap landing while the screen is redrawn (its load, a sync) still reaches the button (as on the home)."""
    kept: dict[object, ft.Control] = {}

    def keep(key: object, build: Callable[[], ft.Control]) -> ft.Control:
        if key not in kept:
            kept[key] = build()
        return kept[key]

    return keep


def text_field(label: str, value: str = "", width: int | None = None, **kw: Any) -> ft.TextField:
    return ft.TextField(label=label, value=value, width=width, **kw)


def section(ctx: Ctx, title: str, action: ft.Control | None = None) -> ft.Control:
    items: list[ft.Control] = [ctx.text(title, 16, weight=ft.FontWeight.BOLD, expand=True)]
    if action is not None:
        items.append(action)
    return ft.Row(items, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def chip(ctx: Ctx, label: str, color: str = "#E8EAF6", fg: str = "#1A237E") -> ft.Control:
    return ft.Container(
        ctx.text(label, 12, color=fg),
        bgcolor=color,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
    )


STATUS_COLORS = {
    "present": ("#E8F5E9", "#1B5E20"),
    "late": ("#FFF8E1", "#E65100"),
    "excused": ("#E3F2FD", "#0D47A1"),
    "absent": ("#FFEBEE", "#B71C1C"),
    "pending": ("#FFF3E0", "#E65100"),  # a check-in saved offline
}
