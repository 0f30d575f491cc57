"""Góp ý dự thảo: the audience comments on a draft until its deadline; publishers list and export."""


from sqlalchemy import select
from sqlmodel import Session, col

from server import tables
from server.auth.principal import Principal
from server.documents import audience
from server.documents.models import DocumentComment
from server.errors import Conflict, Forbidden
from server.records.members import User
from server.records.orgs import Organization
from server.timeutil import as_utc, utcnow
from shared.schemas.documents import CommentCreate, CommentPublic, DocStatus
from shared.timefmt import fmt_datetime


def add(session: Session, principal: Principal, document_id: int, body: CommentCreate) -> CommentPublic:
    doc = audience.get_visible(session, principal, document_id)
    if doc.status != DocStatus.draft.value or doc.comments_until is None:
        raise Conflict("Văn bản này không lấy ý kiến góp ý.", code="comments_not_open")
    if utcnow() > as_utc(doc.comments_until):
        raise Conflict(f"Đã hết hạn góp ý ({fmt_datetime(doc.comments_until)}).", code="comments_closed")
    in_audience = principal.cell_id is not None and bool(
        set(audience.member_reach(session, principal)) & set(audience.audience_ids(session, document_id))
    )
    if not in_audience and not audience.can_manage(session, principal, document_id):
        raise Forbidden("Chỉ đảng viên thuộc phạm vi lấy ý kiến được góp ý.", code="not_in_audience")
    comment = DocumentComment(
        document_id=document_id,
        user_id=principal.user_id,
        member_id=principal.member.id if principal.member else None,
        org_id=principal.cell_id,
        body=body.body,
    )
    session.add(comment)
    session.flush()
    return _public(session, [comment])[0]


def _public(session: Session, comments: list[DocumentComment]) -> list[CommentPublic]:
    user_ids = {c.user_id for c in comments}
    org_ids = {c.org_id for c in comments if c.org_id}
    names: dict[int, str | None] = (
        dict(
            session.execute(  # type: ignore[arg-type]
                select(col(User.id), col(User.display_name)).where(col(User.id).in_(user_ids))
            ).all()
        )
        if user_ids
        else {}
    )
    orgs: dict[int, str] = (
        dict(
            session.execute(  # type: ignore[arg-type]
                select(col(Organization.id), col(Organization.name)).where(col(Organization.id).in_(org_ids))
            ).all()
        )
        if org_ids
        else {}
    )
    return [
        CommentPublic(
            id=c.id or 0,
            document_id=c.document_id,
            author_name=names.get(c.user_id),
            org_id=c.org_id,
            org_name=orgs.get(c.org_id) if c.org_id else None,
            body=c.body,
            created_at=c.created_at,
        )
        for c in comments
    ]


def list_comments(session: Session, principal: Principal, document_id: int) -> list[CommentPublic]:
    """Publishers see every comment; a member sees their own."""
    audience.get_visible(session, principal, document_id)
    q = select(DocumentComment).where(col(DocumentComment.document_id) == document_id)
    if not audience.can_manage(session, principal, document_id):
        q = q.where(col(DocumentComment.user_id) == principal.user_id)
    return _public(
        session,
        list(session.execute(q.order_by(col(DocumentComment.created_at), col(DocumentComment.id))).scalars()),
    )


_HEADERS = ["STT", "Thời gian", "Người góp ý", "Chi bộ", "Nội dung góp ý"]


def export(session: Session, principal: Principal, document_id: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, media type, extension) of every comment, for publishers only."""
    doc = audience.get_manageable(session, principal, document_id)
    rows = [
        [str(i), fmt_datetime(c.created_at), c.author_name or "", c.org_name or "", c.body]
        for i, c in enumerate(list_comments(session, principal, document_id), start=1)
    ]
    content, media = tables.render(
        fmt, _HEADERS, rows, title=f"Góp ý dự thảo: {doc.title}", csv_title=False, sheet="Góp ý",
        widths=(6, 18, 28, 32, 80), wrap_last=True,
    )
    return content, media, fmt
