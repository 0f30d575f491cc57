"""Unauthenticated health check and server facts the client shows before sign-in."""

from fastapi import APIRouter, Request

router = APIRouter(tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/info")
def info(request: Request) -> dict[str, object]:
    settings = request.app.state.settings
    return {"name": "Sổ tay đảng viên", "api_version": 1, "demo": settings.demo,
            "timezone": settings.timezone, "offline_max_days": settings.offline_max_days}
