"""Step: the member's year of --until: commitments, a province-wide study check with its attempts and bài thu
hoạch, and the self-reviews of the review season (December: drafts, sent, proposed, some confirmed).

Shares (shared/notes/domain.md, the seed articles): about 90% of members registered a commitment, most
approved early in the year; most members took the check on a central resolution, scores spread; a share
wrote a bài thu hoạch; members exempt from party work mostly did none of it and are marked exempt.
"""

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from server.generate import year_texts as texts
from server.generate.province.base import EXEMPT, Org, local
from server.generate.province.state import Run
from server.generate.province.writer import Doc, Writer, insert_rows
from server.study.models import StudyAttempt, StudyCheck, StudyCheckAudience, StudyEssay
from server.year.models import Commitment, CommitmentItem, SelfReview

COMMIT_STATUSES = [("approved", 0.90), ("submitted", 0.04), ("returned", 0.02), ("draft", 0.04)]
LEVELS = ["excellent", "good", "done", "failed"]
SELF_LEVELS = [0.10, 0.72, 0.16, 0.02]  # members rate themselves a little higher than the cell will
# Where each cell is in the review season at --until: still writing, has met and proposed, confirmed above.
CELL_STAGES = [("writing", 0.45), ("proposed", 0.35), ("confirmed", 0.20)]
SEASON_DAYS = 18  # the season opens about mid-November: reviews run in December
CHECK_QUESTIONS = 10
CHECK_MINUTES = 30


