"""Committee staff write a study check in the app: pick the resolution or study material (/staff/study/new),
then the form (/staff/study/new/{document_id}); an existing check's form (/staff/study/{id}/edit)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import flet as ft

from client.router import Screen
from client.state.study_edit import CheckEditor, QuestionDraft
from client.views.ui import MAX_FIELD_WIDTH, PRIMARY, Ctx, card, confirm, empty, keeper, section, tag
from shared.schemas.study import OPTIONS_MAX, OPTIONS_MIN, QUESTIONS_MAX, QUESTIONS_MIN

ERROR = "#B00020"
PICKER_FIELD = MAX_FIELD_WIDTH - 56  # a day or time field and its picker button share a phone's line


def pick_document(ctx: Ctx) -> Screen:
    """Route /staff/study/new: the published resolutions and study materials, newest first; one tap opens
    the form of a check on it."""
    editor = CheckEditor(ctx.app)
    col = ft.Column(spacing=10)
    keep = keeper()

    def redraw() -> None:
        col.controls = [section(ctx, "Chọn nghị quyết hoặc tài liệu học tập")]
        if editor.error:
            col.controls.append(tag("check-docs-error", ctx.text(editor.error, 14, color=ERROR)))
        elif not editor.documents:
            col.controls.append(empty(ctx, "Chưa có nghị quyết hay tài liệu học tập nào đã phát hành."))
        for d in editor.documents:
            col.controls.append(keep(d.id, partial(_document, ctx, d)))

    async def load() -> None:
        await editor.load_documents()
        redraw()

    col.controls = [ctx.muted("Đang tải văn bản...")]
    return Screen(title="Tạo bài kiểm tra", body=col, load=load, redraw=redraw, back="/staff/study")


def _document(ctx: Ctx, d: Any) -> ft.Control:
    return card(
        ft.Column(
            [
                ctx.text(d.title, 15, weight=ft.FontWeight.W_600),
                ctx.muted(" · ".join(p for p in (d.number, _kind(d)) if p), 13),
            ],
            spacing=2,
        ),
        on_click=lambda e: ctx.go(f"/staff/study/new/{d.id}"),
        identifier=f"check-doc-{d.id}",
    )


def _kind(d: Any) -> str:
    return "Tài liệu học tập" if d.category == "study" else "Nghị quyết"


def new_check(ctx: Ctx, document_id: str) -> Screen:
    """Route /staff/study/new/{document_id}: the form of a new check on that document."""
    return _form(ctx, CheckEditor(ctx.app, document_id=int(document_id)), "Tạo bài kiểm tra")


def edit_check(ctx: Ctx, check_id: str) -> Screen:
    """Route /staff/study/{id}/edit: the check's form; once it has opened only its title and close."""
    return _form(ctx, CheckEditor(ctx.app, check_id=int(check_id)), "Sửa bài kiểm tra")


