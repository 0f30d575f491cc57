"""Yearly commitments: register, edit, submit, decide, year-end results and remarks; reading them.

Rights are decided in `server/year/access.py`; the functions here take a commitment the caller was
already found allowed to touch and enforce the commitment's own rules (its state, its year, its items).
Every write bumps the commitment, logs it for the devices that hold it and records an audit entry.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.errors import Conflict, Unprocessable
from server.notifications.service import notify
from server.orgs.service import subtree_ids
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member, RoleAssignment, User
from server.timeutil import as_utc, utcnow
from server.year import access
from server.year.models import Commitment, CommitmentItem
from shared.enums import CELL_ROLES
from shared.schemas.notifications import NotificationKind
from shared.schemas.year import (
    CellCommitments,
    CellMemberCommitment,
    CommitmentCreate,
    CommitmentDecision,
    CommitmentItemIn,
    CommitmentItemPublic,
    CommitmentPage,
    CommitmentPublic,
    CommitmentRemarks,
    CommitmentStatus,
    ItemResult,
)
from shared.timefmt import VN_TZ

S = CommitmentStatus
EDITABLE = {S.draft.value, S.returned.value}


# ---- time ----


def acted_at(made_at: datetime | None, now: datetime | None = None) -> datetime:
    """When the member acted: the offline action's `made_at` (a clock ahead is cut to now), else now."""
    now = now or utcnow()
    return now if made_at is None else min(as_utc(made_at), now)


def local_year(now: datetime | None = None) -> int:
    return (now or utcnow()).astimezone(VN_TZ).year


def _check_year(year: int, now: datetime) -> None:
    """A commitment is registered for this year, the next one (in December) or, late, the last one."""
    current = local_year(now)
    if not current - 1 <= year <= current + 1:
        raise Unprocessable(f"Chỉ đăng ký cam kết cho năm {current - 1}, {current} hoặc {current + 1}.",
                            code="year_out_of_window", year=year)


# ---- who holds it ----


def _user_ids_of_member(session: Session, member_id: int) -> list[int]:
    return [int(u) for u in session.execute(
        select(col(User.id)).where(col(User.member_id) == member_id)).scalars()]


def leader_user_ids(session: Session, cell_id: int) -> list[int]:
    return [int(u) for u in session.execute(
        select(col(RoleAssignment.user_id)).where(
            col(RoleAssignment.org_id) == cell_id,
            col(RoleAssignment.role).in_([r.value for r in CELL_ROLES]))).scalars()]


def audience(session: Session, commitment: Commitment) -> list[int]:
    """Users whose devices hold the commitment: its member; once submitted, the cell's leaders too."""
    users = _user_ids_of_member(session, commitment.member_id)
    if commitment.status != S.draft.value:
        users += leader_user_ids(session, commitment.org_id)
    return sorted(set(users))


def _touch(session: Session, commitment: Commitment, *, op: str = "upsert") -> None:
    """The commitment changed: bump it and tell the devices that hold it (a draft: only its author's; a
    draft becoming submitted reaches the leaders' for the first time)."""
    assert commitment.id is not None
    if op == "upsert":
        commitment.updated_at = utcnow()
        session.add(commitment)
        session.flush()
    record_change(session, "commitment", commitment.id, op=op, user_ids=audience(session, commitment))


def _audit(session: Session, principal: Principal, action: str, commitment: Commitment, **detail: object
           ) -> None:
    audit.record(session, f"commitment.{action}", actor=principal, target_type="commitment",
                 target_id=commitment.id, org_id=commitment.org_id,
                 detail={"year": commitment.year, "member_id": commitment.member_id, **detail})


# ---- the member ----


def _replace_items(session: Session, commitment: Commitment, items: Sequence[CommitmentItemIn]) -> None:
    assert commitment.id is not None
    session.execute(delete(CommitmentItem).where(col(CommitmentItem.commitment_id) == commitment.id))
    for position, item in enumerate(items, start=1):
        session.add(CommitmentItem(commitment_id=commitment.id, position=position, text=item.text,
                                   category=item.category.value if item.category else None))
    session.flush()


