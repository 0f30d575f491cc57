"""Yearly commitments over the API: the whole flow, bad input, and who sees and does what."""

from sqlalchemy import select

from server.records.audit import AuditEntry
from shared.enums import OrgKind, Role
from tests.factories import make_member, make_org
from tests.server.year.factories import ITEMS, make_commitment

BASE = "/api/v1/year/commitments"


def _create(client, headers, year=2027, items=ITEMS, **extra):
    return client.post(BASE, json={"year": year, "items": items, **extra}, headers=headers)


def test_draft_submit_return_edit_submit_approve_results_and_remarks(client, world, login, db, clock):
    member, sec = login(world.member), login(world.secretary)
    created = _create(client, member)
    assert created.status_code == 201, created.text
    body = created.json()
    cid = body["id"]
    assert body["status"] == "draft" and body["year"] == 2027 and body["full_name"] == "Trần Thị Đảng"
    assert [i["category"] for i in body["items"]] == ["study_follow", "volunteer", None]
    assert body["org_id"] == world.cell.id and body["submitted_at"] is None
    # A draft is its author's own: the secretary does not even see it yet.
    assert client.get(f"{BASE}/{cid}", headers=sec).status_code == 404

    clock.shift(60)
    submitted = client.post(f"{BASE}/{cid}/submit", headers=member)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_at"]
    locked = client.patch(f"{BASE}/{cid}", json={"items": ITEMS[:1]}, headers=member)
    assert locked.status_code == 409 and locked.json()["code"] == "commitment_locked"
    own = client.post(f"{BASE}/{cid}/decision", json={"approve": True}, headers=member)
    assert own.status_code == 403 and own.json()["code"] == "not_cell_leader"

    no_reason = client.post(f"{BASE}/{cid}/decision", json={"approve": False}, headers=sec)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "validation_error"
    assert "ý kiến" in no_reason.json()["message"]
    comment = "Mục 2 cần cụ thể số lần tham gia."
    returned = client.post(f"{BASE}/{cid}/decision", json={"approve": False, "comment": comment}, headers=sec)
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_comment"] == "Mục 2 cần cụ thể số lần tham gia."

    clock.shift(60)
    edited = client.patch(f"{BASE}/{cid}", json={"items": [
        ITEMS[0],
        {"text": "Hiến máu tình nguyện 2 lần, dọn vệ sinh đường làng 12 lần", "category": "volunteer"},
    ]}, headers=member)
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "returned"  # still to be sent again; the comment stays in view
    assert len(edited.json()["items"]) == 2 and edited.json()["return_comment"]
    again = client.post(f"{BASE}/{cid}/submit", headers=member)
    assert again.json()["status"] == "submitted"

    approved = client.post(f"{BASE}/{cid}/decision", json={"approve": True, "comment": "Đồng ý"}, headers=sec)
    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert done["status"] == "approved" and done["return_comment"] is None
    assert done["decided_by"] == world.secretary.user.id and done["decided_at"]
    twice = client.post(f"{BASE}/{cid}/decision", json={"approve": True}, headers=sec)
    assert twice.status_code == 409 and twice.json()["code"] == "commitment_not_submitted"
    after = client.patch(f"{BASE}/{cid}", json={"items": ITEMS}, headers=member)
    assert after.status_code == 409 and after.json()["code"] == "commitment_locked"
    assert client.delete(f"{BASE}/{cid}", headers=member).json()["code"] == "commitment_locked"

    # Year end: the member's own result per item, then the cell's remark.
    first, second = (i["id"] for i in done["items"])
    clock.shift(300)
    results = client.put(f"{BASE}/{cid}/results", json={"results": [
        {"item_id": first, "result": "Đã thực hiện đầy đủ."},
        {"item_id": second, "result": "Hiến máu 2 lần, vệ sinh 11 lần."},
    ]}, headers=member)
    assert results.status_code == 200, results.text
    assert [i["result"] for i in results.json()["items"]] == ["Đã thực hiện đầy đủ.",
                                                              "Hiến máu 2 lần, vệ sinh 11 lần."]
    assert all(i["result_at"] for i in results.json()["items"])
    not_theirs = client.put(f"{BASE}/{cid}/results", json={"results": [{"item_id": first, "result": "x"}]},
                            headers=sec)
    assert not_theirs.status_code == 403 and not_theirs.json()["code"] == "not_owner"
    no_self_remark = client.put(f"{BASE}/{cid}/remarks",
                                json={"remarks": [{"item_id": first, "remark": "Tốt"}]}, headers=member)
    assert no_self_remark.status_code == 403 and no_self_remark.json()["code"] == "not_cell_leader"
    remarks = client.put(f"{BASE}/{cid}/remarks", json={"remarks": [
        {"item_id": second, "remark": "Còn thiếu 1 lần vệ sinh đường làng."}]}, headers=sec)
    assert remarks.status_code == 200, remarks.text
    items = remarks.json()["items"]
    assert items[0]["remark"] is None and items[1]["remark"] == "Còn thiếu 1 lần vệ sinh đường làng."
    # A blank result clears it.
    cleared = client.put(f"{BASE}/{cid}/results", json={"results": [{"item_id": first, "result": "  "}]},
                         headers=member)
    assert cleared.json()["items"][0]["result"] is None

    actions = list(db.execute(select(AuditEntry.action).where(
        AuditEntry.target_type == "commitment", AuditEntry.target_id == str(cid)).order_by(AuditEntry.id)
    ).scalars())
    assert actions == ["commitment.create", "commitment.submit", "commitment.return", "commitment.update",
                       "commitment.submit", "commitment.approve", "commitment.result", "commitment.remark",
                       "commitment.result"]
    mine = client.get(f"{BASE}/mine", headers=member).json()
    assert [c["id"] for c in mine] == [cid]
    inbox = client.get("/api/v1/notifications", headers=member).json()["items"]
    answers = [(n["title"], n["body"]) for n in inbox if n["kind"] == "commitment_answered"]
    assert answers == [("Bản đăng ký cam kết năm 2027 đã được chi bộ duyệt", None),
                       ("Bản đăng ký cam kết năm 2027 được chi bộ trả lại để sửa", comment)]


