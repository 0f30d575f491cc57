"""Typed calls of the study-check routes staff use to set up a check (/study/checks), over `Api`'s generic
request helpers, as client/review_api.py does for the self-reviews."""

from __future__ import annotations

from typing import Any

from client.api import Api
from shared.schemas.documents import DocumentSummary
from shared.schemas.study import StudyCheckCreate, StudyCheckPublic, StudyCheckUpdate


async def create_check(api: Api, body: StudyCheckCreate) -> StudyCheckPublic:
    return StudyCheckPublic.model_validate(await api.post_json("/study/checks", body.model_dump(mode="json")))


async def update_check(api: Api, check_id: int, body: StudyCheckUpdate) -> StudyCheckPublic:
    """PATCH: only the fields set on `body` change (before the opening anything; after it the title and a
    later close, else 409 `quiz_opened`)."""
    resp = await api.request(
        "PATCH", f"/study/checks/{check_id}", json=body.model_dump(mode="json", exclude_unset=True)
    )
    return StudyCheckPublic.model_validate(resp.json())


async def delete_check(api: Api, check_id: int) -> None:
    """DELETE: only before the opening (after it 409 `quiz_opened`)."""
    await api.request("DELETE", f"/study/checks/{check_id}")


async def get_check(api: Api, check_id: int) -> StudyCheckPublic:
    return await api.get_model(f"/study/checks/{check_id}", StudyCheckPublic)


async def study_documents(api: Api, limit: int = 100) -> list[DocumentSummary]:
    """The published resolutions and study materials the caller sees (what a check may be written on), the
    newest first."""
    found: dict[int, DocumentSummary] = {}
    for params in ({"doc_type": "resolution"}, {"category": "study"}):
        query: dict[str, Any] = {"status": "published", "limit": limit, **params}
        for doc in await api.get_list("/documents", DocumentSummary, params=query):
            found[doc.id] = doc
    return sorted(found.values(), key=lambda d: (str(d.published_at or ""), d.id), reverse=True)
