"""What documents write to the sync change log: scopes a device needs to add, update or drop a row."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.documents import service
from server.records.changelog import Change, ChangeScope
from tests.server.documents.factories import API, create_doc, pdf_bytes


def _changes(db, entity_type, entity_id):
    db.rollback()  # a fresh snapshot (SQLite keeps the one of the first read until the transaction ends)
    rows = db.execute(
        select(Change)
        .where(Change.entity_type == entity_type, Change.entity_id == entity_id)
        .order_by(Change.version)
    ).scalars()
    out = []
    for change in rows:
        scopes = db.execute(select(ChangeScope).where(ChangeScope.version == change.version)).scalars().all()
        out.append(
            (change.op, {s.org_id for s in scopes if s.org_id}, {s.user_id for s in scopes if s.user_id})
        )
    return out


def test_live_documents_reach_their_audience_and_drafts_only_their_author(client, world, login, db, app):
    staff = login(world.staff)
    draft = create_doc(client, staff, "Dự thảo", [world.cell.id], status="draft")
    assert _changes(db, "document", draft["id"]) == [("upsert", set(), {world.staff.user.id})]
    client.post(f"{API}/{draft['id']}/publish", headers=staff)
    assert _changes(db, "document", draft["id"])[-1] == ("upsert", {world.cell.id}, set())
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    sched = create_doc(client, staff, "Hẹn giờ", [world.grassroots.id], publish_at=later)
    assert _changes(db, "document", sched["id"])[-1][1] == set()
    with app.state.db.transaction() as session:
        service.publish_due(session, datetime.now(UTC) + timedelta(hours=2))
    assert _changes(db, "document", sched["id"])[-1] == ("upsert", {world.grassroots.id}, set())


def test_attachments_reads_and_bookmarks(client, world, login, db):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Có tệp", [world.cell.id])
    att = client.post(
        f"{API}/{doc['id']}/attachments",
        files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
        headers=staff,
    ).json()
    assert _changes(db, "attachment", att["id"]) == [("upsert", {world.cell.id}, set())]
    member = login(world.member)
    mark = client.post(f"{API}/{doc['id']}/read", headers=member)
    assert mark.status_code == 201
    db.rollback()
    reads = db.execute(select(Change).where(Change.entity_type == "read_mark")).scalars().all()
    assert len(reads) == 1
    scopes = db.execute(select(ChangeScope).where(ChangeScope.version == reads[0].version)).scalars().all()
    assert [(s.org_id, s.user_id) for s in scopes] == [(None, world.member.user.id)]
    client.put(f"{API}/{doc['id']}/bookmark", headers=member)
    client.delete(f"{API}/{doc['id']}/bookmark", headers=member)
    assert [c[0] for c in _changes(db, "bookmark", doc["id"])] == ["upsert", "delete"]