def _between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A moment in [lo, hi] to the second (lo when the span is empty)."""
    span = int((hi - lo).total_seconds())
    return lo + timedelta(seconds=rng.randint(0, span)) if span > 0 else lo


class Year(Run):
    """Step: the member's year of --until."""

    def year(self, session: Session) -> None:
        """Commitments, the study check and the self-reviews, each from its own random stream."""
        self.year_of = self.opt.until.year
        self.cap = self.until - timedelta(minutes=1)
        self.commitments(session)
        self.study(session)
        self.reviews(session)

    def _next_id(self, session: Session, model: Any) -> int:
        table = model.__table__
        return int(session.execute(select(func.max(table.c.id))).scalar_one() or 0) + 1

    def _secretary(self, cell: Org) -> int:
        return self.user_id(cell.lo)

    def _confirmer(self, cell: Org) -> tuple[int, int]:
        """(user id, committee id) of the nearest committee above the cell that has staff."""
        node = cell.parent
        while node is not None:
            if self.staff_of.get(node.id):
                return self.user_id(self.staff_of[node.id][0]), node.id
            node = node.parent
        return self.admin_id, self.orgs[0].id

    def commitments(self, session: Session) -> None:
        """A commitment of 2-4 items for about 90% of members, registered January to March; approved ones
        carry the year-end results half the members have written by December, some with the cell's remark."""
        rng = self.rng("commitments")
        writer = Writer(session, [Commitment, CommitmentItem])
        statuses, weights = [s for s, _ in COMMIT_STATUSES], [w for _, w in COMMIT_STATUSES]
        opens = local(date(self.year_of, 1, 5), "08:00")
        closes = min(local(date(self.year_of, 3, 31), "17:00"), self.cap)
        results_from = max(opens, self.until - timedelta(days=30))
        commitment_id = self._next_id(session, Commitment)
        for cell in self.cells:
            secretary = self._secretary(cell)
            for i in range(cell.lo, cell.hi):
                if rng.random() >= (0.35 if self.kind[i] == EXEMPT else 0.95):
                    continue
                joined = local(date.fromordinal(self.joined[i]), "08:00") + timedelta(days=7)
                created = min(max(_between(rng, opens, closes), joined), self.cap)
                status = rng.choices(statuses, weights)[0]
                submitted = decided = None
                if status != "draft":
                    submitted = min(created + timedelta(hours=rng.randint(1, 96)), self.cap)
                if status in ("approved", "returned"):
                    assert submitted is not None
                    decided = min(submitted + timedelta(days=rng.randint(2, 30)), self.cap)
                user = self.user_id(i)
                writer.add(Commitment, {
                    "id": commitment_id, "member_id": self.member_id(i), "org_id": cell.id,
                    "year": self.year_of, "status": status,
                    "return_comment": rng.choice(texts.RETURN_COMMENTS) if status == "returned" else None,
                    "edited_at": created, "submitted_at": submitted, "decided_at": decided,
                    "decided_by": secretary if decided else None, "created_by": user, "created_at": created,
                    "updated_at": decided or submitted or created})
                reporting = status == "approved" and rng.random() < 0.5
                for position, (category, text) in enumerate(rng.sample(texts.COMMITMENT_ITEMS,
                                                                       rng.choice((2, 3, 3, 3, 4)))):
                    result_at = _between(rng, results_from, self.cap) if reporting else None
                    remark_at = (min(result_at + timedelta(days=rng.randint(1, 5)), self.cap)
                                 if result_at is not None and rng.random() < 0.3 else None)
                    writer.add(CommitmentItem, {
                        "commitment_id": commitment_id, "position": position, "text": text,
                        "category": category,
                        "result": rng.choice(texts.RESULTS) if result_at else None, "result_at": result_at,
                        "remark": rng.choice(texts.REMARKS) if remark_at else None, "remark_at": remark_at,
                        "remark_by": secretary if remark_at else None})
                commitment_id += 1
            writer.step()
        writer.flush()
        self.counts.update(writer.counts)
        self.progress.done("cam kết năm", f"{writer.counts['commitment']:,} bản đăng ký năm {self.year_of}, "
                                          f"{writer.counts['commitment_item']:,} nội dung")

    def _check_document(self) -> Doc | None:
        """What the province checks: of the live documents addressed to the whole province a month or more
        before --until, the newest resolution (else study document); else the same with any audience."""
        province = self.orgs[0].id
        ready = self.until - timedelta(days=30)
        studied = [(d.doc_type == "resolution", d.published_at, d.id, d) for d in self.docs
                   if d.live and d.published_at is not None
                   and (d.doc_type == "resolution" or d.category == "study")]
        whole = [s for s in studied if s[3].audience == [province]]
        for pool in ([s for s in whole if s[1] is not None and s[1] <= ready], whole, studied):
            if pool:
                return max(pool, key=lambda s: s[:3])[3]
        return None

    def study(self, session: Session) -> None:
        """A check of 10 questions on the resolution, three weeks open, by the province's staff; attempts by
        most of its audience with scores spread, bài thu hoạch by a share, most received by the cell."""
        rng = self.rng("study")
        doc = self._check_document()
        if doc is None or doc.published_at is None:
            self.progress.done("kiểm tra nhận thức", "không có nghị quyết để kiểm tra")
            return
        published = doc.published_at
        opens = min(published + timedelta(days=5), self.cap - timedelta(days=1))
        closes = opens + timedelta(days=21)
        check_id = self._next_id(session, StudyCheck)
        questions = [{"text": q, "multiple": False, "options": texts.OPTIONS,
                      "correct": [rng.randrange(len(texts.OPTIONS))]} for q in texts.QUESTIONS]
        author = self.staff_of.get(self.orgs[0].id)
        created_by = self.user_id(author[0]) if author else self.admin_id
        insert_rows(session, StudyCheck, [{
            "id": check_id, "document_id": doc.id,
            "title": f"Kiểm tra nhận thức sau học tập: {doc.title}"[:300],
            "time_limit_minutes": CHECK_MINUTES, "opens_at": opens, "closes_at": closes, "show_score": True,
            "created_by": created_by, "created_at": published, "updated_at": published,
            "opened_announced_at": opens, "closed_announced_at": closes if closes <= self.until else None,
            "questions": questions}])
        insert_rows(session, StudyCheckAudience, [{"check_id": check_id, "org_id": o} for o in doc.audience])
        writer = Writer(session, [StudyAttempt, StudyEssay])
        last = min(closes, self.cap) - timedelta(minutes=CHECK_MINUTES)
        for cell in self.cells:
            if not any(lo <= cell.lo and cell.hi <= hi for lo, hi in doc.ranges):
                continue
            for i in range(cell.lo, cell.hi):
                exempt = self.kind[i] == EXEMPT
                if rng.random() < (0.2 if exempt else 0.8):
                    self._attempt(writer, rng, check_id, questions, i, cell, opens, last)
                if rng.random() < (0.05 if exempt else 0.4):
                    written = _between(rng, published + timedelta(days=3), self.cap)
                    received = (min(written + timedelta(days=rng.randint(1, 10)), self.cap)
                                if rng.random() < 0.85 else None)
                    text = " ".join(rng.sample(texts.ESSAY_SENTENCES, rng.randint(3, 6)))
                    writer.add(StudyEssay, {
                        "document_id": doc.id, "member_id": self.member_id(i), "org_id": cell.id,
                        "written_at": written, "received_at": received,
                        "received_by": self._secretary(cell) if received else None,
                        "remark": (rng.choice(texts.ESSAY_REMARKS) if received and rng.random() < 0.2
                                   else None),
                        "created_at": written, "updated_at": received or written, "text": text})
                writer.step()
        writer.flush()
        self.counts.update(study_check=1, study_check_audience=len(doc.audience), **writer.counts)
        self.progress.done("kiểm tra nhận thức", f"1 bài kiểm tra ({doc.title[:60]}), "
                                                 f"{writer.counts['study_attempt']:,} lượt làm bài, "
                                                 f"{writer.counts['study_essay']:,} bài thu hoạch")

    def _attempt(self, writer: Writer, rng: random.Random, check_id: int, questions: list[dict[str, Any]],
                 i: int, cell: Org, opens: datetime, last: datetime) -> None:
        """One member's attempt: each question right with the member's own chance (mean about 0.7)."""
        skill = rng.betavariate(4, 1.6)
        answers, score = [], 0
        for q in questions:
            right = q["correct"][0]
            if rng.random() < skill:
                answers.append([right])
                score += 1
            else:
                answers.append([(right + rng.randint(1, len(texts.OPTIONS) - 1)) % len(texts.OPTIONS)])
        started = _between(rng, opens, last)
        answered = started + timedelta(seconds=rng.randint(300, CHECK_MINUTES * 60))
        # Most arrive at once; some were answered offline and queued for hours.
        submitted = answered if rng.random() < 0.9 else min(answered + timedelta(hours=rng.randint(1, 30)),
                                                              self.cap)
        writer.add(StudyAttempt, {
            "check_id": check_id, "member_id": self.member_id(i), "org_id": cell.id, "started_at": started,
            "answered_at": answered, "submitted_at": max(submitted, answered), "score": score,
            "total": len(questions), "answers": answers})

    def reviews(self, session: Session) -> None:
        """The self-reviews of the year when --until is in the review season (November, December): each
        cell at its own stage; members exempt from party work mostly marked exempt."""
        if self.opt.until.month < 11:
            self.progress.done("kiểm điểm", "chưa đến mùa kiểm điểm cuối năm")
            return
        rng = self.rng("reviews")
        stages, stage_weights = [s for s, _ in CELL_STAGES], [w for _, w in CELL_STAGES]
        season = self.until - timedelta(days=SEASON_DAYS)
        rows = []
        for cell in self.cells:
            stage = rng.choices(stages, stage_weights)[0]
            secretary = self._secretary(cell)
            confirmer, committee = self._confirmer(cell)
            meeting = _between(rng, season + timedelta(days=8), self.cap - timedelta(days=2))
            for i in range(cell.lo, cell.hi):
                created = _between(rng, season, self.cap)
                base = {"member_id": self.member_id(i), "org_id": cell.id, "year": self.year_of,
                        "created_at": created, "edited_at": created, "updated_at": created}
                if self.kind[i] == EXEMPT:
                    if rng.random() < 0.75:
                        rows.append({**self._empty_review(), **base, "status": "exempt",
                                     "exempt_reason": rng.choice(texts.EXEMPT_REASONS)})
                    continue
                if rng.random() >= 0.9:
                    continue  # not started yet
                rows.append(self._review(rng, base, stage, meeting, secretary, confirmer, committee))
        self.counts["self_review"] = insert_rows(session, SelfReview, rows)
        tally: dict[str, int] = {}
        for row in rows:
            tally[row["status"]] = tally.get(row["status"], 0) + 1
        self.progress.done("kiểm điểm", f"{len(rows):,} bản kiểm điểm ("
                           + ", ".join(f"{s} {n:,}" for s, n in sorted(tally.items())) + ")")

    @staticmethod
    def _empty_review() -> dict[str, Any]:
        """Every column a review row may leave empty (one INSERT needs the same keys on every row)."""
        return dict.fromkeys((
            "strengths", "shortcomings", "causes", "direction", "self_level", "proposed_level",
            "proposed_note", "proposed_at", "proposed_by", "confirmed_level", "confirmed_note",
            "confirmed_at", "confirmed_by", "confirmed_org_id", "exempt_reason", "submitted_at"))

    def _review(self, rng: random.Random, base: dict[str, Any], stage: str, meeting: datetime,
                secretary: int, confirmer: int, committee: int) -> dict[str, Any]:
        """One member's review at the cell's stage; a few lag behind it (still a draft, not yet rated)."""
        row = {**self._empty_review(), **base, "status": "draft",
               "strengths": rng.choice(texts.STRENGTHS), "shortcomings": rng.choice(texts.SHORTCOMINGS),
               "causes": rng.choice(texts.CAUSES), "direction": rng.choice(texts.DIRECTIONS),
               "self_level": rng.choices(LEVELS, SELF_LEVELS)[0]}
        created: datetime = base["created_at"]
        if stage == "writing":
            if rng.random() < 0.35:
                return row
        elif rng.random() < 0.1:
            sent = min(created + timedelta(hours=2), self.cap)
            return row if rng.random() < 0.3 else {**row, "status": "submitted", "submitted_at": sent}
        submitted = min(created + timedelta(hours=rng.randint(1, 48)), self.cap)
        row.update(status="submitted", submitted_at=submitted, edited_at=submitted, updated_at=submitted)
        if stage == "writing":
            return row
        proposed_at = max(meeting, submitted)
        level = row["self_level"]
        if rng.random() < 0.15:  # the cell rates a step lower than the member did
            level = LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]
        row.update(status="proposed", proposed_level=level, proposed_at=proposed_at, proposed_by=secretary,
                   updated_at=proposed_at)
        if stage == "confirmed":
            confirmed_at = min(proposed_at + timedelta(days=rng.randint(1, 3)), self.cap)
            if level == "excellent" and rng.random() < 0.2:
                level = "good"  # the committee keeps the top level under its cap
            row.update(status="confirmed", confirmed_level=level, confirmed_at=confirmed_at,
                       confirmed_by=confirmer, confirmed_org_id=committee, updated_at=confirmed_at)
        return row
