"""Study-check figures cell by cell at province scale: times GET /study/checks/{id}/figures's work.

    PYTHONPATH=. .venv/bin/python bench/study_summary.py [--cells 10000] [--members 12] [--runs 9]
    PYTHONPATH=. .venv/bin/python bench/study_summary.py --province SOURCE [--http] [--runs 9]

Without `--province`: builds the scratch province of bench/year_place.py (20 districts x N/500 communes x 25
cells, `--members` members per cell) straight into a fresh SQLite database, addresses a resolution and its
10-question study check to the whole province, has 70% of the members take it (scores spread 0-10) and 30%
hand in a bài thu hoạch the cell received. With it: the generated province's own check (on a resolution
addressed to the province, its attempts and bài thu hoạch). Then times server.study.stats.figures for the
province's staff (every cell) and a district's staff, and prints one JSON line: p50 and max of each (and
over HTTP with `--http`).
"""

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from bench.year_place import arguments, http_times, place, profile_province, report, time_staff  # noqa: E402
from server.db import Database  # noqa: E402
from server.documents.models import Document, DocumentAudience  # noqa: E402
from server.records.members import Member  # noqa: E402
from server.study import stats  # noqa: E402
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience, StudyEssay  # noqa: E402

QUESTIONS = [{"text": f"Câu hỏi {n}?", "multiple": False, "options": ["Đúng", "Sai", "Không rõ"],
              "correct": [0]} for n in range(1, 11)]


def add_study(db: Database, province: int, rng: random.Random) -> tuple[int, int, int]:
    """The check's id, then how many attempts and received essays were written."""
    now = datetime.now(UTC)
    with db.transaction() as s:
        doc = Document(title="Nghị quyết số 57-NQ/TW", doc_type="resolution", category="documents",
                       status="published", published_at=now, created_at=now, updated_at=now)
        s.add(doc)
        s.flush()
        s.add(DocumentAudience(document_id=doc.id, org_id=province))
        check = StudyCheck(document_id=doc.id or 0, title="Kiểm tra nhận thức Nghị quyết 57",
                           time_limit_minutes=30, opens_at=now - timedelta(days=7),
                           closes_at=now + timedelta(days=7), show_score=True, questions=QUESTIONS,
                           created_at=now, updated_at=now)
        s.add(check)
        s.flush()
        s.add(StudyCheckAudience(check_id=check.id or 0, org_id=province))
        check_id, doc_id = check.id or 0, doc.id or 0
        members = s.execute(select(Member.id, Member.org_id)).all()
    attempts, essays = [], []
    for member_id, org_id in members:
        if rng.random() < 0.7:
            attempts.append({"check_id": check_id, "member_id": member_id, "org_id": org_id,
                             "started_at": now - timedelta(minutes=20), "answered_at": now,
                             "submitted_at": now,
                             "score": rng.randint(0, 10), "total": 10, "answers": [[0]] * 10})
        if rng.random() < 0.3:
            essays.append({"document_id": doc_id, "member_id": member_id, "org_id": org_id, "written_at": now,
                           "received_at": now, "created_at": now, "updated_at": now,
                           "text": "Bài thu hoạch sau học tập nghị quyết. " * 10})
    with db.transaction() as s:
        for model, rows in ((StudyAttempt, attempts), (StudyEssay, essays)):
            for start in range(0, len(rows), 20000):
                s.execute(insert(model), rows[start:start + 20000])
    return check_id, len(attempts), len(essays)


def main() -> None:
    args = arguments()
    with place(args) as p:
        if p.rng is None:
            check_id = int(p.count("SELECT min(id) FROM study_check"))
        else:
            check_id, attempts, essays = add_study(p.db, p.province, p.rng)
            print(f"attempts: {attempts}, essays received: {essays}")

        def figures(s, who, org_id):
            check = s.get(StudyCheck, check_id)
            assert check is not None
            return stats.figures(s, who, check, org_id)

        if args.profile:
            profile_province(p, figures)
        timed = time_staff(p, args.runs, figures)
        http = (http_times(p, args.runs, lambda org: f"/api/v1/study/checks/{check_id}/figures?org_id={org}")
                if args.http and p.source else None)
        totals = timed["province"][0].totals
        report("study_summary", p, args.runs, timed, {k: len(v[0].cells) for k, v in timed.items()}, http,
               members=totals.members, attempts=totals.taken, average_score=totals.average_score,
               essays_received=totals.essays_received,
               essays=p.count("SELECT count(*) FROM study_essay"))


if __name__ == "__main__":
    main()
