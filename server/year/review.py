"""The year-end self-review: the member writes and submits it, the cell proposes a level, the upper
committee confirms it; exemptions; the cap on the top level (warned about, never applied).

Rights are decided in `server/year/review_access.py`; the functions here take a review the caller was
already found allowed to touch and enforce the review's own rules (its state, its year). Every write bumps
the review, logs it for its member's devices (nobody else's) and records an audit entry.
"""

import math
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Conflict, Unprocessable
from server.notifications.service import notify
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member, User
from server.records.orgs import Organization, OrgClosure
from server.timeutil import as_utc, utcnow
from server.year import review_access as access
from server.year.models import SelfReview
from server.year.review_facts import facts
from server.year.service import acted_at, local_year
from shared.schemas.notifications import NotificationKind
from shared.schemas.review import (
    REVIEW_LEVEL_LABELS,
    CapWarning,
    ReviewConfirmation,
    ReviewExemption,
    ReviewLevel,
    ReviewPage,
    ReviewProposal,
    ReviewPublic,
    ReviewRow,
    ReviewStatus,
    ReviewUpdate,
)

S = ReviewStatus
EDITABLE = {S.draft.value, S.submitted.value}
RATED_BY_CELL = {S.submitted.value, S.proposed.value}
SECTIONS = ("strengths", "shortcomings", "causes", "direction")


def check_year(year: int, now: datetime | None = None) -> None:
    """A review is written for this year or, in January and later, the last one."""
    current = local_year(now)
    if not current - 1 <= year <= current:
        raise Unprocessable(f"Chỉ kiểm điểm năm {current - 1} hoặc năm {current}: hãy chọn lại năm.",
                            code="year_out_of_window", year=year)


# ---- who holds it ----


def audience(session: Session, review: SelfReview) -> list[int]:
    """Users whose devices hold the review: its member's accounts only."""
    return sorted(int(u) for u in session.execute(
        select(col(User.id)).where(col(User.member_id) == review.member_id)).scalars())


def _touch(session: Session, review: SelfReview) -> None:
    assert review.id is not None
    review.updated_at = utcnow()
    session.add(review)
    session.flush()
    record_change(session, "self_review", review.id, user_ids=audience(session, review))


def _audit(session: Session, principal: Principal, action: str, review: SelfReview, **detail: object) -> None:
    audit.record(session, f"review.{action}", actor=principal, target_type="self_review", target_id=review.id,
                 org_id=review.org_id, detail={"year": review.year, "member_id": review.member_id, **detail})


def find(session: Session, member_id: int, year: int, *, lock: bool = False) -> SelfReview | None:
    q = select(SelfReview).where(col(SelfReview.member_id) == member_id, col(SelfReview.year) == year)
    if lock:
        q = q.with_for_update()
    return session.execute(q).scalar_one_or_none()


# ---- the member ----


def _editable(review: SelfReview) -> None:
    if review.status not in EDITABLE:
        label = {S.exempt.value: "được miễn kiểm điểm"}.get(review.status, "đã được chi bộ xếp loại")
        raise Conflict(f"Bản kiểm điểm {label}: không sửa được nữa. Nếu cần sửa, hãy liên hệ bí thư chi bộ.",
                       code="review_locked", status=review.status)


def save(session: Session, principal: Principal, year: int, data: ReviewUpdate, *,
         made_at: datetime | None = None) -> SelfReview:
    """Create or rewrite one's own review of `year` (online or the offline `review.save`), maybe submit."""
    member_id, cell_id = access.may_write(principal)
    now = utcnow()
    at = acted_at(made_at, now)
    check_year(year, now)
    review = find(session, member_id, year, lock=True)
    created = review is None
    if review is None:
        review = SelfReview(member_id=member_id, org_id=cell_id, year=year, status=S.draft.value,
                            edited_at=at, created_at=now, updated_at=now)
    else:
        _editable(review)
        if made_at is not None and at < as_utc(review.edited_at):
            raise Conflict("Bản kiểm điểm đã được sửa sau thời điểm này (trên thiết bị khác): thay đổi cũ "
                           "không được ghi đè. Hãy mở lại bản mới nhất.", code="review_newer")
    for name in SECTIONS:
        setattr(review, name, getattr(data, name))
    review.self_level = data.self_level.value if data.self_level else None
    review.edited_at = at
    if data.submit or review.status == S.submitted.value:  # a sent review stays complete
        missing = [label for label, value in (("mức tự xếp loại", review.self_level),
                                              ("ưu điểm", review.strengths),
                                              ("hạn chế, khuyết điểm", review.shortcomings)) if not value]
        if missing:
            raise Unprocessable(f"Hãy ghi {', '.join(missing)} trước khi gửi chi bộ.",
                                code="review_incomplete", missing=missing)
        if review.status == S.draft.value:
            review.status = S.submitted.value
            review.submitted_at = at
    session.add(review)
    session.flush()
    _audit(session, principal, "create" if created else "update", review, submit=data.submit)
    _touch(session, review)
    return review


