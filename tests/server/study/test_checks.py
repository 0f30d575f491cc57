"""Setting up a study check over the API: validation with codes, reach, the lock once open, who reads it."""

from datetime import timedelta

import pytest

from server.timeutil import utcnow
from shared.enums import Role
from tests.factories import make_member
from tests.server.study.factories import check_body, make_check, make_study_doc, questions

BASE = "/api/v1/study/checks"


def test_staff_set_up_a_check_and_change_it_until_it_opens(client, world, login, doc, clock):
    staff = login(world.staff)
    created = client.post(BASE, json=check_body(doc.id, [world.district.id]), headers=staff)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["audience_org_ids"] == [world.district.id] and len(body["questions"]) == 5
    assert body["key_shown"] is True and body["questions"][0]["correct"] == [1]  # its manager sees the key
    cid = body["id"]
    changed = client.patch(
        f"{BASE}/{cid}", json={"questions": questions(6), "time_limit_minutes": 45}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    assert len(changed.json()["questions"]) == 6 and changed.json()["time_limit_minutes"] == 45

    clock.shift(2 * 86400)  # now open (a new token: two days on)
    staff = login(world.staff)
    locked = client.patch(f"{BASE}/{cid}", json={"questions": questions(5)}, headers=staff)
    assert locked.status_code == 409 and locked.json()["code"] == "quiz_opened"
    earlier = client.patch(
        f"{BASE}/{cid}", json={"closes_at": (utcnow() + timedelta(hours=1)).isoformat()}, headers=staff
    )
    assert earlier.status_code == 409 and earlier.json()["code"] == "quiz_opened"
    later = client.patch(
        f"{BASE}/{cid}",
        json={"closes_at": (utcnow() + timedelta(days=30)).isoformat(), "title": "Kiểm tra (gia hạn)"},
        headers=staff,
    )
    assert later.status_code == 200 and later.json()["title"] == "Kiểm tra (gia hạn)"
    gone = client.delete(f"{BASE}/{cid}", headers=staff)
    assert gone.status_code == 409 and gone.json()["code"] == "quiz_opened"


def test_a_check_not_yet_open_is_deleted(client, world, login, doc):
    staff = login(world.staff)
    cid = client.post(BASE, json=check_body(doc.id, [world.district.id]), headers=staff).json()["id"]
    assert client.delete(f"{BASE}/{cid}", headers=staff).status_code == 204
    assert client.get(f"{BASE}/{cid}", headers=staff).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"questions": questions(4)}, "questions"),
        ({"questions": questions(31)}, "questions"),
        ({"time_limit_minutes": 0}, "time_limit_minutes"),
        (
            {"questions": [*questions(4), {"text": "Một phương án?", "options": ["Có"], "correct": [0]}]},
            "questions",
        ),
        (
            {
                "questions": [
                    *questions(4),
                    {"text": "Bảy phương án?", "options": list("ABCDEFG"), "correct": [0]},
                ]
            },
            "questions",
        ),
        (
            {"questions": [*questions(4), {"text": "Hai đáp án?", "options": ["A", "B"], "correct": [0, 1]}]},
            "questions",
        ),
        (
            {"questions": [*questions(4), {"text": "Đáp án ngoài?", "options": ["A", "B"], "correct": [2]}]},
            "questions",
        ),
        ({"closes_at": "2026-11-01T00:00:00+07:00"}, "closes_at"),
        ({"audience_org_ids": []}, "audience_org_ids"),
    ],
)
def test_bad_set_ups_are_refused_with_a_code(client, world, login, doc, change, field):
    resp = client.post(
        BASE, json=check_body(doc.id, [world.district.id], **change), headers=login(world.staff)
    )
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"


def test_reach_and_document_rules(client, world, login, db, doc):
    staff = login(world.staff)
    beyond = client.post(BASE, json=check_body(doc.id, [world.province.id]), headers=staff)
    assert beyond.status_code == 403 and beyond.json()["code"] == "audience_out_of_reach"
    unknown = client.post(BASE, json=check_body(doc.id, [999_999]), headers=staff)
    assert unknown.status_code == 403 and unknown.json()["code"] == "audience_out_of_reach"
    member = client.post(BASE, json=check_body(doc.id, [world.cell.id]), headers=login(world.member))
    assert member.status_code == 403 and member.json()["code"] == "staff_only"
    hidden = make_study_doc(db, [world.other_district], title="Văn bản huyện B")
    plain = make_study_doc(db, [world.district], title="Thông báo", doc_type="notice")
    db.commit()
    out = client.post(BASE, json=check_body(hidden.id, [world.district.id]), headers=staff)
    assert out.status_code == 404 and out.json()["code"] == "document_not_found"
    notice = client.post(BASE, json=check_body(plain.id, [world.district.id]), headers=staff)
    assert notice.status_code == 422 and notice.json()["code"] == "not_study_document"


def test_who_reads_a_check_and_who_sees_its_key(client, world, login, db, doc):
    lower = make_member(db, world.cell, username="canbo.xa", roles=[(Role.staff, world.grassroots)])
    check = make_check(db, doc, [world.district])
    db.commit()
    url = f"{BASE}/{check.id}"
    expected = {  # caller -> (status, key shown)
        "member": (200, False),
        "secretary": (200, False),
        "sibling_member": (200, False),
        "staff": (200, True),
        "province_staff": (200, True),
        "admin": (200, True),
        "other_member": (404, None),
        "other_staff": (404, None),
        "other_secretary": (404, None),
    }
    for name, (status, key) in expected.items():
        resp = client.get(url, headers=login(getattr(world, name)))
        assert resp.status_code == status, (name, resp.text)
        if status == 200:
            assert resp.json()["key_shown"] is key, name
            assert all((q["correct"] is not None) is key for q in resp.json()["questions"]), name
    below = client.get(url, headers=login(lower)).json()  # a lower committee: reads, no key
    assert below["key_shown"] is False and below["questions"][0]["correct"] is None
    listed = client.get(BASE, headers=login(world.other_member)).json()
    assert listed["total"] == 0
    assert [c["id"] for c in client.get(BASE, headers=login(world.member)).json()["items"]] == [check.id]
    for name in ("member", "secretary", "lower"):
        headers = login(lower) if name == "lower" else login(getattr(world, name))
        resp = client.patch(url, json={"title": "Đổi tên"}, headers=headers)
        assert resp.status_code == 403 and resp.json()["code"] == "not_check_manager"
    assert client.patch(url, json={"title": "Đổi tên"}, headers=login(world.other_staff)).status_code == 404