def test_create_and_submit_at_once_and_delete_a_draft(client, world, login):
    member = login(world.member)
    sent = _create(client, member, submit=True)
    assert sent.status_code == 201 and sent.json()["status"] == "submitted"
    dup = _create(client, member)
    assert dup.status_code == 409 and dup.json()["code"] == "commitment_exists"
    draft = _create(client, member, year=2026).json()
    assert client.delete(f"{BASE}/{draft['id']}", headers=member).status_code == 204
    assert client.get(f"{BASE}/{draft['id']}", headers=member).status_code == 404
    assert [c["year"] for c in client.get(f"{BASE}/mine", headers=member).json()] == [2027]


def test_bad_input_is_422_with_a_code(client, world, login):
    member = login(world.member)
    cases = [
        {"year": 1999, "items": ITEMS},
        {"year": 2027, "items": []},
        {"year": 2027, "items": [{"text": "Mục số"}] * 31},
        {"year": 2027, "items": [{"text": "x"}]},
        {"year": 2027, "items": [{"text": "x" * 1001}]},
        {"year": 2027, "items": [{"text": "Hợp lệ", "category": "khong-co"}]},
        {"year": 2027, "items": [{"text": "Có ký tự \x00 lạ"}]},
        {"year": 2027, "items": ITEMS, "status": "approved"},
        {"year": "năm sau", "items": ITEMS},
        {"items": ITEMS},
    ]
    for body in cases:
        resp = client.post(BASE, json=body, headers=member)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.json()["code"] == "validation_error"
    far = _create(client, member, year=2030)
    assert far.status_code == 422 and far.json()["code"] == "year_out_of_window"
    assert "2025, 2026 hoặc 2027" in far.json()["message"]
    assert client.get(BASE, params={"year": 1800}, headers=member).json()["code"] == "validation_error"


def test_results_and_remarks_need_an_approved_commitment_and_its_own_items(client, world, login, db):
    member, sec = login(world.member), login(world.secretary)
    pending = make_commitment(db, world.member, 2026, "submitted")
    approved = make_commitment(db, world.member2, 2026, "approved")
    other = make_commitment(db, world.member2, 2025, "approved")
    db.commit()
    early = client.put(f"{BASE}/{pending.id}/results", json={"results": [{"item_id": 1, "result": "Xong"}]},
                       headers=member)
    assert early.status_code == 409 and early.json()["code"] == "commitment_not_approved"
    member2 = login(world.member2)
    items = client.get(f"{BASE}/{other.id}", headers=member2).json()["items"]
    foreign = client.put(f"{BASE}/{approved.id}/results",
                         json={"results": [{"item_id": items[0]["id"], "result": "Xong"}]}, headers=member2)
    assert foreign.status_code == 422 and foreign.json()["code"] == "item_not_found"
    twice = client.put(f"{BASE}/{approved.id}/remarks", json={"remarks": [
        {"item_id": items[0]["id"], "remark": "a"}, {"item_id": items[0]["id"], "remark": "b"}]}, headers=sec)
    assert twice.status_code == 422 and twice.json()["code"] == "validation_error"
    long = client.put(f"{BASE}/{approved.id}/results", json={"results": [
        {"item_id": items[0]["id"], "result": "x" * 2001}]}, headers=member2)
    assert long.status_code == 422


