"""Văn bản and Học tập: filter by type and year, search without tone marks, detail, attachments."""

from __future__ import annotations

from typing import Any

import flet as ft

from client import format as fmt
from client.api import ApiError
from client.router import Screen
from client.state.documents import MORE_LABEL, NOT_SAVED, OFFLINE_OLDER, DocumentsState
from client.state.study import is_study_document
from client.views import study as study_views
from client.views.ui import PRIMARY, Ctx, card, chip, empty, loading, section, tag


def _doc_row(ctx: Ctx, d: dict[str, Any]) -> ft.Control:
    head = fmt.DOC_TYPES.get(d.get("doc_type", ""), "Văn bản")
    if d.get("number"):
        head += f" số {d['number']}"
    meta = []
    if d.get("issued_on"):
        meta.append(f"Ngày {fmt.day(d['issued_on'])}")
    if d.get("issuer"):
        meta.append(d["issuer"])
    badges: list[ft.Control] = []
    if d.get("status") == "draft":
        badges.append(chip(ctx, "Dự thảo — lấy ý kiến", "#FFF8E1", "#E65100"))
    if not d.get("read_at"):
        badges.append(chip(ctx, "Chưa đọc", "#FFEBEE", PRIMARY))
    if d.get("bookmarked"):
        badges.append(ft.Icon(ft.Icons.BOOKMARK, size=16, color=PRIMARY))
    if d.get("saved") is False:  # found in the archive online: opening it fetches it
        badges.append(chip(ctx, NOT_SAVED, "#ECEFF1", "#37474F"))
    return card(
        ft.Column(
            [
                ft.Row([ctx.text(head, 13, color=PRIMARY, expand=True), *badges]),
                ctx.text(d.get("title", ""), 15, weight=ft.FontWeight.W_600),
                ctx.muted(" · ".join(meta)) if meta else ft.Container(),
            ],
            spacing=3,
        ),
        on_click=lambda e: ctx.go(f"/documents/{d['id']}"),
        identifier=f"document-{d['id']}",
    )


def documents_list(ctx: Ctx, category: str = "documents") -> Screen:
    state = DocumentsState(ctx.app, category)
    results = ft.Column(spacing=8)
    search = ft.TextField(
        label="Tìm văn bản", hint_text="gõ không dấu cũng được", prefix_icon=ft.Icons.SEARCH, dense=True
    )
    type_dd = ft.Dropdown(
        label="Loại", width=ctx.width(170), dense=True, options=[ft.dropdown.Option("", "Tất cả")]
    )
    year_dd = ft.Dropdown(
        label="Năm", width=ctx.width(120), dense=True, options=[ft.dropdown.Option("", "Tất cả")]
    )
    saved = ft.Checkbox(label="Đã lưu", value=False)
    archive = ft.Column(spacing=8)  # the archive online: older documents the device does not hold
    more = ft.OutlinedButton(
        MORE_LABEL, icon=ft.Icons.TRAVEL_EXPLORE, on_click=lambda e: ctx.run(search_more)
    )

    def redraw_archive() -> None:
        archive.controls = []
        if not state.query.strip():
            return
        if state.searching_online:
            archive.controls.append(loading(ctx))
        if state.online:
            archive.controls.append(section(ctx, "Trong kho văn bản (chưa lưu trên máy)"))
            archive.controls += [_doc_row(ctx, d) for d in state.online]
        if state.online_message:
            archive.controls.append(tag("doc-online-note", ctx.muted(state.online_message)))
        if state.online_query != state.query.strip() and not state.searching_online:
            archive.controls.append(tag("doc-search-more", more))

    def redraw() -> None:
        type_dd.options = [ft.dropdown.Option("", "Tất cả")] + [
            ft.dropdown.Option(k, v) for k, v in state.types_present()
        ]
        year_dd.options = [ft.dropdown.Option("", "Tất cả")] + [
            ft.dropdown.Option(str(y), str(y)) for y in state.years_present()
        ]
        items = state.results()
        if category == "study":  # study materials read by topic (chuyên đề)
            results.controls = []
            for topic, docs in state.by_topic(items[:100]):
                results.controls.append(section(ctx, topic))
                results.controls += [_doc_row(ctx, d) for d in docs]
        else:
            results.controls = [_doc_row(ctx, d) for d in items[:100]]
        if not items:
            msg = (
                "Không có văn bản phù hợp trên máy."
                if state.query or state.doc_type or state.year
                else "Chưa có văn bản nào."
            )
            results.controls = [empty(ctx, msg, ft.Icons.DESCRIPTION_OUTLINED)]
        if state.error:
            results.controls.insert(0, ctx.text(state.error, 14, color="#B00020"))
        redraw_archive()

    def changed(e: object = None) -> None:
        state.query = search.value or ""
        state.doc_type = type_dd.value or None
        state.year = int(year_dd.value) if year_dd.value else None
        state.bookmarked_only = bool(saved.value)
        state.forget_online()
        redraw()
        ctx.page.update()

    async def search_archive(asked: bool) -> None:
        state.searching_online = True
        redraw_archive()
        ctx.page.update()
        await state.search_online(asked=asked)
        redraw_archive()
        ctx.page.update()

    async def search_more() -> None:
        await search_archive(True)

    async def submitted_search() -> None:
        if state.wants_online():  # little on the device: the archive too, when the network is up
            await search_archive(False)

    def submitted(e: object = None) -> None:
        changed(e)
        ctx.run(submitted_search)

    search.on_change = changed
    search.on_submit = submitted
    type_dd.on_select = changed
    year_dd.on_select = changed
    saved.on_change = changed

    async def load() -> None:
        if not state.results():
            results.controls = [loading(ctx)]
            ctx.page.update()
        await state.refresh()
        redraw()

    redraw()
    body = ft.Column(
        [
            tag("doc-search", search),
            ft.Row([tag("doc-type", type_dd), tag("doc-year", year_dd), saved], wrap=True)
            if category == "documents"
            else ft.Container(),
            results,
            archive,
        ],
        spacing=10,
    )
    title = "Văn bản" if category == "documents" else "Học tập"
    return Screen(
        title=title,
        body=body,
        load=load,
        redraw=redraw,
        tab=2 if category == "documents" else None,
        back=None if category == "documents" else "/home",
    )


