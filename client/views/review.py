"""Bản kiểm điểm cá nhân cuối năm: the member's form, the cell's list and proposal, the committee's
distribution of levels by cell, its decision and export (docs/year.md, section 3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.meetings import Outcome
from client.state.review import (
    LEVELS,
    SECTIONS,
    MyReviewState,
    ReviewsState,
    fact_lines,
    level_words,
    status_words,
)
from client.views.ui import PRIMARY, Ctx, card, chip, confirm, empty, save_export, section, tag
from client.views.year import _acting, _notice, _Said, _year_picker
from shared.schemas.review import NOTE_MAX, SECTION_MAX

STRETCH = ft.CrossAxisAlignment.STRETCH
STATUS_CHIPS = {
    None: ("#ECEFF1", "#37474F"),
    "draft": ("#ECEFF1", "#37474F"),
    "submitted": ("#FFF3E0", "#E65100"),
    "proposed": ("#E3F2FD", "#0D47A1"),
    "confirmed": ("#E8F5E9", "#1B5E20"),
    "exempt": ("#F3E5F5", "#4A148C"),
}
LEVEL_COLORS = {"excellent": "#1B5E20", "good": "#66BB6A", "done": "#FBC02D", "failed": "#C62828"}
LEVEL_SHORT = {"excellent": "Xuất sắc", "good": "Tốt", "done": "Hoàn thành", "failed": "Không hoàn thành"}
STAGE_IDS = {"Tự xếp loại": "self", "Chi bộ đề xuất": "proposed", "Cấp ủy quyết định": "confirmed"}
STAGES = (("self_levels", "Tự xếp loại"), ("proposed", "Chi bộ đề xuất"), ("confirmed", "Cấp ủy quyết định"))


def _status_chip(ctx: Ctx, status: str | None) -> ft.Control:
    bg, fg = STATUS_CHIPS.get(status, STATUS_CHIPS[None])
    return chip(ctx, status_words(status), bg, fg)


def _level_choices(ctx: Ctx, chosen: str | None, on_pick: Callable[[str], None], prefix: str) -> ft.Control:
    """The four levels as four explicit, full-width choices (48 dp and more each)."""
    buttons: list[ft.Control] = []
    for value, label in LEVELS:
        picked = value == chosen
        icon = ft.Icons.RADIO_BUTTON_CHECKED if picked else ft.Icons.RADIO_BUTTON_UNCHECKED
        style = ft.ButtonStyle(bgcolor="#FFEBEE", color=PRIMARY) if picked else None
        buttons.append(tag(f"{prefix}-{value}", ft.OutlinedButton(
            label, icon=icon, style=style, on_click=lambda e, v=value: on_pick(v)),
            label=("Đã chọn: " if picked else "") + label))
    return ft.Column(buttons, spacing=6, horizontal_alignment=STRETCH)


def _facts_card(ctx: Ctx, facts: dict[str, Any] | None) -> list[ft.Control]:
    lines = fact_lines(facts)
    if not lines:
        return []
    return [section(ctx, "Số liệu trong năm (ứng dụng đã ghi nhận)"),
            card(ft.Column([ctx.text(f"• {line}", 14) for line in lines], spacing=4),
                 identifier="review-facts")]


def _read_sections(ctx: Ctx, shown: dict[str, Any]) -> list[ft.Control]:
    out: list[ft.Control] = []
    for name, label in SECTIONS:
        out.append(card(ft.Column([
            ctx.text(label, 15, weight=ft.FontWeight.W_600),
            tag(f"review-text-{name}", ctx.text(shown.get(name) or "(chưa ghi)", 14)),
        ], spacing=4, horizontal_alignment=STRETCH)))
    return out


def _redraw_now(ctx: Ctx, redraw: Callable[[], None]) -> None:
    redraw()
    ctx.page.update()


def my_review(ctx: Ctx) -> Screen:
    """Route /year/review: the year's facts, the four sections, the self-assessed level; save or send."""
    state = MyReviewState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        state.start_editing()
        status = state.status()
        head: list[ft.Control] = [
            ctx.beside(ctx.title(f"Bản kiểm điểm năm {state.year}", 18),
                       _year_picker(ctx, state.years(), state.year, pick_year)),
            tag("review-status", ctx.beside(ctx.text("Tình trạng:", 15), _status_chip(ctx, status)),
                label=state.status_words()),
        ]
        for stage, words in state.levels():
            head.append(tag(f"review-level-{STAGE_IDS.get(stage, 'other')}", ctx.text(
                f"{stage}: {words}", 15, weight=ft.FontWeight.W_600)))
        locked = state.locked_reason()
        if locked:
            head.append(tag("review-locked", ctx.text(locked, 14, color="#5D4037")))
        if state.error:
            head.append(tag("review-error", ctx.text(state.error, 14, color="#B00020")))
        head.append(_notice(ctx, state.notice() or said.get(status), "review-notice"))
        col.controls = [card(ft.Column(head, spacing=6)), *_facts_card(ctx, state.facts())]
        if state.editable:
            col.controls += _editor(ctx, state, redraw, act, status)
        else:
            col.controls += _read_sections(ctx, state.shown())

    def pick_year(year: int) -> None:
        state.set_year(year)
        said.outcome = None
        ctx.run(load)

    said = _Said()
    act = _acting(ctx, redraw, said, state.status)

    async def load() -> None:
        await state.load()
        redraw()
        ctx.page.update()

    redraw()
    return Screen(title="Bản kiểm điểm", body=col, load=load, redraw=redraw, back="/year")