def find_own(session: Session, member_id: int, year: int, *, lock: bool = False) -> Commitment | None:
    q = select(Commitment).where(col(Commitment.member_id) == member_id, col(Commitment.year) == year)
    if lock:
        q = q.with_for_update()
    return session.execute(q).scalar_one_or_none()


def create(session: Session, principal: Principal, data: CommitmentCreate, *,
           made_at: datetime | None = None) -> Commitment:
    cell_id = access.may_register(principal)
    assert principal.member is not None and principal.member.id is not None
    now = utcnow()
    at = acted_at(made_at, now)
    _check_year(data.year, now)
    if find_own(session, principal.member.id, data.year) is not None:
        raise Conflict(f"Đồng chí đã có bản đăng ký cam kết năm {data.year}.", code="commitment_exists")
    commitment = Commitment(member_id=principal.member.id, org_id=cell_id, year=data.year,
                            status=S.draft.value, edited_at=at, created_by=principal.user_id,
                            created_at=now, updated_at=now)
    session.add(commitment)
    session.flush()
    _replace_items(session, commitment, data.items)
    _audit(session, principal, "create", commitment, items=len(data.items))
    if data.submit:
        return submit(session, principal, commitment, made_at=made_at)
    _touch(session, commitment)
    return commitment


def _editable(commitment: Commitment) -> None:
    if commitment.status not in EDITABLE:
        label = "đã gửi, đang chờ duyệt" if commitment.status == S.submitted.value else "đã được duyệt"
        raise Conflict(f"Bản đăng ký {label}: không sửa được nội dung.", code="commitment_locked",
                       status=commitment.status)


def _not_older(commitment: Commitment, at: datetime, queued: bool) -> None:
    """A queued (offline) edit made before the server's last one does not overwrite it; an online edit is
    always the newest intent."""
    if queued and at < as_utc(commitment.edited_at):
        raise Conflict("Bản đăng ký đã được sửa sau thời điểm này (trên thiết bị khác): thay đổi cũ không "
                       "được ghi đè.", code="commitment_newer")


def update_items(session: Session, principal: Principal, commitment: Commitment,
                 items: Sequence[CommitmentItemIn], *, made_at: datetime | None = None) -> Commitment:
    _editable(commitment)
    at = acted_at(made_at)
    _not_older(commitment, at, made_at is not None)
    _replace_items(session, commitment, items)
    commitment.edited_at = at
    _audit(session, principal, "update", commitment, items=len(items))
    _touch(session, commitment)
    return commitment


def submit(session: Session, principal: Principal, commitment: Commitment, *,
           made_at: datetime | None = None) -> Commitment:
    _editable(commitment)
    commitment.status = S.submitted.value
    commitment.submitted_at = acted_at(made_at)
    _audit(session, principal, "submit", commitment)
    _touch(session, commitment)
    return commitment


def delete_draft(session: Session, principal: Principal, commitment: Commitment) -> None:
    if commitment.status != S.draft.value:
        raise Conflict("Chỉ xóa được bản nháp chưa gửi.", code="commitment_locked", status=commitment.status)
    _audit(session, principal, "delete", commitment)
    _touch(session, commitment, op="delete")
    session.execute(delete(CommitmentItem).where(col(CommitmentItem.commitment_id) == commitment.id))
    session.delete(commitment)
    session.flush()


def save(session: Session, principal: Principal, year: int, items: Sequence[CommitmentItemIn], *,
         submit_now: bool, made_at: datetime | None) -> Commitment:
    """The offline `commitment.save`: create or rewrite one's own commitment of `year`, maybe submit it."""
    access.may_register(principal)
    assert principal.member is not None and principal.member.id is not None
    existing = find_own(session, principal.member.id, year, lock=True)
    if existing is None:
        return create(session, principal, CommitmentCreate(year=year, items=list(items), submit=submit_now),
                      made_at=made_at)
    update_items(session, principal, existing, items, made_at=made_at)
    if submit_now:
        submit(session, principal, existing, made_at=made_at)
    return existing


