"""A cell's commitments of a year as a table (XLSX or CSV, Vietnamese headers): one row per item."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server import tables
from server.auth.principal import Principal
from server.records.members import Member
from server.year import access
from server.year.models import Commitment, CommitmentItem
from shared.schemas.year import (
    COMMITMENT_CATEGORY_LABELS,
    COMMITMENT_STATUS_LABELS,
    CommitmentCategory,
    CommitmentStatus,
)
from shared.timefmt import fmt_date

HEADERS = ["STT", "Họ và tên", "Số thẻ đảng viên", "Tình trạng bản đăng ký", "Ngày duyệt", "Mục",
           "Nội dung cam kết", "Nhóm", "Kết quả thực hiện (đảng viên tự ghi)", "Nhận xét của chi bộ"]
WIDTHS = [5, 26, 14, 16, 12, 5, 50, 22, 40, 40]
NOT_REGISTERED = "Chưa đăng ký"


def cell_table(session: Session, principal: Principal, cell_id: int, year: int
               ) -> tuple[str, list[str], list[list[Any]]]:
    """(title, headers, rows): every member now in the cell; one without a sent commitment on one row."""
    org = access.cell_reader(session, principal, cell_id)
    members = session.execute(select(Member).where(col(Member.org_id) == cell_id)
                              .order_by(col(Member.name_folded), col(Member.id))).scalars().all()
    found = {c.member_id: c for c in session.execute(select(Commitment).where(
        col(Commitment.org_id) == cell_id, col(Commitment.year) == year,
        col(Commitment.status) != CommitmentStatus.draft.value)).scalars()}
    items: dict[int, list[CommitmentItem]] = {}
    if found:
        for item in session.execute(select(CommitmentItem).where(
                col(CommitmentItem.commitment_id).in_([c.id for c in found.values()]))
                .order_by(col(CommitmentItem.position), col(CommitmentItem.id))).scalars():
            items.setdefault(item.commitment_id, []).append(item)
    body: list[list[Any]] = []
    for number, member in enumerate(members, start=1):
        c = found.get(member.id or 0)
        head = [number, member.full_name, member.card_number or ""]
        if c is None:
            body.append([*head, NOT_REGISTERED, "", "", "", "", "", ""])
            continue
        state = [COMMITMENT_STATUS_LABELS[CommitmentStatus(c.status)],
                 fmt_date(c.decided_at) if c.status == CommitmentStatus.approved.value else ""]
        for item in items.get(c.id or 0, []):
            category = COMMITMENT_CATEGORY_LABELS[CommitmentCategory(item.category)] if item.category else ""
            body.append([*head, *state, item.position, item.text, category, item.result or "",
                         item.remark or ""])
    return f"Đăng ký cam kết năm {year} - {org.name}", HEADERS, body


def render(fmt: str, title: str, headers: Sequence[str], body: Sequence[Sequence[Any]]) -> tuple[bytes, str]:
    return tables.render(fmt, headers, body, title=title, sheet="Cam kết", widths=WIDTHS, freeze="C3",
                         wrap_last=True)