def document_detail(ctx: Ctx, document_id: str) -> Screen:
    state = DocumentsState(ctx.app, None)
    did = int(document_id)
    col = ft.Column(spacing=10)
    progress: dict[int, ft.ProgressBar] = {}
    saver = ft.FilePicker()
    comment_box = ft.TextField(label="Ý kiến góp ý của đồng chí", multiline=True, min_lines=3)

    def redraw() -> None:
        d = state.get(did)
        if d is None:
            col.controls = [empty(ctx, "Văn bản không còn trong phạm vi bạn được xem, hoặc chưa tải về máy.")]
            if not ctx.app.online:
                col.controls.append(tag("doc-offline-older", ctx.muted(OFFLINE_OLDER)))
            return
        head = fmt.DOC_TYPES.get(d.get("doc_type", ""), "Văn bản") + (
            f" số {d['number']}" if d.get("number") else ""
        )
        col.controls = [
            tag("doc-kind", ctx.text(head, 14, color=PRIMARY, weight=ft.FontWeight.W_600)),
            tag("doc-title", ctx.title(d.get("title", ""), 19)),
        ]
        meta = []
        if d.get("issuer"):
            meta.append(f"Cơ quan ban hành: {d['issuer']}")
        if d.get("issued_on"):
            meta.append(f"Ngày ban hành: {fmt.day(d['issued_on'])}")
        if d.get("effective_on"):
            meta.append(f"Hiệu lực: {fmt.day(d['effective_on'])}")
        col.controls += [ctx.muted(m, 13) for m in meta]
        col.controls.append(
            ft.Row(
                [
                    tag(
                        "bookmark",
                        ft.OutlinedButton(
                            "Bỏ lưu" if d.get("bookmarked") else "Lưu để đọc sau",
                            icon=ft.Icons.BOOKMARK if d.get("bookmarked") else ft.Icons.BOOKMARK_BORDER,
                            on_click=lambda e: ctx.run(toggle),
                        ),
                    )
                ]
            )
        )
        if d.get("category") == "study":
            due = state.due_words(d)
            if due and not d.get("studied_at"):
                col.controls.append(tag("study-due", ctx.text(due, 14, color="#E65100")))
            if d.get("studied_at"):
                col.controls.append(
                    tag("studied", ctx.text(f"Đã học ngày {fmt.day(d['studied_at'])}", 14, color="#1B5E20"))
                )
            else:
                col.controls.append(
                    tag(
                        "mark-studied",
                        ft.FilledTonalButton(
                            "Đã học", icon=ft.Icons.SCHOOL, on_click=lambda e: ctx.run(studied)
                        ),
                    )
                )
        if d.get("category") == "study":
            col.controls += study_progress(ctx, state)
        if is_study_document(d):
            col.controls += study_views.document_study(ctx, did)
        if state.open_for_comments(d):
            col.controls += [
                ctx.text(
                    f"Dự thảo lấy ý kiến đến {fmt.when(d.get('comments_until'))}",
                    14,
                    color=PRIMARY,
                    weight=ft.FontWeight.W_600,
                ),
                tag("comment-body", comment_box),
                tag(
                    "comment-send",
                    ft.FilledTonalButton(
                        "Gửi góp ý", icon=ft.Icons.SEND, on_click=lambda e: ctx.run(send_comment)
                    ),
                ),
            ]
        if d.get("summary"):
            col.controls += [
                ctx.text("Trích yếu", 15, weight=ft.FontWeight.BOLD),
                tag("doc-summary", ctx.text(d["summary"], 15, selectable=True)),
            ]
        if d.get("body"):
            col.controls += [
                ctx.text("Toàn văn", 15, weight=ft.FontWeight.BOLD),
                tag("doc-body", ctx.text(d["body"], 15, selectable=True)),
            ]
        atts = state.attachments(d)
        if atts:
            col.controls.append(ctx.text("Tệp đính kèm", 15, weight=ft.FontWeight.BOLD))
            for a in atts:
                bar = progress.setdefault(a["id"], ft.ProgressBar(value=0, visible=False, color=PRIMARY))
                local = state.local_file(a)
                col.controls.append(
                    card(
                        ft.Column(
                            [
                                ft.Row(
                                    [
                                        ft.Icon(
                                            ft.Icons.PICTURE_AS_PDF
                                            if "pdf" in str(a.get("content_type"))
                                            else ft.Icons.INSERT_DRIVE_FILE,
                                            color=PRIMARY,
                                        ),
                                        ft.Column(
                                            [
                                                ctx.text(a.get("filename", "Tệp"), 14),
                                                ctx.muted(
                                                    fmt.size(a.get("size"))
                                                    + (" · đã lưu trên máy" if local else "")
                                                ),
                                            ],
                                            spacing=0,
                                            expand=True,
                                        ),
                                        tag(
                                            f"download-{a['id']}",
                                            ft.IconButton(
                                                ft.Icons.DOWNLOAD_DONE if local else ft.Icons.DOWNLOAD,
                                                tooltip="Tải về",
                                                on_click=lambda e, att=a: ctx.run(lambda: download(att)),
                                            ),
                                        ),
                                    ]
                                ),
                                bar,
                            ],
                            spacing=4,
                        )
                    )
                )

    async def toggle() -> None:
        marked = await state.toggle_bookmark(did)
        ctx.toast("Đã lưu để đọc sau." if marked else "Đã bỏ lưu.")
        redraw()
        ctx.page.update()

    async def send_comment() -> None:
        outcome = await state.comment(did, comment_box.value or "")
        ctx.toast(outcome.message, error=not outcome.ok)
        if outcome.ok:
            comment_box.value = ""
        ctx.page.update()

    async def studied() -> None:
        outcome = await state.mark_studied(did)
        ctx.toast(outcome.message, error=not outcome.ok)
        redraw()
        ctx.page.update()

    async def download(att: dict[str, Any]) -> None:
        bar = progress[att["id"]]
        bar.visible, bar.value = True, None
        ctx.page.update()

        def on_progress(done: int, total: int | None) -> None:
            bar.value = (done / total) if total else None
            ctx.page.update()

        try:
            path = await state.download(att, on_progress)
        except ApiError as exc:
            bar.visible = False
            ctx.toast(exc.message, error=True)
            ctx.page.update()
            return
        bar.value = 1
        try:  # hand the file to the person's own device (in a browser: a download)
            await saver.save_file(
                file_name=str(att.get("filename") or path.name), src_bytes=path.read_bytes()
            )
        except Exception:  # no file dialog on this platform: the copy in the app's storage stays readable
            pass
        ctx.toast(f"Đã tải về máy: {att.get('filename') or path.name}")
        redraw()
        ctx.page.update()

    async def load() -> None:
        if state.get(did) is None:
            col.controls = [loading(ctx)]
            ctx.page.update()
        doc = await state.open(did)
        if doc is not None and doc.get("category") == "study":
            await state.load_study_progress(did)
        redraw()

    redraw()
    return Screen(title="Văn bản", body=col, load=load, redraw=redraw, back="/documents")


