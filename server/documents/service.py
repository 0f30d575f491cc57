"""Publishing documents, the rules: create, edit, audience, publish/schedule/withdraw/supersede, delete a
draft, publish what is due. Queries are in repository.py, the public shape in public.py, the refusal of state
secrets in secrecy.py."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience, repository, search
from server.documents.models import Attachment, Bookmark, Document, DocumentAudience, ReadMark
from server.documents.public import get_public
from server.documents.secrecy import check_secrecy
from server.errors import Conflict, Forbidden, Unprocessable
from server.notifications import events
from server.records import audit
from server.records.changelog import record_change
from server.timeutil import as_utc, utcnow
from shared import docnumber
from shared.schemas.documents import DocCategory, DocStatus, DocumentCreate, DocumentPublic, DocumentUpdate
from shared.text import fold

ENTITY = "document"


# ---- checks ------------------------------------------------------------------------------------------


def _check_audience(
    session: Session, principal: Principal, org_ids: Sequence[int], category: str
) -> list[int]:
    ids = sorted(set(org_ids))
    found = repository.existing_org_ids(session, ids)
    if len(found) != len(ids):
        raise Unprocessable("Có tổ chức nhận không tồn tại.", code="audience_not_found")
    if not audience.may_publish_to(session, principal, ids, category):
        if category == DocCategory.meeting.value or not principal.is_staff:
            raise Forbidden(
                "Bạn chỉ được gửi văn bản tới tổ chức trong phạm vi mình quản lý "
                "(bí thư chi bộ: tài liệu sinh hoạt của chi bộ mình).",
                code="audience_out_of_scope",
            )
        raise Forbidden("Có tổ chức nhận nằm ngoài phạm vi bạn quản lý.", code="audience_out_of_scope")
    return ids


def _apply_number(doc: Document, raw: str | None, doc_type: str) -> None:
    """Fill number, type code, issuer (and date of issue when missing) from what was typed."""
    code_for_type = docnumber.DOC_TYPE_CODES[docnumber.DocType(doc_type)]
    if not raw:
        doc.number, doc.type_code, doc.issuer, doc.issuer_key, doc.number_key = (
            None,
            code_for_type,
            None,
            None,
            None,
        )
        return
    parsed = docnumber.parse(raw)
    if parsed is None:
        doc.number, doc.type_code, doc.issuer, doc.issuer_key, doc.number_key = (
            raw,
            code_for_type,
            None,
            None,
            None,
        )
        return
    doc.number = parsed.display if parsed.explicit_code else parsed.number
    doc.type_code = parsed.type_code if parsed.explicit_code and parsed.type_code else code_for_type
    doc.issuer = parsed.issuer
    doc.issuer_key = fold(parsed.issuer).replace(" ", "") if parsed.issuer else None
    tokens = docnumber.number_tokens(parsed.number, doc.type_code)
    doc.number_key = tokens[0] if tokens else None
    if doc.issued_on is None and parsed.issued_on is not None:
        doc.issued_on = parsed.issued_on


def _fill_year(doc: Document) -> None:
    if doc.issued_on is not None:
        doc.year = doc.issued_on.year
    elif doc.published_at is not None:
        doc.year = as_utc(doc.published_at).year
    elif doc.publish_at is not None:
        doc.year = as_utc(doc.publish_at).year


def _is_member_visible(doc: Document, now: datetime) -> bool:
    if doc.status in audience.LIVE_STATUSES:
        return True
    if (
        doc.status == DocStatus.scheduled.value
        and doc.publish_at is not None
        and as_utc(doc.publish_at) <= now
    ):
        return True
    return doc.status == DocStatus.draft.value and doc.comments_until is not None


def _log_change(
    session: Session,
    doc: Document,
    org_ids: Sequence[int],
    principal: Principal | None,
    now: datetime,
    *,
    removed: bool = False,
) -> None:
    """Sync: devices hear of live documents (and of those they lose); drafts reach only their author."""
    assert doc.id is not None
    if removed:
        record_change(session, ENTITY, doc.id, op="delete", org_ids=org_ids)
    elif _is_member_visible(doc, now):
        record_change(session, ENTITY, doc.id, op="upsert", org_ids=org_ids)
    else:
        users = [principal.user_id] if principal else []
        if doc.created_by:
            users.append(doc.created_by)
        record_change(session, ENTITY, doc.id, op="upsert", user_ids=users)


# ---- writing -------------------------------------------------------------------------------------------


def _mark_published(session: Session, doc: Document, now: datetime) -> None:
    if doc.status != DocStatus.published.value and doc.id is not None:
        events.document_published(session, doc, audience.audience_ids(session, doc.id))
    doc.status = DocStatus.published.value
    doc.published_at = now
    if doc.publish_at is None or as_utc(doc.publish_at) > now:
        doc.publish_at = now
    _fill_year(doc)
    if doc.replaces_id:
        old = session.get(Document, doc.replaces_id)
        if old is not None and old.status != DocStatus.withdrawn.value:
            old.status = DocStatus.superseded.value
            old.superseded_by_id = doc.id
            old.updated_at = now
            session.add(old)
            session.flush()
            _log_change(session, old, audience.audience_ids(session, old.id or 0), None, now)


def _check_study_due(category: str, due: date | None) -> None:
    if due is not None and category != DocCategory.study.value:
        raise Unprocessable(
            "Chỉ tài liệu học tập mới có hạn học; hãy bỏ hạn học hoặc chọn loại tài liệu học tập.",
            code="study_due_needs_study",
        )


def create(session: Session, principal: Principal, body: DocumentCreate) -> DocumentPublic:
    check_secrecy(body.secrecy, body.title, body.number)
    org_ids = _check_audience(session, principal, body.audience_org_ids, body.category.value)
    now = utcnow()
    if body.status not in (None, DocStatus.draft, DocStatus.published, DocStatus.scheduled):
        raise Unprocessable(
            "Văn bản mới chỉ có thể là dự thảo, hẹn giờ hoặc phát hành ngay.", code="invalid_status"
        )
    if body.comments_until is not None and body.status != DocStatus.draft:
        raise Unprocessable("Chỉ dự thảo mới mở lấy ý kiến góp ý.", code="comments_need_draft")
    _check_study_due(body.category.value, body.study_due_on)
    version = 1
    if body.replaces_id is not None:
        old = audience.get_manageable(session, principal, body.replaces_id)
        if old.superseded_by_id is not None:
            raise Conflict("Văn bản này đã được thay thế bởi văn bản khác.", code="already_superseded")
        version = old.version + 1
    doc = Document(
        title=body.title,
        doc_type=body.doc_type.value,
        issued_on=body.issued_on,
        effective_on=body.effective_on,
        summary=body.summary,
        body=body.body,
        category=body.category.value,
        topic=body.topic,
        study_due_on=body.study_due_on,
        status=DocStatus.draft.value,
        offline_allowed=body.offline_allowed,
        comments_until=body.comments_until,
        replaces_id=body.replaces_id,
        version=version,
        created_by=principal.user_id,
        publish_at=body.publish_at,
        created_at=now,
        updated_at=now,
    )
    _apply_number(doc, body.number, doc.doc_type)
    session.add(doc)
    session.flush()
    assert doc.id is not None
    for org_id in org_ids:
        session.add(DocumentAudience(document_id=doc.id, org_id=org_id))
    if body.status == DocStatus.draft:
        pass
    elif body.publish_at is not None and as_utc(body.publish_at) > now:
        doc.status = DocStatus.scheduled.value
    else:
        _mark_published(session, doc, now)
    _fill_year(doc)
    session.flush()
    search.index_document(session, doc)
    audit.record(
        session,
        "document.create",
        actor=principal,
        target_type=ENTITY,
        target_id=doc.id,
        org_id=org_ids[0],
        detail={"title": doc.title, "number": doc.number, "status": doc.status, "audience": org_ids},
    )
    _log_change(session, doc, org_ids, principal, now)
    return get_public(session, principal, doc.id)


def _set_status(
    session: Session,
    principal: Principal,
    doc: Document,
    status: DocStatus,
    org_ids: Sequence[int],
    now: datetime,
) -> bool:
    """Apply a status change; True when members lose the document (sync must remove it)."""
    current = DocStatus(doc.status)
    if status == current:
        return False
    if status == DocStatus.superseded:
        raise Unprocessable(
            "Văn bản được thay thế khi phát hành văn bản mới thay thế nó (replaces_id).",
            code="invalid_status",
        )
    if status == DocStatus.withdrawn:
        if current not in (DocStatus.published, DocStatus.superseded, DocStatus.scheduled):
            raise Conflict("Chỉ thu hồi được văn bản đã phát hành hoặc hẹn giờ.", code="invalid_transition")
        doc.status = DocStatus.withdrawn.value
        doc.withdrawn_at = now
        audit.record(
            session,
            "document.withdraw",
            actor=principal,
            target_type=ENTITY,
            target_id=doc.id,
            org_id=org_ids[0] if org_ids else None,
            detail={"from": current.value},
        )
        return True
    if status == DocStatus.published:
        if doc.publish_at is not None and as_utc(doc.publish_at) > now and current == DocStatus.draft:
            doc.status = DocStatus.scheduled.value
        else:
            _mark_published(session, doc, now)
        doc.withdrawn_at = None
        audit.record(
            session,
            "document.publish",
            actor=principal,
            target_type=ENTITY,
            target_id=doc.id,
            org_id=org_ids[0] if org_ids else None,
            detail={"from": current.value, "to": doc.status},
        )
        return False
    if status == DocStatus.scheduled:
        if current != DocStatus.draft or doc.publish_at is None or as_utc(doc.publish_at) <= now:
            raise Unprocessable(
                "Hẹn giờ cần một thời điểm phát hành trong tương lai (publish_at).", code="invalid_status"
            )
        doc.status = DocStatus.scheduled.value
        return False
    # back to draft: only before members had it
    if current != DocStatus.scheduled:
        raise Conflict(
            "Văn bản đã phát hành không thể trở lại dự thảo; hãy thu hồi hoặc ban hành văn bản thay thế.",
            code="invalid_transition",
        )
    doc.status = DocStatus.draft.value
    return False


def update(session: Session, principal: Principal, document_id: int, body: DocumentUpdate) -> DocumentPublic:
    doc = audience.get_manageable(session, principal, document_id)
    assert doc.id is not None
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        return get_public(session, principal, doc.id)
    old_orgs = audience.audience_ids(session, doc.id)
    check_secrecy(body.secrecy, changes.get("title", doc.title), changes.get("number", doc.number))
    now = utcnow()
    was_visible = _is_member_visible(doc, now)
    category = changes.get("category") or doc.category
    new_orgs = old_orgs
    if changes.get("audience_org_ids") is not None:
        new_orgs = _check_audience(session, principal, changes["audience_org_ids"], str(category))
    elif "category" in changes:
        _check_audience(session, principal, old_orgs, str(category))
    for key in ("title", "summary", "body", "topic", "issued_on", "effective_on", "offline_allowed",
                "study_due_on"):
        if key in changes and (changes[key] is not None or key not in ("title", "offline_allowed")):
            setattr(doc, key, changes[key])
    if changes.get("doc_type") is not None:
        doc.doc_type = body.doc_type.value if body.doc_type else doc.doc_type
    if changes.get("category") is not None:
        doc.category = str(category)
    _check_study_due(doc.category, doc.study_due_on)
    if "number" in changes or "doc_type" in changes:
        _apply_number(doc, changes.get("number", doc.number), doc.doc_type)
    if "publish_at" in changes:
        if doc.status not in (DocStatus.draft.value, DocStatus.scheduled.value) and changes["publish_at"]:
            raise Conflict("Văn bản đã phát hành; không đổi thời điểm phát hành.", code="invalid_transition")
        doc.publish_at = changes["publish_at"]
        if doc.status == DocStatus.scheduled.value:
            if doc.publish_at is None or as_utc(doc.publish_at) <= now:
                _mark_published(session, doc, now)
    if "comments_until" in changes:
        if changes["comments_until"] is not None and doc.status != DocStatus.draft.value:
            raise Unprocessable("Chỉ dự thảo mới mở lấy ý kiến góp ý.", code="comments_need_draft")
        doc.comments_until = changes["comments_until"]
    if new_orgs != old_orgs:
        session.execute(delete(DocumentAudience).where(col(DocumentAudience.document_id) == doc.id))
        for org_id in new_orgs:
            session.add(DocumentAudience(document_id=doc.id, org_id=org_id))
        audit.record(
            session,
            "document.audience",
            actor=principal,
            target_type=ENTITY,
            target_id=doc.id,
            org_id=new_orgs[0],
            detail={"old": old_orgs, "new": new_orgs},
        )
    removed = False
    if body.status is not None:
        removed = _set_status(session, principal, doc, body.status, new_orgs, now)
    _fill_year(doc)
    doc.updated_at = now
    session.add(doc)
    session.flush()
    search.index_document(session, doc)
    fields = sorted(k for k in changes if k not in ("body",)) + (["body"] if "body" in changes else [])
    audit.record(
        session,
        "document.update",
        actor=principal,
        target_type=ENTITY,
        target_id=doc.id,
        org_id=new_orgs[0],
        detail={"fields": fields},
    )
    now_visible = _is_member_visible(doc, now)
    # Old AND new audience: devices that lose the document hear of it and drop it.
    scopes = sorted(set(old_orgs) | set(new_orgs))
    _log_change(session, doc, scopes, principal, now, removed=removed or (was_visible and not now_visible))
    if was_visible and now_visible and new_orgs != old_orgs:
        _log_attachments(session, doc.id, scopes)
    return get_public(session, principal, doc.id)


def _log_attachments(session: Session, document_id: int, org_ids: Sequence[int]) -> None:
    for att_id in repository.attachment_ids(session, document_id):
        record_change(session, "attachment", att_id, op="upsert", org_ids=org_ids)


def delete_draft(session: Session, principal: Principal, document_id: int) -> None:
    """Delete a draft created by mistake; anything members have had is withdrawn instead, never deleted."""
    doc = audience.get_manageable(session, principal, document_id)
    if doc.status != DocStatus.draft.value or doc.published_at is not None:
        raise Conflict(
            "Chỉ xóa được dự thảo chưa từng phát hành; văn bản đã phát hành thì thu hồi.", code="not_a_draft"
        )
    if doc.comments_until is not None and repository.has_comments(session, document_id):
        raise Conflict("Dự thảo đã có góp ý của đảng viên; không xóa được.", code="draft_has_comments")
    org_ids = audience.audience_ids(session, document_id)
    for model in (Attachment, ReadMark, Bookmark):
        session.execute(delete(model).where(col(model.document_id) == document_id))  # type: ignore[attr-defined]
    session.execute(delete(DocumentAudience).where(col(DocumentAudience.document_id) == document_id))
    session.execute(
        sql_update(Document).where(col(Document.replaces_id) == document_id).values(replaces_id=None)
    )
    search.remove_document(session, document_id)
    audit.record(
        session,
        "document.delete",
        actor=principal,
        target_type=ENTITY,
        target_id=document_id,
        org_id=org_ids[0] if org_ids else None,
        detail={"title": doc.title},
    )
    session.delete(doc)
    session.flush()
    users = {principal.user_id} | ({doc.created_by} if doc.created_by else set())
    record_change(session, ENTITY, document_id, op="delete", org_ids=org_ids, user_ids=users)


def publish_due(session: Session, now: datetime | None = None) -> list[int]:
    """Publish scheduled documents whose time has come. Idempotent: the scheduler may call it at any rate."""
    now = now or utcnow()
    published = []
    for doc in repository.due_scheduled(session, now):
        assert doc.id is not None
        _mark_published(session, doc, now)
        doc.published_at = as_utc(doc.publish_at) if doc.publish_at else now
        doc.updated_at = now
        session.add(doc)
        session.flush()
        org_ids = audience.audience_ids(session, doc.id)
        audit.record(
            session,
            "document.publish",
            actor_user_id=None,
            target_type=ENTITY,
            target_id=doc.id,
            org_id=org_ids[0] if org_ids else None,
            detail={"scheduled": True},
        )
        _log_change(session, doc, org_ids, None, now)
        published.append(doc.id)
    return published


__all__ = [
    "create",
    "update",
    "delete_draft",
    "publish_due",
]
