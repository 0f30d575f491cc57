"""Study checks: set up, change, delete, take; what each caller reads of one (never the key too early, nor
a member the questions before opens_at).

Rights are decided in `server/study/access.py`; the functions here take a check the caller was already
found allowed to touch and enforce the check's own rules (its window, its time limit, one attempt).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.documents import audience as documents
from server.errors import Conflict, Unprocessable
from server.records import audit
from server.records.changelog import record_change
from server.study import access
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience
from server.timeutil import as_utc, utcnow
from shared.docnumber import DocType
from shared.schemas.documents import DocCategory
from shared.schemas.study import (
    AttemptCreate,
    AttemptPublic,
    QuestionIn,
    QuestionPublic,
    StudyCheckCreate,
    StudyCheckPublic,
    StudyCheckUpdate,
)

# How far ahead of the server's clock a device's answered_at may be (phones' clocks drift), and the grace
# on the time limit (the moment between the last tap and the device stamping the answers).
SKEW = timedelta(minutes=2)
ENTITY = "study_check"


# ---- setting it up ----


def _studied_document(session: Session, principal: Principal, document_id: int) -> None:
    doc = documents.get_visible(session, principal, document_id)
    if doc.doc_type != DocType.resolution.value and doc.category != DocCategory.study.value:
        raise Unprocessable(
            "Bài kiểm tra gắn với một nghị quyết hoặc một tài liệu học tập.", code="not_study_document"
        )


def _questions(questions: Sequence[QuestionIn]) -> list[dict[str, Any]]:
    return [q.model_dump() for q in questions]


def _set_audience(session: Session, check: StudyCheck, org_ids: Sequence[int]) -> None:
    session.execute(delete(StudyCheckAudience).where(col(StudyCheckAudience.check_id) == check.id))
    for org_id in sorted(set(org_ids)):
        session.add(StudyCheckAudience(check_id=check.id or 0, org_id=org_id))
    session.flush()


def _touch(session: Session, check: StudyCheck, org_ids: Sequence[int], *, op: str = "upsert") -> None:
    """Tell the devices of the audience (the feed re-checks who may hold it: one dropped from the audience
    loses it)."""
    assert check.id is not None
    if op == "upsert":
        check.updated_at = utcnow()
        session.add(check)
        session.flush()
    record_change(session, ENTITY, check.id, op=op, org_ids=org_ids)


def _audit(session: Session, principal: Principal, action: str, check: StudyCheck, **detail: object) -> None:
    audit.record(
        session,
        f"study_check.{action}",
        actor=principal,
        target_type="study_check",
        target_id=check.id,
        detail={"document_id": check.document_id, **detail},
    )


def create(session: Session, principal: Principal, data: StudyCheckCreate) -> StudyCheck:
    access.require_staff(principal)
    access.require_audience_in_reach(session, principal, data.audience_org_ids)
    _studied_document(session, principal, data.document_id)
    now = utcnow()
    check = StudyCheck(
        document_id=data.document_id,
        title=data.title,
        time_limit_minutes=data.time_limit_minutes,
        opens_at=as_utc(data.opens_at),
        closes_at=as_utc(data.closes_at),
        show_score=data.show_score,
        questions=_questions(data.questions),
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(check)
    session.flush()
    _set_audience(session, check, data.audience_org_ids)
    _audit(session, principal, "create", check, questions=len(data.questions))
    _touch(session, check, data.audience_org_ids)
    return check


def is_open(check: StudyCheck, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= as_utc(check.opens_at)


def update(session: Session, principal: Principal, check: StudyCheck, data: StudyCheckUpdate) -> StudyCheck:
    fields = data.model_dump(exclude_unset=True)
    before = access.audience_of(session, check.id)
    if is_open(check):
        fixed = sorted(set(fields) - {"title", "closes_at"})
        if fixed:
            raise Conflict(
                "Bài kiểm tra đã mở: không đổi được câu hỏi, đối tượng, thời gian làm bài hay giờ mở.",
                code="quiz_opened",
                fields=fixed,
            )
        if data.closes_at is not None and as_utc(data.closes_at) < as_utc(check.closes_at):
            raise Conflict(
                "Bài kiểm tra đã mở: chỉ được lùi giờ đóng.", code="quiz_opened", fields=["closes_at"]
            )
    if data.audience_org_ids is not None:
        access.require_audience_in_reach(session, principal, data.audience_org_ids)
    opens = as_utc(data.opens_at) if data.opens_at else as_utc(check.opens_at)
    closes = as_utc(data.closes_at) if data.closes_at else as_utc(check.closes_at)
    if closes <= opens:
        raise Unprocessable("Thời điểm đóng phải sau thời điểm mở.", code="window_invalid")
    for name in ("title", "time_limit_minutes", "show_score"):
        if fields.get(name) is not None:
            setattr(check, name, fields[name])
    check.opens_at, check.closes_at = opens, closes
    if data.questions is not None:
        check.questions = _questions(data.questions)
    if data.audience_org_ids is not None:
        _set_audience(session, check, data.audience_org_ids)
    _audit(session, principal, "update", check, fields=sorted(fields))
    _touch(session, check, sorted(set(before) | set(access.audience_of(session, check.id))))
    return check


def delete_check(session: Session, principal: Principal, check: StudyCheck) -> None:
    if is_open(check):
        raise Conflict("Bài kiểm tra đã mở: không xóa được.", code="quiz_opened")
    orgs = access.audience_of(session, check.id)
    _audit(session, principal, "delete", check)
    _touch(session, check, orgs, op="delete")
    session.execute(delete(StudyCheckAudience).where(col(StudyCheckAudience.check_id) == check.id))
    session.delete(check)
    session.flush()


# ---- taking it ----


def score(questions: Sequence[dict[str, Any]], answers: Sequence[Sequence[int]]) -> int:
    return sum(1 for q, a in zip(questions, answers, strict=False) if sorted(set(a)) == sorted(q["correct"]))


def _valid_answers(check: StudyCheck, answers: Sequence[Sequence[int]]) -> None:
    if len(answers) != len(check.questions):
        raise Unprocessable(
            f"Bài có {len(check.questions)} câu: gửi đủ một danh sách lựa chọn cho mỗi câu.",
            code="answers_invalid",
        )
    for number, (q, a) in enumerate(zip(check.questions, answers, strict=True), start=1):
        if (
            len(set(a)) != len(a)
            or any(i >= len(q["options"]) for i in a)
            or (not q["multiple"] and len(a) > 1)
        ):
            raise Unprocessable(
                f"Câu {number}: lựa chọn không hợp lệ.", code="answers_invalid", question=number
            )


def take(session: Session, principal: Principal, check: StudyCheck, data: AttemptCreate) -> StudyAttempt:
    """Record the member's one attempt, online or queued offline.

    The device's times decide, checked against the server's clock: answered before closes_at (an answer
    given offline before the close and sent after it counts), within the time limit from started_at, not
    before opens_at, and not ahead of the server's clock by more than SKEW."""
    assert principal.member is not None and principal.member.id is not None
    now = utcnow()
    started, answered = as_utc(data.started_at), as_utc(data.answered_at)
    if answered > now + SKEW:
        raise Unprocessable(
            "Thời điểm trả lời ở tương lai: kiểm tra lại đồng hồ của điện thoại.", code="answered_in_future"
        )
    if session.execute(
        select(col(StudyAttempt.id)).where(
            col(StudyAttempt.check_id) == check.id, col(StudyAttempt.member_id) == principal.member.id
        )
    ).first():
        raise Conflict("Đồng chí đã làm bài kiểm tra này (mỗi người một lần).", code="quiz_already_taken")
    if started < as_utc(check.opens_at):
        raise Conflict("Bài kiểm tra chưa mở vào thời điểm bắt đầu làm bài.", code="quiz_not_open")
    if answered > as_utc(check.closes_at):
        raise Conflict("Bài kiểm tra đã đóng trước khi đồng chí trả lời xong.", code="quiz_closed")
    if answered - started > timedelta(minutes=check.time_limit_minutes) + SKEW:
        raise Conflict(
            f"Quá thời gian làm bài ({check.time_limit_minutes} phút).", code="time_limit_exceeded"
        )
    _valid_answers(check, data.answers)
    attempt = StudyAttempt(
        check_id=check.id or 0,
        member_id=principal.member.id,
        org_id=principal.member.org_id,
        started_at=started,
        answered_at=answered,
        submitted_at=now,
        score=score(check.questions, data.answers),
        total=len(check.questions),
        answers=[sorted(set(a)) for a in data.answers],
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:  # the same member's two devices at once
        raise Conflict(
            "Đồng chí đã làm bài kiểm tra này (mỗi người một lần).", code="quiz_already_taken"
        ) from None
    _audit(session, principal, "attempt", check, member_id=principal.member.id)
    record_change(session, ENTITY, check.id or 0, user_ids=[principal.user_id])
    return attempt


# ---- reading ----


def key_shown(
    check: StudyCheck, attempt: StudyAttempt | None, manager: bool, now: datetime | None = None
) -> bool:
    """Managers always; a member only after answering, and then at once or after the close."""
    if manager:
        return True
    return attempt is not None and (check.show_score or (now or utcnow()) >= as_utc(check.closes_at))


def attempt_public(attempt: StudyAttempt, shown: bool) -> AttemptPublic:
    return AttemptPublic.model_validate(attempt).model_copy(
        update={"score": attempt.score if shown else None}
    )


def to_public(
    session: Session, rows: Sequence[StudyCheck], *, member_id: int | None, managed_ids: set[int]
) -> list[StudyCheckPublic]:
    ids = [c.id for c in rows if c.id is not None]
    if not ids:
        return []
    audiences: dict[int, list[int]] = {}
    for check_id, org_id in session.execute(
        select(col(StudyCheckAudience.check_id), col(StudyCheckAudience.org_id)).where(
            col(StudyCheckAudience.check_id).in_(ids)
        )
    ).all():
        audiences.setdefault(int(check_id), []).append(int(org_id))
    attempts: dict[int, StudyAttempt] = {}
    if member_id is not None:
        attempts = {
            a.check_id: a
            for a in session.execute(
                select(StudyAttempt).where(
                    col(StudyAttempt.check_id).in_(ids), col(StudyAttempt.member_id) == member_id
                )
            ).scalars()
        }
    now = utcnow()
    out = []
    for c in rows:
        cid = c.id or 0
        attempt = attempts.get(cid)
        manager = cid in managed_ids
        shown = key_shown(c, attempt, manager, now)
        readable = manager or is_open(c, now)  # never the questions on a phone days before the opening
        questions = [
            QuestionPublic(
                text=q["text"],
                multiple=q["multiple"],
                options=list(q["options"]),
                correct=list(q["correct"]) if shown else None,
            )
            for q in (c.questions if readable else [])
        ]
        out.append(
            StudyCheckPublic(
                id=cid,
                document_id=c.document_id,
                title=c.title,
                audience_org_ids=sorted(audiences.get(cid, [])),
                time_limit_minutes=c.time_limit_minutes,
                opens_at=c.opens_at,
                closes_at=c.closes_at,
                show_score=c.show_score,
                questions=questions,
                question_count=len(c.questions),
                key_shown=shown,
                my_attempt=attempt_public(attempt, shown) if attempt else None,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
        )
    return out


def managed_ids(session: Session, principal: Principal, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return {
        int(r)
        for r in session.execute(
            select(col(StudyCheck.id)).where(
                col(StudyCheck.id).in_(list(ids)), access.manageable_clause(principal)
            )
        ).scalars()
    }


def for_caller(session: Session, principal: Principal, rows: Sequence[StudyCheck]) -> list[StudyCheckPublic]:
    member_id = principal.member.id if principal.member else None
    return to_public(
        session,
        rows,
        member_id=member_id,
        managed_ids=managed_ids(session, principal, [c.id for c in rows if c.id]),
    )


def one_public(session: Session, principal: Principal, check: StudyCheck) -> StudyCheckPublic:
    return for_caller(session, principal, [check])[0]


def list_visible(
    session: Session, principal: Principal, *, document_id: int | None, limit: int, offset: int
) -> tuple[list[StudyCheckPublic], int]:
    q = select(StudyCheck).where(access.visible_clause(session, principal))
    if document_id is not None:
        q = q.where(col(StudyCheck.document_id) == document_id)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = (
        session.execute(
            q.order_by(col(StudyCheck.opens_at).desc(), col(StudyCheck.id).desc()).limit(limit).offset(offset)
        )
        .scalars()
        .all()
    )
    return for_caller(session, principal, rows), int(total)