def test_scope_other_members_cells_and_subtrees_get_404(client, world, login, db):
    commitment = make_commitment(db, world.member, 2026, "submitted")
    draft = make_commitment(db, world.member, 2027, "draft")
    lower = make_org(db, "Đảng bộ xã A2", OrgKind.grassroots, world.district)
    lower_cell = make_org(db, "Chi bộ thôn A2-1", OrgKind.cell, lower)
    lower_staff = make_member(db, lower_cell, username="canbo.a2", roles=[(Role.staff, lower)])
    sibling_secretary = make_member(db, world.sibling_cell, username="bithu.a1b",
                                    roles=[(Role.secretary, world.sibling_cell)])
    db.commit()
    url = f"{BASE}/{commitment.id}"
    expected = {
        "member": 200, "secretary": 200, "staff": 200, "province_staff": 200, "admin": 200,
        "member2": 404, "sibling_member": 404, "other_member": 404, "other_secretary": 404,
        "other_staff": 404,
    }
    for name, status in expected.items():
        resp = client.get(url, headers=login(getattr(world, name)))
        assert resp.status_code == status, (name, resp.text)
        if status == 404:
            assert resp.json()["code"] == "commitment_not_found"
    for person in (lower_staff, sibling_secretary):  # a committee beside the cell's, a sibling cell's leader
        assert client.get(url, headers=login(person)).status_code == 404
    # Drafts: their author only.
    for name in ("secretary", "staff", "province_staff", "admin"):
        assert client.get(f"{BASE}/{draft.id}", headers=login(getattr(world, name))).status_code == 404
    # Staff above read but do not decide; another cell's secretary cannot even find it.
    staff = login(world.staff)
    refused = client.post(f"{url}/decision", json={"approve": True}, headers=staff)
    assert refused.status_code == 403 and refused.json()["code"] == "not_cell_leader"
    assert client.post(f"{url}/decision", json={"approve": True},
                       headers=login(world.other_secretary)).status_code == 404
    edit = client.patch(url, json={"items": ITEMS}, headers=login(world.secretary))
    assert edit.status_code == 403 and edit.json()["code"] == "not_owner"


def test_lists_follow_the_same_scope(client, world, login, db):
    mine = make_commitment(db, world.member, 2026, "submitted")
    cellmate = make_commitment(db, world.member2, 2026, "approved")
    make_commitment(db, world.sibling_member, 2026, "draft")
    other = make_commitment(db, world.other_member, 2026, "submitted")
    db.commit()

    def ids(person, **params):
        resp = client.get(BASE, params=params, headers=login(person))
        assert resp.status_code == 200, resp.text
        return sorted(c["id"] for c in resp.json()["items"])

    assert ids(world.member) == [mine.id]
    assert ids(world.secretary) == sorted([mine.id, cellmate.id])
    assert ids(world.staff) == sorted([mine.id, cellmate.id])
    assert ids(world.other_staff) == [other.id]
    assert ids(world.province_staff) == sorted([mine.id, cellmate.id, other.id])
    assert ids(world.province_staff, org_id=world.other_district.id) == [other.id]
    assert ids(world.secretary, status="approved") == [cellmate.id]
    assert ids(world.secretary, year=2025) == []
    out = client.get(BASE, params={"org_id": world.other_district.id}, headers=login(world.staff))
    assert out.status_code == 404 and out.json()["code"] == "org_not_found"


def test_cell_overview_for_leaders_and_staff_above(client, world, login, db):
    make_commitment(db, world.member, 2027, "approved")
    make_commitment(db, world.member2, 2027, "draft")  # private: counts as not registered
    db.commit()
    url = f"/api/v1/year/cells/{world.cell.id}/commitments"
    resp = client.get(url, params={"year": 2027}, headers=login(world.secretary))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["counts"] == {"submitted": 0, "approved": 1, "returned": 0, "none": 2, "total": 3}
    row = next(m for m in body["members"] if m["member_id"] == world.member.member.id)
    assert row["status"] == "approved" and row["items"] == 2 and row["results"] == 0
    assert client.get(url, params={"year": 2027}, headers=login(world.staff)).status_code == 200
    member = client.get(url, params={"year": 2027}, headers=login(world.member))
    assert member.status_code == 403 and member.json()["code"] == "not_cell_leader"
    for person in (world.other_secretary, world.other_staff, world.sibling_member):
        assert client.get(url, params={"year": 2027}, headers=login(person)).status_code == 404
    assert client.get(url, headers=login(world.secretary)).status_code == 422  # the year is required


