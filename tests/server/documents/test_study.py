"""Study materials (issue 12, "Study"): a member marks "Đã học" online or offline, once; staff set an
optional date by which to study; the secretary sees who in the cell has not studied, and staff see the
rates of every cell up the tree in one request (GET /documents/study-rates), under the read-stats rules."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from server.timeutil import utcnow
from shared.enums import OrgKind, Role
from tests import factories
from tests.server.documents.factories import API, create_doc

RATES = f"{API}/study-rates"
PUSH = "/api/v1/sync/push"


def _study(client, headers, title, audience, **extra):
    return create_doc(client, headers, title, audience, category="study", doc_type="guidance", **extra)


def _rates(client, headers, doc_id, org_id=None):
    params = {"document_id": doc_id} | ({"org_id": org_id} if org_id is not None else {})
    return client.get(RATES, params=params, headers=headers)


def _cells(resp):
    assert resp.status_code == 200, resp.text
    return {c["org_id"]: (c["members"], c["studied"], c["rate"]) for c in resp.json()["cells"]}


@contextmanager
def _statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(app.state.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(app.state.db.engine, "before_cursor_execute", count)


def _push(client, headers, doc_id, client_id, made_at):
    action = {"client_id": client_id, "type": "document.read",
              "payload": {"document_id": doc_id, "studied": True}, "made_at": made_at.isoformat()}
    return client.post(PUSH, json={"actions": [action]}, headers=headers).json()["results"][0]


# ---- marking -----------------------------------------------------------------------------------------


def test_studied_is_recorded_once_online(client, world, login):
    doc = _study(client, login(world.province_staff), "Học tập chuyên đề 2026", [world.province.id])
    member = login(world.member)
    first = client.post(f"{API}/{doc['id']}/studied", headers=member)
    assert first.status_code == 200 and first.json()["studied_at"]
    again = client.post(f"{API}/{doc['id']}/studied", headers=member)
    assert again.status_code == 200 and again.json()["studied_at"] == first.json()["studied_at"]
    assert client.get(f"{API}/{doc['id']}", headers=member).json()["studied_at"] == first.json()["studied_at"]


def test_studied_offline_through_the_batch_keeps_the_first_time(client, world, login):
    doc = _study(client, login(world.province_staff), "Học tập chuyên đề 2026", [world.province.id])
    member = login(world.member)
    made = utcnow() - timedelta(seconds=30)
    result = _push(client, member, doc["id"], "study-0001-member", made)
    assert result["status"] == "applied", result
    studied_at = result["result"]["studied_at"]
    assert studied_at and result["result"]["read_at"]
    # The same action replayed, and a second device's later mark: still the first time.
    assert _push(client, member, doc["id"], "study-0001-member", made)["result"]["studied_at"] == studied_at
    later = _push(client, member, doc["id"], "study-0002-member", utcnow())
    assert later["status"] == "applied" and later["result"]["studied_at"] == studied_at
    assert client.get(f"{API}/{doc['id']}", headers=member).json()["studied_at"] == studied_at


def test_only_a_visible_study_material_can_be_marked(client, world, login):
    staff = login(world.staff)
    doc = _study(client, staff, "Chỉ chi bộ A1-1", [world.cell.id])
    outsider = login(world.other_member)
    resp = client.post(f"{API}/{doc['id']}/studied", headers=outsider)
    assert resp.status_code == 404
    refused = _push(client, outsider, doc["id"], "study-0003-outsid", utcnow())
    assert refused["status"] == "refused" and refused["code"] == "document_not_found", refused
    plain = create_doc(client, staff, "Nghị quyết", [world.cell.id])
    resp = client.post(f"{API}/{plain['id']}/studied", headers=login(world.member))
    assert resp.status_code == 422 and resp.json()["code"] == "not_study_material"


# ---- the date by which to study ----------------------------------------------------------------------


def test_staff_set_a_study_due_date_on_study_materials_only(client, world, login):
    staff = login(world.staff)
    doc = _study(client, staff, "Học tập Quy định 96", [world.cell.id], study_due_on="2026-12-25")
    assert doc["study_due_on"] == "2026-12-25"
    member = login(world.member)
    assert client.get(f"{API}/{doc['id']}", headers=member).json()["study_due_on"] == "2026-12-25"
    resp = client.patch(f"{API}/{doc['id']}", json={"study_due_on": "2027-01-10"}, headers=staff)
    assert resp.status_code == 200 and resp.json()["study_due_on"] == "2027-01-10"
    resp = client.patch(f"{API}/{doc['id']}", json={"study_due_on": None}, headers=staff)
    assert resp.status_code == 200 and resp.json()["study_due_on"] is None
    resp = client.post(API, json={"title": "Nghị quyết", "doc_type": "resolution", "category": "documents",
                                  "audience_org_ids": [world.cell.id], "study_due_on": "2026-12-25"},
                       headers=staff)
    assert resp.status_code == 422 and resp.json()["code"] == "study_due_needs_study"
    assert "học tập" in resp.json()["message"]


# ---- rates -------------------------------------------------------------------------------------------


def _studied(client, login, doc_id, *people):
    for person in people:
        assert client.post(f"{API}/{doc_id}/studied", headers=login(person)).status_code == 200


def test_the_secretary_sees_the_cells_progress_and_who_has_not_studied(client, world, login):
    doc = _study(client, login(world.province_staff), "Chuyên đề toàn tỉnh", [world.province.id],
                 study_due_on="2026-12-31")
    _studied(client, login, doc["id"], world.member, world.other_member)
    client.post(f"{API}/{doc['id']}/read", headers=login(world.member2))  # read is not studied
    resp = _rates(client, login(world.secretary), doc["id"], world.cell.id)
    body = resp.json()
    assert _cells(resp) == {world.cell.id: (3, 1, round(1 / 3, 4))}
    assert (body["members"], body["studied"], body["study_due_on"]) == (3, 1, "2026-12-31")
    assert [m["full_name"] for m in body["not_studied"]] == ["Lê Văn Hai", "Nguyễn Văn Bí"]
    # Without org_id: the secretary's scope is their cell.
    own = _cells(_rates(client, login(world.secretary), doc["id"]))
    assert own == {world.cell.id: (3, 1, round(1 / 3, 4))}


def test_members_get_403_and_out_of_scope_callers_404_as_for_read_stats(client, world, login):
    doc = _study(client, login(world.province_staff), "Chuyên đề toàn tỉnh", [world.province.id])
    for person in (world.member, world.sibling_member, world.other_member):
        resp = _rates(client, login(person), doc["id"], world.cell.id)
        assert resp.status_code == 403 and resp.json()["code"] == "stats_forbidden"
        stats = client.get(f"{API}/{doc['id']}/read-stats", headers=login(person))
        assert stats.status_code == 403
    for person in (world.other_secretary, world.other_staff):
        resp = _rates(client, login(person), doc["id"], world.cell.id)
        assert resp.status_code == 404 and resp.json()["code"] == "org_not_found"
        assert set(_cells(_rates(client, login(person), doc["id"]))) == {world.other_cell.id}
    # A study material the caller cannot see: 404, whatever their rank below its audience.
    cell_only = _study(client, login(world.staff), "Chỉ chi bộ A1-1", [world.cell.id])
    assert _rates(client, login(world.other_secretary), cell_only["id"]).status_code == 404
    plain = create_doc(client, login(world.staff), "Nghị quyết", [world.cell.id])
    resp = _rates(client, login(world.secretary), plain["id"], world.cell.id)
    assert resp.status_code == 422 and resp.json()["code"] == "not_study_material"
    assert client.get(RATES, params={"document_id": doc["id"]}).status_code == 401


def test_committees_see_their_subtree_and_the_province_sees_all(client, world, login, app):
    doc = _study(client, login(world.province_staff), "Chuyên đề toàn tỉnh", [world.province.id])
    _studied(client, login, doc["id"], world.member, world.member2, world.sibling_member, world.other_member)
    with app.state.db.transaction() as session:
        commune_staff = factories.make_member(session, world.sibling_cell, username="canbo.xa",
                                              roles=[(Role.staff, world.grassroots)])
    commune = login(commune_staff)
    # The commune committee (lower): its two cells, not the other district nor the district above it.
    assert _cells(_rates(client, commune, doc["id"], world.grassroots.id)) == {
        world.cell.id: (3, 2, round(2 / 3, 4)), world.sibling_cell.id: (4, 1, 0.25)}
    assert _rates(client, commune, doc["id"], world.other_cell.id).status_code == 404
    assert _rates(client, commune, doc["id"], world.district.id).status_code == 404
    # The district: the same cells; the province: every cell, and totals.
    assert set(_cells(_rates(client, login(world.staff), doc["id"], world.district.id))) == {
        world.cell.id, world.sibling_cell.id}
    resp = _rates(client, login(world.province_staff), doc["id"], world.province.id)
    assert _cells(resp) == {world.cell.id: (3, 2, round(2 / 3, 4)), world.sibling_cell.id: (4, 1, 0.25),
                            world.other_cell.id: (3, 1, round(1 / 3, 4))}
    assert (resp.json()["members"], resp.json()["studied"], resp.json()["rate"]) == (10, 4, 0.4)
    assert resp.json()["not_studied"] == []  # names only for one cell
    assert _rates(client, login(world.admin), doc["id"], 999_999).status_code == 404


def test_statements_do_not_grow_with_the_number_of_cells(app, client, world, login):
    staff = login(world.province_staff)
    doc = _study(client, staff, "Chuyên đề toàn tỉnh", [world.province.id])
    with _statements(app) as few:
        assert len(_cells(_rates(client, staff, doc["id"], world.province.id))) == 3
    with app.state.db.transaction() as session:
        for n in range(6):
            cell = factories.make_org(session, f"Chi bộ thêm {n}", OrgKind.cell, world.grassroots)
            factories.make_member(session, cell, username=f"them.{n}")
    with _statements(app) as many:
        assert len(_cells(_rates(client, staff, doc["id"], world.province.id))) == 9
    assert len(many) == len(few)