def _editor(ctx: Ctx, state: MyReviewState, redraw: Callable[[], None], act: Any, status: str | None
            ) -> list[ft.Control]:
    out: list[ft.Control] = [
        section(ctx, "Nội dung kiểm điểm"),
        ctx.muted(f"Mỗi phần tối đa {SECTION_MAX:,} ký tự. ".replace(",", ".")
                  + "Gửi chi bộ cần có ưu điểm, hạn chế và mức tự xếp loại; sau khi gửi vẫn sửa được đến khi "
                  "chi bộ đề xuất."),
    ]
    for name, label in SECTIONS:
        # The section's name over its box, not as the box's label: at 200% a label of twenty letters no
        # longer fits a phone's line. The box still carries it for screen readers.
        box = ft.TextField(value=state.draft.get(name), multiline=True, min_lines=3, max_length=SECTION_MAX,
                           on_change=lambda e, n=name: state.set_section(n, e.control.value or ""))
        out += [ctx.text(label, 15, weight=ft.FontWeight.W_600), tag(f"review-{name}", box, label=label)]

    def pick(level: str) -> None:
        state.set_level(level)
        _redraw_now(ctx, redraw)

    out += [section(ctx, "Tự nhận mức xếp loại"),
            _level_choices(ctx, state.draft.self_level, pick, "review-self")]

    def confirm_send() -> None:
        confirm(ctx, "Gửi bản kiểm điểm tới chi bộ?",
                "Sau khi gửi, đồng chí vẫn sửa được cho đến khi chi bộ đề xuất mức xếp loại.",
                cancel=("review-send-cancel", "Để sau"), accept=("review-send-confirm", "Gửi", ft.Icons.SEND),
                then=lambda: act(lambda: state.save(True)))

    buttons: list[ft.Control] = []
    if status == "submitted":
        buttons.append(tag("review-save", ft.FilledButton(
            "Lưu thay đổi", icon=ft.Icons.SAVE, on_click=lambda e: act(lambda: state.save(False)),
            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))))
    else:
        buttons += [
            tag("review-save", ft.OutlinedButton(
                "Lưu nháp", icon=ft.Icons.SAVE_OUTLINED, on_click=lambda e: act(lambda: state.save(False)))),
            tag("review-send", ft.FilledButton(
                "Gửi chi bộ", icon=ft.Icons.SEND, on_click=lambda e: confirm_send(),
                style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))),
        ]
    out.append(ft.Row(buttons, wrap=True))
    return out


# ---- the cell --------------------------------------------------------------------------------------------


