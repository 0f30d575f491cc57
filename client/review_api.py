"""Typed calls of the year-end self-review routes (docs/protocol.md, section 10), over `Api`'s generic request
helpers: `client/api.py` stays one module for the rest, this one for `/year/reviews...`."""

from __future__ import annotations

from typing import Any

from client.api import Api
from shared.schemas.review import (
    ReviewConfirmation,
    ReviewExemption,
    ReviewPage,
    ReviewProposal,
    ReviewPublic,
    ReviewSummary,
    ReviewUpdate,
)


def _json(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json")


async def my_review(api: Api, year: int) -> ReviewPublic:
    """The member's own review of `year` with the year's facts (`id: None` when nothing is written yet)."""
    return await api.get_model(f"/year/reviews/mine/{year}", ReviewPublic)


async def save_my_review(api: Api, year: int, body: ReviewUpdate) -> ReviewPublic:
    resp = await api.request("PUT", f"/year/reviews/mine/{year}", json=_json(body))
    return ReviewPublic.model_validate(resp.json())


async def list_reviews(api: Api, year: int, org_id: int | None = None, status: str | None = None,
                       limit: int = 200) -> ReviewPage:
    params: dict[str, Any] = {"year": year, "limit": limit}
    if org_id is not None:
        params["org_id"] = org_id
    if status:
        params["status"] = status
    return await api.get_model("/year/reviews", ReviewPage, params=params)


async def get_review(api: Api, review_id: int) -> ReviewPublic:
    return await api.get_model(f"/year/reviews/{review_id}", ReviewPublic)


async def propose(api: Api, review_id: int, body: ReviewProposal) -> ReviewPublic:
    resp = await api.request("PUT", f"/year/reviews/{review_id}/proposal", json=_json(body))
    return ReviewPublic.model_validate(resp.json())


async def confirm(api: Api, review_id: int, body: ReviewConfirmation) -> ReviewPublic:
    resp = await api.request("PUT", f"/year/reviews/{review_id}/confirmation", json=_json(body))
    return ReviewPublic.model_validate(resp.json())


async def set_exemption(api: Api, body: ReviewExemption) -> ReviewPublic:
    resp = await api.request("PUT", "/year/reviews/exemption", json=_json(body))
    return ReviewPublic.model_validate(resp.json())


async def summary(api: Api, org_id: int, year: int) -> ReviewSummary:
    return await api.get_model(f"/year/orgs/{org_id}/reviews/summary", ReviewSummary, params={"year": year})


async def export(api: Api, org_id: int, year: int, fmt: str = "xlsx") -> tuple[str, bytes]:
    """The committee's list (XLSX by default): (file name, bytes)."""
    params = {"year": year, "format": fmt}
    resp = await api.request("GET", f"/year/orgs/{org_id}/reviews/export", params=params)
    default = f"xep-loai-dang-vien-{year}-to-chuc-{org_id}.{fmt}"
    disposition = resp.headers.get("content-disposition", "")
    name = ""
    if "filename=" in disposition:
        name = disposition.split("filename=", 1)[1].split(";")[0].strip('" ')
    return name or default, resp.content
