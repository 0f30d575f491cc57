"""Reading rates of many documents in one cell, in one request (issue 12, item 16): the secretary's
screen no longer asks once per agenda document. The same rules as the per-document statistics: the caller's
scope decides the cell (403/404), and documents the caller cannot see are left out of the answer."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from shared.enums import Role
from tests import factories
from tests.server.documents.factories import API, create_doc

RATES = f"{API}/read-rates"


def _rates(client, headers, org_id, doc_ids):
    return client.get(RATES, params={"org_id": org_id, "document_id": doc_ids}, headers=headers)


def _by_doc(resp):
    assert resp.status_code == 200, resp.text
    return {i["document_id"]: (i["members"], i["read"], [m["full_name"] for m in i["unread"]])
            for i in resp.json()["items"]}


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


def _docs(client, world, login):
    province = login(world.province_staff)
    district = login(world.staff)
    docs = {
        "province": create_doc(client, province, "Toàn tỉnh", [world.province.id]),
        "cell": create_doc(client, district, "Chi bộ A1-1", [world.cell.id]),
        "sibling": create_doc(client, district, "Chi bộ A1-2", [world.sibling_cell.id]),
        "other": create_doc(client, province, "Huyện B", [world.other_district.id]),
    }
    for person, names in ((world.member, ("province", "cell")), (world.secretary, ("province",)),
                          (world.other_member, ("province", "other"))):
        for name in names:
            assert client.post(f"{API}/{docs[name]['id']}/read", headers=login(person)).status_code == 201
    return {k: d["id"] for k, d in docs.items()}


def test_the_secretary_gets_every_agenda_documents_rate_in_one_answer(client, world, login):
    ids = _docs(client, world, login)
    sec = login(world.secretary)
    resp = _rates(client, sec, world.cell.id, [ids["cell"], ids["province"], ids["sibling"], ids["other"]])
    assert resp.json()["org_id"] == world.cell.id
    # In the order asked; the documents the secretary cannot see are simply not there.
    assert [i["document_id"] for i in resp.json()["items"]] == [ids["cell"], ids["province"]]
    assert _by_doc(resp) == {
        ids["cell"]: (3, 1, ["Lê Văn Hai", "Nguyễn Văn Bí"]),
        ids["province"]: (3, 2, ["Lê Văn Hai"]),
    }
    # The same figures as the per-document statistics.
    for doc_id in (ids["cell"], ids["province"]):
        stats = client.get(f"{API}/{doc_id}/read-stats", headers=sec).json()
        assert (stats["members"], stats["read"]) == _by_doc(resp)[doc_id][:2]


def test_statements_do_not_grow_with_the_number_of_documents(app, client, world, login):
    sec = login(world.secretary)
    staff = login(world.staff)
    ids = [create_doc(client, staff, f"Tài liệu {n}", [world.cell.id])["id"] for n in range(6)]
    with _statements(app) as one:
        assert len(_by_doc(_rates(client, sec, world.cell.id, ids[:1]))) == 1
    with _statements(app) as six:
        assert len(_by_doc(_rates(client, sec, world.cell.id, ids))) == 6
    assert len(six) == len(one)


def test_a_member_of_the_cell_or_of_another_cell_gets_no_statistics(client, world, login):
    ids = _docs(client, world, login)
    for person in (world.member, world.sibling_member, world.other_member):
        resp = _rates(client, login(person), world.cell.id, [ids["province"], ids["cell"]])
        assert resp.status_code == 403 and resp.json()["code"] == "stats_forbidden"


def test_another_cells_secretary_and_another_subtrees_staff(client, world, login):
    ids = _docs(client, world, login)
    all_ids = list(ids.values())
    for person in (world.other_secretary, world.other_staff):
        headers = login(person)
        # Cell A1-1 is out of their scope: 404, the same answer as the per-document statistics.
        resp = _rates(client, headers, world.cell.id, all_ids)
        assert resp.status_code == 404 and resp.json()["code"] == "org_not_found"
        assert client.get(f"{API}/{ids['province']}/read-stats", params={"org_id": world.cell.id},
                          headers=headers).status_code == 404
        # Their own cell: only what they see (not cell A1-1's or A1-2's documents).
        rates = _by_doc(_rates(client, headers, world.other_cell.id, all_ids))
        assert set(rates) == {ids["province"], ids["other"]}
        unread = {world.other_staff.member.full_name, world.other_secretary.member.full_name}
        for doc_id in (ids["province"], ids["other"]):
            members, read, names = rates[doc_id]
            assert (members, read, set(names)) == (3, 1, unread)


def test_a_lower_committee_sees_its_subtree_only_and_the_province_sees_all(client, world, login, app):
    ids = _docs(client, world, login)
    all_ids = list(ids.values())
    with app.state.db.transaction() as session:
        commune_staff = factories.make_member(session, world.sibling_cell, username="canbo.xa",
                                              roles=[(Role.staff, world.grassroots)])
    commune = login(commune_staff)
    # The commune committee: its own cells, and the documents it sees.
    assert set(_by_doc(_rates(client, commune, world.cell.id, all_ids))) == {
        ids["province"], ids["cell"], ids["sibling"]}
    # Not a cell of another district, not a committee's organisation above it.
    resp = _rates(client, commune, world.other_cell.id, all_ids)
    assert resp.status_code == 404 and resp.json()["code"] == "org_not_found"
    assert _rates(client, commune, world.district.id, all_ids).status_code == 404
    # The province: any cell; a document addressed elsewhere counts nobody in this cell.
    province = login(world.province_staff)
    rates = _by_doc(_rates(client, province, world.cell.id, all_ids))
    assert rates[ids["province"]][:2] == (3, 2) and rates[ids["cell"]][:2] == (3, 1)
    assert rates[ids["sibling"]] == (0, 0, []) and rates[ids["other"]] == (0, 0, [])
    assert _by_doc(_rates(client, province, world.other_cell.id, [ids["other"]]))[ids["other"]][:2] == (3, 1)
    # Rates are per cell: a committee's organisation is refused with a sentence saying so.
    resp = _rates(client, province, world.district.id, all_ids)
    assert resp.status_code == 422 and resp.json()["code"] == "org_not_cell"
    assert _rates(client, login(world.admin), 999_999, all_ids).status_code == 404


def test_the_request_is_checked(client, world, login):
    sec = login(world.secretary)
    assert client.get(RATES, params={"org_id": world.cell.id}, headers=sec).status_code == 422
    assert _rates(client, sec, world.cell.id, list(range(1, 52))).status_code == 422  # at most 50
    assert _rates(client, sec, world.cell.id, [0]).status_code == 422
    assert client.get(RATES, params={"org_id": world.cell.id, "document_id": 1}).status_code == 401
    # Unknown documents are simply absent.
    assert _by_doc(_rates(client, sec, world.cell.id, [999_999])) == {}