def test_a_leader_does_not_decide_their_own_and_non_members_do_not_register(client, world, login, db):
    sec = login(world.secretary)
    own = _create(client, sec, submit=True).json()
    refused = client.post(f"{BASE}/{own['id']}/decision", json={"approve": True}, headers=sec)
    assert refused.status_code == 403 and refused.json()["code"] == "own_commitment"
    deputy = make_member(db, world.cell, username="phobithu.a", roles=[(Role.deputy_secretary, world.cell)])
    db.commit()
    ok = client.post(f"{BASE}/{own['id']}/decision", json={"approve": True}, headers=login(deputy))
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    admin = _create(client, login(world.admin))
    assert admin.status_code == 403 and admin.json()["code"] == "not_a_member"


def test_the_cells_export_has_a_row_per_item_and_the_unregistered(client, world, login, db):
    from io import BytesIO

    from openpyxl import load_workbook

    approved = make_commitment(db, world.member, 2027, "approved")
    make_commitment(db, world.member2, 2027, "draft")
    db.commit()
    sec = login(world.secretary)
    items = client.get(f"{BASE}/{approved.id}", headers=sec).json()["items"]
    client.put(f"{BASE}/{approved.id}/remarks", json={"remarks": [{"item_id": items[0]["id"],
                                                                    "remark": "=Tốt"}]}, headers=sec)
    url = f"/api/v1/year/cells/{world.cell.id}/commitments/export"
    resp = client.get(url, params={"year": 2027}, headers=sec)
    assert resp.status_code == 200, resp.text
    assert "dang-ky-cam-ket-2027" in resp.headers["content-disposition"]
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Đăng ký cam kết năm 2027 - Chi bộ thôn A1-1"
    assert rows[1][1] == "Họ và tên" and rows[1][8].startswith("Kết quả")
    by_name = {}
    for row in rows[2:]:
        by_name.setdefault(row[1], []).append(row)
    assert [r[6] for r in by_name["Trần Thị Đảng"]] == ["Nội dung cam kết 1", "Nội dung cam kết 2"]
    assert by_name["Trần Thị Đảng"][0][9] == "=Tốt" and by_name["Trần Thị Đảng"][0][3] == "Đã duyệt"
    assert by_name["Lê Văn Hai"][0][3] == "Chưa đăng ký"  # a draft is private
    csv = client.get(url, params={"year": 2027, "format": "csv"}, headers=login(world.staff))
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert client.get(url, params={"year": 2027}, headers=login(world.member)).status_code == 403
    assert client.get(url, params={"year": 2027}, headers=login(world.other_staff)).status_code == 404
    bad = client.get(url, params={"year": 2027, "format": "pdf"}, headers=sec)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_the_summary_counts_cell_by_cell_under_an_organisation(client, world, login, db):
    approved = make_commitment(db, world.member, 2027, "approved")
    make_commitment(db, world.member2, 2027, "submitted")
    make_commitment(db, world.secretary, 2027, "draft")  # private: not counted
    make_commitment(db, world.sibling_member, 2027, "returned")
    make_commitment(db, world.other_member, 2027, "approved")
    make_commitment(db, world.staff, 2026, "approved")  # another year
    db.commit()
    member = login(world.member)
    item = client.get(f"{BASE}/{approved.id}", headers=member).json()["items"][0]["id"]
    client.put(f"{BASE}/{approved.id}/results", json={"results": [{"item_id": item, "result": "Xong"}]},
               headers=member)
    url = f"/api/v1/year/orgs/{world.district.id}/commitments/summary"
    resp = client.get(url, params={"year": 2027}, headers=login(world.staff))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    cells = {c["cell_id"]: c for c in body["cells"]}
    assert set(cells) == {world.cell.id, world.sibling_cell.id}  # the other district's cell is not here
    assert cells[world.cell.id] | {"name": ""} == {"cell_id": world.cell.id, "name": "", "members": 3,
                                                     "submitted": 1, "approved": 1, "returned": 0,
                                                     "with_results": 1}
    assert cells[world.sibling_cell.id]["returned"] == 1
    assert body["totals"]["approved"] == 1 and body["totals"]["name"] == "Đảng bộ huyện A"
    province = client.get(f"/api/v1/year/orgs/{world.province.id}/commitments/summary",
                          params={"year": 2027}, headers=login(world.province_staff)).json()
    assert province["totals"]["approved"] == 2 and len(province["cells"]) == 3
    for person in (world.other_staff, world.secretary, world.member):
        assert client.get(url, params={"year": 2027}, headers=login(person)).status_code == 404
