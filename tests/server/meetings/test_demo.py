"""The demo seeder gives every statistic something to show, on any day of the year."""

import pytest
import time_machine
from sqlalchemy import func, select

from server.demo.seed import seed
from server.meetings import stats
from server.meetings.models import AgendaItem, Attendance, Meeting, Resolution
from server.meetings.regular import parse_month
from server.meetings.repository import local_month_bounds
from server.records.members import User
from server.records.orgs import Organization
from shared.schemas.meetings import CONSECUTIVE_ABSENCE_FLAG
from tests.clock import INSTANTS
from tests.factories import Person
from tests.server.meetings.factories import principal


@pytest.mark.parametrize("instant", INSTANTS.values(), ids=list(INSTANTS))
def test_demo_meetings(db, settings, instant):
    with time_machine.travel(instant, tick=True):
        ctx = seed(db, settings)
        statuses = dict(db.execute(select(Meeting.status, func.count()).group_by(Meeting.status)).all())
        assert statuses["closed"] >= 5 * 12
        assert statuses.get("draft", 0) >= 1 and statuses.get("scheduled", 0) >= 1
        assert db.execute(select(func.count()).select_from(Resolution)).scalar_one() >= 2
        staff = db.get(User, ctx.users["bantochuc"])
        who = principal(db, Person(member=None, user=staff))
        ov = stats.overview(db, who, ctx.orgs["tinh"], month=ctx.report_month)
        assert ov.cells == 5
        assert [c.org_id for c in ov.cells_without_meeting] == [ctx.orgs["thcs"]]
        assert [c.org_id for c in ov.cells_under_target] == [ctx.orgs["bancham"]]
        # 3 absences in a row count within one calendar year: early in January nobody can be flagged yet
        year_start, _ = stats.year_bounds(ov.year)
        _, month_end = local_month_bounds(*parse_month(ov.month))
        held = db.execute(
            select(func.count()).select_from(Meeting).where(
                Meeting.org_id == ctx.orgs["banpoong"], Meeting.status == "closed",
                Meeting.starts_at >= year_start, Meeting.starts_at < month_end,
            )
        ).scalar_one()
        expect_flagged = [ctx.orgs["banpoong"]] if held >= CONSECUTIVE_ABSENCE_FLAG else []
        assert [f.org_id for f in ov.flagged_members] == expect_flagged
        tccb = db.get(Organization, ctx.orgs["tccb"])
        assert stats.compute_cell_year(db, tccb, stats.local_now().year).current_quarter_thematic is False
        assert db.execute(select(func.count()).select_from(Attendance)).scalar_one() > 0

        # What members read is finished text: no template placeholders, and a place to go.
        titles = db.execute(select(AgendaItem.title)).scalars().all()
        assert titles and not [t for t in titles if "{" in t or "}" in t]
        upcoming = db.execute(select(Meeting).where(Meeting.status == "scheduled")).scalars().all()
        assert upcoming and all(m.location for m in upcoming)
