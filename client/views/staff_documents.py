"""Committee staff screens for documents: publishing one, the drafts open for comments and their comments."""

from __future__ import annotations

import flet as ft

from client import format as fmt
from client.router import Screen
from client.state.staff import CommentsState, StaffState
from client.views.ui import Ctx, action_button, card, empty, form_done, save_export, section, tag


def publish(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    title = ft.TextField(label="Tiêu đề")
    doc_type = ft.Dropdown(
        label="Loại văn bản",
        value="resolution",
        options=[ft.dropdown.Option(k, v) for k, v in fmt.DOC_TYPES.items()],
    )
    category = ft.Dropdown(
        label="Danh mục",
        value="documents",
        options=[ft.dropdown.Option(k, v) for k, v in fmt.DOC_CATEGORY.items()],
    )
    number = ft.TextField(label="Số hiệu", helper="Ví dụ: 21-NQ/TW")
    issued = ft.TextField(label="Ngày ban hành", helper="dd/mm/yyyy")
    comments_until = ft.TextField(
        label="Lấy ý kiến đến", helper="Dự thảo: ngày hết hạn góp ý, dd/mm/yyyy", width=ctx.width(360)
    )
    study_due = ft.TextField(
        label="Hạn học", helper="Tài liệu học tập: ngày phải học xong, dd/mm/yyyy", width=ctx.width(360)
    )
    summary = ft.TextField(label="Trích yếu", multiline=True, min_lines=2)
    body = ft.TextField(label="Toàn văn", multiline=True, min_lines=4)
    audience = ft.Column(spacing=0)
    chosen: set[int] = set()
    files: list[tuple[str, bytes, str]] = []
    files_text = ctx.muted("Chưa có tệp đính kèm.")
    error = ctx.text("", 14, color="#B00020")
    picker = ft.FilePicker()

    def draw_audience() -> None:
        audience.controls = [
            ft.Checkbox(
                label=("  " * int(o.get("depth", 0))) + o["name"],
                value=o["id"] in chosen,
                on_change=lambda e, i=o["id"]: chosen.add(i) if e.control.value else chosen.discard(i),
            )
            for o in state.orgs[:200]
        ] or [ctx.muted(state.error or "Đang tải tổ chức...")]

    async def pick() -> None:
        picked = await picker.pick_files(allow_multiple=True, with_data=True)
        for f in picked or []:
            data = getattr(f, "bytes", None)
            if data:
                files.append((f.name, data, "application/octet-stream"))
        files_text.value = ", ".join(n for n, _, _ in files) or "Chưa có tệp đính kèm."
        ctx.page.update()

    async def submit() -> None:
        outcome = await state.publish(
            title=title.value or "",
            doc_type=doc_type.value or "resolution",
            number=number.value or "",
            issued_on=issued.value or "",
            summary=summary.value or "",
            body=body.value or "",
            category=category.value or "documents",
            audience_ids=sorted(chosen),
            files=files,
            comments_until=comments_until.value or "",
            study_due_on=study_due.value or "",
        )
        form_done(ctx, outcome, error, "/staff")

    async def load() -> None:
        await state.load_orgs()
        draw_audience()

    draw_audience()
    form = ft.Column(
        [
            tag("doc-new-title", title),
            ft.Row([tag("doc-new-type", doc_type), category], wrap=True),
            ft.Row([tag("doc-new-number", number), tag("doc-new-issued", issued)], wrap=True),
            tag("doc-new-summary", summary),
            tag("doc-new-body", body),
            section(ctx, "Tệp đính kèm (PDF, DOCX, XLSX, ảnh)"),
            ft.Row(
                [
                    ft.OutlinedButton(
                        "Chọn tệp", icon=ft.Icons.ATTACH_FILE, on_click=lambda e: ctx.run(pick)
                    ),
                    files_text,
                ],
                wrap=True,
            ),
            tag("doc-new-study-due", study_due),
            tag("doc-new-comments-until", comments_until),
            ctx.muted("Để trống để phát hành ngay; điền hạn để gửi dự thảo lấy ý kiến góp ý."),
            section(ctx, "Nơi nhận (cả các tổ chức trực thuộc)"),
            tag("doc-new-audience", audience),
            tag("doc-new-error", error),
            action_button(ctx, "doc-new-submit", "Phát hành", ft.Icons.SEND, submit, primary=True),
            ctx.muted("Không đăng tài liệu mật (Mật, Tối mật, Tuyệt mật) lên hệ thống."),
        ],
        spacing=10,
    )
    return Screen(title="Phát hành văn bản", body=form, load=load, back="/staff")


def drafts(ctx: Ctx) -> Screen:
    """Góp ý dự thảo: the drafts staff published, those open for comments first."""
    state = CommentsState(ctx.app)
    col = ft.Column(spacing=8)

    def redraw() -> None:
        col.controls = []
        for d in state.drafts:
            until = d.get("comments_until")
            status = f"Lấy ý kiến đến {fmt.when(until)}" if until else "Chưa mở lấy ý kiến"
            col.controls.append(
                card(
                    ft.Column(
                        [
                            ctx.text(d.get("title", ""), 15, weight=ft.FontWeight.W_600),
                            ctx.muted(status),
                        ],
                        spacing=2,
                    ),
                    on_click=lambda e, i=d["id"]: ctx.go(f"/staff/drafts/{i}"),
                    identifier=f"draft-{d['id']}",
                )
            )
        if not state.drafts:
            col.controls = [empty(ctx, state.error or "Chưa có dự thảo nào.", ft.Icons.RATE_REVIEW)]

    async def load() -> None:
        await state.load_drafts()
        redraw()

    redraw()
    return Screen(title="Góp ý dự thảo", body=col, load=load, back="/staff")


def draft_comments(ctx: Ctx, document_id: str) -> Screen:
    """The comments members sent on one draft, newest last, and the export for the drafting team."""
    state = CommentsState(ctx.app)
    doc_id = int(document_id)
    head = ft.Column(spacing=4)
    col = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    saver = ft.FilePicker()

    def redraw() -> None:
        d = state.document or {}
        until = d.get("comments_until")
        head.controls = [
            ctx.title(d.get("title", "Dự thảo")),
            ctx.muted(
                (f"Lấy ý kiến đến {fmt.when(until)} · " if until else "")
                + f"{len(state.comments)} ý kiến góp ý"
            ),
        ]
        col.controls = [
            tag(
                f"comment-{c['id']}",
                card(
                    ft.Column(
                        [
                            ctx.text(c.get("body", ""), 15),
                            ctx.muted(
                                f"{c.get('author_name') or 'Ẩn danh'}"
                                + (f" · {c['org_name']}" if c.get("org_name") else "")
                                + f" · {fmt.when(c.get('created_at'))}"
                            ),
                        ],
                        spacing=4,
                    )
                ),
            )
            for c in state.comments
        ] or [empty(ctx, state.error or "Chưa có ý kiến góp ý.", ft.Icons.FORUM_OUTLINED)]

    async def export(kind: str) -> None:
        await save_export(ctx, saver, lambda: state.export(doc_id, kind))

    async def load() -> None:
        await state.load_comments(doc_id)
        redraw()

    redraw()
    body = ft.Column(
        [
            head,
            ft.Row(
                [
                    action_button(
                        ctx,
                        "export-comments-xlsx",
                        "Xuất Excel (XLSX)",
                        ft.Icons.TABLE_VIEW,
                        lambda: export("xlsx"),
                        kind=ft.FilledTonalButton,
                    ),
                    action_button(
                        ctx, "export-comments-csv", "Xuất CSV", ft.Icons.DOWNLOAD, lambda: export("csv")
                    ),
                ],
                wrap=True,
            ),
            tag("comments-list", col),
        ],
        spacing=10,
    )
    return Screen(title="Ý kiến góp ý", body=body, load=load, back="/staff/drafts")
