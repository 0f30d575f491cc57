"""Bài thu hoạch: a member's written reflection on a study document, handed to their cell.

Why a document and not a meeting: a study session on a resolution runs in every cell of the audience,
on the same document, and the by-cell figures (server/study/stats.py) count across the subtree; a study
document (or a resolution) is what the quiz is attached to as well, so both figures meet on it.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience as documents
from server.errors import Conflict, NotFound
from server.records import audit
from server.records.changelog import record_change
from server.records.members import Member, RoleAssignment, User
from server.study import access
from server.study.models import StudyEssay
from server.timeutil import as_utc, utcnow
from shared.enums import CELL_ROLES
from shared.schemas.study import EssayCreate, EssayPage, EssayPublic, EssayReceive

ENTITY = "study_essay"


def _holders(session: Session, essay: StudyEssay) -> list[int]:
    """Users whose devices hold the essay: its member and the leaders of its cell."""
    users = {
        int(u)
        for u in session.execute(select(col(User.id)).where(col(User.member_id) == essay.member_id)).scalars()
    }
    users |= {
        int(u)
        for u in session.execute(
            select(col(RoleAssignment.user_id)).where(
                col(RoleAssignment.org_id) == essay.org_id,
                col(RoleAssignment.role).in_([r.value for r in CELL_ROLES]),
            )
        ).scalars()
    }
    return sorted(users)


def _touch(session: Session, essay: StudyEssay) -> None:
    essay.updated_at = utcnow()
    session.add(essay)
    session.flush()
    record_change(session, ENTITY, essay.id or 0, user_ids=_holders(session, essay))


def submit(
    session: Session, principal: Principal, data: EssayCreate, *, made_at: datetime | None = None
) -> StudyEssay:
    """Hand in one's essay on a document addressed to one's cell (404 otherwise); once per document."""
    cell_id = access.require_member(principal)
    assert principal.member is not None and principal.member.id is not None
    if not documents.visible_to_cell(session, cell_id, [data.document_id]):
        raise NotFound(
            "Không tìm thấy văn bản (hoặc văn bản không gửi tới chi bộ của đồng chí).",
            code="document_not_found",
        )
    now = utcnow()
    essay = StudyEssay(
        document_id=data.document_id,
        member_id=principal.member.id,
        org_id=cell_id,
        written_at=now if made_at is None else min(as_utc(made_at), now),
        text=data.text,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(essay)
            session.flush()
    except IntegrityError:
        raise Conflict("Đồng chí đã nộp bài thu hoạch về văn bản này.", code="essay_exists") from None
    audit.record(
        session,
        "study_essay.submit",
        actor=principal,
        target_type="study_essay",
        target_id=essay.id,
        org_id=cell_id,
        detail={"document_id": data.document_id, "length": len(data.text)},
    )
    _touch(session, essay)
    return essay


def receive(session: Session, principal: Principal, essay: StudyEssay, data: EssayReceive,
            *, made_at: datetime | None = None) -> StudyEssay:
    """The cell marks it received (again: the remark changes, the first receipt time stays).

    `made_at` is when a leader's device marked it offline: kept if it lies between the hand-in and now."""
    if essay.received_at is None:
        now = utcnow()
        at = min(as_utc(made_at), now) if made_at is not None else now
        essay.received_at = max(at, as_utc(essay.written_at))
    essay.received_by = principal.user_id
    essay.remark = data.remark
    audit.record(
        session,
        "study_essay.receive",
        actor=principal,
        target_type="study_essay",
        target_id=essay.id,
        org_id=essay.org_id,
        detail={"member_id": essay.member_id},
    )
    _touch(session, essay)
    return essay


def to_public(session: Session, rows: Sequence[StudyEssay]) -> list[EssayPublic]:
    if not rows:
        return []
    names = dict(
        session.execute(
            select(col(Member.id), col(Member.full_name)).where(
                col(Member.id).in_({e.member_id for e in rows})
            )
        ).all()
    )
    return [
        EssayPublic.model_validate(e).model_copy(update={"full_name": names.get(e.member_id)}) for e in rows
    ]


def list_visible(
    session: Session,
    principal: Principal,
    *,
    document_id: int | None,
    org_id: int | None,
    limit: int,
    offset: int,
) -> EssayPage:
    q = select(StudyEssay).where(access.essay_clause(principal))
    if document_id is not None:
        q = q.where(col(StudyEssay.document_id) == document_id)
    if org_id is not None:
        q = q.where(col(StudyEssay.org_id) == org_id)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = (
        session.execute(
            q.order_by(col(StudyEssay.written_at).desc(), col(StudyEssay.id).desc())
            .limit(limit)
            .offset(offset)
        )
        .scalars()
        .all()
    )
    return EssayPage(items=to_public(session, rows), total=int(total), limit=limit, offset=offset)
