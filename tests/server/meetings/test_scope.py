"""Outsiders (another cell, another subtree) are refused on every route; only the feed is public."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.server.meetings.factories import make_meeting

NOW = datetime.now(UTC)


def routes(ids):
    m, mem, res, req = ids["meeting"], ids["member"], ids["resolution"], ids["request"]
    cell, district = ids["cell"], ids["district"]
    mark = {"status": "present"}
    vote = {"title": "Nghị quyết", "votes_for": 1, "votes_against": 0, "votes_abstain": 0}
    return [
        ("GET", f"/api/v1/meetings?org_id={cell}", None),
        ("GET", f"/api/v1/meetings/{m}", None),
        ("PATCH", f"/api/v1/meetings/{m}", {"title": "Đổi tên"}),
        ("DELETE", f"/api/v1/meetings/{m}", None),
        ("POST", f"/api/v1/meetings/{m}/schedule", None),
        ("POST", f"/api/v1/meetings/{m}/cancel", {"reason": "Lý do"}),
        ("POST", f"/api/v1/meetings/{m}/close", None),
        ("POST", f"/api/v1/meetings/{m}/check-in/open", None),
        ("GET", f"/api/v1/meetings/{m}/check-in/code", None),
        ("GET", f"/api/v1/meetings/{m}/check-in/qr", None),
        ("GET", f"/api/v1/meetings/{m}/check-in/codes", None),
        ("POST", f"/api/v1/meetings/{m}/check-ins", {"code": "123456", "client_id": "abcdefgh1"}),
        ("GET", f"/api/v1/meetings/{m}/agenda/unread", None),
        ("POST", f"/api/v1/meetings/{m}/agenda/1/remind", None),
        ("GET", f"/api/v1/meetings/{m}/attendance", None),
        ("PUT", f"/api/v1/meetings/{m}/attendance/{mem}", mark),
        ("POST", f"/api/v1/meetings/{m}/attendance/bulk", {"items": [{"member_id": mem, **mark}]}),
        ("GET", f"/api/v1/meetings/{m}/attendance/history", None),
        ("GET", f"/api/v1/meetings/{m}/attendance/export", None),
        ("GET", f"/api/v1/meetings/{m}/stats", None),
        ("GET", f"/api/v1/meetings/{m}/absence-requests", None),
        ("POST", f"/api/v1/meetings/{m}/absence-requests", {"reason": "Bận việc"}),
        ("DELETE", f"/api/v1/meetings/{m}/absence-requests/mine", None),
        ("POST", f"/api/v1/meetings/{m}/absence-requests/{req}/decision", {"approve": True}),
        ("GET", f"/api/v1/meetings/{m}/minutes", None),
        ("PUT", f"/api/v1/meetings/{m}/minutes", {"text": "Biên bản"}),
        ("POST", f"/api/v1/meetings/{m}/resolutions", vote),
        ("PUT", f"/api/v1/meetings/{m}/resolutions/{res}", vote),
        ("DELETE", f"/api/v1/meetings/{m}/resolutions/{res}", None),
        ("GET", f"/api/v1/stats/members/{mem}", None),
        ("GET", f"/api/v1/stats/cells/{cell}", None),
        ("GET", f"/api/v1/stats/cells/{cell}/attendance/export", None),
        ("GET", f"/api/v1/stats/orgs/{district}/overview", None),
        ("POST", "/api/v1/meetings/draft-regular", {"month": "2030-01", "org_id": cell}),
        (
            "POST",
            "/api/v1/meetings",
            {"title": "Họp", "kind": "regular", "starts_at": "2030-01-01T19:00:00+07:00", "org_id": cell},
        ),
    ]


@pytest.fixture
def arranged(client, world, login, db):
    from server.meetings.models import AbsenceRequest, Resolution

    world.cell.meeting_day = 4
    m = make_meeting(
        db, world.cell, starts_at=NOW + timedelta(minutes=5), opened_at=NOW - timedelta(minutes=1)
    )
    db.add(Resolution(meeting_id=m.id, title="NQ", votes_for=1, base=3))
    req = AbsenceRequest(meeting_id=m.id, member_id=world.member.member.id, reason="Ốm nặng")
    db.add(req)
    db.flush()
    res_id = db.query(Resolution.id).scalar()
    db.commit()
    return {
        "meeting": m.id,
        "member": world.member.member.id,
        "resolution": res_id,
        "request": req.id,
        "cell": world.cell.id,
        "district": world.district.id,
    }


@pytest.mark.parametrize("who", ["sibling_member", "other_member", "other_secretary", "other_staff"])
def test_outsiders_get_404_everywhere(client, world, login, arranged, who):
    headers = login(getattr(world, who))
    for method, url, body in routes(arranged):
        resp = client.request(method, url, json=body, headers=headers)
        assert resp.status_code == 404, (who, method, url, resp.status_code, resp.text)
    # and their own list does not show the meeting
    listed = client.get("/api/v1/meetings", headers=headers).json()["items"]
    assert arranged["meeting"] not in {m["id"] for m in listed}


def test_every_route_but_the_feed_needs_sign_in(client, app):
    public = {"/api/v1/meetings/calendar/{token}.ics"}
    seen = 0
    for path, ops in app.openapi()["paths"].items():
        if not path.startswith(("/api/v1/meetings", "/api/v1/stats")):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in ops:
            seen += 1
            resp = client.request(method.upper(), url, json={})
            if path in public:
                assert resp.status_code == 404  # unknown token, never 401
            else:
                assert resp.status_code == 401, (method, path, resp.status_code)
    assert seen >= 30
