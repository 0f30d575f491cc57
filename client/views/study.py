"""Study checks and bài thu hoạch: the member's list and the quiz, the essay on a document, the cell's
essays and figures for its leaders, the figures by cell for committee staff."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.router import Screen
from client.state.meetings import Outcome
from client.state.study import (
    QuizState,
    StudyState,
    window_words,
)
from client.views.ui import Ctx, card, chip, empty, nav_button, section, tag
from shared.schemas.study import ESSAY_MAX, ESSAY_MIN

STATE_CHIPS = {
    "not_open": ("#ECEFF1", "#37474F"),
    "open": ("#E3F2FD", "#0D47A1"),
    "pending": ("#FFF3E0", "#E65100"),
    "done": ("#E8F5E9", "#1B5E20"),
    "refused": ("#FFEBEE", "#B71C1C"),
    "closed": ("#ECEFF1", "#37474F"),
}


def _said(ctx: Ctx, outcome: Outcome | None, identifier: str) -> ft.Control:
    if outcome is None or not outcome.message:
        return tag(identifier, ft.Text(""), label="")
    color = "#1B5E20" if outcome.ok else ("#5D4037" if outcome.queued else "#B00020")
    return tag(identifier, ctx.text(outcome.message, 15, color=color))


def _size_words(c: dict[str, Any]) -> str:
    # Before the opening the feed carries no questions, only how many there will be.
    count = c.get("question_count") or len(c.get("questions", []))
    return f"{count} câu hỏi, làm trong {c.get('time_limit_minutes')} phút"


def _check_card(ctx: Ctx, state: StudyState, c: dict[str, Any]) -> ft.Control:
    key = state.state_of(c)
    bg, fg = STATE_CHIPS[key]
    lines: list[ft.Control] = [
        ctx.text(c.get("title", ""), 16, weight=ft.FontWeight.W_600),
        ctx.muted(window_words(c), 13),
        ctx.muted(_size_words(c), 13),
        tag(f"check-state-{c['id']}", chip(ctx, state.state_words(c), bg, fg)),
    ]
    return card(
        ft.Column(lines, spacing=4),
        on_click=lambda e: ctx.go(f"/year/study/{c['id']}"),
        identifier=f"check-{c['id']}",
    )


def check_list(ctx: Ctx, state: StudyState, document_id: int | None = None) -> list[ft.Control]:
    checks = state.checks(document_id)
    if not checks:
        return (
            [ctx.muted("Chưa có bài kiểm tra nhận thức nào gửi tới đồng chí.")] if document_id is None else []
        )
    return [_check_card(ctx, state, c) for c in checks]


def my_studies(ctx: Ctx) -> Screen:
    """Route /year/study: the checks reaching the member (from the device), each with its window and state."""
    state = StudyState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        col.controls = [section(ctx, "Kiểm tra nhận thức sau học tập"), *check_list(ctx, state)]
        col.controls.append(
            ctx.muted('Bài thu hoạch: mở nghị quyết hoặc tài liệu học tập, bấm "Viết bài thu hoạch".')
        )

    async def load() -> None:
        redraw()

    redraw()
    return Screen(title="Kiểm tra, thu hoạch", body=col, load=load, redraw=redraw, back="/year")


def take_check(ctx: Ctx, check_id: str) -> Screen:
    """Route /year/study/{id}: start, answer (radio or checkboxes), the countdown, hand in with a
    confirmation; afterwards only the server's verdict."""
    quiz = QuizState(ctx.app, int(check_id))
    col = ft.Column(spacing=10)
    clock = ctx.text("", 18, weight=ft.FontWeight.BOLD, color="#B71C1C")
    said: list[Outcome | None] = [None]

    def refresh() -> None:
        redraw()
        ctx.page.update()

    def begin() -> None:
        quiz.start()
        refresh()

    def redraw() -> None:
        c = quiz.get()
        if c is None:
            col.controls = [empty(ctx, "Bài kiểm tra chưa có trên máy: vui lòng đồng bộ khi có mạng.")]
            return
        head: list[ft.Control] = [
            tag("check-title", ctx.title(c.get("title", ""), 18)),
            ctx.muted(window_words(c), 13),
            ctx.muted(_size_words(c), 13),
        ]
        verdict = quiz.verdict(c)
        if verdict is not None:
            col.controls = [card(ft.Column([*head, _said(ctx, verdict, "check-verdict")], spacing=6))]
            return
        if not quiz.can_take():
            col.controls = [
                card(
                    ft.Column(
                        [
                            *head,
                            tag(
                                "check-verdict",
                                ctx.text(
                                    quiz.state_words(c)
                                    + (
                                        ": đồng chí không còn làm được bài này."
                                        if quiz.state_of(c) == "closed"
                                        else ": vui lòng quay lại trong thời gian mở bài."
                                    ),
                                    15,
                                ),
                            ),
                        ],
                        spacing=6,
                    )
                )
            ]
            return
        if quiz.started_at is None:
            col.controls = [
                card(
                    ft.Column(
                        [
                            *head,
                            ctx.text(
                                "Mỗi đồng chí làm một lần. Thời gian tính từ lúc bấm Bắt đầu; khi không có "
                                "mạng vẫn làm được, bài sẽ gửi khi có mạng.",
                                14,
                            ),
                            tag(
                                "check-start",
                                ft.FilledButton(
                                    "Bắt đầu làm bài", icon=ft.Icons.PLAY_ARROW, on_click=lambda e: begin()
                                ),
                            ),
                        ],
                        spacing=6,
                    )
                )
            ]
            return
        clock.value = quiz.countdown_words()
        col.controls = [card(ft.Column([*head, tag("check-clock", clock)], spacing=6))]
        for n, q in enumerate(c["questions"]):
            col.controls.append(
                card(
                    ft.Column(
                        [
                            ctx.text(f"Câu {n + 1}. {q['text']}", 15, weight=ft.FontWeight.W_600),
                            ctx.muted(
                                "Chọn tất cả phương án đúng" if q.get("multiple") else "Chọn một phương án",
                                12,
                            ),
                            _options(ctx, quiz, n, q),
                        ],
                        spacing=4,
                    ),
                    identifier=f"question-{n + 1}",
                )
            )
        col.controls.append(_said(ctx, said[0], "check-said"))
        col.controls.append(
            tag("check-submit", ft.FilledButton("Nộp bài", icon=ft.Icons.SEND, on_click=lambda e: confirm()))
        )

    dialogs: list[ft.AlertDialog] = []

    def close_dialog() -> None:
        for d in dialogs:
            d.open = False
        dialogs.clear()
        ctx.page.update()

    def confirm() -> None:
        left = quiz.unanswered()
        words = f"Còn {left} câu chưa trả lời. " if left else ""
        dialog = ft.AlertDialog(
            title=ft.Text("Nộp bài?"),
            content=tag("submit-confirm", ctx.text(words + "Sau khi nộp không sửa được bài làm.", 15)),
            actions=[
                tag("submit-cancel", ft.TextButton("Làm tiếp", on_click=lambda e: close_dialog())),
                tag("submit-yes", ft.FilledButton("Nộp bài", on_click=lambda e: ctx.run(send))),
            ],
        )
        dialogs.append(dialog)
        ctx.page.show_dialog(dialog)

    async def send() -> None:
        close_dialog()
        check = quiz.get()
        if check is not None and quiz.verdict(check) is not None:
            return  # already handed in (the countdown and a tap at the same moment)
        outcome = await quiz.submit()
        said[0] = outcome
        ctx.toast(outcome.message, error=not (outcome.ok or outcome.queued))
        refresh()

    async def tick() -> None:
        check = quiz.get()
        if quiz.started_at is None or check is None or quiz.verdict(check) is not None:
            return
        clock.value = quiz.countdown_words()
        if quiz.seconds_left() == 0:  # time is up: what is chosen is handed in
            await send()

    async def load() -> None:
        redraw()

    redraw()
    return Screen(
        title="Làm bài kiểm tra", body=col, load=load, redraw=redraw, back="/year/study", timers=[tick]
    )


