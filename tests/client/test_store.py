"""The offline store: entities, search without tone marks, cursor with the page, outbox, wipe."""

from client.store import Change, SqliteStore, open_user_store, user_store_dir


def test_apply_upserts_deletes_and_moves_cursor_together(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    store.apply(
        [
            Change("document", "upsert", "1", 1, {"id": 1, "title": "Nghị quyết 21-NQ/TW"}),
            Change("document", "upsert", "2", 2, {"id": 2, "title": "Chỉ thị 35"}),
        ],
        "c2",
    )
    store.apply(
        [
            Change("document", "delete", "1", 3, None),
            Change("document", "upsert", "2", 4, {"id": 2, "title": "Chỉ thị 35-CT/TW"}),
        ],
        "c4",
    )
    assert store.cursor == "c4"
    assert store.get("document", 1) is None
    assert [d["title"] for d in store.all("document")] == ["Chỉ thị 35-CT/TW"]


def test_search_finds_text_typed_without_tone_marks(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    store.put(
        "document", 1, {"id": 1, "title": "Nghị quyết về tăng cường củng cố Đảng", "number": "21-NQ/TW"}
    )
    store.put("document", 2, {"id": 2, "title": "Quy định về kiểm tra", "number": "96-QĐ/TW"})
    assert [d["id"] for d in store.search("document", "nghi quyet")] == [1]
    assert [d["id"] for d in store.search("document", "cung co dang")] == [1]
    assert [d["id"] for d in store.search("document", "96-qd")] == [2]
    assert store.search("document", "100%_'\"") == []  # LIKE syntax is plain text here


def test_outbox_keeps_order_and_status(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    a = store.enqueue("check_in", {"meeting_id": 1, "code": "123456"})
    b = store.enqueue("read", {"document_id": 7})
    store.enqueue("read", {"document_id": 7}, client_id=b.client_id)  # same id twice: one entry
    assert [i.client_id for i in store.outbox()] == [a.client_id, b.client_id]
    store.outbox_failed(a.client_id, "wrong_code", "Mã không đúng.")
    assert [i.client_id for i in store.outbox("pending")] == [b.client_id]
    assert store.outbox("failed")[0].error_message == "Mã không đúng."
    store.outbox_done(b.client_id)
    assert store.outbox("pending") == []


def test_each_user_has_own_store_and_wipe_removes_it(tmp_path):
    one = open_user_store(tmp_path, "http://127.0.0.1:8080", 1)
    two = open_user_store(tmp_path, "http://127.0.0.1:8080", 2)
    one.put("document", 1, {"id": 1, "title": "Riêng"})
    assert two.get("document", 1) is None
    (one.files_dir).mkdir(parents=True)
    (one.files_dir / "a.pdf").write_bytes(b"%PDF")
    one.wipe()
    assert not user_store_dir(tmp_path, "http://127.0.0.1:8080", 1).exists()
    assert user_store_dir(tmp_path, "http://127.0.0.1:8080", 2).exists()
    reopened = open_user_store(tmp_path, "http://127.0.0.1:8080", 1)
    assert reopened.get("document", 1) is None and reopened.outbox() == []
