"""The demo seeder gives every statistic something to show."""

from sqlalchemy import func, select

from server.demo.seed import seed
from server.meetings import stats
from server.meetings.models import Meeting, Resolution
from server.members.models import User
from server.orgs.models import Organization
from tests.factories import Person
from tests.server.meetings.factories import principal


def test_demo_meetings(db, settings):
    ctx = seed(db, settings)
    statuses = dict(db.execute(select(Meeting.status, func.count()).group_by(Meeting.status)).all())
    assert (
        statuses["closed"] >= 5 * 12 and statuses.get("draft", 0) >= 1 and statuses.get("scheduled", 0) >= 1
    )
    assert db.execute(select(func.count()).select_from(Resolution)).scalar_one() >= 2
    staff = db.get(User, ctx.users["bantochuc"])
    ov = stats.overview(db, principal(db, Person(member=None, user=staff)), ctx.orgs["tinh"])
    assert ov.cells == 5
    assert [c.org_id for c in ov.cells_without_meeting] == [ctx.orgs["thcs"]]
    assert [c.org_id for c in ov.cells_under_target] == [ctx.orgs["bancham"]]
    assert [f.org_id for f in ov.flagged_members] == [ctx.orgs["banpoong"]]
    tccb = db.get(Organization, ctx.orgs["tccb"])
    assert stats.compute_cell_year(db, tccb, stats.local_now().year).current_quarter_thematic is False
