"""The self-reviews of a year under an organisation as a table (XLSX or CSV, Vietnamese headers): one row per
member now in a cell of the subtree, plus those whose review stayed in a cell they left; the columns a
committee's report on the year's classification needs."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server import tables
from server.auth.principal import Principal
from server.records.members import Member
from server.records.orgs import Organization, OrgClosure
from server.year import review_access as access
from server.year.models import SelfReview
from shared.enums import MEMBER_KIND_LABELS, MemberKind
from shared.schemas.review import REVIEW_LEVEL_LABELS, REVIEW_STATUS_LABELS, ReviewLevel, ReviewStatus

HEADERS = ["STT", "Họ và tên", "Số thẻ đảng viên", "Chi bộ", "Chức vụ", "Loại đảng viên", "Tình trạng",
           "Tự xếp loại", "Chi bộ đề xuất", "Cấp ủy quyết định", "Miễn/ghi chú"]
WIDTHS = [5, 26, 14, 28, 20, 16, 20, 28, 28, 28, 40]
NOT_SENT = "Chưa gửi bản kiểm điểm"
KIND_LABELS = {k.value: label for k, label in MEMBER_KIND_LABELS.items()}


def _level(value: str | None) -> str:
    return REVIEW_LEVEL_LABELS[ReviewLevel(value)] if value else ""


def _note(review: SelfReview | None, member: Member) -> str:
    if review is not None and review.status == ReviewStatus.exempt.value:
        return f"Miễn: {review.exempt_reason or ''}".strip()
    notes = [n for n in ((review.confirmed_note, review.proposed_note) if review else ()) if n]
    if member.kind == MemberKind.exempt.value:
        notes.insert(0, MEMBER_KIND_LABELS[MemberKind.exempt])
    return "; ".join(notes)


def org_table(session: Session, principal: Principal, org_id: int, year: int
              ) -> tuple[str, list[str], list[list[Any]]]:
    org = access.summary_org(session, principal, org_id)
    under = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)
    names = dict(session.execute(select(col(Organization.id), col(Organization.name))
                                 .where(col(Organization.id).in_(under))).all())
    reviews = {r.member_id: r for r in session.execute(select(SelfReview).where(
        col(SelfReview.org_id).in_(under), col(SelfReview.year) == year,
        col(SelfReview.status) != ReviewStatus.draft.value)).scalars()}
    members = list(session.execute(select(Member).where(col(Member.org_id).in_(under))).scalars())
    seen = {m.id for m in members}
    moved = [m for m in reviews if m not in seen]
    if moved:
        members += list(session.execute(select(Member).where(col(Member.id).in_(moved))).scalars())

    def cell_of(member: Member) -> int:
        review = reviews.get(member.id or 0)
        return review.org_id if review is not None else member.org_id

    members.sort(key=lambda m: (names.get(cell_of(m), ""), cell_of(m), m.name_folded, m.id or 0))
    body: list[list[Any]] = []
    for number, member in enumerate(members, start=1):
        review = reviews.get(member.id or 0)
        rated = review if review is not None and review.status != ReviewStatus.exempt.value else None
        state = REVIEW_STATUS_LABELS[ReviewStatus(review.status)] if review else NOT_SENT
        kind = KIND_LABELS.get(member.kind, member.kind)
        body.append([number, member.full_name, member.card_number or "", names.get(cell_of(member), ""),
                     member.position or "", kind, state, _level(rated.self_level if rated else None),
                     _level(rated.proposed_level if rated else None),
                     _level(rated.confirmed_level if rated else None), _note(review, member)])
    return f"Kiểm điểm, xếp loại đảng viên năm {year} - {org.name}", HEADERS, body


def render(fmt: str, title: str, headers: Sequence[str], body: Sequence[Sequence[Any]]) -> tuple[bytes, str]:
    return tables.render(fmt, headers, body, title=title, sheet="Xếp loại", widths=WIDTHS, freeze="C3",
                         wrap_last=True)
