"""Committee staff screens: the subtree dashboard with charts, publishing a document, the audit log."""

from __future__ import annotations

from typing import Any

import flet as ft
import flet_charts as fc

from client import format as fmt
from client.api import ApiError
from client.router import Screen
from client.state.staff import (
    CommentsState,
    NewMemberState,
    OrgsState,
    ReadingState,
    StaffState,
    short_org_label,
)
from client.views.ui import PRIMARY, Ctx, card, empty, section, tag
from shared.enums import MEMBER_KIND_LABELS, ORG_KIND_LABELS, MemberKind, OrgKind
from shared.timefmt import fmt_month


def _rates_chart(items: list[dict], *, target: float = 0.85, limit: int = 8) -> ft.Control:
    """Bars of rates (0..1) with the target line; the labels under them are short and carry the value."""
    items = items[:limit]
    groups = [
        fc.BarChartGroup(
            x=i,
            rods=[
                fc.BarChartRod(
                    from_y=0,
                    to_y=round((c.get("rate") or 0) * 100),
                    width=22,
                    border_radius=3,
                    color="#2E7D32" if (c.get("rate") or 0) >= target else "#C62828",
                    tooltip=fc.BarChartRodTooltip(text=f"{_name(c)}: {fmt.percent(c.get('rate'))}"),
                )
            ],
        )
        for i, c in enumerate(items)
    ]
    return fc.BarChart(
        groups=groups,
        max_y=100,
        min_y=0,
        height=260,
        interactive=True,
        left_axis=fc.ChartAxis(
            label_size=40,
            label_spacing=5,
            labels=[fc.ChartAxisLabel(value=v, label=f"{v}%") for v in (0, 50, 85, 100)],
        ),
        bottom_axis=fc.ChartAxis(
            label_size=44,
            labels=[
                fc.ChartAxisLabel(
                    value=i,
                    label=ft.Text(
                        f"{short_org_label(_name(c))}\n{fmt.percent(c.get('rate'))}",
                        size=11,
                        text_align=ft.TextAlign.CENTER,
                    ),
                )
                for i, c in enumerate(items)
            ],
        ),
        horizontal_grid_lines=fc.ChartGridLines(interval=round(target * 100), color="#FFB300", width=1),
    )


def _name(c: dict) -> str:
    return str(c.get("org_name") or c.get("name") or "")


def _reading(ctx: Ctx, reading: ReadingState) -> list[ft.Control]:
    """Reading rates: each recent document's share of members who opened it; the latest one by cell."""
    out: list[ft.Control] = [section(ctx, "Tỷ lệ đọc văn bản mới")]
    if not reading.documents:
        out.append(ctx.muted(reading.error or "Chưa có văn bản đã phát hành trong phạm vi phụ trách."))
        return out
    rows: list[ft.Control] = []
    for d in reading.documents:
        rate = d["rate"]
        rows.append(
            tag(
                f"reading-doc-{d['id']}",
                ft.Column(
                    [
                        ft.Row(
                            [
                                ctx.text(d["title"], 14, expand=True),
                                ctx.text(
                                    f"{d['read']}/{d['members']} · {fmt.percent(rate)}",
                                    14,
                                    weight=ft.FontWeight.W_600,
                                ),
                            ]
                        ),
                        ft.ProgressBar(
                            value=rate, color="#2E7D32" if rate >= 0.85 else "#EF6C00", bgcolor="#EEEEEE"
                        ),
                    ],
                    spacing=2,
                ),
            )
        )
    out.append(card(ft.Column(rows, spacing=10), identifier="reading"))
    latest = reading.documents[0]
    if len(latest["by_cell"]) > 1:
        out += [
            section(ctx, f"Tỷ lệ đọc theo chi bộ: {latest['title']}"),
            ctx.muted("Các chi bộ đọc ít nhất trước."),
            tag("reading-chart", _rates_chart(latest["by_cell"])),
        ]
    return out