def _items_of(session: Session, commitment: Commitment) -> dict[int, CommitmentItem]:
    rows = session.execute(select(CommitmentItem).where(
        col(CommitmentItem.commitment_id) == commitment.id)).scalars()
    return {int(r.id or 0): r for r in rows}


def _known_items(items: dict[int, CommitmentItem], wanted: Iterable[int]) -> None:
    unknown = sorted(set(wanted) - set(items))
    if unknown:
        raise Unprocessable("Mục cam kết không thuộc bản đăng ký này.", code="item_not_found",
                            item_ids=unknown)


def _approved(commitment: Commitment, what: str) -> None:
    if commitment.status != S.approved.value:
        raise Conflict(f"Chỉ ghi {what} khi bản đăng ký đã được duyệt.", code="commitment_not_approved",
                       status=commitment.status)


def set_results(session: Session, principal: Principal, commitment: Commitment,
                results: Sequence[ItemResult], *, made_at: datetime | None = None) -> list[int]:
    """The member's own results; returns the items left alone because a newer result was already kept."""
    _approved(commitment, "kết quả thực hiện")
    items = _items_of(session, commitment)
    _known_items(items, [r.item_id for r in results])
    at = acted_at(made_at)
    changed, stale = [], []
    for entry in results:
        item = items[entry.item_id]
        if made_at is not None and item.result_at is not None and at < as_utc(item.result_at):
            stale.append(entry.item_id)
            continue
        if item.result != entry.result:
            item.result = entry.result
            item.result_at = at
            session.add(item)
            changed.append(entry.item_id)
    if changed:
        _audit(session, principal, "result", commitment, item_ids=changed)
        _touch(session, commitment)
    return stale


# ---- the cell ----


def decide(session: Session, principal: Principal, commitment: Commitment, decision: CommitmentDecision, *,
           made_at: datetime | None = None) -> Commitment:
    if commitment.status != S.submitted.value:
        raise Conflict("Chỉ duyệt hoặc trả lại bản đăng ký đang chờ duyệt.", code="commitment_not_submitted",
                       status=commitment.status)
    at = acted_at(made_at)
    if made_at is not None and commitment.submitted_at is not None and at < as_utc(commitment.submitted_at):
        # Queued offline while an earlier version was on screen: it does not decide on the one sent since.
        raise Conflict("Bản đăng ký đã được gửi lại sau thời điểm này: hãy xem lại bản mới trước khi duyệt.",
                       code="commitment_newer")
    commitment.status = S.approved.value if decision.approve else S.returned.value
    commitment.return_comment = None if decision.approve else decision.comment
    commitment.decided_at = at
    commitment.decided_by = principal.user_id
    _audit(session, principal, "approve" if decision.approve else "return", commitment,
           comment=decision.comment)
    _touch(session, commitment)
    _answered(session, commitment)
    return commitment


def _answered(session: Session, commitment: Commitment) -> None:
    """Tell the member (a notification: a banner on the phone, and in the inbox)."""
    approved = commitment.status == S.approved.value
    verdict = "đã được chi bộ duyệt" if approved else "được chi bộ trả lại để sửa"
    notify(session, user_ids=_user_ids_of_member(session, commitment.member_id),
           kind=NotificationKind.commitment_answered, ref_type="commitment", ref_id=commitment.id,
           title=f"Bản đăng ký cam kết năm {commitment.year} {verdict}",
           body=None if approved else commitment.return_comment)


def set_remarks(session: Session, principal: Principal, commitment: Commitment, data: CommitmentRemarks, *,
                made_at: datetime | None = None) -> list[int]:
    """The cell's remarks; returns the items left alone because a newer remark was already kept."""
    _approved(commitment, "nhận xét của chi bộ")
    items = _items_of(session, commitment)
    _known_items(items, [r.item_id for r in data.remarks])
    at = acted_at(made_at)
    changed, stale = [], []
    for entry in data.remarks:
        item = items[entry.item_id]
        if made_at is not None and item.remark_at is not None and at < as_utc(item.remark_at):
            stale.append(entry.item_id)
            continue
        if item.remark != entry.remark:
            item.remark, item.remark_at, item.remark_by = entry.remark, at, principal.user_id
            session.add(item)
            changed.append(entry.item_id)
    if changed:
        _audit(session, principal, "remark", commitment, item_ids=changed)
        _touch(session, commitment)
    return stale


