"""Secretary screens: the cell's meetings and statistics, planning, running a meeting (check-in, attendance,
absence requests, minutes and votes)."""

from __future__ import annotations

import flet as ft

from client import format as fmt
from client.api import ApiError
from client.router import Screen
from client.state.agenda import AgendaEditor
from client.state.meetings import MeetingsState
from client.state.secretary import ATTENDANCE_CHOICES, SecretaryState, attendance_label
from client.views.agenda import agenda_editor, agenda_unread
from client.views.ui import MAX_FIELD_WIDTH, PRIMARY, STATUS_COLORS, Ctx, card, chip, empty, section, tag

PICKER_FIELD = MAX_FIELD_WIDTH - 56
"""A date or time field with its picker button on one phone line."""


def secretary_home(ctx: Ctx) -> Screen:
    meetings, sec = MeetingsState(ctx.app, cells=ctx.app.led_cell_ids), SecretaryState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        col.controls = [
            ft.Row(
                [
                    tag(
                        "plan-meeting",
                        ft.FilledButton(
                            "Lên lịch sinh hoạt",
                            icon=ft.Icons.ADD,
                            on_click=lambda e: ctx.go("/secretary/new"),
                            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                        ),
                    ),
                    tag(
                        "open-cell-year",
                        ft.OutlinedButton(
                            "Đăng ký làm theo",
                            icon=ft.Icons.FLAG_OUTLINED,
                            on_click=lambda e: ctx.go("/secretary/year"),
                        ),
                    ),
                ],
                wrap=True,
            )
        ]
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


def meeting_checkin(ctx: Ctx, meeting_id: str) -> Screen:
    """The rotating check-in code, large, with its QR: the screen shown to the room."""
    mid = int(meeting_id)
    sec, meetings = SecretaryState(ctx.app), MeetingsState(ctx.app)
    header = ft.Column(spacing=4)
    code_box = ft.Column(horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=6)

    def draw_code() -> None:
        c = sec.code
        if not c:
            code_box.controls = [
                tag(
                    "open-checkin",
                    ft.FilledButton(
                        "Mở điểm danh",
                        icon=ft.Icons.QR_CODE,
                        on_click=lambda e: ctx.run(open_checkin),
                        style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                    ),
                )
            ]
            return
        code_box.controls = [
            ctx.muted("Mã điểm danh — đảng viên nhập mã này vào ứng dụng"),
            tag(
                "checkin-code-display",
                ft.Text(
                    " ".join(c["code"][i : i + 3] for i in (0, 3)),
                    size=64,
                    weight=ft.FontWeight.BOLD,
                    color=PRIMARY,
                    font_family="monospace",
                ),
                label=c["code"],
            ),
            ctx.muted(f"Đổi mã lúc {fmt.when(c.get('expires_at'))[:5]}"),
        ]
        if sec.qr_png:
            code_box.controls.append(tag("checkin-qr", ft.Image(src=sec.qr_png, width=220, height=220)))

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        draw_code()

    async def open_checkin() -> None:
        outcome = await sec.open_check_in(mid)
        if not outcome.ok:
            ctx.toast(outcome.message, error=True)
        redraw()
        ctx.page.update()

    async def load() -> None:
        await meetings.load_detail(mid)
        if (meetings.get(mid) or {}).get("checkin_open") and not sec.code:
            await sec.refresh_code(mid)  # opened before (another device, a reload): show the code at once
        redraw()

    async def tick() -> None:
        if sec.code:
            before = sec.code.get("code")
            await sec.refresh_code(mid)
            if sec.code and sec.code.get("code") != before:
                draw_code()

    redraw()
    body = ft.Column(
        [header, card(ft.Container(code_box, alignment=ft.Alignment.CENTER), identifier="checkin-panel")],
        spacing=10,
    )
    return Screen(
        title="Mã điểm danh", body=body, load=load, redraw=redraw, back=meeting_route(mid), timers=[tick]
    )