def _options(ctx: Ctx, quiz: QuizState, n: int, q: dict[str, Any]) -> ft.Control:
    chosen = quiz.answers[n] if n < len(quiz.answers) else []
    if q.get("multiple"):
        boxes = [
            tag(
                f"q{n + 1}-o{i + 1}",
                ft.Checkbox(
                    label=text,
                    value=i in chosen,
                    on_change=lambda e, i=i: quiz.choose(n, i, bool(e.control.value)),
                ),
            )
            for i, text in enumerate(q["options"])
        ]
        return ft.Column(boxes, spacing=0)
    group = ft.RadioGroup(
        value=str(chosen[0]) if chosen else None,
        content=ft.Column(
            [
                tag(f"q{n + 1}-o{i + 1}", ft.Radio(value=str(i), label=text))
                for i, text in enumerate(q["options"])
            ],
            spacing=0,
        ),
    )
    group.on_change = lambda e: quiz.choose(n, int(group.value)) if group.value is not None else None
    return group


def document_study(ctx: Ctx, document_id: int, state: StudyState | None = None) -> list[ft.Control]:
    """On a resolution or study material: its checks and the way to the bài thu hoạch; for committee staff
    the way to write a check on it."""
    state = state or StudyState(ctx.app)
    out = check_list(ctx, state, document_id)
    essay = state.essay_words(document_id)
    out.append(
        ft.Row(
            [
                tag(
                    "essay-open",
                    ft.OutlinedButton(
                        "Bài thu hoạch của tôi" if essay else "Viết bài thu hoạch",
                        icon=ft.Icons.EDIT_NOTE,
                        on_click=lambda e: ctx.go(f"/documents/{document_id}/essay"),
                    ),
                ),
                *(
                    [nav_button(ctx, "check-new", "Tạo bài kiểm tra", ft.Icons.QUIZ_OUTLINED,
                                f"/staff/study/new/{document_id}")]
                    if ctx.app.is_staff
                    else []
                ),
            ],
            wrap=True,
        )
    )
    return out