# ---- reading ----


def to_public(session: Session, rows: Sequence[Commitment]) -> list[CommitmentPublic]:
    ids = [c.id for c in rows if c.id is not None]
    if not ids:
        return []
    items: dict[int, list[CommitmentItemPublic]] = {}
    for item in session.execute(
        select(CommitmentItem).where(col(CommitmentItem.commitment_id).in_(ids))
        .order_by(col(CommitmentItem.position), col(CommitmentItem.id))
    ).scalars():
        items.setdefault(item.commitment_id, []).append(CommitmentItemPublic.model_validate(item))
    names = dict(session.execute(select(col(Member.id), col(Member.full_name)).where(
        col(Member.id).in_({c.member_id for c in rows}))).all())
    return [CommitmentPublic.model_validate(c).model_copy(
        update={"items": items.get(c.id or 0, []), "full_name": names.get(c.member_id)}) for c in rows]


def one_public(session: Session, commitment: Commitment) -> CommitmentPublic:
    return to_public(session, [commitment])[0]


def mine(session: Session, principal: Principal) -> list[CommitmentPublic]:
    if principal.member is None:
        return []
    rows = session.execute(select(Commitment).where(col(Commitment.member_id) == principal.member.id)
                           .order_by(col(Commitment.year).desc())).scalars().all()
    return to_public(session, rows)


def list_visible(session: Session, principal: Principal, *, year: int | None, org_id: int | None,
                 status: CommitmentStatus | None, limit: int, offset: int) -> CommitmentPage:
    q = select(Commitment).where(access.visible_clause(principal))
    if org_id is not None:
        access.org_in_view(session, principal, org_id)
        q = q.where(col(Commitment.org_id).in_(_subtree(org_id)))
    if year is not None:
        q = q.where(col(Commitment.year) == year)
    if status is not None:
        q = q.where(col(Commitment.status) == status.value)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(col(Commitment.year).desc(), col(Commitment.org_id), col(Commitment.id))
                           .limit(limit).offset(offset)).scalars().all()
    return CommitmentPage(items=to_public(session, rows), total=int(total), limit=limit, offset=offset)


def _subtree(org_id: int) -> object:
    return subtree_ids(org_id)


def cell_overview(session: Session, principal: Principal, cell_id: int, year: int) -> CellCommitments:
    """Every member now in the cell with where their commitment of `year` stands (drafts count as none)."""
    access.cell_reader(session, principal, cell_id)
    members = session.execute(select(Member).where(col(Member.org_id) == cell_id)
                              .order_by(col(Member.name_folded), col(Member.id))).scalars().all()
    found = {c.member_id: c for c in session.execute(select(Commitment).where(
        col(Commitment.org_id) == cell_id, col(Commitment.year) == year,
        col(Commitment.status) != S.draft.value)).scalars()}
    counted: dict[int, tuple[int, int]] = {}
    if found:
        for cid, total, done in session.execute(
            select(col(CommitmentItem.commitment_id), func.count(), func.count(col(CommitmentItem.result)))
            .where(col(CommitmentItem.commitment_id).in_([c.id for c in found.values()]))
            .group_by(col(CommitmentItem.commitment_id))
        ).all():
            counted[int(cid)] = (int(total), int(done))
    out: list[CellMemberCommitment] = []
    counts: dict[str, int] = {s.value: 0 for s in S if s != S.draft} | {"none": 0}
    for member in members:
        assert member.id is not None
        c = found.get(member.id)
        n_items, n_results = counted.get(c.id or 0, (0, 0)) if c else (0, 0)
        out.append(CellMemberCommitment(
            member_id=member.id, full_name=member.full_name, member_kind=member.kind,
            commitment_id=c.id if c else None, status=S(c.status) if c else None,
            items=n_items, results=n_results))
        counts[c.status if c else "none"] += 1
    counts["total"] = len(members)
    return CellCommitments(cell_id=cell_id, year=year, members=out, counts=counts)
