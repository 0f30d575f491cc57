"""Secretary screens: the cell's meetings and statistics, planning, running a meeting (its check-in,
attendance and minutes screens are in secretary_meeting)."""

from __future__ import annotations

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.agenda import AgendaEditor
from client.state.meetings import MeetingsState
from client.state.secretary import SecretaryState
from client.views.agenda import agenda_editor, agenda_unread
from client.views.ui import MAX_FIELD_WIDTH, PRIMARY, Ctx, card, chip, empty, nav_button, section, tag

PICKER_FIELD = MAX_FIELD_WIDTH - 56
"""A date or time field with its picker button on one phone line."""


def secretary_home(ctx: Ctx) -> Screen:
    meetings, sec = MeetingsState(ctx.app, cells=ctx.app.led_cell_ids), SecretaryState(ctx.app)
    col = ft.Column(spacing=10)

    # Built once: the same buttons on every redraw, so a tap landing while the screen is redrawn (its
    # load, a sync) still reaches the button Flutter keeps (as on the home).
    buttons = ft.Row(
        [
            nav_button(ctx, "plan-meeting", "Lên lịch sinh hoạt", ft.Icons.ADD, "/secretary/new",
                       primary=True),
            nav_button(ctx, "open-cell-year", "Đăng ký làm theo", ft.Icons.FLAG_OUTLINED, "/secretary/year"),
            nav_button(ctx, "open-cell-study", "Học tập của chi bộ", ft.Icons.QUIZ, "/secretary/study"),
            nav_button(ctx, "open-cell-reviews", "Kiểm điểm cuối năm", ft.Icons.ASSIGNMENT_OUTLINED,
                       "/secretary/reviews"),
        ],
        wrap=True,
    )

    def redraw() -> None:
        col.controls = [buttons]
        col.controls.append(section(ctx, "Buổi sinh hoạt"))
        items = meetings.upcoming() + meetings.past()[:6]
        for m in items:
            col.controls.append(
                card(
                    ctx.beside(
                        ft.Column(
                            [
                                ctx.text(m.get("title", ""), 15, weight=ft.FontWeight.W_600),
                                ctx.muted(fmt.weekday_when(m.get("starts_at"))),
                            ],
                            spacing=2,
                        ),
                        chip(ctx, fmt.MEETING_STATUS.get(m.get("status", ""), "")),
                    ),
                    on_click=lambda e, i=m["id"]: ctx.go(meeting_route(i)),
                    identifier=f"sec-meeting-{m['id']}",
                )
            )
        if not items:
            col.controls.append(empty(ctx, "Chưa có buổi sinh hoạt."))
        s = sec.stats
        if s:
            col.controls += [
                section(ctx, f"Thống kê năm {s.get('year')}"),
                card(
                    ft.Column(
                        [
                            ctx.text(
                                f"Tỷ lệ dự sinh hoạt: {fmt.percent(s.get('rate'))} (yêu cầu từ 85%)",
                                15,
                                color="#1B5E20" if s.get("meets_target") else "#B71C1C",
                            ),
                            ctx.text(
                                f"Đã họp {s.get('meetings_closed', 0)} buổi; vắng không lý do "
                                f"{s.get('absent_without_reason', 0)} lượt",
                                14,
                            ),
                            ctx.text(
                                "Tháng này đã sinh hoạt thường kỳ"
                                if s.get("current_month_held")
                                else "Tháng này CHƯA sinh hoạt thường kỳ",
                                14,
                            ),
                            *[
                                ctx.text(
                                    f"⚠ {m['full_name']}: vắng {m['current_consecutive_absences']} lần liền",
                                    14,
                                    color="#B71C1C",
                                )
                                for m in s.get("members", [])
                                if m.get("flagged")
                            ],
                        ],
                        spacing=4,
                    ),
                    identifier="cell-stats",
                ),
            ]

    async def load() -> None:
        await meetings.refresh()
        await sec.load_stats()
        redraw()

    redraw()
    return Screen(title="Công tác chi bộ", body=col, load=load, redraw=redraw, back="/home")


