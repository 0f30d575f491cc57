"""The same rules on SQLite and PostgreSQL: window-function statistics, racing drafts, JSON agenda."""

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from server.db import Database
from server.meetings import public, regular, service, stats
from server.meetings.models import Meeting
from shared.timefmt import VN_TZ
from tests.factories import make_world
from tests.server.meetings.factories import make_meeting, mark, principal


def test_overview_and_agenda_on_both_engines(any_settings):
    from server.migrate import upgrade

    upgrade(any_settings)
    db = Database(any_settings)
    try:
        with db.transaction() as s:
            w = make_world(s)
            for month, status in zip(
                range(1, 6), ["present", "absent", "excused", "absent", "present"], strict=True
            ):
                m = make_meeting(
                    s,
                    w.cell,
                    starts_at=datetime(2025, month, 4, 19, tzinfo=VN_TZ).astimezone(UTC),
                    status="closed",
                )
                mark(s, m, w.member, status)
                mark(s, m, w.member2, "present")
            ov = stats.overview(s, principal(s, w.staff), w.district.id, "2025-05")
            assert [(f.member_id, f.consecutive_absences) for f in ov.flagged_members] == [
                (w.member.member.id, 3)
            ]
            assert [c.org_id for c in ov.cells_under_target] == [w.cell.id]  # 7 of 10
            assert [c.org_id for c in ov.cells_without_meeting] == [w.sibling_cell.id]
            from server.documents.models import Document, DocumentAudience
            from shared.schemas.meetings import AgendaItemIn, MeetingCreate

            # Agenda documents must be ones the cell sees: published, addressed above the cell.
            papers = [Document(title=f"Tài liệu {n}", doc_type="resolution", category="documents",
                               status="published") for n in (1, 2)]
            s.add_all(papers)
            s.flush()
            s.add_all([DocumentAudience(document_id=p.id, org_id=w.district.id) for p in papers])
            s.flush()
            first, second = (p.id for p in papers)
            created = service.create(
                s,
                principal(s, w.secretary),
                MeetingCreate(
                    title="Họp chi bộ",
                    kind="thematic",
                    starts_at=datetime(2030, 1, 1, tzinfo=UTC),
                    agenda=[AgendaItemIn(title="Chuyên đề", document_ids=[second, second, first])],
                ),
            )
            assert public.one_public(s, None, created).agenda[0].document_ids == [second, first]
    finally:
        db.dispose()


def test_racing_drafts_make_one_meeting(any_settings):
    from server.migrate import upgrade

    upgrade(any_settings)
    db = Database(any_settings)
    try:
        with db.transaction() as s:
            w = make_world(s)
            w.cell.meeting_day = 4
            cell_id = w.cell.id
        results: list[int] = []
        first_flushed = threading.Event()

        def first() -> None:
            with db.transaction() as s:
                m, _ = regular.draft_next_regular(s, cell_id, "2030-07")
                results.append(m.id)
                first_flushed.set()
                time.sleep(0.5)  # the second drafter arrives while this one is still open

        def second() -> None:
            first_flushed.wait(10)
            with db.transaction() as s:
                m, _ = regular.draft_next_regular(s, cell_id, "2030-07")
                results.append(m.id)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 2 and results[0] == results[1]
        with db.transaction() as s:
            assert s.execute(select(func.count()).select_from(Meeting)).scalar_one() == 1
    finally:
        db.dispose()
