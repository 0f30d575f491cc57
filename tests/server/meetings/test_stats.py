"""Statistics: the 85% criterion, 3 absences in a row, monthly and thematic meetings, the staff overview."""

from datetime import UTC, datetime, timedelta

from shared.timefmt import VN_TZ
from tests.factories import make_member
from tests.server.meetings.factories import make_meeting, mark


def local(y, m, d, hh=19, mm=30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ).astimezone(UTC)


def closed(db, cell, when, kind="regular", marks=()):
    m = make_meeting(db, cell, starts_at=when, status="closed", kind=kind)
    for person, status in marks:
        mark(db, m, person, status)
    return m


def test_three_absences_in_a_row_flag(client, world, login, db):
    w = world
    seq_member = ["present", "absent", "excused", "absent", "present"]  # 3 in a row (with reason counts)
    seq_member2 = ["absent", "excused", "present", "absent", "absent"]  # at most 2 in a row
    for i, (a, b) in enumerate(zip(seq_member, seq_member2, strict=True)):
        closed(
            db, w.cell, local(2025, i + 1, 4), marks=[(w.member, a), (w.member2, b), (w.secretary, "present")]
        )
    db.commit()
    resp = client.get(
        f"/api/v1/stats/members/{w.member.member.id}", params={"year": 2025}, headers=login(w.member)
    )
    assert resp.status_code == 200, resp.text
    s = resp.json()
    assert (s["meetings_expected"], s["present"], s["absent"], s["excused"], s["absences"]) == (5, 2, 2, 1, 3)
    assert s["max_consecutive_absences"] == 3 and s["flagged"] is True
    assert s["current_consecutive_absences"] == 0
    s2 = client.get(
        f"/api/v1/stats/members/{w.member2.member.id}", params={"year": 2025}, headers=login(w.secretary)
    ).json()
    assert s2["max_consecutive_absences"] == 2 and s2["flagged"] is False
    assert s2["current_consecutive_absences"] == 2
    cell = client.get(
        f"/api/v1/stats/cells/{w.cell.id}", params={"year": 2025}, headers=login(w.staff)
    ).json()
    assert cell["flagged_member_ids"] == [w.member.member.id]
    assert cell["absent_without_reason"] == 5
    ov = client.get(
        f"/api/v1/stats/orgs/{w.district.id}/overview", params={"month": "2025-05"}, headers=login(w.staff)
    ).json()
    assert [(f["member_id"], f["consecutive_absences"]) for f in ov["flagged_members"]] == [
        (w.member.member.id, 3)
    ]
    # who may read a member's year
    url = f"/api/v1/stats/members/{w.member.member.id}"
    assert client.get(url, headers=login(w.province_staff)).status_code == 200
    for person in (w.member2, w.other_member, w.other_staff, w.other_secretary, w.sibling_member):
        assert client.get(url, headers=login(person)).status_code == 404, person.username


def test_85_percent_criterion(client, world, login, db):
    w = world
    extra = [make_member(db, w.cell) for _ in range(17)]  # 20 expected members
    everyone = [w.secretary, w.member, w.member2] + extra
    exact = closed(
        db,
        w.cell,
        local(2025, 3, 4),
        marks=[(p, "present" if i < 17 else "absent") for i, p in enumerate(everyone)],
    )
    above = closed(
        db,
        w.cell,
        local(2025, 4, 4),
        marks=[(p, "late" if i < 18 else "excused") for i, p in enumerate(everyone)],
    )
    db.commit()
    sec = login(w.secretary)
    c1 = client.get(f"/api/v1/meetings/{exact.id}/stats", headers=sec).json()
    assert (c1["expected"], c1["attended"], c1["rate"], c1["meets_target"]) == (20, 17, 0.85, False)
    c2 = client.get(f"/api/v1/meetings/{above.id}/stats", headers=login(w.member)).json()
    assert (c2["attended"], c2["rate"], c2["meets_target"]) == (18, 0.9, True)
    cell = client.get(f"/api/v1/stats/cells/{w.cell.id}", params={"year": 2025}, headers=sec).json()
    assert (cell["expected"], cell["attended"], cell["rate"], cell["meets_target"]) == (40, 35, 0.875, True)
    ov = client.get(
        f"/api/v1/stats/orgs/{w.district.id}/overview", params={"month": "2025-03"}, headers=login(w.staff)
    ).json()
    assert [(c["org_id"], c["rate"]) for c in ov["cells_under_target"]] == [(w.cell.id, 0.85)]
    ov = client.get(
        f"/api/v1/stats/orgs/{w.district.id}/overview", params={"month": "2025-04"}, headers=login(w.staff)
    ).json()
    assert ov["cells_under_target"] == []


