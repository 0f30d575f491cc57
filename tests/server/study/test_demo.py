"""The demo seeder leaves an open study check to take, a closed one with attempts, and two bài thu hoạch
(one received) in the Ban Tổ chức's cell."""

from sqlmodel import col, select

from server.auth.principal import build
from server.demo.seed import seed
from server.records.members import User
from server.study import service
from server.study.models import StudyCheck, StudyEssay


def test_demo_study(db, settings, clock):
    ctx = seed(db, settings)
    member = build(db, db.get(User, ctx.users["dangvien.tcdv"]), None, None)
    checks = list(db.exec(select(StudyCheck).order_by(col(StudyCheck.id))).all())
    assert [c.title[-7:] for c in checks] == ["(đợt 2)", "(đợt 1)"]
    mine = service.to_public(db, checks, member_id=member.member.id, managed_ids=set())
    assert mine[0].my_attempt is None and mine[1].my_attempt is not None
    assert mine[1].my_attempt.score == 4
    rows = db.exec(select(StudyEssay)).all()
    assert sorted(e.received_at is not None for e in rows) == [False, True]
