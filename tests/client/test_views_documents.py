"""The documents view on a fake page."""

from __future__ import annotations

import flet as ft

from client.views import documents
from tests.client.pages import by_id, make, walk


async def test_documents_view_filters_as_the_member_types(tmp_path):
    app, router, page = make(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put(
        "document",
        1,
        {
            "id": 1,
            "title": "Nghị quyết về tổ chức cơ sở đảng",
            "doc_type": "resolution",
            "status": "published",
            "category": "documents",
        },
    )
    app.store.put(
        "document",
        2,
        {
            "id": 2,
            "title": "Chỉ thị về kiểm tra",
            "doc_type": "directive",
            "status": "published",
            "category": "documents",
        },
    )
    screen = documents.documents_list(router.ctx)
    ids = [
        c.identifier
        for c in walk(screen.body)
        if isinstance(c, ft.Semantics) and (c.identifier or "").startswith("document-")
    ]
    assert ids == ["document-1", "document-2"] or sorted(ids) == ["document-1", "document-2"]
    search = by_id(screen.body, "doc-search")
    search.value = "to chuc co so"
    search.on_change(None)
    ids = [
        c.identifier
        for c in walk(screen.body)
        if isinstance(c, ft.Semantics) and (c.identifier or "").startswith("document-")
    ]
    assert ids == ["document-1"]
    search.value = "khong co van ban nay"
    search.on_change(None)
    assert by_id(screen.body, "empty") is not None