def cell_reviews(ctx: Ctx) -> Screen:
    """Route /secretary/reviews: who sent, the status and self level; exemptions with a reason."""
    state = ReviewsState(ctx.app)
    col = ft.Column(spacing=10)
    form = {"member": "", "reason": ""}

    def redraw() -> None:
        col.controls = [ctx.beside(ctx.title(f"Kiểm điểm, xếp loại năm {state.year}", 18),
                                   _year_picker(ctx, state.years(), state.year, pick_year))]
        if state.error:
            col.controls.append(tag("cell-reviews-error", ctx.text(state.error, 14, color="#B00020")))
        if not state.members:
            col.controls.append(ctx.muted("Đang tải danh sách chi bộ..." if not state.error else ""))
            return
        col.controls.append(tag("cell-reviews-counts", ctx.text(state.counts_words(), 15)))
        for title, members in state.groups():
            if not members:
                continue
            col.controls.append(section(ctx, f"{title} ({len(members)})"))
            for m in members:
                r = m.review
                side: list[ft.Control] = [_status_chip(ctx, m.status)]
                lines: list[ft.Control] = [ctx.text(m.full_name, 15, weight=ft.FontWeight.W_600)]
                if r and r.self_level:
                    lines.append(ctx.muted(f"Tự xếp loại: {level_words(r.self_level)}", 13))
                if r and r.proposed_level:
                    lines.append(ctx.muted(f"Chi bộ đề xuất: {level_words(r.proposed_level)}", 13))
                if m.status == "exempt":
                    side.append(tag(f"unexempt-{m.member_id}", ft.TextButton(
                        "Bỏ miễn",
                        on_click=lambda e, i=m.member_id: act(lambda: state.exempt(i, "", False)))))
                go = (lambda e, i=r.id: ctx.go(f"/secretary/reviews/{i}")
                      ) if r and m.status != "exempt" else None
                col.controls.append(card(ctx.beside(ft.Column(lines, spacing=2), *side), on_click=go,
                                         identifier=f"cell-review-{m.member_id}"))
        col.controls += _exempt_form(ctx, state, form, act)

    def pick_year(year: int) -> None:
        state.year = year
        ctx.run(load)

    said = _Said()
    act = _acting(ctx, redraw, said, lambda: None)

    async def load() -> None:
        await state.load()
        redraw()
        ctx.page.update()

    redraw()
    # Loaded over the network, not from the feed: a sync has nothing to redraw here, and rebuilding the
    # list under a finger would lose the tap (so no `redraw` hook; "Làm mới" reloads).
    return Screen(title="Kiểm điểm cuối năm", body=col, load=load, back="/secretary")


def _exempt_form(ctx: Ctx, state: ReviewsState, form: dict[str, str], act: Any) -> list[ft.Control]:
    choices = [m for m in state.members if m.status in (None, "submitted")]
    if not choices:
        return []
    who = ft.Dropdown(label="Đảng viên", value=form["member"] or None, width=ctx.width(300),
                      options=[ft.dropdown.Option(str(m.member_id), m.full_name) for m in choices])
    who.on_select = lambda e: form.__setitem__("member", who.value or "")
    reason = ft.TextField(label="Lý do miễn", value=form["reason"], multiline=True, max_length=NOTE_MAX,
                          helper="Ví dụ: miễn sinh hoạt vì tuổi cao, sức yếu",
                          on_change=lambda e: form.__setitem__("reason", e.control.value or ""))

    async def go() -> Any:
        if not form["member"]:
            return Outcome(False, "Vui lòng chọn đảng viên được miễn.")
        outcome = await state.exempt(int(form["member"]), form["reason"])
        if outcome.ok:
            form.update(member="", reason="")
        return outcome

    return [
        section(ctx, "Miễn kiểm điểm, xếp loại"),
        ctx.muted("Đảng viên được miễn (ví dụ miễn sinh hoạt) không bị xếp loại; bắt buộc ghi lý do."),
        tag("exempt-member", who), tag("exempt-reason", reason),
        tag("exempt-save", ft.OutlinedButton("Ghi miễn", icon=ft.Icons.BLOCK, on_click=lambda e: act(go))),
    ]


