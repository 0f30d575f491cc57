"""Năm của tôi (the member's yearly commitment) and the cell's view of everyone's, for its secretary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.meetings import Outcome
from client.state.year import CATEGORY_WORDS, OWN, CellYearState, MyYearState, status_words, this_year
from client.views.ui import PRIMARY, Ctx, card, chip, empty, section, tag

# Short names for the picker (the full ones are shown on the read-only items): at 200% a dropdown holds
# about fifteen letters.
CATEGORY_SHORT = {
    "study_follow": "Làm theo Bác",
    "volunteer": "Tình nguyện",
    "duty": "Chuyên môn",
    "residence": "Nơi cư trú",
    "other": "Khác",
}
STRETCH = ft.CrossAxisAlignment.STRETCH  # fields in a card take its width
STATUS_CHIPS = {
    None: ("#ECEFF1", "#37474F"),
    "draft": ("#ECEFF1", "#37474F"),
    "submitted": ("#FFF3E0", "#E65100"),
    "returned": ("#FFEBEE", "#B71C1C"),
    "approved": ("#E8F5E9", "#1B5E20"),
}


def _status_chip(ctx: Ctx, status: str | None) -> ft.Control:
    bg, fg = STATUS_CHIPS.get(status, STATUS_CHIPS[None])
    return chip(ctx, status_words(status), bg, fg)


def _year_picker(ctx: Ctx, years: list[int], value: int, on_pick: Callable[[int], None]) -> ft.Control:
    dd = ft.Dropdown(
        label="Năm", width=ctx.width(130), value=str(value),
        options=[ft.dropdown.Option(str(y), str(y)) for y in years],
    )
    dd.on_select = lambda e: on_pick(int(dd.value)) if dd.value else None
    return tag("year-pick", dd)


def _notice(ctx: Ctx, said: Outcome | None, identifier: str) -> ft.Control:
    if said is None or not said.message:
        return tag(identifier, ft.Text(""), label="")
    color = "#1B5E20" if said.ok else ("#5D4037" if said.queued else "#B00020")
    return tag(identifier, ctx.text(said.message, 14, color=color))


class _Said:
    """The last action's outcome on this screen, shown while the status it left is still the status."""

    def __init__(self) -> None:
        self.outcome: Outcome | None = None
        self.status: Any = None

    def get(self, status: Any) -> Outcome | None:
        if self.outcome is None or self.outcome.queued or status != self.status:
            return None  # queued: the outbox says it; a new status (the cell decided) makes it old news
        return self.outcome


def _acting(ctx: Ctx, redraw: Callable[[], None], said: _Said, status: Callable[[], Any]
            ) -> Callable[[Callable[[], Awaitable[Outcome]]], None]:
    """Run an action, then say its outcome on the screen and in a toast."""

    def act(fn: Callable[[], Awaitable[Outcome]]) -> None:
        async def go() -> None:
            outcome = await fn()
            said.outcome, said.status = outcome, status()
            redraw()
            ctx.toast(outcome.message, error=not (outcome.ok or outcome.queued))
            ctx.page.update()

        ctx.run(go)

    return act


def my_year(ctx: Ctx) -> Screen:
    """Route /year: write the items, save (offline too), send to the cell, see the status and the
    secretary's comment; once approved, the year-end result per item and the cell's remark."""
    state = MyYearState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        state.start_editing()
        status = state.status()
        head: list[ft.Control] = [
            ctx.beside(ctx.title(f"Đăng ký làm theo năm {state.year}", 18),
                       _year_picker(ctx, state.years(), state.year, pick_year)),
            tag("year-status", ctx.beside(ctx.text("Tình trạng:", 15), _status_chip(ctx, status)),
                label=state.status_words()),
        ]
        comment = state.return_comment()
        if comment:
            head.append(tag("year-return-comment", ctx.text(f"Ý kiến của chi bộ: {comment}", 15,
                                                            color="#B71C1C")))
        head.append(_notice(ctx, state.notice() or said.get(status), "year-notice"))
        head.append(tag("open-study", ft.OutlinedButton("Kiểm tra nhận thức, thu hoạch", icon=ft.Icons.QUIZ,
                                                        on_click=lambda e: ctx.go("/year/study"))))
        col.controls = [card(ft.Column(head, spacing=6)), tag("open-review", ft.OutlinedButton(
            f"Bản kiểm điểm năm {this_year(ctx.app.config.clock())}", icon=ft.Icons.ASSIGNMENT_OUTLINED,
            on_click=lambda e: ctx.go("/year/review")))]
        if state.editable:
            col.controls += _editor(ctx, state, redraw, act)
        else:
            col.controls += _items_read(ctx, state, act)

    def pick_year(year: int) -> None:
        state.set_year(year)
        said.outcome = None
        redraw()
        ctx.page.update()

    said = _Said()
    act = _acting(ctx, redraw, said, state.status)

    async def load() -> None:
        redraw()

    redraw()
    return Screen(title="Năm của tôi", body=col, load=load, redraw=redraw, back="/home")


