"""Study documents, checks and essays arranged straight in the database, and the bodies the API takes."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from server.documents.models import Document, DocumentAudience
from server.records.orgs import Organization
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience, StudyEssay
from server.timeutil import utcnow
from tests.factories import Person

ESSAY = (
    "Qua học tập Nghị quyết, tôi nhận thức sâu sắc hơn trách nhiệm của người đảng viên ở thôn: gương mẫu "
    "thực hiện chủ trương của Đảng, chính sách, pháp luật của Nhà nước, vận động gia đình và bà con giữ gìn "
    "vệ sinh môi trường, tham gia xây dựng nông thôn mới. Bản thân tôi đăng ký làm theo bằng việc cụ thể."
)


def questions(n: int = 5) -> list[dict[str, Any]]:
    """n questions: the 1st, 3rd, ... single choice (key: option 1), the others multiple (key: 0 and 2)."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(
                {
                    "text": f"Câu hỏi số {i + 1} về Nghị quyết?",
                    "multiple": False,
                    "options": ["Phương án A", "Phương án B", "Phương án C"],
                    "correct": [1],
                }
            )
        else:
            out.append(
                {
                    "text": f"Câu hỏi số {i + 1}: chọn các ý đúng",
                    "multiple": True,
                    "options": ["Ý một", "Ý hai", "Ý ba", "Ý bốn"],
                    "correct": [0, 2],
                }
            )
    return out


def right_answers(n: int = 5) -> list[list[int]]:
    return [q["correct"] for q in questions(n)]


def make_study_doc(
    session: Session,
    audience: list[Organization],
    title: str = "Nghị quyết số 57-NQ/TW",
    *,
    doc_type: str = "resolution",
    category: str = "documents",
) -> Document:
    now = utcnow()
    doc = Document(
        title=title,
        doc_type=doc_type,
        category=category,
        status="published",
        published_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(doc)
    session.flush()
    for org in audience:
        session.add(DocumentAudience(document_id=doc.id, org_id=org.id))
    session.flush()
    return doc


def make_check(
    session: Session,
    doc: Document,
    audience: list[Organization],
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    show_score: bool = True,
    minutes: int = 30,
    n: int = 5,
) -> StudyCheck:
    now = utcnow()
    opens = opens_at or now - timedelta(hours=1)
    check = StudyCheck(
        document_id=doc.id or 0,
        title="Kiểm tra nhận thức Nghị quyết 57",
        time_limit_minutes=minutes,
        opens_at=opens,
        closes_at=closes_at or opens + timedelta(days=7),
        show_score=show_score,
        questions=questions(n),
        created_at=now,
        updated_at=now,
    )
    session.add(check)
    session.flush()
    for org in audience:
        session.add(StudyCheckAudience(check_id=check.id or 0, org_id=org.id or 0))
    session.flush()
    return check


def make_attempt(
    session: Session, check: StudyCheck, person: Person, score: int, total: int = 5
) -> StudyAttempt:
    assert person.member is not None and person.member.id is not None
    now = utcnow()
    attempt = StudyAttempt(
        check_id=check.id or 0,
        member_id=person.member.id,
        org_id=person.member.org_id,
        started_at=now - timedelta(minutes=10),
        answered_at=now,
        submitted_at=now,
        score=score,
        total=total,
        answers=[[0]] * total,
    )
    session.add(attempt)
    session.flush()
    return attempt


def make_essay(session: Session, doc: Document, person: Person, *, received: bool = False) -> StudyEssay:
    assert person.member is not None and person.member.id is not None
    now = utcnow()
    essay = StudyEssay(
        document_id=doc.id or 0,
        member_id=person.member.id,
        org_id=person.member.org_id,
        written_at=now,
        received_at=now if received else None,
        text=ESSAY,
        created_at=now,
        updated_at=now,
    )
    session.add(essay)
    session.flush()
    return essay


def check_body(document_id: int, audience: list[int], **extra: Any) -> dict[str, Any]:
    now = utcnow()
    body: dict[str, Any] = {
        "document_id": document_id,
        "title": "Kiểm tra nhận thức Nghị quyết 57",
        "audience_org_ids": audience,
        "questions": questions(),
        "time_limit_minutes": 30,
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=8)).isoformat(),
        "show_score": True,
    }
    body.update(extra)
    return body


def answers_body(
    started: datetime, answered: datetime, answers: list[list[int]] | None = None
) -> dict[str, Any]:
    return {
        "started_at": started.isoformat(),
        "answered_at": answered.isoformat(),
        "answers": right_answers() if answers is None else answers,
    }


def for_matrix(session: Session, cell: Organization, document_id: int, member: Person) -> dict[str, int]:
    """The authorisation matrix's study objects: an open check and one not yet open on the stage's study
    document for cell A, and member_a's essay on it."""
    doc = session.get(Document, document_id)
    assert doc is not None
    check = make_check(session, doc, [cell])
    future = make_check(session, doc, [cell], opens_at=utcnow() + timedelta(days=1))
    essay = make_essay(session, doc, member)
    return {"study_check": check.id or 0, "study_check_future": future.id or 0, "essay": essay.id or 0}