def meeting_attendance(ctx: Ctx, meeting_id: str) -> Screen:
    """Who came: the live list, one explicit choice per member with undo, absence requests, the export."""
    mid = int(meeting_id)
    sec, meetings = SecretaryState(ctx.app), MeetingsState(ctx.app)
    header = ft.Column(spacing=4)
    attendance = ft.Column(spacing=4)
    requests = ft.Column(spacing=4)
    saver = ft.FilePicker()

    def draw_attendance() -> None:
        sheet = sec.sheet
        if not sheet:
            attendance.controls = [ctx.muted(sec.error or "Đang tải danh sách...")]
            return
        counts = sheet.get("counts", {})
        attendance.controls = [
            tag(
                "attendance-counts",
                ctx.text(
                    f"Có mặt {counts.get('present', 0)} · Muộn {counts.get('late', 0)} · Vắng có lý do "
                    f"{counts.get('excused', 0)} · Vắng {counts.get('absent', 0)} · "
                    f"Chưa ghi {counts.get('unrecorded', 0)}"
                    f" — tỷ lệ {fmt.percent(counts.get('rate'))}",
                    14,
                    weight=ft.FontWeight.W_600,
                ),
            )
        ]
        for row in sheet.get("items", []):
            status = row.get("status")
            bg, fg = STATUS_COLORS.get(status or "", ("#F5F5F5", "#616161"))
            attendance.controls.append(
                tag(
                    f"attendance-{row['member_id']}",
                    ft.Container(
                        ctx.beside(
                            ctx.text(row.get("full_name", ""), 15),
                            chip(ctx, attendance_label(status), bg, fg),
                            ft.Icon(ft.Icons.ARROW_DROP_DOWN, color="#616161"),
                        ),
                        padding=10,
                        border_radius=8,
                        bgcolor="#FFFFFF",
                        ink=True,
                        # A tap only opens the choice: a stray tap must not change anyone's record.
                        on_click=lambda e, r=row: choose_for(r),
                    ),
                )
            )

    def choose_for(row: dict) -> None:
        """The four statuses as a list to pick from, the recorded one marked; nothing is saved until one
        is picked."""
        current = row.get("status")
        sheet = ft.BottomSheet(content=ft.Container())

        def pick(status: str) -> None:
            sheet.open = False
            ctx.page.update()
            ctx.run(lambda: choose(row["member_id"], status))

        options: list[ft.Control] = [
            tag(
                f"attendance-choice-{status}",
                ft.ListTile(
                    leading=ft.Icon(
                        ft.Icons.RADIO_BUTTON_CHECKED
                        if status == current
                        else ft.Icons.RADIO_BUTTON_UNCHECKED,
                        color=STATUS_COLORS[status][1],
                    ),
                    title=ctx.text(attendance_label(status), 16),
                    selected=status == current,
                    min_height=56,
                    on_click=lambda e, s=status: pick(s),
                ),
            )
            for status in ATTENDANCE_CHOICES
        ]

        def cancel(e: object) -> None:
            sheet.open = False
            ctx.page.update()

        sheet.content = tag(
            "attendance-choices",
            ft.Container(
                ft.Column(
                    [
                        ctx.title(f"Điểm danh: {row.get('full_name', '')}", 18),
                        ctx.muted(f"Hiện tại: {attendance_label(current)}"),
                        *options,
                        ft.Row(
                            [
                                tag(
                                    "attendance-choice-cancel",
                                    ft.TextButton("Đóng", on_click=cancel),
                                )
                            ],
                            alignment=ft.MainAxisAlignment.END,
                        ),
                    ],
                    spacing=4,
                    tight=True,
                ),
                padding=16,
            ),
        )
        ctx.page.show_dialog(sheet)

    def draw_requests() -> None:
        requests.controls = [
            card(
                ft.Column(
                    [
                        ctx.text(f"{r.get('full_name')}: {r.get('reason')}", 14),
                        ft.Row(
                            [
                                chip(ctx, fmt.ABSENCE.get(r.get("status", ""), "")),
                                *(
                                    [
                                        ft.TextButton(
                                            "Chấp thuận",
                                            on_click=lambda e, i=r["id"]: ctx.run(lambda: decide(i, True)),
                                        ),
                                        ft.TextButton(
                                            "Từ chối",
                                            on_click=lambda e, i=r["id"]: ctx.run(lambda: decide(i, False)),
                                        ),
                                    ]
                                    if r.get("status") == "pending"
                                    else []
                                ),
                            ]
                        ),
                    ]
                ),
                identifier=f"absence-{r['id']}",
            )
            for r in sec.requests
        ] or [ctx.muted("Không có đơn xin vắng.")]

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        draw_attendance()
        draw_requests()

    def undo_bar(message: str) -> ft.SnackBar:
        # Long enough for an elderly secretary to read it and reach "Hoàn tác".
        return ft.SnackBar(
            content=tag("toast", ft.Text(message, size=round(14 * ctx.scale, 1))),
            action="Hoàn tác",
            on_action=lambda e: ctx.run(undo),
            duration=8000,
        )

    async def choose(member_id: int, status: str) -> None:
        changed = sec.last_change
        outcome = await sec.set_status(mid, member_id, status)
        draw_attendance()
        if not outcome.ok:
            ctx.toast(outcome.message, error=True)
        elif sec.last_change is not changed:  # something was written: offer to take it back
            ctx.page.show_dialog(undo_bar(outcome.message))
        else:
            ctx.toast(outcome.message)
        ctx.page.update()

    async def undo() -> None:
        outcome = await sec.undo(mid)
        draw_attendance()
        ctx.toast(outcome.message, error=not outcome.ok)
        ctx.page.update()

    async def decide(request_id: int, approve: bool) -> None:
        outcome = await sec.decide(mid, request_id, approve)
        ctx.toast(outcome.message, error=not outcome.ok)
        await sec.load_attendance(mid)
        redraw()
        ctx.page.update()

    async def export() -> None:
        try:
            name, data = await sec.export_attendance(mid)
        except ApiError as exc:
            ctx.toast(exc.message, error=True)
            return
        await saver.save_file(file_name=name, src_bytes=data)

    async def load() -> None:
        await meetings.load_detail(mid)
        await sec.load_attendance(mid)
        await sec.load_requests(mid)
        redraw()

    async def tick() -> None:
        # Redraw only what changed: rebuilding rows under a finger would move the tap to another row.
        before_sheet = sec.sheet
        await sec.load_attendance(mid)
        if sec.sheet != before_sheet:
            draw_attendance()

    redraw()
    body = ft.Column(
        [
            header,
            section(ctx, "Điểm danh (chạm vào tên để chọn trạng thái)"),
            attendance,
            section(ctx, "Đơn xin vắng"),
            requests,
            ft.Divider(),
            tag(
                "export-attendance",
                ft.OutlinedButton(
                    "Xuất danh sách điểm danh (Excel)",
                    icon=ft.Icons.DOWNLOAD,
                    on_click=lambda e: ctx.run(export),
                ),
            ),
        ],
        spacing=10,
    )
    return Screen(
        title="Điểm danh", body=body, load=load, redraw=redraw, back=meeting_route(mid), timers=[tick]
    )


