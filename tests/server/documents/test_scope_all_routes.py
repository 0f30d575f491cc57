"""Every documents route, called by a member of another cell and people of another subtree: 404."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.server.documents.factories import API, create_doc, pdf_bytes


@pytest.fixture
def cell_doc(client, world, login):
    staff = login(world.staff)
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    draft = create_doc(
        client, staff, "Dự thảo của chi bộ A1-1", [world.cell.id], status="draft", comments_until=until
    )
    doc = create_doc(
        client,
        staff,
        "Tài liệu học tập của chi bộ A1-1",
        [world.cell.id],
        category="study",
        topic="Chuyên đề riêng",
    )
    att = client.post(
        f"{API}/{doc['id']}/attachments",
        files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
        headers=staff,
    ).json()
    return doc["id"], draft["id"], att["id"]


def _calls(doc_id, draft_id, att_id):
    return [
        ("GET", f"{API}/{doc_id}", None),
        ("GET", f"{API}/{doc_id}/versions", None),
        ("PATCH", f"{API}/{doc_id}", {"title": "Sửa trộm tài liệu"}),
        ("POST", f"{API}/{doc_id}/withdraw", None),
        ("POST", f"{API}/{draft_id}/publish", None),
        ("GET", f"/api/v1/attachments/{att_id}", None),
        ("HEAD", f"/api/v1/attachments/{att_id}", None),
        ("POST", f"{API}/{doc_id}/read", None),
        ("POST", f"{API}/{doc_id}/studied", None),
        ("DELETE", f"{API}/{doc_id}/studied", None),
        ("PUT", f"{API}/{doc_id}/bookmark", None),
        ("DELETE", f"{API}/{doc_id}/bookmark", None),
        ("GET", f"{API}/{doc_id}/read-stats", None),
        ("GET", f"{API}/{doc_id}/readers", None),
        ("POST", f"{API}/{draft_id}/comments", {"body": "Góp ý"}),
        ("GET", f"{API}/{draft_id}/comments", None),
        ("GET", f"{API}/{draft_id}/comments/export", None),
        ("DELETE", f"/api/v1/attachments/{att_id}", None),
        ("DELETE", f"{API}/{draft_id}", None),
    ]


@pytest.mark.parametrize("who", ["sibling_member", "other_member", "other_secretary", "other_staff"])
def test_outsiders_get_404_everywhere(client, world, login, cell_doc, who):
    headers = login(getattr(world, who))
    for method, url, body in _calls(*cell_doc):
        resp = client.request(method, url, json=body, headers=headers)
        assert resp.status_code == 404, (who, method, url, resp.status_code)
    resp = client.post(
        f"{API}/{cell_doc[0]}/attachments",
        files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
        headers=headers,
    )
    assert resp.status_code == 404
    listed = client.get(API, params={"q": "chi bộ A1-1"}, headers=headers).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert client.get(f"{API}/topics", headers=headers).json() == []


def test_insiders_reach_the_same_routes(client, world, login, cell_doc):
    doc_id, draft_id, att_id = cell_doc
    member = login(world.member)
    assert client.get(f"{API}/{doc_id}", headers=member).status_code == 200
    assert client.get(f"/api/v1/attachments/{att_id}", headers=member).status_code == 200
    assert client.post(f"{API}/{doc_id}/read", headers=member).status_code == 201
    assert (
        client.post(f"{API}/{draft_id}/comments", json={"body": "Đồng ý"}, headers=member).status_code == 201
    )
    assert client.get(API, params={"q": "chi bộ A1-1"}, headers=member).json()["total"] == 2