def test_cell_year_monthly_and_thematic(client, world, login, db):
    w = world
    closed(db, w.cell, local(2025, 1, 4))
    closed(db, w.cell, local(2025, 2, 28, 23, 30))  # late evening local time is still February
    closed(db, w.cell, local(2025, 2, 15), kind="thematic")
    closed(db, w.cell, local(2025, 8, 20), kind="thematic")
    make_meeting(db, w.cell, starts_at=local(2025, 3, 4), status="cancelled")
    closed(db, w.other_cell, local(2025, 3, 4))
    db.commit()
    cell = client.get(
        f"/api/v1/stats/cells/{w.cell.id}", params={"year": 2025}, headers=login(w.secretary)
    ).json()
    held = {m["month"]: m["regular_held"] for m in cell["months"]}
    assert held["2025-01"] and held["2025-02"] and not held["2025-03"]
    assert cell["quarters_with_thematic"] == [1, 3]
    assert cell["current_month_held"] is None  # not the current year
    ov = client.get(
        f"/api/v1/stats/orgs/{w.district.id}/overview", params={"month": "2025-02"}, headers=login(w.staff)
    ).json()
    assert ov["cells"] == 2
    assert [c["org_id"] for c in ov["cells_without_meeting"]] == [w.sibling_cell.id]
    ov = client.get(
        f"/api/v1/stats/orgs/{w.district.id}/overview", params={"month": "2025-03"}, headers=login(w.staff)
    ).json()
    assert {c["org_id"] for c in ov["cells_without_meeting"]} == {w.cell.id, w.sibling_cell.id}
    # current year: this month's meeting
    now = datetime.now(UTC)
    closed(db, w.cell, now - timedelta(minutes=1))
    db.commit()
    cur = client.get(f"/api/v1/stats/cells/{w.cell.id}", headers=login(w.secretary)).json()
    assert cur["current_month_held"] is True


def test_stats_scope(client, world, login, db):
    w = world
    for person in (w.other_member, w.other_staff, w.other_secretary, w.sibling_member):
        h = login(person)
        assert client.get(f"/api/v1/stats/cells/{w.cell.id}", headers=h).status_code == 404
        assert client.get(f"/api/v1/stats/orgs/{w.district.id}/overview", headers=h).status_code == 404
        assert client.get(f"/api/v1/stats/orgs/{w.cell.id}/overview", headers=h).status_code == 404
    assert client.get(f"/api/v1/stats/cells/{w.cell.id}", headers=login(w.member)).status_code == 403
    assert (
        client.get(f"/api/v1/stats/orgs/{w.cell.id}/overview", headers=login(w.secretary)).status_code == 200
    )
    assert (
        client.get(f"/api/v1/stats/orgs/{w.district.id}/overview", headers=login(w.secretary)).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/stats/orgs/{w.province.id}/overview", headers=login(w.province_staff)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/stats/orgs/{w.district.id}/overview",
            params={"month": "2025-13"},
            headers=login(w.staff),
        ).status_code
        == 422
    )


def test_sql_runs_match_the_python_rule(db, world):
    """The staff overview counts runs in SQL (gaps and islands); it must agree with the per-member rule."""
    import random

    from server.meetings import stats
    from tests.server.meetings.factories import principal

    rng = random.Random(7)
    people = [make_member(db, world.cell) for _ in range(12)]
    meetings = [closed(db, world.cell, local(2025, 1 + i // 2, 4 + 10 * (i % 2))) for i in range(16)]
    expected_runs = {}
    for person in people:
        statuses = [rng.choice(["present", "late", "absent", "excused", "absent"]) for _ in meetings]
        for m, status in zip(meetings, statuses, strict=True):
            mark(db, m, person, status)
        year = stats._member_year(person.member, 2025, statuses)
        if year.flagged:
            expected_runs[person.member.id] = year.max_consecutive_absences
    db.flush()
    ov = stats.overview(db, principal(db, world.staff), world.district.id, "2025-12")
    assert {f.member_id: f.consecutive_absences for f in ov.flagged_members} == expected_runs
    assert expected_runs  # the sample does contain flagged members
