"""The documents' horizon: a fresh device gets the recent and the still relevant documents of its audience,
older ones reach it through the delta when they become relevant, and nothing leaves it for ageing out.

The clock is moved (tests/clock.py) to the instants where month and year arithmetic breaks; documents are
written straight into the database with the publication dates the test needs.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlmodel import Session

from server.documents import search
from server.documents.models import Attachment, Bookmark, Document, DocumentAudience, FileBlob, ReadMark
from server.documents.sync import horizon_start
from server.meetings.models import AgendaItem
from server.records.orgs import Organization
from server.timeutil import utcnow
from shared.timefmt import VN_TZ
from tests.clock import INSTANTS
from tests.factories import World
from tests.server.meetings.factories import make_meeting
from tests.server.sync.helpers import Device, fresh_view


@pytest.mark.parametrize(("now", "months", "start"), [
    # 23:59 on 31 December in Vietnam is 16:59 UTC: the local day counts, not the UTC one.
    (INSTANTS["new-year-eve-2359"], 12, datetime(2025, 12, 31, tzinfo=VN_TZ)),
    (INSTANTS["new-year-0001"], 12, datetime(2026, 1, 1, tzinfo=VN_TZ)),
    (INSTANTS["last-day-of-month"], 12, datetime(2026, 2, 28, tzinfo=VN_TZ)),
    (INSTANTS["quarter-turn-2359"], 1, datetime(2027, 2, 28, tzinfo=VN_TZ)),  # 31 March -> 28 February
    (datetime(2028, 3, 31, 8, 0, tzinfo=VN_TZ), 1, datetime(2028, 2, 29, tzinfo=VN_TZ)),  # leap year
    (INSTANTS["first-of-month"], 36, datetime(2023, 12, 1, tzinfo=VN_TZ)),
])
def test_horizon_start_counts_local_calendar_months(now: datetime, months: int, start: datetime) -> None:
    assert horizon_start(now, months) == start.astimezone(UTC)
    assert horizon_start(now.astimezone(UTC), months) == start.astimezone(UTC)


def _doc(db: Session, title: str, orgs: list[Organization], published_at: datetime, **extra: Any) -> int:
    fields: dict[str, Any] = {"status": "published", "published_at": published_at, **extra}
    if fields["status"] == "draft":
        fields["published_at"] = None
    fields.setdefault("category", "documents")
    doc = Document(title=title, doc_type="resolution", created_at=published_at,
                   updated_at=published_at, year=published_at.year, **fields)
    db.add(doc)
    db.flush()
    assert doc.id is not None
    for org in orgs:
        db.add(DocumentAudience(document_id=doc.id, org_id=org.id))
    search.index_document(db, doc)
    db.flush()
    return doc.id


def _attach(db: Session, document_id: int) -> int:
    sha = f"{document_id:064x}"
    if db.get(FileBlob, sha) is None:
        db.add(FileBlob(sha256=sha, size=10, content_type="application/pdf"))
        db.flush()
    att = Attachment(document_id=document_id, sha256=sha, filename=f"tai-lieu-{document_id}.pdf")
    db.add(att)
    db.flush()
    assert att.id is not None
    return att.id


@pytest.fixture(params=["new-year-eve-2359", "last-day-of-month"])
def clock(request: pytest.FixtureRequest) -> Iterator[datetime]:
    with time_machine.travel(INSTANTS[request.param], tick=True):
        yield INSTANTS[request.param]


def test_snapshot_holds_recent_and_relevant_documents_only(client, db, world: World, login, clock) -> None:
    now = utcnow()
    start = horizon_start(now, 12)
    old = start - timedelta(days=40)
    today = now.astimezone(VN_TZ).date()
    path = [world.province, world.district, world.grassroots, world.cell]
    ids = {
        # in
        "recent": _doc(db, "Nghị quyết mới", [world.province], start + timedelta(minutes=1)),
        "study_today": _doc(db, "Tài liệu học tập hạn hôm nay", [world.district], old, study_due_on=today),
        "bookmarked": _doc(db, "Văn bản cũ đã đánh dấu", [world.province], old),
        "agenda": _doc(db, "Văn bản cũ trong chương trình họp", [world.grassroots], old),
        "open_draft": _doc(db, "Dự thảo đang lấy ý kiến", [world.district], old, status="draft",
                           comments_until=now + timedelta(days=5)),
        "unread_cell": _doc(db, "Công văn của chi bộ chưa đọc", [world.cell], start - timedelta(days=700)),
        # out
        "just_before": _doc(db, "Nghị quyết cũ một phút", [world.province], start - timedelta(minutes=1)),
        "study_yesterday": _doc(db, "Tài liệu học tập hết hạn hôm qua", [world.district], old,
                                study_due_on=today - timedelta(days=1)),
        "past_agenda": _doc(db, "Văn bản trong cuộc họp đã qua", [world.grassroots], old),
        "closed_draft": _doc(db, "Dự thảo đã hết hạn góp ý", [world.district], old, status="draft",
                             comments_until=now - timedelta(minutes=1)),
        "read_cell": _doc(db, "Công văn của chi bộ đã đọc", [world.cell], old),
        "unread_district": _doc(db, "Công văn của huyện chưa đọc", [world.district], old),
        "unread_cell_too_old": _doc(db, "Công văn rất cũ của chi bộ", [world.cell], horizon_start(now, 36)
                                    - timedelta(minutes=1)),
        # never: outside the audience, however relevant
        "other_recent": _doc(db, "Nghị quyết huyện B", [world.other_district], now - timedelta(days=1)),
        "other_study": _doc(db, "Học tập của chi bộ B", [world.other_cell], old, study_due_on=today),
        "other_bookmarked": _doc(db, "Văn bản huyện B", [world.other_district], old),
        "withdrawn_recent": _doc(db, "Văn bản đã thu hồi", path, now - timedelta(days=1), status="withdrawn",
                                 withdrawn_at=now),
    }
    attachments = {name: _attach(db, ids[name]) for name in ("recent", "bookmarked", "just_before")}
    member = world.member.user
    db.add(Bookmark(user_id=member.id, document_id=ids["bookmarked"]))
    db.add(Bookmark(user_id=member.id, document_id=ids["other_bookmarked"]))  # as if addressed before
    db.add(ReadMark(document_id=ids["read_cell"], user_id=member.id, member_id=world.member.member.id,
                    read_at=old))
    upcoming = make_meeting(db, world.cell, starts_at=now + timedelta(days=1))
    db.add(AgendaItem(meeting_id=upcoming.id, title="Quán triệt", document_ids=[ids["agenda"]]))
    past = make_meeting(db, world.cell, starts_at=now - timedelta(days=30), status="closed")
    db.add(AgendaItem(meeting_id=past.id, title="Cũ", document_ids=[ids["past_agenda"]]))
    other = make_meeting(db, world.other_cell, starts_at=now + timedelta(days=1))
    db.add(AgendaItem(meeting_id=other.id, title="Chi bộ B", document_ids=[ids["other_study"]]))
    db.commit()

    store = fresh_view(client, login(world.member))
    held = {i for (t, i) in store if t == "document"}
    want_in = {"recent", "study_today", "bookmarked", "agenda", "open_draft", "unread_cell"}
    assert held == {ids[n] for n in want_in}, {n for n, i in ids.items() if i in held} ^ want_in
    held_attachments = {i for (t, i) in store if t == "attachment"}
    assert held_attachments == {attachments["recent"], attachments["bookmarked"]}

    # The other cell's member: its own study document (also on its agenda) and district B's; nothing of A's.
    other = {i for (t, i) in fresh_view(client, login(world.other_member)) if t == "document"}
    assert other == {ids["recent"], ids["other_recent"], ids["other_study"]}

    # The older ones stay reachable online: the documents' own search finds them.
    headers = login(world.member)
    found = client.get("/api/v1/documents", params={"q": "cong van", "limit": 50}, headers=headers).json()
    titles = {d["title"] for d in found["items"]}
    assert {"Công văn của huyện chưa đọc", "Công văn rất cũ của chi bộ"} <= titles
    assert "Học tập của chi bộ B" not in titles
    opened = client.get(f"/api/v1/documents/{ids['just_before']}", headers=headers)
    assert opened.status_code == 200, opened.text


def test_horizon_follows_the_settings(client, db, world: World, login, app) -> None:
    """The same province with a 1-month horizon: a 40-day-old document stays online only."""
    now = utcnow()
    doc = _doc(db, "Nghị quyết 40 ngày", [world.province], now - timedelta(days=40))
    db.commit()
    headers = login(world.member)
    assert ("document", doc) in fresh_view(client, headers)
    app.state.settings.sync_document_months = 1
    assert ("document", doc) not in fresh_view(client, headers)


def test_old_document_arrives_in_delta_when_bookmarked_or_put_on_an_agenda(client, db, world: World,
                                                                            login, clock) -> None:
    now = utcnow()
    old = horizon_start(now, 12) - timedelta(days=100)
    bookmarked = _doc(db, "Chỉ thị cũ", [world.province], old)
    bookmarked_file = _attach(db, bookmarked)
    on_agenda = _doc(db, "Kết luận cũ", [world.grassroots], old)
    agenda_file = _attach(db, on_agenda)
    other_cells = _doc(db, "Kết luận cũ của chi bộ B", [world.other_cell], old)
    db.commit()

    phone = Device(client, login(world.member, "phone"))
    tablet = Device(client, login(world.member, "tablet"))
    outsider = Device(client, login(world.other_member))
    sibling = Device(client, login(world.sibling_member))
    for device in (phone, tablet, outsider, sibling):
        device.pull()
    assert not {bookmarked, on_agenda} & set(phone.of_type("document"))

    # Bookmarked on the tablet: the phone's next delta brings the document, its file and the bookmark.
    resp = client.put(f"/api/v1/documents/{bookmarked}/bookmark", headers=tablet.headers)
    assert resp.status_code == 204, resp.text
    phone.pull()
    assert bookmarked in phone.of_type("document")
    assert bookmarked_file in phone.of_type("attachment")
    assert bookmarked in phone.of_type("bookmark")

    # The secretary puts an old document on next week's agenda: the cell's devices get it, no one else.
    starts = (now + timedelta(days=7)).isoformat()
    body = {"title": "Sinh hoạt chuyên đề", "kind": "thematic", "starts_at": starts,
            "agenda": [{"title": "Ôn lại kết luận", "document_ids": [on_agenda]}]}
    resp = client.post("/api/v1/meetings", json=body, headers=login(world.secretary))
    assert resp.status_code == 201, resp.text
    # The other cell's secretary cannot attach a document of cell A's audience... nor A see B's.
    resp = client.post("/api/v1/meetings", headers=login(world.other_secretary), json={
        **body, "agenda": [{"title": "Chi bộ B", "document_ids": [other_cells]}]})
    assert resp.status_code == 201, resp.text
    for device in (phone, outsider, sibling):
        device.pull()
    assert on_agenda in phone.of_type("document") and agenda_file in phone.of_type("attachment")
    assert other_cells not in phone.of_type("document")
    assert on_agenda not in outsider.of_type("document") and other_cells in outsider.of_type("document")
    assert on_agenda not in sibling.of_type("document")  # same commune, not its meeting

    # Leaving the horizon deletes nothing: unbookmarked, the document stays on the phone until the store is
    # replaced by a fresh snapshot; the bookmark itself goes.
    resp = client.delete(f"/api/v1/documents/{bookmarked}/bookmark", headers=phone.headers)
    assert resp.status_code == 204, resp.text
    phone.pull()
    assert bookmarked in phone.of_type("document") and bookmarked not in phone.of_type("bookmark")
    fresh = fresh_view(client, phone.headers)
    assert ("document", bookmarked) not in fresh and ("document", on_agenda) in fresh
    assert set(fresh) <= set(phone.store)


def test_withdrawn_old_document_is_deleted_from_devices_that_hold_it(client, db, world: World, login) -> None:
    """Audience still rules deltas: an old document a device got through a bookmark is deleted when
    withdrawn."""
    now = utcnow()
    doc = _doc(db, "Quy định cũ", [world.district], now - timedelta(days=800))
    db.add(Bookmark(user_id=world.member.user.id, document_id=doc))
    db.commit()
    device = Device(client, login(world.member))
    device.pull()
    assert doc in device.of_type("document")
    resp = client.post(f"/api/v1/documents/{doc}/withdraw", headers=login(world.admin))
    assert resp.status_code == 200, resp.text
    device.pull()
    assert doc not in device.of_type("document")


def test_unread_bound_is_a_setting(client, db, world: World, login, app) -> None:
    now = utcnow()
    doc = _doc(db, "Công văn chi bộ hai năm trước", [world.cell], now - timedelta(days=730))
    db.commit()
    headers = login(world.member)
    assert ("document", doc) in fresh_view(client, headers)
    app.state.settings.sync_unread_months = 12
    assert ("document", doc) not in fresh_view(client, headers)


def test_old_document_given_a_study_date_arrives_in_the_delta(client, db, world: World, login) -> None:
    now = utcnow()
    doc = _doc(db, "Tài liệu học tập cũ", [world.district], now - timedelta(days=900), category="study")
    db.commit()
    device = Device(client, login(world.member))
    outsider = Device(client, login(world.other_member))
    device.pull()
    outsider.pull()
    assert doc not in device.of_type("document")
    due = (now + timedelta(days=20)).astimezone(VN_TZ).date().isoformat()
    resp = client.patch(f"/api/v1/documents/{doc}", json={"study_due_on": due}, headers=login(world.admin))
    assert resp.status_code == 200, resp.text
    device.pull()
    outsider.pull()
    assert device.of_type("document")[doc]["study_due_on"] == due
    assert doc not in outsider.of_type("document")
    assert ("document", doc) in fresh_view(client, device.headers)  # and a fresh device gets it too
