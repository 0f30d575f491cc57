"""Drafting the regular meeting from the cell's monthly rule, and what the scheduler reads."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.errors import Unprocessable
from server.meetings import regular, repository
from server.meetings.models import Meeting
from shared.timefmt import VN_TZ
from tests.factories import make_org
from tests.server.meetings.factories import make_meeting


def test_draft_from_rule_is_idempotent(db, world):
    world.cell.meeting_day, world.cell.meeting_time = 4, "19:30"
    m, created = regular.draft_next_regular(db, world.cell.id, "2030-02")
    assert created and m.status == "draft" and m.kind == "regular" and m.regular_month == "2030-02"
    assert m.starts_at == datetime(2030, 2, 4, 19, 30, tzinfo=VN_TZ).astimezone(UTC)
    assert m.title == "Sinh hoạt chi bộ thường kỳ tháng 02/2030"
    again, created = regular.draft_next_regular(db, world.cell.id, "2030-02")
    assert not created and again.id == m.id
    # a regular meeting the secretary entered by hand counts too
    make_meeting(db, world.cell, starts_at=datetime(2030, 3, 10, 12, tzinfo=UTC), kind="regular")
    hand, created = regular.draft_next_regular(db, world.cell.id, "2030-03")
    assert not created and hand.regular_month is None
    # cancelled on purpose: not drafted again
    m.status = "cancelled"
    db.flush()
    again, created = regular.draft_next_regular(db, world.cell.id, "2030-02")
    assert not created and again.id == m.id
    assert db.execute(select(func.count()).select_from(Meeting)).scalar_one() == 2


def test_day_beyond_month_end_and_no_rule(db, world):
    world.cell.meeting_day, world.cell.meeting_time = 31, None
    m, _ = regular.draft_next_regular(db, world.cell.id, "2030-02")
    assert m.starts_at.astimezone(VN_TZ).date().isoformat() == "2030-02-28"
    assert m.starts_at.astimezone(VN_TZ).strftime("%H:%M") == "19:30"
    with pytest.raises(Unprocessable):
        regular.draft_next_regular(db, world.sibling_cell.id, "2030-02")


def test_draft_for_all_cells(db, world):
    world.cell.meeting_day = 5
    world.other_cell.meeting_day, world.other_cell.meeting_time = 3, "08:00"
    make_org(db, "Chi bộ mới", parent=world.grassroots)  # no rule: skipped
    created = regular.draft_regular_for_all(db, "2030-05")
    assert sorted(m.org_id for m in created) == sorted([world.cell.id, world.other_cell.id])
    assert regular.draft_regular_for_all(db, "2030-05") == []


def test_draft_route_and_confirm(client, world, login, db):
    world.cell.meeting_day, world.cell.meeting_time = 4, "16:00"
    db.add(world.cell)
    db.commit()
    sec = login(world.secretary)
    resp = client.post("/api/v1/meetings/draft-regular", headers=sec, json={"month": "2030-06"})
    assert resp.status_code == 201, resp.text
    mid = resp.json()["id"]
    assert resp.json()["status"] == "draft"
    again = client.post("/api/v1/meetings/draft-regular", headers=sec, json={"month": "2030-06"})
    assert again.status_code == 200 and again.json()["id"] == mid
    assert (
        client.post(
            "/api/v1/meetings/draft-regular",
            headers=login(world.member),
            json={"month": "2030-06", "org_id": world.cell.id},
        ).status_code
        == 403
    )
    for person in (world.other_secretary, world.other_staff):
        assert (
            client.post(
                "/api/v1/meetings/draft-regular",
                headers=login(person),
                json={"month": "2030-06", "org_id": world.cell.id},
            ).status_code
            == 404
        )
    assert (
        client.post("/api/v1/meetings/draft-regular", headers=sec, json={"month": "2030-13"}).status_code
        == 422
    )
    # the secretary adjusts the topics and confirms
    resp = client.patch(
        f"/api/v1/meetings/{mid}",
        headers=sec,
        json={"agenda": [{"title": "Triển khai Nghị quyết"}], "starts_at": "2030-06-05T16:00:00+07:00"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["ends_at"].startswith("2030-06-05T11:00:00")  # the planned 2 hours move along
    assert client.post(f"/api/v1/meetings/{mid}/schedule", headers=sec).json()["status"] == "scheduled"


def test_reminders_and_confirmations(db, world):
    now = datetime.now(UTC)
    soon = make_meeting(db, world.cell, starts_at=now + timedelta(hours=20))
    make_meeting(db, world.cell, starts_at=now + timedelta(days=3))
    draft = make_meeting(db, world.cell, starts_at=now + timedelta(days=10), status="draft")
    reminders = repository.upcoming_reminders(db, now, now + timedelta(days=1))
    assert [r.meeting_id for r in reminders] == [soon.id]
    assert set(reminders[0].user_ids) == {
        world.secretary.user.id,
        world.member.user.id,
        world.member2.user.id,
    }
    confirmations = repository.pending_confirmations(db, now)
    assert [(c.meeting_id, c.user_ids) for c in confirmations] == [(draft.id, [world.secretary.user.id])]


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1899-12", "2201-01"])
def test_draft_route_refuses_months_out_of_range(client, world, login, db, month):
    world.cell.meeting_day, world.cell.meeting_time = 28, "23:59"
    db.add(world.cell)
    db.commit()
    sec = login(world.secretary)
    resp = client.post("/api/v1/meetings/draft-regular", headers=sec, json={"month": month})
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error" and resp.json()["errors"][0]["field"] == "month"
