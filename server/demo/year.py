"""Demo commitments (bản đăng ký cam kết) of this year in the Ban Tổ chức's cell Tổ chức đảng, đảng viên.

The demo member's is approved with results on some items and the cell's remark on one; colleagues' are
approved, awaiting a decision, returned with a comment, or missing, so the secretary's cell view has every
state. From December on, the demo member also has next year's draft.

Demo self-reviews (bản kiểm điểm) of the year under review (this year from November, else last year) in the
same cell: the demo member's sent, colleagues' proposed (one "xuất sắc", so the cap warns), sent, and one
exempt, so the secretary's and the committee staff's views have every state.
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from server.demo.context import DemoContext
from server.timeutil import utcnow
from server.year.models import Commitment, CommitmentItem, SelfReview
from shared.schemas.year import CommitmentCategory as Cat
from shared.timefmt import VN_TZ

ITEMS: list[tuple[str, Cat | None]] = [
    ("Gương mẫu học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; thực hiện nghiêm Quy định "
     "về những điều đảng viên không được làm.", Cat.study_follow),
    ("Hoàn thành đúng hạn việc thẩm định hồ sơ kết nạp đảng viên, chuyển sinh hoạt đảng được giao.",
     Cat.duty),
    ("Tham gia hiến máu tình nguyện ít nhất 1 lần và một đợt tình nguyện hỗ trợ huyện miền núi.",
     Cat.volunteer),
    ("Sinh hoạt đầy đủ ở chi bộ nơi cư trú, tham gia vệ sinh môi trường khu dân cư hằng tháng.",
     Cat.residence),
]
RESULTS = ["Đã thực hiện; không vi phạm những điều đảng viên không được làm.",
           "Thẩm định 46 hồ sơ, tất cả đúng hạn."]


def _commitment(session: Session, member_id: int, org_id: int, year: int, status: str, at: datetime,
                decided_by: int | None, items: int, comment: str | None = None) -> list[CommitmentItem]:
    decided = status in ("approved", "returned")
    row = Commitment(member_id=member_id, org_id=org_id, year=year, status=status, edited_at=at,
                     created_at=at, updated_at=at, submitted_at=None if status == "draft" else at,
                     decided_at=at + timedelta(days=6) if decided else None,
                     decided_by=decided_by if decided else None, return_comment=comment)
    session.add(row)
    session.flush()
    rows = [CommitmentItem(commitment_id=row.id, position=position, text=text,
                           category=category.value if category else None)
            for position, (text, category) in enumerate(ITEMS[:items], start=1)]
    session.add_all(rows)
    session.flush()
    return rows


REVIEW = {
    "strengths": "Giữ vững lập trường chính trị, chấp hành nghiêm chủ trương của Đảng; hoàn thành đúng hạn "
                 "việc thẩm định hồ sơ đảng viên được giao; sinh hoạt chi bộ đầy đủ.",
    "shortcomings": "Việc nghiên cứu một số văn bản mới còn chậm; chưa tham gia đợt tình nguyện ở huyện "
                    "miền núi.",
    "causes": "Khối lượng công việc chuyên môn cuối năm nhiều; chưa sắp xếp thời gian hợp lý.",
    "direction": "Dành thời gian học tập văn bản mới mỗi tuần; đăng ký tham gia đợt tình nguyện quý I năm "
                 "sau.",
}
# Colleagues' reviews: (status, own level, the cell's proposed level, exemption reason).
REVIEW_STATES: list[tuple[str, str | None, str | None, str | None]] = [
    ("proposed", "excellent", "excellent", None), ("proposed", "good", "good", None),
    ("submitted", "good", None, None), ("exempt", None, None, "Miễn sinh hoạt đảng vì tuổi cao, sức yếu")]


def _review(session: Session, member_id: int, org_id: int, year: int, at: datetime,
            state: tuple[str, str | None, str | None, str | None], by: int | None) -> None:
    status, level, proposed, reason = state
    sent = reason is None
    session.add(SelfReview(
        member_id=member_id, org_id=org_id, year=year, status=status, edited_at=at, created_at=at,
        updated_at=at, submitted_at=at if sent else None, self_level=level,
        proposed_level=proposed, proposed_at=at if proposed else None, proposed_by=by if proposed else None,
        exempt_reason=reason, **(REVIEW if sent else {})))


def seed_reviews(session: Session, ctx: DemoContext, now: datetime) -> None:
    local = now.astimezone(VN_TZ)
    year = local.year if local.month >= 11 else local.year - 1
    cell, secretary = ctx.orgs["tcdv"], ctx.users.get("bithu.tcdv")
    member = ctx.members["dangvien.tcdv"]
    at = now - timedelta(days=1)
    _review(session, member, cell, year, at, ("submitted", "good", None, None), None)
    others = [m for m in ctx.cell_members.get("tcdv", []) if m not in (member, ctx.members.get("bithu.tcdv"))]
    for member_id, state in zip(others, REVIEW_STATES, strict=False):
        _review(session, member_id, cell, year, at, state, secretary)


def seed(session: Session, ctx: DemoContext) -> None:
    if "tcdv" not in ctx.orgs or "dangvien.tcdv" not in ctx.members:
        return
    now = utcnow()
    year = now.astimezone(VN_TZ).year
    # Registered in mid-January; early in January, in the December before (never in the future).
    start = min(datetime(year, 1, 15, 9, tzinfo=VN_TZ), now - timedelta(days=8))
    cell, secretary = ctx.orgs["tcdv"], ctx.users.get("bithu.tcdv")
    member = ctx.members["dangvien.tcdv"]
    written = max(now - timedelta(days=2), start)
    items = _commitment(session, member, cell, year, "approved", start, secretary, len(ITEMS))
    for item, result in zip(items, RESULTS, strict=False):
        item.result, item.result_at = result, written
    items[0].remark, items[0].remark_at, items[0].remark_by = "Gương mẫu, thực hiện tốt.", written, secretary
    session.add_all(items)
    # Colleagues (not the secretary, whose own would need another leader): every state, and one missing.
    others = [m for m in ctx.cell_members.get("tcdv", [])
              if m not in (member, ctx.members.get("bithu.tcdv"))]
    states = [("approved", None), ("submitted", None),
              ("returned", "Đề nghị ghi cụ thể số lần tham gia hoạt động tình nguyện."), ("approved", None)]
    for member_id, (status, comment) in zip(others, states, strict=False):
        _commitment(session, member_id, cell, year, status, start + timedelta(days=3), secretary, 3, comment)
    if now.astimezone(VN_TZ).month == 12:
        _commitment(session, member, cell, year + 1, "draft", now - timedelta(hours=1), None, 2)
    seed_reviews(session, ctx, now)
    session.flush()
