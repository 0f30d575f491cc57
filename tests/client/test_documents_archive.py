"""The archive online (kho văn bản): the device holds the recent and relevant documents (the server's
horizon); a search that finds little on the device asks the server, whose older results are marked as not
saved on the device and fetched when opened; offline, a sentence says older documents need the network."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from client.api import ApiError
from client.state.documents import FEW_LOCAL, MORE_LABEL, NOT_SAVED, OFFLINE_OLDER, DocumentsState
from client.views import documents
from tests.client.pages import by_id, make, walk

RECENT = {"id": 1, "title": "Nghị quyết về công tác cán bộ năm 2026", "doc_type": "resolution",
          "issued_on": "2026-11-02", "category": "documents", "status": "published"}
OLD = {"id": 9, "title": "Nghị quyết về công tác cán bộ năm 2019", "doc_type": "resolution",
       "issued_on": "2019-05-10", "category": "documents", "status": "published"}
OLD_WITHDRAWN = {"id": 10, "title": "Nghị quyết về công tác cán bộ đã thu hồi", "doc_type": "resolution",
                 "category": "documents", "status": "withdrawn"}


def _archive(api: Any) -> None:
    api.answers["/documents"] = {"items": [RECENT, OLD, OLD_WITHDRAWN], "total": 3}
    api.answers["/documents/9"] = {**OLD, "body": "Toàn văn nghị quyết 2019", "attachments": []}


async def test_little_on_the_device_asks_the_archive_and_opening_fetches(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, RECENT)
    _archive(apis[-1])
    state = DocumentsState(app)
    state.query = "cong tac can bo"
    assert [d["id"] for d in state.results()] == [1]
    assert FEW_LOCAL > 1 and state.wants_online()
    await state.search_online(asked=False)
    path, params = apis[-1].got[-1]
    assert path == "/documents" and params["q"] == "cong tac can bo" and params["category"] == "documents"
    # What the device holds is not listed twice; a withdrawn one is not listed at all.
    assert [(d["id"], d["saved"]) for d in state.online] == [(9, False)]
    assert not state.wants_online()  # asked once for this query
    state.query = "cong tac can bo nam 2026"
    state.forget_online()
    assert state.online == [] and state.online_query is None

    opened = await state.open(9)
    assert opened is not None and opened["body"] == "Toàn văn nghị quyết 2019"
    assert app.store.get("document", 9)["title"] == OLD["title"]  # now on the device


async def test_enough_on_the_device_does_not_ask_until_the_member_does(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    for i in range(FEW_LOCAL):
        app.store.put("document", 100 + i, {**RECENT, "id": 100 + i})
    _archive(apis[-1])
    state = DocumentsState(app)
    state.query = "can bo"
    assert not state.wants_online()
    await state.search_online()  # "Tìm thêm trong kho văn bản (cần mạng)"
    assert [d["id"] for d in state.online] == [1, 9]


async def test_offline_the_archive_says_older_documents_need_the_network(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, RECENT)
    apis[-1].offline = True
    state = DocumentsState(app)
    state.query = "nghi quyet 2019"
    await state.search_online(asked=True)
    assert state.online == [] and state.online_message == OFFLINE_OLDER
    assert "cần có mạng" in OFFLINE_OLDER and not app.online
    asked = len(apis[-1].got)
    state.query = "nghi quyet 2018"
    await state.search_online(asked=False)  # the automatic fallback does not wait on a network known down
    assert len(apis[-1].got) == asked and state.online_message == OFFLINE_OLDER


async def test_the_servers_refusal_is_shown_in_its_words(made):
    app, apis = made()
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    apis[-1].answers["/documents"] = ApiError(422, "validation_error", "Từ khóa quá dài.")
    state = DocumentsState(app)
    state.query = "x"
    await state.search_online()
    assert state.online_message == "Từ khóa quá dài."


def _rows(screen: Any) -> list[str]:
    return [c.identifier for c in walk(screen.body)
            if isinstance(c, ft.Semantics) and (c.identifier or "").startswith("document-")]


def _texts(root: Any) -> list[str]:
    return [str(c.value) for c in walk(root) if isinstance(c, ft.Text)]


async def test_documents_view_searches_the_archive_then_says_offline(tmp_path):
    app, router, page = make(tmp_path)
    await app.sign_in("", "dangvien.a", "dung-mat-khau")
    app.store.put("document", 1, RECENT)
    api: Any = app.api
    _archive(api)
    screen = documents.documents_list(router.ctx)
    search = by_id(screen.body, "doc-search")
    search.value = "cong tac can bo"
    search.on_submit(None)  # found one on the device: the archive is asked at once
    await asyncio.gather(*page.tasks)
    assert _rows(screen) == ["document-1", "document-9"]
    assert NOT_SAVED in _texts(screen.body)
    assert "Trong kho văn bản (chưa lưu trên máy)" in _texts(screen.body)

    # Another query, offline: the member asks; the screen says older documents need the network.
    api.offline = True
    search.value = "nghi quyet 2018"
    search.on_change(None)
    more = by_id(screen.body, "doc-search-more")
    assert MORE_LABEL in (str(getattr(more, "content", "")), str(getattr(more, "text", "")))
    more.on_click(None)
    await asyncio.gather(*page.tasks)
    assert by_id(screen.body, "doc-online-note").value == OFFLINE_OLDER

    # Opening an archive result offline: not on the device, and the same sentence says why.
    detail = documents.document_detail(router.ctx, "9")
    assert by_id(detail.body, "doc-offline-older").value == OFFLINE_OLDER