def meeting_minutes(ctx: Ctx, meeting_id: str) -> Screen:
    """The minutes (saved, then published) and the votes with their computed result."""
    mid = int(meeting_id)
    sec, meetings = SecretaryState(ctx.app), MeetingsState(ctx.app)
    header = ft.Column(spacing=4)
    minutes_text = ft.TextField(label="Biên bản", multiline=True, min_lines=5)
    res_title = ft.TextField(label="Tên nghị quyết")
    v_for = ft.TextField(label="Tán thành", width=ctx.width(110), keyboard_type=ft.KeyboardType.NUMBER)
    v_against = ft.TextField(
        label="Không tán thành", width=ctx.width(140), keyboard_type=ft.KeyboardType.NUMBER
    )
    v_abstain = ft.TextField(
        label="Không biểu quyết", width=ctx.width(140), keyboard_type=ft.KeyboardType.NUMBER
    )
    vote_result = ctx.text("", 15, weight=ft.FontWeight.W_600)

    def redraw() -> None:
        _header(ctx, meetings, mid, header)
        if sec.minutes and sec.minutes.get("text") and not minutes_text.value:
            minutes_text.value = sec.minutes["text"]

    async def save_minutes(publish: bool) -> None:
        outcome = await sec.save_minutes(mid, minutes_text.value or "", publish)
        ctx.toast(outcome.message, error=not outcome.ok)

    async def add_resolution() -> None:
        outcome = await sec.add_resolution(
            mid, res_title.value or "", (v_for.value or "0", v_against.value or "0", v_abstain.value or "0")
        )
        vote_result.value = outcome.message
        vote_result.color = "#1B5E20" if outcome.ok and "KHÔNG" not in outcome.message else "#B71C1C"
        ctx.page.update()

    async def load() -> None:
        await meetings.load_detail(mid)
        await sec.load_minutes(mid)
        redraw()

    redraw()
    body = ft.Column(
        [
            header,
            tag("minutes-text", minutes_text),
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Lưu biên bản", on_click=lambda e: ctx.run(lambda: save_minutes(False))
                    ),
                    ft.FilledTonalButton(
                        "Công bố biên bản", on_click=lambda e: ctx.run(lambda: save_minutes(True))
                    ),
                ],
                wrap=True,
            ),
            tag("resolution-title", res_title),
            ft.Row(
                [tag("votes-for", v_for), tag("votes-against", v_against), tag("votes-abstain", v_abstain)],
                wrap=True,
            ),
            tag(
                "add-resolution",
                ft.FilledTonalButton("Ghi kết quả biểu quyết", on_click=lambda e: ctx.run(add_resolution)),
            ),
            tag("vote-result", vote_result),
        ],
        spacing=10,
    )
    return Screen(
        title="Biên bản và biểu quyết", body=body, load=load, redraw=redraw, back=meeting_route(mid)
    )
