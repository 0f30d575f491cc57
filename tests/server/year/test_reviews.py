"""The year-end self-review over the API: write, submit, the cell's proposal, the committee's decision,
exemptions, and who sees and does what (every other caller gets 404)."""

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from server.config import Settings
from server.records.audit import AuditEntry
from shared.enums import OrgKind, Role
from tests.factories import make_member, make_org
from tests.server.year.factories import make_review

BASE = "/api/v1/year/reviews"
MINE = f"{BASE}/mine/2026"
FORM = {"strengths": "Gương mẫu chấp hành chủ trương của Đảng",
        "shortcomings": "Còn chậm nghiên cứu tài liệu", "causes": "Công việc chuyên môn nhiều",
        "direction": "Dành thời gian học tập mỗi tuần",
        "self_level": "good"}


def test_write_submit_propose_confirm(client, world, login, db, clock):
    member, sec, staff = login(world.member), login(world.secretary), login(world.staff)
    blank = client.get(MINE, headers=member)
    assert blank.status_code == 200, blank.text
    assert blank.json()["id"] is None and blank.json()["status"] is None
    assert blank.json()["facts"]["meetings"]["held"] == 0 and blank.json()["full_name"] == "Trần Thị Đảng"

    draft = client.put(MINE, json={"strengths": "  Gương mẫu  ", "self_level": "excellent"}, headers=member)
    assert draft.status_code == 200, draft.text
    rid = draft.json()["id"]
    assert draft.json()["status"] == "draft" and draft.json()["strengths"] == "Gương mẫu"
    assert client.get(f"{BASE}/{rid}", headers=sec).status_code == 404  # a draft is the member's own

    incomplete = client.put(MINE, json={"strengths": "Gương mẫu", "submit": True}, headers=member)
    assert incomplete.status_code == 422 and incomplete.json()["code"] == "review_incomplete"
    clock.shift(60)
    sent = client.put(MINE, json={**FORM, "submit": True}, headers=member)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted" and sent.json()["submitted_at"]
    # Still editable until the cell rates it; saving without `submit` keeps it sent.
    edited = client.put(MINE, json={**FORM, "direction": "Học tập đều đặn mỗi tuần"}, headers=member)
    assert edited.json()["status"] == "submitted" and edited.json()["direction"] == "Học tập đều đặn mỗi tuần"
    emptied = client.put(MINE, json={**FORM, "shortcomings": " "}, headers=member)
    assert emptied.status_code == 422 and emptied.json()["code"] == "review_incomplete"

    seen = client.get(f"{BASE}/{rid}", headers=sec)
    assert seen.status_code == 200 and seen.json()["self_level"] == "good"
    assert seen.json()["facts"]["year"] == 2026
    early = client.put(f"{BASE}/{rid}/confirmation", json={"level": "good"}, headers=staff)
    assert early.status_code == 409 and early.json()["code"] == "review_not_proposed"
    proposed = client.put(f"{BASE}/{rid}/proposal", json={"level": "good", "note": "Đồng ý"}, headers=sec)
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["status"] == "proposed" and proposed.json()["proposed_level"] == "good"
    assert proposed.json()["warnings"] == []
    locked = client.put(MINE, json=FORM, headers=member)
    assert locked.status_code == 409 and locked.json()["code"] == "review_locked"

    confirmed = client.put(f"{BASE}/{rid}/confirmation", json={"level": "done"}, headers=staff)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["confirmed_level"] == "done"
    assert body["proposed_level"] == "good" and body["self_level"] == "good"
    inbox = client.get("/api/v1/notifications", headers=member).json()["items"]
    assert [(n["title"], n["ref_id"]) for n in inbox if n["kind"] == "review_confirmed"] == [
        ("Kết quả xếp loại đảng viên năm 2026: Hoàn thành nhiệm vụ", rid)]
    again = client.put(f"{BASE}/{rid}/proposal", json={"level": "good"}, headers=sec)
    assert again.status_code == 409 and again.json()["code"] == "review_not_submitted"

    actions = db.execute(select(AuditEntry.action).where(AuditEntry.target_type == "self_review")
                         .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["review.create", "review.update", "review.update", "review.propose", "review.confirm"]


def test_the_year_window_and_bounds(client, world, login):
    member = login(world.member)
    assert client.get(f"{BASE}/mine/2025", headers=member).status_code == 200  # last year, late
    future = client.put(f"{BASE}/mine/2027", json=FORM, headers=member)
    assert future.status_code == 422 and future.json()["code"] == "year_out_of_window"
    long = client.put(MINE, json={**FORM, "strengths": "x" * 4001}, headers=member)
    assert long.status_code == 422
    bad = client.put(MINE, json={**FORM, "self_level": "tot"}, headers=member)
    assert bad.status_code == 422
    admin = client.get(MINE, headers=login(world.admin))
    assert admin.status_code == 403 and admin.json()["code"] == "not_a_member"


def test_scope_every_route(client, world, db, login):
    """Same cell, another cell, another subtree, a lower committee and above, for each route."""
    lower = make_org(db, "Đảng bộ xã A2", OrgKind.grassroots, world.district)
    lower_staff = make_member(db, make_org(db, "Chi bộ A2-1", OrgKind.cell, lower), username="canbo.xa.a2",
                              roles=[(Role.staff, lower)])
    commune_staff = make_member(db, world.sibling_cell, username="canbo.xa.a1",
                                roles=[(Role.staff, world.grassroots)])
    sent = make_review(db, world.member, 2026)
    draft = make_review(db, world.member, 2025, "draft")
    db.commit()
    rid, did = sent.id, draft.id
    callers = {
        "owner": world.member, "cellmate": world.member2, "secretary": world.secretary,
        "sibling_member": world.sibling_member, "other_cell_secretary": world.other_secretary,
        "other_subtree_staff": world.other_staff, "lower_committee": lower_staff,
        "commune_staff": commune_staff, "district_staff": world.staff, "province_staff": world.province_staff,
    }
    expected_read = {"owner": 200, "cellmate": 404, "secretary": 200, "sibling_member": 404,
                     "other_cell_secretary": 404, "other_subtree_staff": 404, "lower_committee": 404,
                     "commune_staff": 200, "district_staff": 200, "province_staff": 200}
    for name, person in callers.items():
        headers = login(person)
        got = client.get(f"{BASE}/{rid}", headers=headers).status_code
        assert got == expected_read[name], (name, got)
        draft_got = client.get(f"{BASE}/{did}", headers=headers).status_code
        assert draft_got == (200 if name == "owner" else 404), (name, draft_got)
        listed = {r["id"] for r in client.get(BASE, headers=headers).json()["items"]}
        assert (rid in listed) == (expected_read[name] == 200), name
        assert (did in listed) == (name == "owner"), name
        proposal = client.put(f"{BASE}/{rid}/proposal", json={"level": "good"}, headers=headers).status_code
        want = {"secretary": 200}.get(name, 403 if expected_read[name] == 200 else 404)
        assert proposal == want, (name, proposal)
        exemption = client.put(f"{BASE}/exemption", headers=headers, json={
            "member_id": world.member2.member.id, "year": 2026, "reason": "Tuổi cao"}).status_code
        assert exemption == (200 if name == "secretary" else 404), (name, exemption)
        for url in (f"/api/v1/year/orgs/{world.district.id}/reviews/summary?year=2026",
                    f"/api/v1/year/orgs/{world.district.id}/reviews/export?year=2026"):
            ok = name in ("district_staff", "province_staff")
            assert client.get(url, headers=headers).status_code == (200 if ok else 404), (name, url)
        cell_summary = client.get(f"/api/v1/year/orgs/{world.cell.id}/reviews/summary?year=2026",
                                  headers=headers).status_code
        ok = name in ("secretary", "commune_staff", "district_staff", "province_staff")
        assert cell_summary == (200 if ok else 404), (name, cell_summary)
    # The review is now proposed (by the secretary above): who may confirm it.
    for name, person in callers.items():
        got = client.put(f"{BASE}/{rid}/confirmation", json={"level": "good"},
                         headers=login(person)).status_code
        want = 200 if name in ("commune_staff", "district_staff", "province_staff") else (
            403 if expected_read[name] == 200 else 404)
        assert got == want, (name, got)


def test_own_review_is_rated_by_others(client, world, db, login):
    review = make_review(db, world.secretary, 2026)
    db.commit()
    sec = login(world.secretary)
    own = client.put(f"{BASE}/{review.id}/proposal", json={"level": "excellent"}, headers=sec)
    assert own.status_code == 403 and own.json()["code"] == "own_review"
    self_exempt = client.put(f"{BASE}/exemption", headers=sec, json={
        "member_id": world.secretary.member.id, "year": 2026, "reason": "Tuổi cao"})
    assert self_exempt.status_code == 403


def test_exempt_members_are_marked_not_rated(client, world, db, login):
    sec, member = login(world.secretary), login(world.member2)
    no_reason = client.put(f"{BASE}/exemption", headers=sec,
                           json={"member_id": world.member2.member.id, "year": 2026})
    assert no_reason.status_code == 422
    marked = client.put(f"{BASE}/exemption", headers=sec, json={
        "member_id": world.member2.member.id, "year": 2026, "reason": "Miễn sinh hoạt vì tuổi cao"})
    assert marked.status_code == 200, marked.text
    rid = marked.json()["id"]
    assert marked.json()["status"] == "exempt"
    assert marked.json()["exempt_reason"] == "Miễn sinh hoạt vì tuổi cao"
    assert client.put(f"{BASE}/{rid}/proposal", json={"level": "good"}, headers=sec).status_code == 409
    assert client.put(MINE, json=FORM, headers=member).json()["code"] == "review_locked"
    mine = client.get("/api/v1/year/reviews/mine/2026", headers=member).json()
    assert mine["status"] == "exempt"
    summary = client.get(f"/api/v1/year/orgs/{world.cell.id}/reviews/summary?year=2026", headers=sec).json()
    assert summary["totals"]["exempt"] == 1 and summary["totals"]["submitted"] == 0
    lifted = client.put(f"{BASE}/exemption", headers=sec, json={
        "member_id": world.member2.member.id, "year": 2026, "exempt": False})
    assert lifted.status_code == 200 and lifted.json()["status"] == "draft"


def test_a_draft_marked_exempt_stays_unread_by_the_cell(client, world, db, login):
    make_review(db, world.member2, 2026, "draft", self_level="excellent")
    db.commit()
    sec = login(world.secretary)
    marked = client.put(f"{BASE}/exemption", headers=sec, json={
        "member_id": world.member2.member.id, "year": 2026, "reason": "Ốm dài ngày"})
    assert marked.status_code == 200, marked.text
    body = marked.json()
    assert body["status"] == "exempt" and body["strengths"] is None and body["self_level"] is None
    read = client.get(f"{BASE}/{body['id']}", headers=sec).json()
    assert read["strengths"] is None and read["shortcomings"] is None and read["self_level"] is None
    [row] = [r for r in client.get(BASE, headers=sec).json()["items"] if r["id"] == body["id"]]
    assert row["status"] == "exempt" and row["self_level"] is None
    own = client.get(MINE, headers=login(world.member2)).json()
    assert own["status"] == "exempt" and own["self_level"] == "excellent" and own["strengths"]


def test_the_cap_is_a_setting(monkeypatch, tmp_path):
    assert Settings(data_dir=tmp_path).review_top_share == 0.2
    monkeypatch.setenv("SOTAY_REVIEW_TOP_SHARE", "0.3")
    assert Settings(data_dir=tmp_path).review_top_share == 0.3
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, review_top_share=1.5)