def _exports(ctx: Ctx, state: StaffState, export: Any) -> list[ft.Control]:
    """Each cell's attendance over the year as a spreadsheet, one tap per cell."""
    cells = state.cells
    if not cells:
        return []
    year = (state.overview or {}).get("year")
    rows: list[ft.Control] = [
        ctx.beside(
            ctx.text(c.get("name", ""), 15),
            tag(
                f"export-year-{c['id']}",
                ft.TextButton(
                    "Excel",
                    icon=ft.Icons.DOWNLOAD,
                    tooltip=f"Xuất điểm danh năm {year or ''} của {c.get('name', '')}",
                    on_click=lambda e, i=c["id"]: ctx.run(lambda: export(i)),
                ),
            ),
        )
        for c in cells
    ]
    return [
        section(ctx, f"Xuất điểm danh năm {year or ''} theo chi bộ"),
        card(ft.Column(rows, spacing=4), identifier="year-exports"),
    ]


def staff_home(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    reading = ReadingState(ctx.app, state.staff_org_id)
    col = ft.Column(spacing=10)

    def redraw() -> None:
        col.controls = [
            ft.Row(
                [
                    tag(
                        "publish",
                        ft.FilledButton(
                            "Phát hành văn bản",
                            icon=ft.Icons.UPLOAD_FILE,
                            on_click=lambda e: ctx.go("/staff/publish"),
                            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                        ),
                    ),
                    tag(
                        "audit",
                        ft.OutlinedButton(
                            "Nhật ký hệ thống",
                            icon=ft.Icons.POLICY,
                            on_click=lambda e: ctx.go("/staff/audit"),
                        ),
                    ),
                    tag(
                        "members",
                        ft.OutlinedButton(
                            "Đảng viên", icon=ft.Icons.GROUPS, on_click=lambda e: ctx.go("/staff/members")
                        ),
                    ),
                    tag(
                        "orgs",
                        ft.OutlinedButton(
                            "Tổ chức đảng",
                            icon=ft.Icons.ACCOUNT_TREE,
                            on_click=lambda e: ctx.go("/staff/orgs"),
                        ),
                    ),
                    tag(
                        "comments",
                        ft.OutlinedButton(
                            "Góp ý dự thảo",
                            icon=ft.Icons.RATE_REVIEW,
                            on_click=lambda e: ctx.go("/staff/drafts"),
                        ),
                    ),
                ],
                wrap=True,
            )
        ]
        o = state.overview
        if not o:
            col.controls.append(ctx.muted(state.error or "Đang tải số liệu..."))
            return
        col.controls += [
            tag(
                "overview-month",
                section(ctx, f"Tháng {fmt_month(o.get('month'))}: {o.get('cells', 0)} chi bộ"),
            ),
            card(
                ft.Column(
                    [
                        ctx.text(
                            f"{len(o.get('cells_without_meeting', []))} chi bộ chưa sinh hoạt tháng này",
                            15,
                            color="#B71C1C" if o.get("cells_without_meeting") else "#1B5E20",
                        ),
                        ctx.text(f"{len(o.get('cells_under_target', []))} chi bộ dưới 85% dự sinh hoạt", 15),
                        ctx.text(f"{len(o.get('flagged_members', []))} đảng viên vắng 3 lần liên tiếp", 15),
                    ],
                    spacing=4,
                ),
                identifier="overview",
            ),
        ]
        under = o.get("cells_under_target", [])
        if under:
            col.controls += [
                section(ctx, "Tỷ lệ dự sinh hoạt các chi bộ dưới 85%"),
                tag("rates-chart", _rates_chart(under)),
            ]
        col.controls += _exports(ctx, state, export)
        col.controls += _reading(ctx, reading)
        missing = o.get("cells_without_meeting", [])
        if missing:
            col.controls.append(section(ctx, "Chi bộ chưa sinh hoạt tháng này"))
            col.controls += [ctx.text(f"• {c.get('org_name')}", 14) for c in missing[:20]]
        flagged = o.get("flagged_members", [])
        if flagged:
            col.controls.append(section(ctx, "Đảng viên cần quan tâm"))
            col.controls += [
                ctx.text(
                    f"• {f.get('full_name')} ({f.get('org_name')}): vắng "
                    f"{f.get('consecutive_absences')} lần liên tiếp",
                    14,
                )
                for f in flagged[:20]
            ]

    saver = ft.FilePicker()

    async def export(cell_id: int) -> None:
        year = (state.overview or {}).get("year")  # the dashboard's year, as it counts the month shown
        try:
            name, data = await state.export_year(cell_id, int(year) if year else None)
        except ApiError as exc:
            ctx.toast(exc.message, error=True)
            return
        await saver.save_file(file_name=name, src_bytes=data)

    async def load() -> None:
        await state.load_overview()
        redraw()
        ctx.page.update()  # the attendance figures first; the reading rates take a request per document
        await state.load_orgs()
        await reading.load()
        redraw()

    redraw()
    return Screen(title="Quản lý cấp ủy", body=col, load=load, back="/home")


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
        if not outcome.ok:
            error.value = outcome.message
            ctx.page.update()
            return
        ctx.toast(outcome.message)
        ctx.go("/staff")

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
            tag(
                "doc-new-submit",
                ft.FilledButton(
                    "Phát hành",
                    icon=ft.Icons.SEND,
                    on_click=lambda e: ctx.run(submit),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                ),
            ),
            ctx.muted("Không đăng tài liệu mật (Mật, Tối mật, Tuyệt mật) lên hệ thống."),
        ],
        spacing=10,
    )
    return Screen(title="Phát hành văn bản", body=form, load=load, back="/staff")


