"""Demo study checks (kiểm tra nhận thức) and bài thu hoạch on Nghị quyết 21-NQ/TW for the whole province.

One check is open now (a week left, scores shown at once) and the demo member has not taken it, so the
product shows a quiz to take; one closed last month, taken by the demo member and most of the Ban Tổ chức's
cell, so the figures by cell have participation and an average. Two colleagues handed in a bài thu hoạch:
one received by the secretary with a remark, one waiting, so the secretary's screen has both.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from server.demo.context import DemoContext
from server.documents.models import Document
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience, StudyEssay
from server.study.service import score
from server.timeutil import utcnow

QUESTIONS: list[dict[str, Any]] = [
    {"text": "Nghị quyết 21-NQ/TW được ban hành tại hội nghị nào?", "multiple": False,
     "options": ["Hội nghị Trung ương 4 khóa XIII", "Hội nghị Trung ương 5 khóa XIII",
                 "Hội nghị Trung ương 6 khóa XIII"], "correct": [1]},
    {"text": "Nghị quyết nhằm củng cố, xây dựng những gì?", "multiple": True,
     "options": ["Tổ chức cơ sở đảng", "Đội ngũ đảng viên", "Doanh nghiệp nhà nước"], "correct": [0, 1]},
    {"text": "Mô hình nào được Nghị quyết đề ra cho chi bộ?", "multiple": False,
     "options": ["Chi bộ bốn tốt", "Chi bộ kiểu mẫu số", "Chi bộ tự quản"], "correct": [0]},
    {"text": "Ở chi bộ đông đảng viên, Nghị quyết hướng dẫn sinh hoạt thế nào?", "multiple": False,
     "options": ["Gộp với chi bộ khác", "Sinh hoạt theo tổ đảng", "Sinh hoạt ba tháng một lần"],
     "correct": [1]},
    {"text": "Những việc nào thuộc nhiệm vụ, giải pháp của Nghị quyết?", "multiple": True,
     "options": ["Đổi mới công tác kết nạp đảng viên", "Nâng cao chất lượng sinh hoạt chi bộ",
                 "Bỏ việc đánh giá đảng viên hằng năm"], "correct": [0, 1]},
]
KEY = [q["correct"] for q in QUESTIONS]
# Colleagues' answers to the closed check: all right, one wrong, two wrong.
ANSWERS = [KEY, [[1], [0], [0], [1], [0, 1]], [[0], [0, 1], [0], [0], [0, 1]]]
ESSAY = ("Qua học tập Nghị quyết 21-NQ/TW, tôi nhận thức rõ hơn vai trò của tổ chức cơ sở đảng và trách "
         "nhiệm của mỗi đảng viên trong việc nâng cao chất lượng sinh hoạt chi bộ. Bản thân tôi sẽ chuẩn bị "
         "ý kiến trước mỗi buổi sinh hoạt, tham gia đầy đủ, đúng giờ; gương mẫu thực hiện nhiệm vụ chuyên "
         "môn được giao và giữ mối liên hệ với nhân dân nơi cư trú.")


def _resolution(session: Session) -> Document | None:
    found = session.execute(select(Document).where(col(Document.number_key) == "21nq")).scalars().first()
    if found is None:
        found = session.execute(
            select(Document).where(col(Document.doc_type) == "resolution").order_by(col(Document.id))
        ).scalars().first()
    return found


def _check(session: Session, doc_id: int, title: str, opens: datetime, closes: datetime, by: int | None,
           audience: int) -> StudyCheck:
    check = StudyCheck(document_id=doc_id, title=title, time_limit_minutes=15, opens_at=opens,
                       closes_at=closes, show_score=True, created_by=by, created_at=opens - timedelta(days=1),
                       updated_at=opens - timedelta(days=1), questions=QUESTIONS)
    session.add(check)
    session.flush()
    assert check.id is not None
    session.add(StudyCheckAudience(check_id=check.id, org_id=audience))
    return check


def seed(session: Session, ctx: DemoContext) -> None:
    if "tinh" not in ctx.orgs or "tcdv" not in ctx.orgs or "dangvien.tcdv" not in ctx.members:
        return
    doc = _resolution(session)
    if doc is None or doc.id is None:
        return
    now = utcnow()
    staff, cell = ctx.users.get("bantochuc"), ctx.orgs["tcdv"]
    _check(session, doc.id, "Kiểm tra nhận thức Nghị quyết 21-NQ/TW (đợt 2)", now - timedelta(days=1),
           now + timedelta(days=7), staff, ctx.orgs["tinh"])
    opened = now - timedelta(days=35)
    closed = _check(session, doc.id, "Kiểm tra nhận thức Nghị quyết 21-NQ/TW (đợt 1)", opened,
                    opened + timedelta(days=7), staff, ctx.orgs["tinh"])
    member, secretary = ctx.members["dangvien.tcdv"], ctx.members.get("bithu.tcdv")
    others = [m for m in ctx.cell_members.get("tcdv", []) if m not in (member, secretary)]
    takers = [(member, [[1], [0, 1], [0], [1], [0]])] + list(zip(others, ANSWERS, strict=False))
    for n, (member_id, answers) in enumerate(takers):
        started = opened + timedelta(days=1, hours=n)
        answered = started + timedelta(minutes=9)
        session.add(StudyAttempt(
            check_id=closed.id or 0, member_id=member_id, org_id=cell, started_at=started,
            answered_at=answered, submitted_at=answered, score=score(QUESTIONS, answers),
            total=len(QUESTIONS), answers=answers))
    received_by = ctx.users.get("bithu.tcdv")
    for n, member_id in enumerate(others[:2]):
        written = now - timedelta(days=10 - n)
        session.add(StudyEssay(
            document_id=doc.id, member_id=member_id, org_id=cell, written_at=written, text=ESSAY,
            received_at=written + timedelta(days=1) if n == 0 else None,
            received_by=received_by if n == 0 else None,
            remark="Bài viết có liên hệ bản thân, cụ thể." if n == 0 else None,
            created_at=written, updated_at=written))
    session.flush()