def _form(ctx: Ctx, editor: CheckEditor, title: str) -> Screen:
    col = ft.Column(spacing=12)
    loaded = [editor.check_id is None]  # a new check's form is drawn at once; a check's waits for it
    said = ctx.text("", 14, color=ERROR)
    choosing = [False]  # the audience's list unfolded
    busy = [False]

    def field(key: str, label: str, value: str, on: Callable[[str], None], **kw: Any) -> ft.TextField:
        box = ft.TextField(label=label, value=value, error=editor.errors.get(key), **kw)

        def changed(e: Any) -> None:
            on(box.value or "")
            if editor.errors.pop(key, None) is not None:  # being fixed: the next save says it if still wrong
                box.error = None
                ctx.page.update()

        box.on_change = changed
        return box

    def refresh() -> None:
        redraw()
        ctx.page.update()

    def redraw() -> None:
        if not loaded[0]:
            col.controls = [ctx.muted(editor.error or "Đang tải...")]
            return
        if editor.error and editor.check is None and editor.check_id is not None:
            col.controls = [tag("check-edit-load-error", ctx.text(editor.error, 15, color=ERROR))]
            return
        locked = editor.opened
        col.controls = [tag("check-edit-doc", ctx.muted("Văn bản: " + editor.document_title, 14))]
        if locked:
            words = ctx.text(editor.locked_words(), 15, color="#5D4037")
            col.controls.append(tag("check-edit-locked", words))
        col.controls.append(
            tag("check-edit-title", field("title", "Tên bài kiểm tra", editor.title,
                                           lambda v: setattr(editor, "title", v)))
        )
        col.controls.append(
            tag("check-edit-minutes", field(
                "minutes", "Số phút làm bài", editor.minutes,
                lambda v: setattr(editor, "minutes", v),
                keyboard_type=ft.KeyboardType.NUMBER, width=ctx.width(220), disabled=locked,
            ))
        )
        col.controls += [
            _when(ctx, editor, "opens", "mở", locked),
            _when(ctx, editor, "closes", "đóng", False),
            ctx.muted("Giờ Việt Nam (Asia/Ho_Chi_Minh).", 13),
            tag("check-edit-show-score", ft.Checkbox(
                label="Hiện điểm ngay khi nộp", value=editor.show_score, disabled=locked,
                on_change=lambda e: setattr(editor, "show_score", bool(e.control.value)),
            )),
            ctx.muted("Không chọn: đảng viên thấy điểm và đáp án sau giờ đóng.", 13),
        ]
        col.controls += _audience(ctx, editor, locked, choosing, refresh)
        count = f"Câu hỏi ({len(editor.questions)}, từ {QUESTIONS_MIN} đến {QUESTIONS_MAX})"
        col.controls.append(section(ctx, count))
        if "questions" in editor.errors:
            col.controls.append(tag("check-edit-questions-error",
                                    ctx.text(editor.errors["questions"], 14, color=ERROR)))
        for i, q in enumerate(editor.questions):
            col.controls.append(_question(ctx, editor, i, q, locked, refresh))
        if not locked and len(editor.questions) < QUESTIONS_MAX:
            col.controls.append(tag("check-edit-add", ft.OutlinedButton(
                "Thêm câu hỏi", icon=ft.Icons.ADD, on_click=_then(editor.add_question, refresh))))
        col.controls += [
            tag("check-edit-error", said),
            tag("check-edit-save", ft.FilledButton(
                "Lưu bài kiểm tra", icon=ft.Icons.SAVE, on_click=lambda e: ctx.run(save),
                style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
            )),
        ]
        if editor.check is not None and not locked:
            col.controls.append(tag("check-edit-delete", ft.OutlinedButton(
                "Xóa bài kiểm tra", icon=ft.Icons.DELETE_OUTLINE, on_click=lambda e: confirm_delete())))

    def confirm_delete() -> None:
        confirm(ctx, "Xóa bài kiểm tra này?",
                "Bài chưa mở nên chưa đảng viên nào làm; xóa rồi thì không lấy lại được.",
                cancel=("check-delete-cancel", "Giữ lại"),
                accept=("check-delete-confirm", "Xóa", ft.Icons.DELETE),
                then=lambda: ctx.run(remove))

    def finish(outcome: Any) -> None:
        """Done: back to the list, saying so; refused: the reason over the save button."""
        if not outcome.ok:
            said.value = outcome.message
            refresh()
            return
        ctx.toast(outcome.message)
        ctx.go("/staff/study")

    async def remove() -> None:
        finish(await editor.delete())

    async def save() -> None:
        if busy[0]:
            return  # a second tap while the first is on its way must not make a second check
        busy[0], saved = True, False
        try:
            outcome = await editor.save()
            saved = outcome.ok
        finally:
            busy[0] = saved  # saved: the screen is leaving, and a late second tap must not save it again
        finish(outcome)

    async def load() -> None:
        await editor.load()
        loaded[0] = True
        redraw()

    redraw()
    return Screen(title=title, body=col, load=load, back="/staff/study")


