"""Taking a check: once, in its window and time limit by the device's times (offline late and early
submissions with the clock moved), the score computed on the server, the key held back until it may show."""

from datetime import timedelta

import pytest

from server.timeutil import utcnow
from tests.server.study.factories import answers_body, make_check, questions

BASE = "/api/v1/study/checks"
PUSH = "/api/v1/sync/push"


def test_a_member_takes_it_once_and_sees_the_score_at_once(client, world, login, db, doc):
    check = make_check(db, doc, [world.district])
    db.commit()
    member = login(world.member)
    before = client.get(f"{BASE}/{check.id}", headers=member).json()
    assert before["key_shown"] is False and all(q["correct"] is None for q in before["questions"])
    now = utcnow()
    wrong_last = [*[q["correct"] for q in questions()][:4], [0]]
    taken = client.post(
        f"{BASE}/{check.id}/attempts",
        json=answers_body(now - timedelta(minutes=9), now, wrong_last),
        headers=member,
    )
    assert taken.status_code == 201, taken.text
    assert taken.json()["score"] == 4 and taken.json()["total"] == 5
    after = client.get(f"{BASE}/{check.id}", headers=member).json()
    assert after["key_shown"] is True and after["questions"][1]["correct"] == [0, 2]
    assert after["my_attempt"]["score"] == 4
    again = client.post(
        f"{BASE}/{check.id}/attempts", json=answers_body(now - timedelta(minutes=5), now), headers=member
    )
    assert again.status_code == 409 and again.json()["code"] == "quiz_already_taken"
    # A cell-mate who has not answered still gets no key.
    other = client.get(f"{BASE}/{check.id}", headers=login(world.member2)).json()
    assert other["key_shown"] is False and other["questions"][0]["correct"] is None


def test_a_hidden_score_waits_for_the_close(client, world, login, db, doc, clock):
    check = make_check(db, doc, [world.district], show_score=False, closes_at=utcnow() + timedelta(hours=2))
    db.commit()
    member = login(world.member)
    now = utcnow()
    taken = client.post(
        f"{BASE}/{check.id}/attempts", json=answers_body(now - timedelta(minutes=5), now), headers=member
    )
    assert taken.status_code == 201 and taken.json()["score"] is None
    held = client.get(f"{BASE}/{check.id}", headers=member).json()
    assert held["key_shown"] is False and held["my_attempt"]["score"] is None
    assert all(q["correct"] is None for q in held["questions"])
    clock.shift(3 * 3600)
    shown = client.get(f"{BASE}/{check.id}", headers=login(world.member)).json()  # a new token: hours on
    assert shown["key_shown"] is True and shown["my_attempt"]["score"] == 5


@pytest.mark.parametrize(
    ("answered", "status", "code"),
    [
        (timedelta(minutes=-1), 201, None),  # answered a minute before the close, sent after it: counts
        (timedelta(minutes=1), 409, "quiz_closed"),  # answered a minute after the close
    ],
)
def test_offline_answers_sent_after_the_close(client, world, login, db, doc, clock, answered, status, code):
    closes = utcnow() + timedelta(hours=1)
    check = make_check(db, doc, [world.district], closes_at=closes)
    db.commit()
    clock.move_to(closes + timedelta(hours=5))  # back in coverage hours later
    member = login(world.member)
    at = closes + answered
    pushed = client.post(
        PUSH,
        headers=member,
        json={
            "actions": [
                {
                    "client_id": "kiem-tra-offline-1",
                    "type": "study.attempt",
                    "made_at": at.isoformat(),
                    "payload": {"check_id": check.id, **answers_body(at - timedelta(minutes=20), at)},
                }
            ]
        },
    ).json()["results"][0]
    if status == 201:
        assert pushed["status"] == "applied", pushed
        assert pushed["result"]["score"] == 5
    else:
        assert pushed["status"] == "refused" and pushed["code"] == code, pushed


def test_times_the_server_refuses(client, world, login, db, doc, clock):
    check = make_check(db, doc, [world.district], minutes=30)
    early = make_check(db, doc, [world.district], opens_at=utcnow() + timedelta(hours=1))
    db.commit()
    member = login(world.member)
    now = utcnow()
    url = f"{BASE}/{check.id}/attempts"
    future = client.post(url, json=answers_body(now, now + timedelta(minutes=5)), headers=member)
    assert future.status_code == 422 and future.json()["code"] == "answered_in_future"
    skewed = client.post(
        url,
        json=answers_body(now - timedelta(minutes=5), now + timedelta(minutes=1)),
        headers=login(world.member2),
    )
    assert skewed.status_code == 201, skewed.text  # a phone a minute ahead: within the skew
    slow = client.post(url, json=answers_body(now - timedelta(minutes=40), now), headers=member)
    assert slow.status_code == 409 and slow.json()["code"] == "time_limit_exceeded"
    backwards = client.post(url, json=answers_body(now, now - timedelta(minutes=1)), headers=member)
    assert backwards.status_code == 422
    not_open = client.post(
        f"{BASE}/{early.id}/attempts", json=answers_body(now - timedelta(minutes=1), now), headers=member
    )
    assert not_open.status_code == 409 and not_open.json()["code"] == "quiz_not_open"
    short = client.post(url, json=answers_body(now - timedelta(minutes=1), now, [[1]] * 4), headers=member)
    assert short.status_code == 422 and short.json()["code"] == "answers_invalid"
    two = client.post(url, json=answers_body(now - timedelta(minutes=1), now, [[1, 2]] * 5), headers=member)
    assert two.status_code == 422 and two.json()["code"] == "answers_invalid"  # question 1 is single choice


def test_who_may_take_it(client, world, login, db, doc):
    check = make_check(db, doc, [world.cell])
    db.commit()
    now = utcnow()
    body = answers_body(now - timedelta(minutes=3), now)
    url = f"{BASE}/{check.id}/attempts"
    expected = {
        "member": (201, None),
        "secretary": (201, None),
        "sibling_member": (404, "study_check_not_found"),
        "other_member": (404, "study_check_not_found"),
        "other_staff": (404, "study_check_not_found"),
        "staff": (403, "not_in_audience"),
        "province_staff": (403, "not_in_audience"),
        "admin": (403, "not_in_audience"),
    }
    for name, (status, code) in expected.items():
        resp = client.post(url, json=body, headers=login(getattr(world, name)))
        assert resp.status_code == status, (name, resp.text)
        if code:
            assert resp.json()["code"] == code, name
    # Staff whose own cell is in the audience wrote the key: they do not take it.
    district_wide = make_check(db, doc, [world.district])
    db.commit()
    own = client.post(f"{BASE}/{district_wide.id}/attempts", json=body, headers=login(world.staff))
    assert own.status_code == 403 and own.json()["code"] == "quiz_manager"


@pytest.mark.parametrize(("offset", "status"), [(timedelta(minutes=-1), 201), (timedelta(minutes=1), 409)])
def test_online_answers_at_the_close(client, world, login, db, doc, clock, offset, status):
    closes = utcnow() + timedelta(hours=1)
    check = make_check(db, doc, [world.district], closes_at=closes)
    db.commit()
    clock.move_to(closes + offset)
    now = utcnow()
    resp = client.post(
        f"{BASE}/{check.id}/attempts",
        json=answers_body(now - timedelta(minutes=10), now),
        headers=login(world.member),
    )
    assert resp.status_code == status, resp.text
    if status == 409:
        assert resp.json()["code"] == "quiz_closed"
