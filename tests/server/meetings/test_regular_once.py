"""One regular meeting a month per cell: a second is refused with a reason; months are Vietnam's months."""

import pytest

from tests.server.meetings.test_meetings import BODY

API = "/api/v1/meetings"


def _regular(starts_at: str, **extra) -> dict:
    return {**BODY, "starts_at": starts_at, **extra}


def test_second_regular_in_the_same_month_is_refused(client, world, login):
    h = login(world.secretary)
    first = client.post(API, json=_regular("2030-12-04T19:30:00+07:00"), headers=h)
    assert first.status_code == 201, first.text
    second = client.post(API, json=_regular("2030-12-28T19:30:00+07:00"), headers=h)
    assert second.status_code == 409, second.text
    body = second.json()
    assert body["code"] == "regular_meeting_exists"
    assert body["meeting_id"] == first.json()["id"]
    assert "tháng 12/2030" in body["message"] and "04/12/2030" in body["message"]
    # Other kinds in the same month are fine: a thematic meeting, an extraordinary one.
    for kind in ("thematic", "extraordinary"):
        other = client.post(API, json=_regular("2030-12-15T19:30:00+07:00", kind=kind), headers=h)
        assert other.status_code == 201, (kind, other.text)


@pytest.mark.parametrize("first,second,allowed", [
    # 01/12 00:30 in Vietnam is still 30/11 in UTC: the same local month as 30/12.
    ("2030-12-01T00:30:00+07:00", "2030-12-30T19:30:00+07:00", False),
    # 31/12 23:30 and 01/01 00:30: different months, and different years.
    ("2030-12-31T23:30:00+07:00", "2031-01-01T00:30:00+07:00", True),
    ("2030-11-30T23:59:00+07:00", "2030-12-01T00:00:00+07:00", True),
])
def test_month_is_the_local_month(client, world, login, first, second, allowed):
    h = login(world.secretary)
    assert client.post(API, json=_regular(first), headers=h).status_code == 201
    resp = client.post(API, json=_regular(second), headers=h)
    assert resp.status_code == (201 if allowed else 409), resp.text


def test_cancelled_regular_leaves_room_and_rescheduling_is_checked(client, world, login):
    h = login(world.secretary)
    first = client.post(API, json=_regular("2030-12-04T19:30:00+07:00"), headers=h).json()
    cancel = client.post(f"{API}/{first['id']}/cancel", json={"reason": "Bão lũ"}, headers=h)
    assert cancel.status_code == 200, cancel.text
    again = client.post(API, json=_regular("2030-12-11T19:30:00+07:00"), headers=h)
    assert again.status_code == 201, again.text
    january = client.post(API, json=_regular("2031-01-05T19:30:00+07:00"), headers=h).json()
    # Moving January's meeting into December would make two: refused; moving it within January is fine.
    moved = client.patch(f"{API}/{january['id']}", json={"starts_at": "2030-12-20T19:30:00+07:00"}, headers=h)
    assert moved.status_code == 409 and moved.json()["code"] == "regular_meeting_exists"
    within = client.patch(f"{API}/{january['id']}", headers=h,
                          json={"starts_at": "2031-01-08T19:30:00+07:00"})
    assert within.status_code == 200, within.text
    # A thematic meeting turned into a regular one in a month that has one: refused too.
    thematic = client.post(API, json=_regular("2030-12-15T19:30:00+07:00", kind="thematic"), headers=h).json()
    turned = client.patch(f"{API}/{thematic['id']}", json={"kind": "regular"}, headers=h)
    assert turned.status_code == 409, turned.text