def _when(ctx: Ctx, editor: CheckEditor, which: str, label: str, locked: bool) -> ft.Control:
    """A day and a time, typed or picked (the pickers the meeting form uses); the error under them."""
    day = ft.TextField(label=f"Ngày {label}", helper="dd/mm/yyyy", value=getattr(editor, f"{which}_day"),
                       width=min(ctx.width(170), PICKER_FIELD), disabled=locked)
    hour = ft.TextField(label=f"Giờ {label}", helper="HH:MM", value=getattr(editor, f"{which}_time"),
                        width=min(ctx.width(120), PICKER_FIELD), disabled=locked)
    error = editor.errors.get(which, "")
    said = tag(f"check-edit-{which}-error", ctx.text(error, 14, color=ERROR), label=error or "")

    def typed(name: str, box: ft.TextField) -> Callable[[Any], None]:
        def run(e: Any) -> None:
            setattr(editor, name, box.value or "")
            if editor.errors.pop(which, None) is not None:
                _unsay(ctx, said)

        return run

    day.on_change = typed(f"{which}_day", day)
    hour.on_change = typed(f"{which}_time", hour)

    def day_picked(e: object) -> None:
        text = editor.day_text(day_picker.value)
        if text is not None:
            day.value = text
            setattr(editor, f"{which}_day", text)
            ctx.page.update()

    def time_picked(e: object) -> None:
        text = editor.time_text(time_picker.value)
        if text is not None:
            hour.value = text
            setattr(editor, f"{which}_time", text)
            ctx.page.update()

    day_picker = ft.DatePicker(
        locale=ft.Locale("vi", "VN"), help_text=f"Chọn ngày {label}", cancel_text="Hủy", confirm_text="Chọn",
        field_label_text="Ngày (dd/mm/yyyy)", field_hint_text="dd/mm/yyyy",
        error_format_text="Ngày phải có dạng dd/mm/yyyy.", on_change=day_picked,
    )
    time_picker = ft.TimePicker(
        locale=ft.Locale("vi", "VN"), hour_format=ft.TimePickerHourFormat.H24, help_text=f"Chọn giờ {label}",
        hour_label_text="Giờ", minute_label_text="Phút", cancel_text="Hủy", confirm_text="Chọn",
        error_invalid_text="Giờ không hợp lệ.", on_change=time_picked,
    )

    def open_day(e: object) -> None:
        day_picker.value = editor.picker_day(day.value or "", editor.today())
        ctx.page.show_dialog(day_picker)

    def open_time(e: object) -> None:
        time_picker.value = editor.picker_time(hour.value or "")
        ctx.page.show_dialog(time_picker)

    return ft.Column([
        # each field keeps its picker beside it when the row wraps (at large text sizes)
        ft.Row([
            ft.Row([tag(f"check-edit-{which}-day", day), _icon(
                f"check-edit-{which}-day-pick", ft.Icons.CALENDAR_MONTH, "Chọn ngày", open_day, locked,
            )], tight=True),
            ft.Row([tag(f"check-edit-{which}-time", hour), _icon(
                f"check-edit-{which}-time-pick", ft.Icons.ACCESS_TIME, "Chọn giờ", open_time, locked,
            )], tight=True),
        ], wrap=True),
        said,
    ], spacing=2)


def _audience(ctx: Ctx, editor: CheckEditor, locked: bool, choosing: list[bool],
              refresh: Callable[[], None]) -> list[ft.Control]:
    out: list[ft.Control] = [
        section(ctx, "Đối tượng làm bài"),
        tag("check-edit-audience", ctx.text(editor.audience_words(), 14)),
    ]
    if "audience" in editor.errors:
        out.append(tag("check-edit-audience-error", ctx.text(editor.errors["audience"], 14, color=ERROR)))
    if locked:
        return out
    if not choosing[0]:
        out.append(tag("check-edit-audience-choose", ft.OutlinedButton(
            "Chọn đối tượng khác", icon=ft.Icons.ACCOUNT_TREE_OUTLINED,
            on_click=_then(lambda: choosing.__setitem__(0, True), refresh))))
        return out

    def toggle(org_id: int, on: bool) -> None:
        (editor.audience.add if on else editor.audience.discard)(org_id)
        refresh()

    out.append(ctx.muted("Chọn tổ chức: mọi chi bộ trực thuộc tổ chức được chọn đều làm bài.", 13))
    out += [
        tag(f"check-edit-org-{o['id']}", ft.Checkbox(
            label=("  " * level) + str(o.get("name", "")), value=o["id"] in editor.audience,
            on_change=lambda e, i=o["id"]: toggle(i, bool(e.control.value)),
        ))
        for o, level in editor.orgs[:200]
    ] or [ctx.muted("Chưa tải được danh sách tổ chức: bấm Làm mới để thử lại.")]
    return out