def write_essay(ctx: Ctx, document_id: str) -> Screen:
    """Route /documents/{id}/essay: write (200-20.000 characters, a counter) and hand in, offline too; then
    the essay as handed in, whether the cell received it and its remark."""
    state = StudyState(ctx.app)
    did = int(document_id)
    col = ft.Column(spacing=10)
    counter = ctx.muted("", 13)
    box = ft.TextField(label="Bài thu hoạch", multiline=True, min_lines=8, max_length=ESSAY_MAX)

    def count(e: Any = None) -> None:
        n = len((box.value or "").strip())
        counter.value = f"{n} ký tự (từ {ESSAY_MIN} đến 20.000)"
        if e is not None:
            ctx.page.update()

    box.on_change = count

    def redraw() -> None:
        store = ctx.app.store
        doc = store.get("document", did) if store is not None else None
        title = (doc or {}).get("title") or "Văn bản"
        col.controls = [tag("essay-doc", ctx.title(title, 17))]
        words = state.essay_words(did)
        mine = state.my_essay(did)
        queued = state.queued_essay(did)
        if mine is not None or (queued is not None and queued.status == "pending"):
            text = (mine or {}).get("text") or queued.payload.get("text", "")
            col.controls += [
                _said(ctx, words, "essay-status"),
                card(tag("essay-text", ctx.text(text, 15, selectable=True))),
            ]
            return
        col.controls += [
            ctx.muted(
                "Viết những điều đồng chí nhận thức được và sẽ làm theo sau khi học tập văn bản này.", 14
            ),
            _said(ctx, words, "essay-status"),
            tag("essay-body", box),
            tag("essay-count", counter),
            tag(
                "essay-send",
                ft.FilledButton("Nộp bài thu hoạch", icon=ft.Icons.SEND, on_click=lambda e: ctx.run(send)),
            ),
        ]
        count()

    async def send() -> None:
        outcome = await state.submit_essay(did, box.value or "")
        ctx.toast(outcome.message, error=not (outcome.ok or outcome.queued))
        redraw()
        ctx.page.update()

    async def load() -> None:
        redraw()

    redraw()
    return Screen(title="Bài thu hoạch", body=col, load=load, redraw=redraw, back=f"/documents/{did}")