def audit(ctx: Ctx) -> Screen:
    state = StaffState(ctx.app)
    col = ft.Column(spacing=4)

    def redraw() -> None:
        col.controls = [
            ft.ListTile(
                title=ctx.text(
                    f"{fmt.audit_action(e.get('action'))} — {e.get('actor_name') or 'hệ thống'}", 14
                ),
                subtitle=ctx.muted(
                    f"{fmt.when(e.get('at'))} · {e.get('target_type') or ''} {e.get('target_id') or ''}"
                ),
                dense=True,
            )
            for e in state.audit
        ] or [empty(ctx, state.error or "Chưa có nhật ký.")]

    async def load() -> None:
        await state.load_audit()
        redraw()

    redraw()
    return Screen(title="Nhật ký hệ thống", body=col, load=load, back="/staff")


def members(ctx: Ctx) -> Screen:
    """Đảng viên: find members of the subtree; import a list exported from the party's member database."""
    state = StaffState(ctx.app)
    results = ft.Column(spacing=4)
    report = ft.Column(spacing=2)
    search = ft.TextField(
        label="Tìm đảng viên",
        hint_text="tên (không dấu cũng được) hoặc số thẻ",
        prefix_icon=ft.Icons.SEARCH,
    )
    picker = ft.FilePicker()
    pending: dict[str, Any] = {}

    def draw() -> None:
        results.controls = [
            ft.ListTile(
                title=ctx.text(m.full_name, 15),
                subtitle=ctx.muted(
                    f"{m.org_name or ''} · {MEMBER_KIND_LABELS.get(m.kind, m.kind)}"
                    + (f" · thẻ {m.card_number}" if m.card_number else "")
                ),
                dense=True,
            )
            for m in state.members
        ] or [empty(ctx, state.error or "Không tìm thấy đảng viên phù hợp.", ft.Icons.PERSON_SEARCH)]
        r = state.import_report
        report.controls = []
        if r is not None:
            bad = [row for row in r.rows if row.status == "rejected"][:10]
            report.controls = [
                ctx.text(f"Dòng {row.row}: {'; '.join(row.errors)}", 13, color="#B00020") for row in bad
            ]
            if pending and not r.applied:
                report.controls.append(
                    tag(
                        "import-apply",
                        ft.FilledButton(
                            "Áp dụng",
                            icon=ft.Icons.DONE,
                            on_click=lambda e: ctx.run(apply),
                            style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                        ),
                    )
                )

    async def find(e: Any = None) -> None:
        await state.search_members(search.value or "")
        draw()
        ctx.page.update()

    async def pick() -> None:
        files = await picker.pick_files(allowed_extensions=["csv", "xlsx"], with_data=True)
        if not files:
            return
        f = files[0]
        data = getattr(f, "bytes", None)
        if not data:
            ctx.toast("Không đọc được tệp.", error=True)
            return
        pending.update(name=f.name, data=data)
        outcome = await state.import_members(f.name, data, apply=False)
        ctx.toast(outcome.message, error=not outcome.ok)
        draw()
        ctx.page.update()

    async def apply() -> None:
        outcome = await state.import_members(pending["name"], pending["data"], apply=True)
        pending.clear()
        ctx.toast(outcome.message, error=not outcome.ok)
        await find()

    search.on_submit = find
    draw()
    body = ft.Column(
        [
            tag("member-search", search),
            ft.Row(
                [
                    ft.FilledTonalButton("Tìm", icon=ft.Icons.SEARCH, on_click=find),
                    tag(
                        "member-new",
                        ft.OutlinedButton(
                            "Thêm đảng viên",
                            icon=ft.Icons.PERSON_ADD,
                            on_click=lambda e: ctx.go("/staff/members/new"),
                        ),
                    ),
                    tag(
                        "import-members",
                        ft.OutlinedButton(
                            "Nhập danh sách (CSV, XLSX)",
                            icon=ft.Icons.UPLOAD_FILE,
                            on_click=lambda e: ctx.run(pick),
                        ),
                    ),
                ],
                wrap=True,
            ),
            report,
            results,
        ],
        spacing=10,
    )
    return Screen(title="Đảng viên", body=body, load=find, back="/staff")