def study_progress(ctx: Ctx, state: DocumentsState) -> list[ft.Control]:
    """For a secretary: the cell's x/y studied and who has not; for staff: the rate of each cell."""
    if state.study_progress_error:
        return [ctx.muted(state.study_progress_error)]
    p = state.study_progress
    if p is None:
        return []
    lines: list[ft.Control] = [
        ctx.text("Tiến độ học tập", 16, weight=ft.FontWeight.BOLD),
        ctx.text(f"Đã học {p.studied}/{p.members} đảng viên ({fmt.percent(p.rate)})", 15),
    ]
    if len(p.cells) > 1 or p.org_id is None:
        for c in sorted(p.cells, key=lambda c: (c.rate, c.name)):
            lines.append(ctx.text(f"{c.name}: {c.studied}/{c.members} ({fmt.percent(c.rate)})", 14))
    if p.not_studied:
        names = ", ".join(m.full_name for m in p.not_studied)
        lines.append(ctx.text(f"Chưa học ({len(p.not_studied)}): {names}", 14, color="#E65100"))
    elif p.members and p.org_id is not None and len(p.cells) == 1:
        lines.append(ctx.text("Cả chi bộ đã học tài liệu này.", 14, color="#1B5E20"))
    return [tag("study-progress", card(ft.Column(lines, spacing=4)))]


def study(ctx: Ctx) -> Screen:
    return documents_list(ctx, "study")