def _editor(ctx: Ctx, state: MyYearState, redraw: Callable[[], None], act: Any) -> list[ft.Control]:
    def refresh() -> None:
        redraw()
        ctx.page.update()

    def add() -> None:
        outcome = state.add_item()
        if not outcome.ok:
            ctx.toast(outcome.message, error=True)
        refresh()

    def remove(i: int) -> None:
        state.remove_item(i)
        refresh()

    out: list[ft.Control] = [
        section(ctx, "Những việc đồng chí đăng ký làm theo"),
        ctx.muted("Mỗi mục một việc cụ thể. Lưu nháp để viết tiếp sau; gửi chi bộ khi đã xong."),
    ]
    for i, item in enumerate(state.items):
        text = ft.TextField(
            value=item.text, label=f"Mục {i + 1}", multiline=True, min_lines=2,
            on_change=lambda e, i=i: state.set_text(i, e.control.value or ""),
        )
        cat = ft.Dropdown(
            label="Lĩnh vực", width=ctx.width(190), value=item.category or "",
            options=[ft.dropdown.Option("", "Không chọn")]
            + [ft.dropdown.Option(k, v) for k, v in CATEGORY_SHORT.items()],
        )
        cat.on_select = lambda e, i=i, cat=cat: state.set_category(i, cat.value or None)
        out.append(card(ft.Column([
            tag(f"year-item-{i}", text),
            ft.Row([
                tag(f"year-cat-{i}", cat),
                tag(f"year-item-remove-{i}", ft.IconButton(
                    ft.Icons.DELETE_OUTLINE, tooltip="Xóa mục này", on_click=lambda e, i=i: remove(i))),
            ], wrap=True),
        ], spacing=6, horizontal_alignment=STRETCH)))
    out.append(tag("year-add-item", ft.OutlinedButton(
        "Thêm mục", icon=ft.Icons.ADD, on_click=lambda e: add())))
    out.append(ft.Row([
        tag("year-save", ft.OutlinedButton(
            "Lưu nháp", icon=ft.Icons.SAVE_OUTLINED, on_click=lambda e: act(lambda: state.save(False)))),
        tag("year-send", ft.FilledButton(
            "Gửi chi bộ", icon=ft.Icons.SEND, on_click=lambda e: act(lambda: state.save(True)),
            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))),
    ], wrap=True))
    return out


def _items_read(ctx: Ctx, state: MyYearState, act: Any) -> list[ft.Control]:
    approved = state.status() == "approved"
    out: list[ft.Control] = [section(ctx, "Các mục đã đăng ký")]
    if approved:
        out.append(ctx.muted("Cuối năm, ghi kết quả đồng chí đã làm được ở từng mục rồi bấm Lưu kết quả."))
    for n, item in enumerate(state.shown_items(), 1):
        lines: list[ft.Control] = [ctx.text(f"{n}. {item.get('text', '')}", 15, weight=ft.FontWeight.W_600)]
        if item.get("category"):
            lines.append(ctx.muted(CATEGORY_WORDS.get(item["category"], "")))
        item_id = item.get("id")
        if approved and item_id:
            box = ft.TextField(
                value=state.results.get(int(item_id), ""), label="Kết quả thực hiện", multiline=True,
                on_change=lambda e, i=int(item_id): state.results.__setitem__(i, e.control.value or ""),
            )
            lines.append(tag(f"year-result-{item_id}", box))
            remark = item.get("remark")
            lines.append(tag(f"year-remark-{item_id}", ctx.text(
                f"Nhận xét của chi bộ: {remark}" if remark else "Chi bộ chưa nhận xét mục này.", 14,
                color=PRIMARY if remark else None)))
        out.append(card(ft.Column(lines, spacing=4, horizontal_alignment=STRETCH)))
    if approved:
        out.append(tag("year-save-results", ft.FilledButton(
            "Lưu kết quả", icon=ft.Icons.SAVE, on_click=lambda e: act(state.save_results),
            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))))
    return out


