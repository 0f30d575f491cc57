"""Documents state with fake HTTP and storage: search without tone marks, read marks offline, study topics."""

from __future__ import annotations

from client.state.documents import DocumentsState


async def test_documents_filter_and_search_without_marks(made):
    app, _ = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    docs = [
        {
            "id": 1,
            "title": "Nghị quyết về tổ chức cơ sở đảng",
            "doc_type": "resolution",
            "number": "21-NQ/TW",
            "issued_on": "2022-06-16",
            "category": "documents",
            "status": "published",
        },
        {
            "id": 2,
            "title": "Quy định về kiểm tra, giám sát",
            "doc_type": "regulation",
            "number": "96-QĐ/TW",
            "issued_on": "2023-02-02",
            "category": "documents",
            "status": "published",
            "read_at": "2026-01-01",
        },
        {
            "id": 3,
            "title": "Chuyên đề học tập 2026",
            "doc_type": "plan",
            "category": "study",
            "status": "published",
        },
        {
            "id": 4,
            "title": "Nghị quyết đã thu hồi",
            "doc_type": "resolution",
            "category": "documents",
            "status": "withdrawn",
        },
    ]
    for d in docs:
        app.store.put("document", d["id"], d)
    state = DocumentsState(app)
    assert [d["id"] for d in state.results()] == [2, 1]  # newest first; study and withdrawn are elsewhere
    state.query = "nghi quyet co so"
    assert [d["id"] for d in state.results()] == [1]
    state.query, state.doc_type = "", "regulation"
    assert [d["id"] for d in state.results()] == [2]
    state.doc_type, state.year = None, 2022
    assert [d["id"] for d in state.results()] == [1]
    assert state.years_present() == [2023, 2022]
    assert [d["id"] for d in state.unread()][:1] == [1]
    assert [d["id"] for d in DocumentsState(app, "study").results()] == [3]


async def test_opening_a_document_offline_queues_the_read_mark(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, {"id": 1, "title": "Nghị quyết 21", "status": "published"})
    apis[-1].offline = True
    doc = await DocumentsState(app).open(1)
    assert doc["title"] == "Nghị quyết 21" and doc["read_at"]
    assert [(i.kind, i.payload) for i in app.store.outbox("pending")] == [
        ("document.read", {"document_id": 1, "studied": False})
    ]


def test_study_materials_are_grouped_by_topic():
    items = [
        {"id": 1, "topic": "Học tập và làm theo Bác"},
        {"id": 2},
        {"id": 3, "topic": "Chuyển đổi số"},
        {"id": 4, "topic": "Học tập và làm theo Bác"},
    ]
    groups = DocumentsState.by_topic(items)
    assert [(t, [d["id"] for d in ds]) for t, ds in groups] == [
        ("Chuyển đổi số", [3]),
        ("Học tập và làm theo Bác", [1, 4]),
        ("Tài liệu chung", [2]),
    ]