def review_detail(ctx: Ctx, review_id: str, *, staff: bool = False) -> Screen:
    """One review: facts, sections, levels; the cell's proposal or the committee's decision, with warnings."""
    state = ReviewsState(ctx.app, staff=staff)
    rid = int(review_id)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        r = state.desk.opened
        if r is None:
            col.controls = [tag("review-detail-error", ctx.text(
                state.error or "Đang tải bản kiểm điểm...", 15, color="#B00020" if state.error else None))]
            return
        status = r.status.value if r.status else None
        head: list[ft.Control] = [
            ctx.title(r.full_name or "Đảng viên", 18),
            ctx.muted(f"Bản kiểm điểm năm {r.year}"
                      + (f" · gửi lúc {fmt.when(r.submitted_at.isoformat())}" if r.submitted_at else "")),
            tag("review-detail-status", _status_chip(ctx, status), label=status_words(status)),
        ]
        stages = (("self", "Tự xếp loại", r.self_level, None),
                  ("proposed", "Chi bộ đề xuất", r.proposed_level, r.proposed_note),
                  ("confirmed", "Cấp ủy quyết định", r.confirmed_level, r.confirmed_note))
        for key, label, level, note in stages:
            if level:
                words = f"{label}: {level_words(level)}" + (f" — {note}" if note else "")
                head.append(tag(f"review-detail-{key}", ctx.text(words, 15)))
        if r.exempt_reason:
            head.append(ctx.text(f"Miễn kiểm điểm: {r.exempt_reason}", 14))
        if state.desk.warnings:
            head.append(tag("review-warnings", ctx.text(" ".join(state.desk.warnings), 14, color="#E65100")))
        head.append(_notice(ctx, said.get(status), "review-detail-notice"))
        facts = r.facts.model_dump(mode="json") if r.facts else None
        col.controls = [card(ft.Column(head, spacing=6)), *_facts_card(ctx, facts),
                        *_read_sections(ctx, r.model_dump())]
        if not staff and state.is_own():
            col.controls.append(tag("review-own", ctx.text(
                "Đây là bản kiểm điểm của đồng chí: một đồng chí khác trong cấp ủy chi bộ sẽ đề xuất.", 14)))
        if state.can_decide():
            col.controls += _decide_form(ctx, state, redraw, act)

    said = _Said()
    act = _acting(ctx, redraw, said, lambda: (state.desk.opened.status if state.desk.opened else None))

    async def load() -> None:
        await state.open(rid)
        redraw()
        ctx.page.update()

    redraw()
    return Screen(title="Bản kiểm điểm", body=col, load=load,  # from the network: see cell_reviews
                  back="/staff/reviews" if staff else "/secretary/reviews")


def staff_review(ctx: Ctx, review_id: str) -> Screen:
    return review_detail(ctx, review_id, staff=True)


def _decide_form(ctx: Ctx, state: ReviewsState, redraw: Callable[[], None], act: Any) -> list[ft.Control]:
    def pick(level: str) -> None:
        state.level = level
        _redraw_now(ctx, redraw)

    note = ft.TextField(value=state.note, multiline=True,
                        label="Ghi chú" if state.staff else "Nhận xét",
                        max_length=NOTE_MAX,
                        on_change=lambda e: setattr(state, "note", e.control.value or ""))
    title = "Cấp ủy quyết định mức xếp loại" if state.staff else "Chi bộ đề xuất mức xếp loại"
    hint = ("Mức cuối cùng; sau đó đảng viên và chi bộ không sửa được nữa." if state.staff else
            "Ghi sau buổi sinh hoạt kiểm điểm. Vượt tỷ lệ \"xuất sắc\" chỉ được cảnh báo, không bị chặn.")
    label = "Quyết định" if state.staff else "Chi bộ đề xuất"
    return [
        section(ctx, title), ctx.muted(hint),
        _level_choices(ctx, state.level, pick, "decide-level"),
        tag("decide-note", note),
        tag("decide-save", ft.FilledButton(label, icon=ft.Icons.GAVEL, on_click=lambda e: act(state.decide),
                                           style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))),
    ]


# ---- the committee ---------------------------------------------------------------------------------------


def _stacked_bar(ctx: Ctx, counts: dict[str, int], label: str, identifier: str) -> ft.Control:
    """One stage's four levels as one bar of proportional parts (Containers: no chart package needed)."""
    total = sum(counts.values())
    parts: list[ft.Control] = [
        ft.Container(bgcolor=LEVEL_COLORS[k], expand=n, height=18, tooltip=f"{LEVEL_SHORT[k]}: {n}")
        for k, n in counts.items() if n
    ] or [ft.Container(bgcolor="#EEEEEE", expand=1, height=18)]
    words = " · ".join(f"{LEVEL_SHORT[k]} {n}" for k, n in counts.items()) if total else "chưa có"
    return tag(identifier, ft.Column([
        ctx.text(f"{label}: {words}", 13),
        ft.Row(parts, spacing=1),
    ], spacing=2), label=f"{label}: {words}")