# ---- the cell and the committee ----


def cap_check(session: Session, year: int, org_id: int, stage: str, share: float) -> CapWarning | None:
    """More top levels than `share` of the "Hoàn thành tốt" ones in the subtree of `org_id` at `stage`?"""
    level = col(SelfReview.proposed_level) if stage == "proposed" else col(SelfReview.confirmed_level)
    under = select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)
    counts = dict(session.execute(
        select(level, func.count()).where(col(SelfReview.org_id).in_(under), col(SelfReview.year) == year,
                                          col(SelfReview.status) != S.exempt.value, level.is_not(None))
        .group_by(level)).all())
    return warning_for(org_id, stage, int(counts.get("excellent", 0)), int(counts.get("good", 0)), share)


def warning_for(org_id: int, stage: str, excellent: int, good: int, share: float) -> CapWarning | None:
    allowed = math.floor(share * good + 1e-9)
    if excellent <= allowed:
        return None
    who = "chi bộ đề xuất" if stage == "proposed" else "cấp ủy quyết định"
    return CapWarning(
        org_id=org_id, stage=stage, excellent=excellent, good=good, share=share, allowed=allowed,
        message=(f"Số \"{REVIEW_LEVEL_LABELS[ReviewLevel.excellent]}\" ({who}: {excellent}) vượt quá "
                 f"{share:.0%} số \"{REVIEW_LEVEL_LABELS[ReviewLevel.good]}\" ({good}, tối đa {allowed}). "
                 "Hãy xem lại trước khi quyết định; mức xếp loại không bị tự động thay đổi."))


def propose(session: Session, principal: Principal, review: SelfReview, data: ReviewProposal, *,
            share: float, made_at: datetime | None = None) -> list[CapWarning]:
    if review.status not in RATED_BY_CELL:
        raise Conflict("Chỉ đề xuất mức xếp loại cho bản kiểm điểm đã gửi, chưa được cấp ủy quyết định.",
                       code="review_not_submitted", status=review.status)
    review.proposed_level = data.level.value
    review.proposed_note = data.note
    review.proposed_at = acted_at(made_at)
    review.proposed_by = principal.user_id
    review.status = S.proposed.value
    _audit(session, principal, "propose", review, level=data.level.value)
    _touch(session, review)
    warning = cap_check(session, review.year, review.org_id, "proposed", share)
    return [warning] if warning else []


def confirm(session: Session, principal: Principal, review: SelfReview, unit: int | None,
            data: ReviewConfirmation, *, share: float) -> list[CapWarning]:
    if review.status not in (S.proposed.value, S.confirmed.value):
        raise Conflict("Cấp ủy quyết định mức xếp loại sau khi chi bộ đã đề xuất: hãy chờ chi bộ đề xuất.",
                       code="review_not_proposed", status=review.status)
    if unit is None:  # an admin: the committee directly above the cell
        cell = session.get(Organization, review.org_id)
        unit = cell.parent_id if cell is not None and cell.parent_id is not None else review.org_id
    review.confirmed_level = data.level.value
    review.confirmed_note = data.note
    review.confirmed_at = utcnow()
    review.confirmed_by = principal.user_id
    review.confirmed_org_id = unit
    review.status = S.confirmed.value
    _audit(session, principal, "confirm", review, level=data.level.value, unit=unit)
    _touch(session, review)
    notify(session, user_ids=audience(session, review), kind=NotificationKind.review_confirmed,
           ref_type="self_review", ref_id=review.id,
           title=f"Kết quả xếp loại đảng viên năm {review.year}: {REVIEW_LEVEL_LABELS[data.level]}",
           body=data.note)
    warning = cap_check(session, review.year, unit, "confirmed", share)
    return [warning] if warning else []


