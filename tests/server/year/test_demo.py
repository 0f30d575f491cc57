"""The demo seeder leaves commitments and self-reviews in every state for the demo member and secretary, on
any day."""

import pytest
import time_machine

from server.auth.principal import build
from server.demo.seed import seed
from server.records.members import User
from server.year import review, review_stats, service
from tests.clock import INSTANTS


@pytest.mark.parametrize("instant", [INSTANTS["new-year-0001"], INSTANTS["before-meeting-day"]],
                         ids=["new-year", "december"])
def test_demo_commitments(db, settings, clock, instant):
    with time_machine.travel(instant, tick=False):
        ctx = seed(db, settings)
        member = build(db, db.get(User, ctx.users["dangvien.tcdv"]), None, None)
        secretary = build(db, db.get(User, ctx.users["bithu.tcdv"]), None, None)
        mine = service.mine(db, member)
        year = service.local_year()
        assert mine[-1].year == year and mine[-1].status == "approved"
        assert [i.result is not None for i in mine[-1].items] == [True, True, False, False]
        assert mine[-1].items[0].remark
        assert [c.year for c in mine] == ([year + 1, year] if instant.month == 12 else [year])
        overview = service.cell_overview(db, secretary, ctx.orgs["tcdv"], year)
        assert overview.counts["approved"] == 3 and overview.counts["submitted"] == 1
        assert overview.counts["returned"] == 1 and overview.counts["none"] >= 2


@pytest.mark.parametrize("instant", [INSTANTS["new-year-0001"], INSTANTS["before-meeting-day"]],
                         ids=["new-year", "december"])
def test_demo_reviews(db, settings, clock, instant):
    with time_machine.travel(instant, tick=False):
        ctx = seed(db, settings)
        member = build(db, db.get(User, ctx.users["dangvien.tcdv"]), None, None)
        secretary = build(db, db.get(User, ctx.users["bithu.tcdv"]), None, None)
        year = 2026  # December 2026, or its review written late in January 2027
        mine = review.mine(db, member, year)
        assert mine.status == "submitted" and mine.self_level == "good" and mine.facts is not None
        rows = review.list_visible(db, secretary, year=year, org_id=None, status=None, limit=50, offset=0)
        assert sorted(r.status for r in rows.items) == ["exempt", "proposed", "proposed", "submitted",
                                                        "submitted"]
        cell = review_stats.summary(db, secretary, ctx.orgs["tcdv"], year, 0.2)
        assert cell.totals.proposed.excellent == 1 and cell.totals.exempt == 1
        assert [w.stage for w in cell.totals.warnings] == ["proposed"]
