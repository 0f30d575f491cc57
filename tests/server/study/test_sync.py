"""Study checks and essays on devices: only the audience's devices hold a check, never with its key before
the member has answered (through the feed as through REST), and the offline essay."""

from datetime import timedelta

from server.timeutil import utcnow
from shared.enums import Role
from tests.factories import make_member
from tests.server.study.factories import ESSAY, answers_body, make_check, make_essay, make_study_doc
from tests.server.sync.helpers import Device, fresh_view

BASE = "/api/v1/study/checks"
PUSH = "/api/v1/sync/push"


def _keys(held):
    return [q["correct"] for q in held["questions"]]


def test_the_feed_carries_a_check_to_its_audience_without_the_key(client, world, login, db):
    doc = make_study_doc(db, [world.district])
    lower = make_member(db, world.other_cell, username="canbo.xa.b", roles=[(Role.staff, world.grassroots)])
    db.commit()
    member, cellmate, sibling, outsider, staff, lower_dev = (
        Device(client, login(p))
        for p in (world.member, world.member2, world.sibling_member, world.other_member, world.staff, lower)
    )
    devices = (member, cellmate, sibling, outsider, staff, lower_dev)
    for d in devices:
        d.pull()
    now = utcnow()
    body = {
        "document_id": doc.id,
        "title": "Kiểm tra Nghị quyết 57",
        "audience_org_ids": [world.cell.id],
        "questions": [{"text": f"Câu {i}?", "options": ["A", "B"], "correct": [1]} for i in range(5)],
        "time_limit_minutes": 20,
        "opens_at": (now - timedelta(minutes=10)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
        "show_score": True,
    }
    created = client.post(BASE, json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    for d in devices:
        d.pull()
    assert set(member.of_type("study_check")) == {cid} and set(cellmate.of_type("study_check")) == {cid}
    assert _keys(member.of_type("study_check")[cid]) == [None] * 5
    # Not to another cell, another subtree, a lower committee elsewhere, nor to staff (they read online).
    assert all(d.of_type("study_check") == {} for d in (sibling, outsider, staff, lower_dev))
    raw = str(member.store)
    assert "'correct': [1]" not in raw

    answered = utcnow()
    taken = client.post(
        f"{BASE}/{cid}/attempts",
        headers=member.headers,
        json=answers_body(answered - timedelta(minutes=4), answered, [[1]] * 5),
    )
    assert taken.status_code == 201, taken.text
    member.pull()
    cellmate.pull()
    held = member.of_type("study_check")[cid]
    assert _keys(held) == [[1]] * 5 and held["my_attempt"]["score"] == 5
    assert _keys(cellmate.of_type("study_check")[cid]) == [None] * 5
    assert member.store == fresh_view(client, member.headers)
    assert cellmate.store == fresh_view(client, cellmate.headers)


def test_a_hidden_score_stays_off_the_device_until_the_close(client, world, login, db):
    doc = make_study_doc(db, [world.district])
    check = make_check(db, doc, [world.cell], show_score=False)
    db.commit()
    member = Device(client, login(world.member))
    now = utcnow()
    pushed = client.post(
        PUSH,
        headers=member.headers,
        json={
            "actions": [
                {
                    "client_id": "kiem-tra-an-diem-1",
                    "type": "study.attempt",
                    "made_at": now.isoformat(),
                    "payload": {"check_id": check.id, **answers_body(now - timedelta(minutes=3), now)},
                }
            ]
        },
    ).json()["results"][0]
    assert pushed["status"] == "applied" and pushed["result"]["score"] is None, pushed
    member.pull()
    held = member.of_type("study_check")[check.id]
    assert _keys(held) == [None] * 5 and held["my_attempt"]["score"] is None and held["key_shown"] is False


def test_an_essay_written_offline_reaches_the_secretary(client, world, login, db, clock):
    doc = make_study_doc(
        db, [world.district], title="Chuyên đề học tập 2026", doc_type="guidance", category="study"
    )
    db.commit()
    member, secretary, cellmate = (
        Device(client, login(p)) for p in (world.member, world.secretary, world.member2)
    )
    written = utcnow() - timedelta(hours=2)
    pushed = client.post(
        PUSH,
        headers=member.headers,
        json={
            "actions": [
                {
                    "client_id": "thu-hoach-offline-1",
                    "type": "study.essay",
                    "made_at": written.isoformat(),
                    "payload": {"document_id": doc.id, "text": ESSAY},
                }
            ]
        },
    ).json()["results"][0]
    assert pushed["status"] == "applied", pushed
    eid = pushed["result"]["essay_id"]
    for d in (member, secretary, cellmate):
        d.pull()
    assert member.of_type("study_essay")[eid]["written_at"].startswith(written.isoformat()[:19])
    assert set(secretary.of_type("study_essay")) == {eid} and cellmate.of_type("study_essay") == {}
    short = client.post(
        PUSH,
        headers=cellmate.headers,
        json={
            "actions": [
                {
                    "client_id": "thu-hoach-ngan-1",
                    "type": "study.essay",
                    "payload": {"document_id": doc.id, "text": "Ngắn"},
                }
            ]
        },
    )
    assert short.json()["results"][0]["status"] == "refused"


def _receive(client, device, client_id, essay_id, made_at, remark=None):
    return client.post(PUSH, headers=device.headers, json={"actions": [
        {"client_id": client_id, "type": "study.essay_receive", "made_at": made_at.isoformat(),
         "payload": {"essay_id": essay_id, "remark": remark}}]}).json()["results"][0]


def test_a_secretary_marks_an_essay_received_offline_and_only_the_cells_leaders_may(
        client, world, login, db, clock):
    doc = make_study_doc(db, [world.district], title="Chuyên đề 2026", doc_type="guidance", category="study")
    essay, own = make_essay(db, doc, world.member), make_essay(db, doc, world.secretary)
    other = make_essay(db, doc, world.other_member)
    db.commit()
    clock.shift(3 * 3600)
    member, secretary, outsider = (Device(client, login(p)) for p in (
        world.member, world.secretary, world.other_secretary))
    marked = utcnow() - timedelta(hours=1)  # on the secretary's phone, an hour before it was sent

    done = _receive(client, secretary, "nhan-bai-1", essay.id, marked, "Có liên hệ bản thân")
    assert done["status"] == "applied", done
    assert done["result"]["received_at"].startswith(marked.isoformat()[:19])
    again = _receive(client, secretary, "nhan-bai-1", essay.id, marked, "Có liên hệ bản thân")
    assert again["status"] == "already_applied", again
    member.pull()
    held = member.of_type("study_essay")[essay.id]
    assert held["remark"] == "Có liên hệ bản thân" and held["received_at"].startswith(marked.isoformat()[:19])

    refusals = [
        _receive(client, member, "nhan-bai-2", essay.id, marked),  # not a leader
        _receive(client, secretary, "nhan-bai-3", own.id, marked),  # one's own essay
        _receive(client, outsider, "nhan-bai-4", essay.id, marked),  # another cell's leader: not found
        _receive(client, secretary, "nhan-bai-5", other.id, marked),
    ]
    assert [r["status"] for r in refusals] == ["refused"] * 4, refusals
    assert [r["code"] for r in refusals] == ["not_cell_leader", "own_essay", "essay_not_found",
                                             "essay_not_found"], refusals
    assert all(r["message"] for r in refusals)