def cell_year(ctx: Ctx) -> Screen:
    """Route /secretary/year: the cell's members and where each one's commitment stands."""
    state = CellYearState(ctx.app)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        col.controls = [
            ctx.beside(ctx.title(f"Đăng ký làm theo năm {state.year}", 18),
                       _year_picker(ctx, state.years(), state.year, pick_year)),
        ]
        if state.error:
            col.controls.append(tag("cell-year-error", ctx.text(state.error, 14, color="#B00020")))
        if state.overview is None:
            if not state.error:
                col.controls.append(ctx.muted("Đang tải danh sách chi bộ..."))
            return
        col.controls.append(tag("cell-year-counts", ctx.text(state.counts_words(), 15)))
        for key, title in state.GROUPS:
            rows = state.rows(key)
            if not rows:
                continue
            col.controls.append(section(ctx, f"{title} ({len(rows)})"))
            for r in rows:
                go = (lambda e, c=r.commitment_id: ctx.go(f"/secretary/year/{c}")
                      ) if r.commitment_id else None
                col.controls.append(card(
                    ctx.beside(ctx.text(r.full_name, 15, weight=ft.FontWeight.W_600),
                               _status_chip(ctx, r.status)),
                    on_click=go, identifier=f"cell-year-{r.member_id}",
                ))
        if not state.rows():
            col.controls.append(empty(ctx, "Chi bộ chưa có đảng viên nào."))

    def pick_year(year: int) -> None:
        state.year = year
        ctx.run(load)

    async def load() -> None:
        await state.load()
        redraw()
        ctx.page.update()

    redraw()
    return Screen(title="Đăng ký làm theo của chi bộ", body=col, load=load, redraw=redraw, back="/secretary")


def cell_commitment(ctx: Ctx, commitment_id: str) -> Screen:
    """Route /secretary/year/{id}: one member's commitment: approve, return with a comment, remarks."""
    state = CellYearState(ctx.app)
    cid = int(commitment_id)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        c = state.commitment_by_id(cid)
        if c is None:
            col.controls = [tag("cell-commitment-error", ctx.text(
                state.error or "Đang tải bản đăng ký...", 15, color="#B00020" if state.error else None))]
            return
        status = state.shown_status(cid)
        head: list[ft.Control] = [
            ctx.title(c.get("full_name") or "Đảng viên", 18),
            ctx.muted(f"Đăng ký làm theo năm {c.get('year')}"
                      + (f" · gửi lúc {fmt.when(c.get('submitted_at'))}" if c.get("submitted_at") else "")),
            tag("cell-commitment-status", _status_chip(ctx, status), label=status_words(status)),
        ]
        if status == "returned" and c.get("return_comment"):
            head.append(ctx.text(f"Ý kiến đã gửi: {c['return_comment']}", 14, color="#B71C1C"))
        head.append(_notice(ctx, state.notice(cid) or said.get(status), "cell-commitment-notice"))
        col.controls = [card(ft.Column(head, spacing=6))]
        own = state.is_own(cid)
        if own:
            head.append(tag("cell-commitment-own", ctx.text(OWN, 14)))
        approved = status == "approved" and c.get("status") == "approved" and not own
        for n, item in enumerate(c.get("items", []), 1):
            lines: list[ft.Control] = [
                ctx.text(f"{n}. {item.get('text', '')}", 15, weight=ft.FontWeight.W_600)]
            if item.get("category"):
                lines.append(ctx.muted(CATEGORY_WORDS.get(item["category"], "")))
            if status == "approved":
                result = item.get("result")
                lines.append(ctx.text(f"Kết quả: {result}" if result else "Đảng viên chưa ghi kết quả.", 14))
            if approved:
                lines.append(tag(f"remark-{item['id']}", ft.TextField(
                    value=state.remarks.get(int(item["id"]), ""), label="Nhận xét chi bộ", multiline=True,
                    on_change=lambda e, i=int(item["id"]): state.remarks.__setitem__(
                        i, e.control.value or ""),
                )))
            col.controls.append(card(ft.Column(lines, spacing=4, horizontal_alignment=STRETCH)))
        if status == "submitted" and not own:
            comment = ft.TextField(value=state.comment, label="Ý kiến của chi bộ", multiline=True,
                                   min_lines=2)
            comment.on_change = lambda e: setattr(state, "comment", e.control.value or "")
            col.controls += [
                section(ctx, "Duyệt bản đăng ký"),
                ctx.muted("Trả lại thì cần ghi ý kiến để đảng viên biết cần sửa gì."),
                tag("decide-comment", comment),
                ft.Row([
                    tag("decide-approve", ft.FilledButton(
                        "Duyệt", icon=ft.Icons.CHECK, on_click=lambda e: act(lambda: state.decide(cid, True)),
                        style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))),
                    tag("decide-return", ft.OutlinedButton(
                        "Trả lại để sửa", icon=ft.Icons.UNDO,
                        on_click=lambda e: act(lambda: state.decide(cid, False, state.comment)))),
                ], wrap=True),
            ]
        if approved:
            col.controls.append(tag("save-remarks", ft.FilledButton(
                "Lưu nhận xét", icon=ft.Icons.SAVE, on_click=lambda e: act(lambda: state.save_remarks(cid)),
                style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))))

    said = _Said()
    act = _acting(ctx, redraw, said, lambda: state.shown_status(cid))

    async def load() -> None:
        await state.open(cid)
        redraw()
        ctx.page.update()

    redraw()
    return Screen(title="Bản đăng ký làm theo", body=col, load=load, redraw=redraw, back="/secretary/year")
