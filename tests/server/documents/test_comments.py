"""Góp ý dự thảo: a draft open for comments until a deadline; members of its audience comment; export."""

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from server.documents.models import Document
from tests.server.documents.factories import API, create_doc, visible_titles


def _open_draft(client, headers, audience, **extra):
    until = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    return create_doc(
        client,
        headers,
        "Dự thảo Báo cáo chính trị Đại hội",
        audience,
        doc_type="report",
        status="draft",
        comments_until=until,
        **extra,
    )


def test_members_of_audience_comment_on_open_draft(client, world, login):
    staff = login(world.staff)
    doc = _open_draft(client, staff, [world.grassroots.id])
    member = login(world.member)
    assert visible_titles(client, member) == ["Dự thảo Báo cáo chính trị Đại hội"]
    resp = client.post(
        f"{API}/{doc['id']}/comments",
        json={"body": "Đề nghị bổ sung chỉ tiêu kết nạp đảng viên."},
        headers=member,
    )
    assert resp.status_code == 201, resp.text
    client.post(
        f"{API}/{doc['id']}/comments",
        json={"body": '=HYPERLINK("x") - ý kiến'},
        headers=login(world.sibling_member),
    )
    # Outside the audience: 404 (cannot see the draft at all).
    for person in (world.other_member, world.other_staff):
        assert (
            client.post(f"{API}/{doc['id']}/comments", json={"body": "x"}, headers=login(person)).status_code
            == 404
        )
    # A member sees their own comments; the publisher sees all.
    assert len(client.get(f"{API}/{doc['id']}/comments", headers=member).json()) == 1
    all_comments = client.get(f"{API}/{doc['id']}/comments", headers=staff).json()
    assert [c["author_name"] for c in all_comments][0] == "Trần Thị Đảng"
    assert all_comments[0]["org_name"] == "Chi bộ thôn A1-1"
    assert len(all_comments) == 2


def test_export_csv_and_xlsx(client, world, login):
    staff = login(world.staff)
    doc = _open_draft(client, staff, [world.cell.id])
    client.post(f"{API}/{doc['id']}/comments", json={"body": "Góp ý thứ nhất"}, headers=login(world.member))
    client.post(f"{API}/{doc['id']}/comments", json={"body": "=1+1"}, headers=login(world.member2))
    resp = client.get(f"{API}/{doc['id']}/comments/export", params={"format": "csv"}, headers=staff)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Thời gian", "Người góp ý"]
    assert rows[1][4] == "Góp ý thứ nhất" and rows[1][3] == "Chi bộ thôn A1-1"
    assert rows[2][4] == "'=1+1"  # never a formula
    resp = client.get(f"{API}/{doc['id']}/comments/export", params={"format": "xlsx"}, headers=staff)
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws["E3"].value == "Góp ý thứ nhất" and ws["E4"].value == "=1+1" and ws["E4"].data_type == "s"
    # Members and other subtrees cannot export.
    assert client.get(f"{API}/{doc['id']}/comments/export", headers=login(world.member)).status_code == 403
    assert (
        client.get(f"{API}/{doc['id']}/comments/export", headers=login(world.other_staff)).status_code == 404
    )


def test_deadline_and_state(client, world, login, app):
    staff = login(world.staff)
    doc = _open_draft(client, staff, [world.cell.id])
    with app.state.db.transaction() as s:
        s.execute(
            update(Document)
            .where(Document.id == doc["id"])
            .values(comments_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    resp = client.post(f"{API}/{doc['id']}/comments", json={"body": "Muộn"}, headers=login(world.member))
    assert resp.status_code == 409 and resp.json()["code"] == "comments_closed"
    # A plain draft (not opened for comments) is invisible to members; a published document takes no comments.
    plain = create_doc(client, staff, "Dự thảo kín", [world.cell.id], status="draft")
    assert (
        client.post(
            f"{API}/{plain['id']}/comments", json={"body": "x"}, headers=login(world.member)
        ).status_code
        == 404
    )
    pub = create_doc(client, staff, "Đã ban hành", [world.cell.id])
    resp = client.post(f"{API}/{pub['id']}/comments", json={"body": "x"}, headers=login(world.member))
    assert resp.status_code == 409
    # Opening comments on a published document is refused.
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert (
        client.patch(f"{API}/{pub['id']}", json={"comments_until": until}, headers=staff).status_code == 422
    )
    assert (
        client.post(
            f"{API}/{doc['id']}/comments", json={"body": "   "}, headers=login(world.member)
        ).status_code
        == 422
    )
