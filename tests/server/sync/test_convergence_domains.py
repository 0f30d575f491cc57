"""Property: with documents and meetings too, a device following the feed ends with the server's view."""

from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.auth.principal import build
from server.documents import reads
from server.documents import service as documents
from server.meetings import service as meetings
from server.members import service as members
from server.orgs import service as orgs
from server.records.changelog import record_change
from server.timeutil import utcnow
from shared.schemas.documents import DocStatus, DocumentCreate, DocumentUpdate
from shared.schemas.meetings import MeetingCreate
from shared.schemas.members import TransferRequest
from tests.server.sync.helpers import Device, fresh_view
from tests.server.sync.test_convergence import Tree

ops = st.one_of(
    st.tuples(st.just("pull"), st.sampled_from([1, 3, 50])),
    st.tuples(st.just("publish"), st.integers(0, 8)),
    st.tuples(st.just("audience"), st.integers(0, 20), st.integers(0, 8)),
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
    st.tuples(st.just("retitle"), st.integers(0, 20)),
    st.tuples(st.just("meeting"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("transfer"), st.integers(0, 3)),
    st.tuples(st.just("rename"), st.integers(0, 8)),
    st.tuples(st.just("read"), st.integers(0, 20)),
    st.tuples(st.just("bookmark"), st.integers(0, 20), st.booleans()),
)


def apply(db, tree: Tree, device: Device, op: tuple, docs: list[int], meets: list[int]) -> None:
    admin = build(db, tree.admin.user, None, None)
    kind = op[0]
    if kind == "pull":
        device.limit = op[1]
        device.pull()
        return
    try:
        if kind == "publish":
            out = documents.create(db, admin, DocumentCreate(
                title=f"Văn bản {len(docs)}", doc_type="notice", category="documents",
                audience_org_ids=[tree.all[op[1]].id], body="Nội dung"))
            docs.append(out.id)
        elif kind == "audience" and docs:
            documents.update(db, admin, docs[op[1] % len(docs)],
                             DocumentUpdate(audience_org_ids=[tree.all[op[2]].id]))
        elif kind == "withdraw" and docs:
            documents.update(db, admin, docs[op[1] % len(docs)], DocumentUpdate(status=DocStatus.withdrawn))
        elif kind == "retitle" and docs:
            documents.update(db, admin, docs[op[1] % len(docs)], DocumentUpdate(title=f"Sửa {op[1]}"))
        elif kind == "meeting":
            m = meetings.create(db, admin, MeetingCreate(
                title="Sinh hoạt chi bộ", kind="regular", starts_at=utcnow() + timedelta(days=2),
                org_id=tree.cells[op[1]].id, status="scheduled" if op[2] else "draft"))
            meets.append(m.id)
        elif kind == "cancel" and meets:
            meetings.cancel(db, admin, meets[op[1] % len(meets)], "Lý do")
        elif kind == "rename":
            org = tree.all[op[1]]
            orgs.update(db, org, {"name": f"Tên mới {op[1]} {len(docs)} {len(meets)}"})
            record_change(db, "organization", org.id, org_ids=[org.id])
        elif kind in ("read", "bookmark") and docs:
            me = build(db, tree.person.user, None, None)
            doc_id = docs[op[1] % len(docs)]
            if kind == "read":
                reads.mark_read(db, me, doc_id)
            else:
                reads.set_bookmark(db, me, doc_id, op[2])
        elif kind == "transfer":
            member = db.get(type(tree.person.member), tree.person.member.id)
            if member.org_id != tree.cells[op[1]].id:
                members.transfer(db, admin, member.id, TransferRequest(to_org_id=tree.cells[op[1]].id))
        db.commit()
    except Exception as exc:  # a refused transition (e.g. cancelling twice) is part of the game
        from server.errors import DomainError

        db.rollback()
        if not isinstance(exc, DomainError):
            raise


@example(sequence=[("publish", 0), ("pull", 50), ("withdraw", 0)])
@example(sequence=[("publish", 1), ("pull", 3), ("audience", 0, 8), ("retitle", 0)])
@example(sequence=[("meeting", 0, True), ("pull", 1), ("transfer", 3), ("cancel", 0), ("publish", 2)])
@example(sequence=[("publish", 0), ("pull", 50), ("read", 0), ("bookmark", 0, True), ("pull", 1),
                   ("audience", 0, 8), ("bookmark", 0, False)])
@example(sequence=[("meeting", 0, True), ("publish", 3), ("pull", 50), ("rename", 3), ("rename", 5)])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(ops, min_size=1, max_size=25))
def test_device_converges_with_documents_and_meetings(client, login, db, sequence):
    tree = Tree(db)
    headers = login(tree.person)
    device = Device(client, headers, limit=3)
    device.pull()
    docs: list[int] = []
    meets: list[int] = []
    for op in sequence:
        apply(db, tree, device, op, docs, meets)
    device.limit = 5
    device.pull()
    assert device.store == fresh_view(client, headers)
