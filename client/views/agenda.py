"""Agenda views: the items with their documents (the meeting form's, and an existing meeting's on a screen of
its own), and who has not read them per item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.agenda import LOCKED, AgendaEditor
from client.state.secretary import SecretaryState
from client.views.ui import PRIMARY, Ctx, card, tag


def agenda_editor(ctx: Ctx, editor: AgendaEditor, cell_id: Callable[[], int | None]) -> ft.Control:
    """Items (title, documents, remove), "Thêm tài liệu" (search what the cell sees), "Tải tài liệu lên"."""
    box = ft.Column(spacing=8)
    upload_picker = ft.FilePicker()

    def redraw() -> None:
        rows: list[ft.Control] = []
        for i, item in enumerate(editor.items):
            docs: list[ft.Control] = [
                tag(f"agenda-doc-{i}-{doc_id}", ft.Row([
                    ft.Icon(ft.Icons.ATTACH_FILE, size=18),
                    ctx.text(editor.doc_title(doc_id), 14, expand=True),
                    ft.IconButton(ft.Icons.CLOSE, tooltip="Bỏ tài liệu này",
                                  on_click=lambda e, i=i, d=doc_id: detach(i, d)),
                ]))
                for doc_id in item.document_ids
            ]
            rows.append(card(ft.Column([
                ft.Row([
                    tag(f"agenda-title-{i}", ft.TextField(
                        value=item.title, label=f"Mục {i + 1}", expand=True,
                        on_change=lambda e, i=i: editor.set_title(i, e.control.value or ""),
                    )),
                    tag(f"agenda-remove-{i}", ft.IconButton(
                        ft.Icons.DELETE_OUTLINE, tooltip="Xóa mục này", on_click=lambda e, i=i: remove(i))),
                ]),
                *docs,
                ft.Row([
                    tag(f"agenda-add-doc-{i}", ft.TextButton(
                        "Thêm tài liệu", icon=ft.Icons.ADD, on_click=lambda e, i=i: open_picker(i))),
                    tag(f"agenda-upload-{i}", ft.TextButton(
                        "Tải tài liệu lên", icon=ft.Icons.UPLOAD_FILE, on_click=lambda e, i=i: ctx.run(
                            lambda: upload(i)))),
                ], wrap=True),
            ], spacing=4)))
        rows.append(tag("agenda-add-item", ft.OutlinedButton(
            "Thêm mục", icon=ft.Icons.PLAYLIST_ADD, on_click=lambda e: add_item())))
        box.controls = rows

    def refresh() -> None:
        redraw()
        ctx.page.update()

    def add_item() -> None:
        editor.add_item()
        refresh()

    def remove(index: int) -> None:
        editor.remove_item(index)
        refresh()

    def detach(index: int, doc_id: int) -> None:
        editor.detach(index, doc_id)
        refresh()

    def open_picker(index: int) -> None:
        sheet = ft.BottomSheet(content=ft.Container())
        results = ft.Column(spacing=2, scroll=ft.ScrollMode.AUTO, height=320)
        query = ft.TextField(label="Tìm tài liệu", hint_text="gõ không dấu cũng được", autofocus=True)

        def pick(doc: dict[str, Any]) -> None:
            outcome = editor.attach(index, int(doc["id"]))
            sheet.open = False
            ctx.toast(outcome.message, error=not outcome.ok)
            refresh()

        def show(e: object = None) -> None:
            found = editor.search(query.value or "", index)
            results.controls = [
                tag(f"agenda-pick-{d['id']}", ft.ListTile(
                    leading=ft.Icon(ft.Icons.DESCRIPTION_OUTLINED),
                    title=ctx.text(d.get("title", ""), 15),
                    subtitle=ctx.muted(d.get("number") or "") if d.get("number") else None,
                    on_click=lambda e, d=d: pick(d),
                ))
                for d in found
            ] or [ctx.muted("Không có tài liệu nào khớp trên máy này.")]
            ctx.page.update()

        def close(e: object) -> None:
            sheet.open = False
            ctx.page.update()

        query.on_change = show
        sheet.content = tag("agenda-picker", ft.Container(ft.Column([
            ctx.title(f"Thêm tài liệu vào mục {index + 1}", 18),
            ctx.muted("Tài liệu đã ban hành tới chi bộ; đảng viên sẽ có trên máy trước buổi họp."),
            tag("agenda-search", query),
            results,
            ft.Row([ft.TextButton("Đóng", on_click=close)], alignment=ft.MainAxisAlignment.END),
        ], spacing=6, tight=True), padding=16))
        show()
        ctx.page.show_dialog(sheet)

    async def upload(index: int) -> None:
        picked = await upload_picker.pick_files(allow_multiple=False, with_data=True)
        for f in picked or []:
            data = getattr(f, "bytes", None) or b""
            outcome = await editor.upload(index, cell_id(), "", f.name, data)
            ctx.toast(outcome.message, error=not outcome.ok)
        refresh()

    redraw()
    return tag("meeting-agenda", box)


def agenda_unread(ctx: Ctx, sec: SecretaryState, meeting_id: int, on_changed: Callable[[], None]
                  ) -> list[ft.Control]:
    """Per agenda item with documents: "Chưa đọc: N" with the names, each document's rate, "Nhắc đọc"."""
    rows: list[ft.Control] = []
    store = ctx.app.store
    for item in sec.agenda:
        if not item.document_ids:
            continue
        names = [m.full_name for m in item.unread]
        said = f"Chưa đọc: {len(names)}" + (f" ({', '.join(names)})" if names else " — mọi người đã đọc")
        lines: list[ft.Control] = [
            ctx.text(f"{item.position}. {item.title}", 15, weight=ft.FontWeight.W_600),
            tag(f"agenda-unread-{item.position}", ctx.text(said, 14)),
        ]
        for doc in item.documents:
            stored = (store.get("document", doc.document_id) if store else None) or {}
            title = stored.get("title") or f"Tài liệu số {doc.document_id}"
            lines.append(ctx.muted(f"{title}: đã đọc {doc.read}/{doc.members}"))
        if item.reminded_at is not None:
            button: ft.Control = ft.OutlinedButton("Đã nhắc đọc", icon=ft.Icons.CHECK, disabled=True)
        else:
            button = ft.FilledTonalButton(
                "Nhắc đọc", icon=ft.Icons.NOTIFICATIONS_ACTIVE, disabled=not names,
                on_click=lambda e, p=item.position, n=len(names): confirm(p, n),
            )
        lines.append(tag(f"agenda-remind-{item.position}", button))
        rows.append(card(ft.Column(lines, spacing=4)))

    def confirm(position: int, count: int) -> None:
        sheet = ft.BottomSheet(content=ft.Container())

        async def send() -> None:
            sheet.open = False
            outcome = await sec.remind(meeting_id, position)
            ctx.toast(outcome.message, error=not outcome.ok)
            on_changed()

        def cancel(e: object) -> None:
            sheet.open = False
            ctx.page.update()

        sheet.content = tag("agenda-remind-confirm", ft.Container(ft.Column([
            ctx.title("Nhắc đọc tài liệu?", 18),
            ctx.text(f"Gửi thông báo nhắc {count} đảng viên chưa đọc tài liệu của mục {position}. "
                     "Mỗi mục chỉ nhắc được một lần.", 15),
            ft.Row([
                ft.TextButton("Hủy", on_click=cancel),
                tag("agenda-remind-send", ft.FilledButton(
                    "Gửi nhắc", on_click=lambda e: ctx.run(send),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"))),
            ], alignment=ft.MainAxisAlignment.END),
        ], spacing=8, tight=True), padding=16))
        ctx.page.show_dialog(sheet)

    return rows


def edit_agenda(ctx: Ctx, meeting_id: str) -> Screen:
    """"Sửa chương trình" of a meeting already planned: the form's editor, filled from the meeting, saved on
    its own (/secretary/meetings/{id}/agenda)."""
    mid = int(meeting_id)
    back = f"/secretary/meetings/{mid}"
    editor = AgendaEditor(ctx.app, ())
    sec = SecretaryState(ctx.app)
    header = ft.Column(spacing=4)
    holder = ft.Column(spacing=8)
    error = ctx.text("", 14, color="#B00020")
    save_button = ft.FilledButton(
        "Lưu chương trình", icon=ft.Icons.SAVE, on_click=lambda e: ctx.run(save),
        style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
    )

    def cell_id() -> int | None:
        return (editor.meeting or {}).get("org_id") or sec.cell_id

    def redraw() -> None:
        meeting = editor.meeting
        header.controls = [
            ctx.title(meeting.get("title", "Buổi sinh hoạt"), 18),
            ctx.muted(fmt.weekday_when(meeting.get("starts_at"))),
        ] if meeting else [ctx.muted("Chưa có buổi sinh hoạt này trên máy.")]
        save_button.disabled = not editor.editable(meeting)
        if meeting and save_button.disabled:
            error.value = LOCKED

    async def load() -> None:
        await editor.load(mid)
        # built once the items are known: the editor draws what it holds when built
        holder.controls = [agenda_editor(ctx, editor, cell_id)]
        redraw()

    async def save() -> None:
        outcome = await editor.save()
        if not outcome.ok:
            error.value = outcome.message
            ctx.page.update()
            return
        ctx.toast(outcome.message)
        ctx.go(back)

    body = ft.Column([
        header,
        holder,
        tag("agenda-error", error),
        tag("agenda-save", save_button),
    ], spacing=12)
    return Screen(title="Sửa chương trình", body=body, load=load, back=back)