def _field(label: str, value: str = "", width: int | None = None, **kw: Any) -> ft.TextField:
    return ft.TextField(label=label, value=value, width=width, **kw)


def orgs(ctx: Ctx) -> Screen:
    """Tổ chức đảng: the subtree as an indented tree with member counts; add a child, edit one."""
    staff = StaffState(ctx.app)
    state = OrgsState(ctx.app, staff.staff_org_id)
    tree = ft.Column(spacing=0)
    editing: dict[str, Any] = {}
    edit_box = ft.Column(spacing=8)
    new_parent = ft.Dropdown(label="Thuộc tổ chức", width=ctx.width(380))
    new_kind = ft.Dropdown(
        label="Loại",
        value=OrgKind.cell.value,
        width=ctx.width(200),
        options=[ft.dropdown.Option(k.value, v) for k, v in ORG_KIND_LABELS.items() if k != OrgKind.province],
    )
    new_name = _field("Tên tổ chức", helper="Ví dụ: Chi bộ thôn Đông")
    new_code = _field("Mã (ví dụ A1-3)", width=ctx.width(200))
    new_day = _field("Ngày họp (1–28)", width=ctx.width(170), keyboard_type=ft.KeyboardType.NUMBER)
    new_time = _field("Giờ (HH:MM)", width=ctx.width(140))
    new_error = ctx.text("", 14, color="#B00020")

    def draw_tree() -> None:
        tree.controls = []
        for o, level in state.rows:
            rule = ""
            if o.get("meeting_day"):
                rule = f" · sinh hoạt ngày {o['meeting_day']}" + (
                    f" lúc {o['meeting_time']}" if o.get("meeting_time") else ""
                )
            is_cell = o.get("kind") == OrgKind.cell.value
            kind_label = ORG_KIND_LABELS.get(o.get("kind"), "")  # type: ignore[call-overload]
            tree.controls.append(
                tag(
                    f"org-{o['id']}",
                    ft.Container(
                        ft.Row(
                            [
                                ft.Icon(
                                    ft.Icons.GROUPS if is_cell else ft.Icons.ACCOUNT_TREE,
                                    size=18,
                                    color="#5F6368",
                                ),
                                ft.Column(
                                    [
                                        ctx.text(
                                            o.get("name", ""),
                                            15,
                                            weight=None if is_cell else ft.FontWeight.W_600,
                                        ),
                                        ctx.muted(f"{kind_label} · {o.get('code', '')}{rule}"),
                                    ],
                                    spacing=0,
                                    expand=True,
                                ),
                                ctx.text(f"{o.get('member_count') or 0} đảng viên", 13),
                                tag(
                                    f"org-add-{o['id']}",
                                    ft.IconButton(
                                        ft.Icons.ADD,
                                        tooltip="Thêm tổ chức trực thuộc",
                                        on_click=lambda e, org=o: start_add(org),
                                        visible=not is_cell,
                                    ),
                                ),
                                tag(
                                    f"org-edit-{o['id']}",
                                    ft.IconButton(
                                        ft.Icons.EDIT_OUTLINED,
                                        tooltip="Sửa tên, lịch sinh hoạt",
                                        on_click=lambda e, org=o: start_edit(org),
                                    ),
                                ),
                            ],
                            vertical_alignment=ft.CrossAxisAlignment.CENTER,
                        ),
                        padding=ft.Padding.only(left=8 + 24 * level, top=4, bottom=4, right=4),
                        border=ft.Border.only(bottom=ft.BorderSide(1, "#EEEEEE")),
                    ),
                )
            )
        if not state.rows:
            tree.controls = [empty(ctx, state.error or "Đang tải tổ chức...", ft.Icons.ACCOUNT_TREE)]
        new_parent.options = [ft.dropdown.Option(str(o["id"]), o.get("name", "")) for o in state.parents]
        if state.parents and not new_parent.value:
            new_parent.value = str(state.parents[0]["id"])
        draw_edit()

    def draw_edit() -> None:
        org = editing.get("org")
        if not org:
            edit_box.controls = []
            return
        name = _field("Tên tổ chức", org.get("name", ""))
        day = _field("Ngày họp (1–28)", str(org.get("meeting_day") or ""), width=ctx.width(170))
        time = _field("Giờ (HH:MM)", org.get("meeting_time") or "", width=ctx.width(140))
        error = ctx.text("", 14, color="#B00020")

        async def save() -> None:
            outcome = await state.update(
                org["id"], name=name.value or "", day=day.value or "", time=time.value or ""
            )
            if not outcome.ok:
                error.value = outcome.message
                ctx.page.update()
                return
            editing.clear()
            ctx.toast(outcome.message)
            draw_tree()
            ctx.page.update()

        def cancel() -> None:
            editing.clear()
            draw_edit()
            ctx.page.update()

        edit_box.controls = [
            card(
                ft.Column(
                    [
                        ctx.text(f"Sửa: {org.get('name', '')}", 16, weight=ft.FontWeight.BOLD),
                        tag("org-edit-name", name),
                        ft.Row([tag("org-edit-day", day), tag("org-edit-time", time)], wrap=True),
                        tag("org-edit-error", error),
                        ft.Row(
                            [
                                tag(
                                    "org-edit-save",
                                    ft.FilledButton(
                                        "Lưu",
                                        icon=ft.Icons.SAVE,
                                        on_click=lambda e: ctx.run(save),
                                        style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                                    ),
                                ),
                                ft.TextButton("Hủy", on_click=lambda e: cancel()),
                            ]
                        ),
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
                identifier="org-edit",
            )
        ]

    def start_add(parent: dict[str, Any]) -> None:
        new_parent.value = str(parent["id"])
        # The usual child: chi bộ under a đảng bộ cơ sở, đảng bộ cơ sở under a huyện or khối.
        new_kind.value = {
            OrgKind.province.value: OrgKind.district.value,
            OrgKind.grassroots.value: OrgKind.cell.value,
        }.get(parent.get("kind", ""), OrgKind.grassroots.value)
        ctx.page.update()

    def start_edit(org: dict[str, Any]) -> None:
        editing["org"] = org
        draw_edit()
        ctx.page.update()

    async def create() -> None:
        outcome = await state.create(
            parent_id=int(new_parent.value) if new_parent.value else None,
            name=new_name.value or "",
            kind=new_kind.value or OrgKind.cell.value,
            code=new_code.value or "",
            day=new_day.value or "",
            time=new_time.value or "",
        )
        new_error.value = "" if outcome.ok else outcome.message
        if outcome.ok:
            ctx.toast(outcome.message)
            for f in (new_name, new_code, new_day, new_time):
                f.value = ""
            draw_tree()
        ctx.page.update()

    async def load() -> None:
        await state.load()
        draw_tree()

    draw_tree()
    body = ft.Column(
        [
            edit_box,
            section(ctx, "Thêm tổ chức trực thuộc"),
            card(
                ft.Column(
                    [
                        ft.Row([tag("org-new-parent", new_parent), tag("org-new-kind", new_kind)], wrap=True),
                        tag("org-new-name", new_name),
                        ft.Row(
                            [
                                tag("org-new-code", new_code),
                                tag("org-new-day", new_day),
                                tag("org-new-time", new_time),
                            ],
                            wrap=True,
                        ),
                        tag("org-new-error", new_error),
                        tag(
                            "org-new-submit",
                            ft.FilledButton(
                                "Tạo tổ chức",
                                icon=ft.Icons.ADD,
                                on_click=lambda e: ctx.run(create),
                                style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                            ),
                        ),
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                )
            ),
            section(ctx, "Cây tổ chức và số đảng viên"),
            tag("orgs-tree", tree),
        ],
        spacing=10,
    )
    return Screen(title="Tổ chức đảng", body=body, load=load, back="/staff")


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
        try:
            name, data = await state.export(doc_id, kind)
        except ApiError as exc:
            ctx.toast(exc.message, error=True)
            return
        await saver.save_file(file_name=name, src_bytes=data)

    async def load() -> None:
        await state.load_comments(doc_id)
        redraw()

    redraw()
    body = ft.Column(
        [
            head,
            ft.Row(
                [
                    tag(
                        "export-comments-xlsx",
                        ft.FilledTonalButton(
                            "Xuất Excel (XLSX)",
                            icon=ft.Icons.TABLE_VIEW,
                            on_click=lambda e: ctx.run(lambda: export("xlsx")),
                        ),
                    ),
                    tag(
                        "export-comments-csv",
                        ft.OutlinedButton(
                            "Xuất CSV",
                            icon=ft.Icons.DOWNLOAD,
                            on_click=lambda e: ctx.run(lambda: export("csv")),
                        ),
                    ),
                ],
                wrap=True,
            ),
            tag("comments-list", col),
        ],
        spacing=10,
    )
    return Screen(title="Ý kiến góp ý", body=body, load=load, back="/staff/drafts")


def new_member(ctx: Ctx) -> Screen:
    """Thêm đảng viên: one member by hand; the server's Vietnamese refusal is shown as it comes."""
    staff = StaffState(ctx.app)
    orgs_state = OrgsState(ctx.app, staff.staff_org_id)
    state = NewMemberState(ctx.app)
    name = _field("Họ và tên")
    born = _field("Ngày sinh", helper="dd/mm/yyyy", width=ctx.width(220))
    card_no = _field("Số thẻ đảng viên", width=ctx.width(220), keyboard_type=ft.KeyboardType.NUMBER)
    kind = ft.Dropdown(
        label="Loại đảng viên",
        value=MemberKind.official.value,
        width=ctx.width(220),
        options=[ft.dropdown.Option(k.value, v) for k, v in MEMBER_KIND_LABELS.items()],
    )
    cell = ft.Dropdown(label="Chi bộ", width=ctx.width(380))
    error = ctx.text("", 14, color="#B00020")

    def draw_cells() -> None:
        cell.options = [ft.dropdown.Option(str(o["id"]), o.get("name", "")) for o in orgs_state.cells]
        if orgs_state.cells and not cell.value:
            cell.value = str(orgs_state.cells[0]["id"])

    async def save() -> None:
        outcome = await state.create(
            full_name=name.value or "",
            birth_date=born.value or "",
            card_number=card_no.value or "",
            kind=kind.value or MemberKind.official.value,
            org_id=int(cell.value) if cell.value else None,
        )
        fields = {"full_name": name, "birth_date": born, "card_number": card_no}
        for key, field in fields.items():
            field.error = state.field_errors.get(key)
        if not outcome.ok:
            error.value = outcome.message
            ctx.page.update()
            return
        ctx.toast(outcome.message)
        ctx.go("/staff/members")

    async def load() -> None:
        await orgs_state.load()
        draw_cells()

    body = ft.Column(
        [
            tag("member-new-name", name),
            ft.Row(
                [tag("member-new-born", born), tag("member-new-card", card_no), tag("member-new-kind", kind)],
                wrap=True,
            ),
            tag("member-new-cell", cell),
            tag("member-new-error", error),
            tag(
                "member-new-save",
                ft.FilledButton(
                    "Thêm đảng viên",
                    icon=ft.Icons.PERSON_ADD,
                    on_click=lambda e: ctx.run(save),
                    style=ft.ButtonStyle(bgcolor=PRIMARY, color="#FFFFFF"),
                ),
            ),
        ],
        spacing=10,
    )
    return Screen(title="Thêm đảng viên", body=body, load=load, back="/staff/members")