def set_exemption(session: Session, principal: Principal, member: Member, data: ReviewExemption
                  ) -> SelfReview:
    """Mark a member of the cell exempt for the year (a review row is made if they wrote none), or lift it."""
    assert member.id is not None
    check_year(data.year)
    review = find(session, member.id, data.year, lock=True)
    if review is not None and review.status == S.confirmed.value:
        raise Conflict("Cấp ủy đã quyết định mức xếp loại: không đổi được việc miễn. Hãy liên hệ cấp ủy.",
                       code="review_locked", status=review.status)
    now = utcnow()
    if review is None:
        if not data.exempt:
            raise Conflict("Đảng viên này không được miễn kiểm điểm năm này: không có gì để bỏ.",
                           code="review_not_exempt")
        review = SelfReview(member_id=member.id, org_id=member.org_id, year=data.year, status=S.draft.value,
                            edited_at=now, created_at=now, updated_at=now)
    if data.exempt:
        review.status = S.exempt.value
        review.exempt_reason = data.reason
        review.proposed_level = review.confirmed_level = None
    elif review.status == S.exempt.value:
        review.status = S.submitted.value if review.submitted_at else S.draft.value
        review.exempt_reason = None
    session.add(review)
    session.flush()
    _audit(session, principal, "exempt" if data.exempt else "unexempt", review, reason=data.reason)
    _touch(session, review)
    return review


# ---- reading ----


UNSENT = dict.fromkeys((*SECTIONS, "self_level"))


def to_public(session: Session, review: SelfReview, *, viewer: Principal | None = None,
              with_facts: bool = True) -> ReviewPublic:
    """The review as `viewer` may read it (None: its member, e.g. on their devices)."""
    name = session.execute(select(col(Member.full_name)).where(col(Member.id) == review.member_id)).scalar()
    public = ReviewPublic.model_validate(review).model_copy(update={"full_name": name})
    if viewer is not None and not access.sees_writing(viewer, review):
        public = public.model_copy(update=UNSENT)
    if with_facts:
        public.facts = facts(session, review.member_id, review.org_id, review.year)
    return public


def mine(session: Session, principal: Principal, year: int) -> ReviewPublic:
    """One's own review of `year` with its facts; the blank form (no id) when nothing is written yet."""
    member_id, cell_id = access.may_write(principal)
    check_year(year)
    review = find(session, member_id, year)
    if review is not None:
        return to_public(session, review)
    assert principal.member is not None
    return ReviewPublic(year=year, member_id=member_id, full_name=principal.member.full_name, org_id=cell_id,
                        facts=facts(session, member_id, cell_id, year))


def list_visible(session: Session, principal: Principal, *, year: int | None, org_id: int | None,
                 status: ReviewStatus | None, limit: int, offset: int) -> ReviewPage:
    q = (select(SelfReview, col(Member.full_name))
         .join(Member, col(Member.id) == col(SelfReview.member_id)).where(access.visible_clause(principal)))
    if org_id is not None:
        access.org_in_view(session, principal, org_id)
        q = q.where(col(SelfReview.org_id).in_(
            select(col(OrgClosure.descendant_id)).where(col(OrgClosure.ancestor_id) == org_id)))
    if year is not None:
        q = q.where(col(SelfReview.year) == year)
    if status is not None:
        q = q.where(col(SelfReview.status) == status.value)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(col(SelfReview.year).desc(), col(SelfReview.org_id),
                                      col(Member.name_folded), col(SelfReview.id))
                           .limit(limit).offset(offset)).all()
    items = [ReviewRow.model_validate(r).model_copy(update={
        "full_name": name, **({} if access.sees_writing(principal, r) else {"self_level": None})})
        for r, name in rows]
    return ReviewPage(items=items, total=int(total), limit=limit, offset=offset)