def _legend(ctx: Ctx) -> ft.Control:
    return ft.Row([ft.Row([ft.Container(width=14, height=14, bgcolor=LEVEL_COLORS[k]), ctx.text(v, 12)],
                          spacing=4, tight=True) for k, v in LEVEL_SHORT.items()], wrap=True, spacing=16)


def _unit_card(ctx: Ctx, c: Any, identifier: str) -> ft.Control:
    lines: list[ft.Control] = [
        ctx.text(c.name, 15, weight=ft.FontWeight.W_600),
        ctx.muted(f"{c.members} đảng viên · {c.submitted} đã gửi · {c.exempt} được miễn", 13),
    ]
    for key, label in STAGES:
        lines.append(_stacked_bar(ctx, getattr(c, key).model_dump(), label, f"{identifier}-{key}"))
    for w in c.warnings:
        lines.append(ctx.text(w.message, 13, color="#E65100"))
    return card(ft.Column(lines, spacing=4, horizontal_alignment=STRETCH), identifier=identifier)


def staff_reviews(ctx: Ctx) -> Screen:
    """Route /staff/reviews: levels by cell up the tree, cap warnings, the reviews to decide, the export."""
    state = ReviewsState(ctx.app, staff=True)
    col = ft.Column(spacing=10)
    saver = ft.FilePicker()

    def redraw() -> None:
        col.controls = [
            ctx.beside(ctx.title(f"Xếp loại đảng viên năm {state.year}", 18),
                       _year_picker(ctx, state.years(), state.year, pick_year)),
            ft.Row([tag("reviews-export", ft.OutlinedButton(
                "Xuất danh sách (Excel)", icon=ft.Icons.DOWNLOAD,
                on_click=lambda e: ctx.run(lambda: save_export(ctx, saver, state.export))))], wrap=True),
        ]
        if state.error:
            col.controls.append(tag("staff-reviews-error", ctx.text(state.error, 14, color="#B00020")))
        s = state.summary
        if s is None:
            if not state.error:
                col.controls.append(ctx.muted("Đang tải số liệu..."))
            return
        warnings = state.summary_warnings()
        if warnings:
            col.controls.append(tag("reviews-cap-warnings", card(ft.Column(
                [ctx.text(w, 14, color="#E65100") for w in warnings], spacing=4))))
        col.controls += [
            section(ctx, "Kết quả xếp loại theo chi bộ"),
            ctx.muted(f"Tỷ lệ \"xuất sắc\" tối đa {round(s.top_share * 100)}% số \"tốt\" (chỉ cảnh báo)."),
            _legend(ctx), _unit_card(ctx, s.totals, "reviews-total"),
        ]
        col.controls += [_unit_card(ctx, c, f"reviews-cell-{c.cell_id}") for c in s.cells[:50]]
        order = (("proposed", "Chờ cấp ủy quyết định"), ("confirmed", "Cấp ủy đã quyết định"),
                 ("submitted", "Đã gửi, chi bộ chưa đề xuất"))
        for key, title in order:
            rows = [r for r in state.desk.rows if r.status.value == key]
            if not rows:
                continue
            col.controls.append(section(ctx, f"{title} ({len(rows)})"))
            for r in rows[:100]:
                words = f"Chi bộ đề xuất: {level_words(r.proposed_level)}" if r.proposed_level else (
                    f"Tự xếp loại: {level_words(r.self_level)}")
                if r.confirmed_level:
                    words = f"Cấp ủy quyết định: {level_words(r.confirmed_level)}"
                col.controls.append(card(
                    ctx.beside(ft.Column([ctx.text(r.full_name or "", 15, weight=ft.FontWeight.W_600),
                                          ctx.muted(words, 13)], spacing=2), _status_chip(ctx, key)),
                    on_click=lambda e, i=r.id: ctx.go(f"/staff/reviews/{i}"),
                    identifier=f"staff-review-{r.id}"))
        if not s.cells:
            col.controls.append(empty(ctx, "Chưa có chi bộ nào trong phạm vi phụ trách."))

    def pick_year(year: int) -> None:
        state.year = year
        ctx.run(load)

    async def load() -> None:
        await state.load()
        redraw()
        ctx.page.update()

    redraw()
    return Screen(title="Xếp loại đảng viên", body=col, load=load, back="/staff")  # see cell_reviews