def plan_meeting(ctx: Ctx) -> Screen:
    sec = SecretaryState(ctx.app)
    title = ft.TextField(label="Tiêu đề", value="Sinh hoạt chi bộ thường kỳ")
    kind = ft.Dropdown(
        label="Loại", value="regular", options=[ft.dropdown.Option(k, v) for k, v in fmt.MEETING_KIND.items()]
    )
    # Typing stays possible (keyboard users, the elderly who know the date); the buttons open the pickers,
    # and either way the text ends up in these two fields, which are what gets submitted.
    day = ft.TextField(label="Ngày họp", helper="dd/mm/yyyy", width=min(ctx.width(170), PICKER_FIELD))
    time = ft.TextField(label="Giờ", helper="HH:MM", value="19:30", width=min(ctx.width(120), PICKER_FIELD))

    def day_picked(e: object) -> None:
        text = sec.day_text_from_picker(day_picker.value)
        if text is not None:
            day.value = text
            ctx.page.update()

    def time_picked(e: object) -> None:
        text = sec.time_text_from_picker(time_picker.value)
        if text is not None:
            time.value = text
            ctx.page.update()

    day_picker = ft.DatePicker(
        locale=ft.Locale("vi", "VN"),
        help_text="Chọn ngày sinh hoạt",
        cancel_text="Hủy",
        confirm_text="Chọn",
        field_label_text="Ngày (dd/mm/yyyy)",
        field_hint_text="dd/mm/yyyy",
        error_format_text="Ngày phải có dạng dd/mm/yyyy.",
        error_invalid_text="Không chọn được ngày đã qua.",
        on_change=day_picked,
    )
    time_picker = ft.TimePicker(
        locale=ft.Locale("vi", "VN"),
        hour_format=ft.TimePickerHourFormat.H24,
        help_text="Chọn giờ bắt đầu",
        hour_label_text="Giờ",
        minute_label_text="Phút",
        cancel_text="Hủy",
        confirm_text="Chọn",
        error_invalid_text="Giờ không hợp lệ.",
        on_change=time_picked,
    )

    def open_day_picker(e: object) -> None:
        # Bounds are read at each opening, so a form left open past midnight still refuses yesterday.
        first = sec.first_pickable_day()
        day_picker.first_date = first
        day_picker.current_date = first
        day_picker.value = sec.picker_day(day.value or "")
        ctx.page.show_dialog(day_picker)

    def open_time_picker(e: object) -> None:
        time_picker.value = sec.picker_time(time.value or "")
        ctx.page.show_dialog(time_picker)

    location = ft.TextField(label="Địa điểm", value="Hội trường")
    editor = AgendaEditor(ctx.app)
    agenda = agenda_editor(ctx, editor, lambda: sec.cell_id)
    error = ctx.text("", 14, color="#B00020")

    async def save() -> None:
        outcome = await sec.create_meeting(
            title.value or "",
            kind.value or "regular",
            day.value or "",
            time.value or "",
            location.value or "",
            editor.payload(),
        )
        if not outcome.ok:
            error.value = outcome.message
            ctx.page.update()
            return
        ctx.toast(outcome.message)
        ctx.go("/secretary")

    body = ft.Column(
        [
            tag("meeting-title", title),
            tag("meeting-kind", kind),
            # each field keeps its picker beside it when the row wraps (at large text sizes)
            ft.Row(
                [
                    ft.Row(
                        [
                            tag("meeting-day", day),
                            tag(
                                "meeting-day-pick",
                                ft.IconButton(
                                    ft.Icons.CALENDAR_MONTH, tooltip="Chọn ngày", on_click=open_day_picker
                                ),
                            ),
                        ],
                        tight=True,
                    ),
                    ft.Row(
                        [
                            tag("meeting-time", time),
                            tag(
                                "meeting-time-pick",
                                ft.IconButton(
                                    ft.Icons.ACCESS_TIME, tooltip="Chọn giờ", on_click=open_time_picker
                                ),
                            ),
                        ],
                        tight=True,
                    ),
                ],
                wrap=True,
            ),
            tag("meeting-location", location),
            section(ctx, "Chương trình sinh hoạt"),
            agenda,
            tag("meeting-error", error),
            tag(
                "meeting-save",
                ft.FilledButton(
                    "Lên lịch",
                    icon=ft.Icons.SAVE,
                    on_click=lambda e: ctx.run(save),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                ),
            ),
        ],
        spacing=12,
    )
    return Screen(title="Lên lịch sinh hoạt", body=body, back="/secretary")


# A meeting the secretary runs is several screens, each at its own address, so that the address always says
# which screen is shown and a reload or a shared link opens that same screen.
MEETING_SCREENS = ("check-in", "attendance", "minutes", "agenda")