def _question(ctx: Ctx, editor: CheckEditor, i: int, q: QuestionDraft, locked: bool,
              refresh: Callable[[], None]) -> ft.Control:
    n = i + 1
    if locked:  # open: the questions are fixed, shown as they are
        lines = [ctx.text(f"Câu {n}. {q.text}", 15, weight=ft.FontWeight.W_600)]
        lines += [ctx.text(("✓ " if j in q.correct else "• ") + o, 14) for j, o in enumerate(q.options)]
        return card(ft.Column(lines, spacing=2), identifier=f"check-edit-q{n}")

    def act(fn: Callable[[], Any]) -> Callable[[Any], None]:
        return _then(fn, refresh)

    def ticked(fn: Callable[[bool], None]) -> Callable[[Any], None]:
        def run(e: Any) -> None:
            fn(bool(e.control.value))
            refresh()

        return run

    error = editor.errors.get(f"q{i}", "")
    said = tag(f"check-edit-q{n}-error", ctx.text(error, 14, color=ERROR), label=error or "")

    def typed(store: Callable[[str], None]) -> Callable[[Any], None]:
        def run(e: Any) -> None:
            store(e.control.value or "")
            if editor.errors.pop(f"q{i}", None) is not None:  # being fixed; the next save checks it again
                _unsay(ctx, said)

        return run

    text = ft.TextField(label=f"Câu {n}", value=q.text, multiline=True, min_lines=1,
                        on_change=typed(partial(setattr, q, "text")))
    rows: list[ft.Control] = [
        tag(f"check-edit-q{n}-text", text),
        tag(f"check-edit-q{n}-multiple", ft.Checkbox(
            label="Nhiều đáp án đúng", value=q.multiple,
            on_change=ticked(lambda on: editor.set_multiple(i, on)))),
    ]
    for j, option in enumerate(q.options):
        m = j + 1
        box = ft.TextField(label=f"Phương án {m}", value=option,
                           on_change=typed(partial(q.options.__setitem__, j)))
        side: list[ft.Control] = [tag(f"check-edit-q{n}-right{m}", ft.Checkbox(
            label="Đáp án đúng", value=j in q.correct,
            on_change=ticked(partial(editor.set_correct, i, j))))]
        if len(q.options) > OPTIONS_MIN:
            side.append(_icon(f"check-edit-q{n}-o{m}-remove", ft.Icons.CLOSE, f"Xóa phương án {m}",
                              act(partial(editor.remove_option, i, j))))
        rows += [tag(f"check-edit-q{n}-o{m}", box), ft.Row(side, wrap=True)]
    tools: list[ft.Control] = []
    if len(q.options) < OPTIONS_MAX:
        tools.append(tag(f"check-edit-q{n}-add-option", ft.TextButton(
            "Thêm phương án", icon=ft.Icons.ADD, on_click=act(lambda: editor.add_option(i)))))
    tools += [
        _icon(f"check-edit-q{n}-up", ft.Icons.ARROW_UPWARD, "Đưa câu lên",
              act(lambda: editor.move_question(i, -1)), i == 0),
        _icon(f"check-edit-q{n}-down", ft.Icons.ARROW_DOWNWARD, "Đưa câu xuống",
              act(lambda: editor.move_question(i, 1)), i == len(editor.questions) - 1),
        _icon(f"check-edit-q{n}-remove", ft.Icons.DELETE_OUTLINE, f"Xóa câu {n}",
              act(lambda: editor.remove_question(i))),
    ]
    rows.append(ft.Row(tools, wrap=True))
    rows.append(said)
    return card(ft.Column(rows, spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                identifier=f"check-edit-q{n}")


def _icon(identifier: str, icon: Any, tooltip: str, on_click: Any, disabled: bool = False) -> ft.Control:
    """An icon button (48 dp by Material's own size) with its spoken name."""
    return tag(identifier, ft.IconButton(icon, tooltip=tooltip, on_click=on_click, disabled=disabled))


def _then(fn: Callable[[], Any], refresh: Callable[[], None]) -> Callable[[Any], None]:
    """A tap that changes the form's shape (a question or option more or less, a tick): then it is redrawn."""

    def run(e: Any) -> None:
        fn()
        refresh()

    return run


def _unsay(ctx: Ctx, said: ft.Semantics) -> None:
    """Take back an error said under a field once it is being fixed."""
    said.label = ""
    if isinstance(said.content, ft.Text):
        said.content.value = ""
    ctx.page.update()