def meeting_route(meeting_id: int | str, screen: str = "") -> str:
    """The address of a meeting's screen: "" is the meeting itself, else one of MEETING_SCREENS."""
    base = f"/secretary/meetings/{meeting_id}"
    return f"{base}/{screen}" if screen else base


def _header(ctx: Ctx, meetings: MeetingsState, mid: int, box: ft.Column) -> None:
    m = meetings.get(mid) or {}
    box.controls = [
        ctx.title(m.get("title", "Buổi sinh hoạt"), 18),
        ctx.muted(fmt.weekday_when(m.get("starts_at"))),
        chip(ctx, fmt.MEETING_STATUS.get(m.get("status", ""), "")),
    ]


def run_meeting(ctx: Ctx, meeting_id: str) -> Screen:
    """The meeting: where its screens are reached from, who has not read its documents, closing it."""
    mid = int(meeting_id)
    sec, meetings = SecretaryState(ctx.app), MeetingsState(ctx.app)
    header = ft.Column(spacing=4)
    unread_box = ft.Column(spacing=4)

    def draw_unread() -> None:
        if sec.agenda:  # per item, with its reminder
            unread_box.controls = agenda_unread(ctx, sec, mid, after_remind)
            if unread_box.controls:
                return
        store = ctx.app.store
        rows: list[ft.Control] = []
        for doc_id, names in sec.unread.items():
            doc = (store.get("document", doc_id) if store else None) or {}
            title = doc.get("title") or f"Tài liệu số {doc_id}"
            read, members = sec.read_rates.get(doc_id, (0, 0))
            if not members:
                said = "không gửi tới đảng viên nào của chi bộ"
            else:
                who = f"chưa đọc: {', '.join(names)}" if names else "mọi người đã đọc"
                said = f"đã đọc {read}/{members}; {who}"
            rows.append(ctx.text(f"{title}: {said}", 14))
        unread_box.controls = rows or [ctx.muted("Chương trình không kèm tài liệu.")]

    def after_remind() -> None:
        draw_unread()  # the item's button now says it was sent
        ctx.page.update()

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        draw_unread()

    def goes_to(identifier: str, label: str, icon: ft.IconData, screen: str) -> ft.Control:
        return tag(
            identifier,
            # Sized by the theme (at least 48 dp, taller with larger text), never cut to a fixed height.
            ft.FilledTonalButton(label, icon=icon, on_click=lambda e: ctx.go(meeting_route(mid, screen))),
        )

    async def close() -> None:
        outcome = await sec.close_meeting(mid)
        ctx.toast(outcome.message, error=not outcome.ok)
        await load()
        ctx.page.update()

    async def load() -> None:
        await meetings.load_detail(mid)
        await sec.load_agenda(meetings.get(mid) or {})
        redraw()

    ticks = [0]

    async def tick() -> None:
        # Who has read the agenda documents changes as members open them before the meeting; a first
        # load that found nothing (meeting not yet in the local copy, a failed call) is retried at once.
        ticks[0] += 1
        if (ticks[0] <= 5 and not sec.unread) or ticks[0] % 5 == 0:
            before = (sec.unread, sec.agenda)
            await meetings.load_detail(mid)
            await sec.load_agenda(meetings.get(mid) or {})
            if (sec.unread, sec.agenda) != before:
                draw_unread()

    redraw()
    body = ft.Column(
        [
            header,
            goes_to("sec-checkin", "Mã điểm danh", ft.Icons.QR_CODE, "check-in"),
            goes_to("sec-attendance", "Điểm danh và đơn xin vắng", ft.Icons.HOW_TO_REG, "attendance"),
            goes_to("sec-minutes", "Biên bản và biểu quyết", ft.Icons.DESCRIPTION, "minutes"),
            goes_to("sec-agenda", "Sửa chương trình", ft.Icons.EDIT_NOTE, "agenda"),  # views/agenda.py
            section(ctx, "Tài liệu sinh hoạt: ai chưa đọc"),
            tag("unread-docs", unread_box),
            ft.Divider(),
            tag(
                "close-meeting",
                ft.OutlinedButton(
                    "Kết thúc buổi sinh hoạt",
                    icon=ft.Icons.STOP_CIRCLE_OUTLINED,
                    on_click=lambda e: ctx.run(close),
                ),
            ),
        ],
        spacing=10,
    )
    return Screen(
        title="Điều hành sinh hoạt", body=body, load=load, redraw=redraw, back="/secretary", timers=[tick]
    )
