"""The FastAPI application factory: settings, database, routers, error handling, lifespan."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from server.config import Settings, get_settings
from server.db import Database
from server.deps import sqlite_write_gate
from server.errors import install_error_handlers
from server.kit import collector
from server.kit.arrival import RequestArrival
from server.kit.compress import compression
from server.kit.headers import SecurityHeaders
from server.kit.limits import BodyLimit, Rule, size_text
from server.lifespan import install as install_lifespan
from server.meetings.checkin_batch import CheckinFastPath
from server.openapi import document_error_responses
from server.sync.idle import IdlePoll
from server.sync.stream import EventStream
from server.wiring import install_sync, routers

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

# Hooks other domains add to run at start-up/shut-down (scheduler, push bus).
LifespanHook = Callable[[FastAPI], object]


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or get_settings()
    settings.ensure_data_dir()
    settings.resolved_secret()  # generate and keep the key before the first request needs it
    if migrate:
        from server.migrate import upgrade  # alembic loads only in the process that migrates (not workers)

        upgrade(settings)
    db = Database(settings, background_checkpoint=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if db.checkpointer is not None:
            db.checkpointer.start()
        for start in app.state.on_start:
            await start(app)
        try:
            yield
        finally:
            for stop in reversed(app.state.on_stop):
                await stop(app)
            db.dispose()

    app = FastAPI(
        title="Sổ tay đảng viên API",
        version="1",
        description="API đồng bộ của Sổ tay đảng viên điện tử. Mọi lỗi trả về {code, message}.",
        lifespan=lifespan,
        # Off in production: the route table is a map for an attacker; `--demo` and development turn it on.
        openapi_url="/openapi.json" if settings.api_docs else None,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.on_start = []
    app.state.on_stop = []
    install_lifespan(app)
    install_sync()
    install_error_handlers(app)
    for router in routers():
        app.include_router(router, prefix=API_PREFIX)
    document_error_responses(app)
    # Inside the idle poll (its answers are a few hundred bytes) and the headers: large JSON goes gzipped.
    _wrap_outermost(app, compression)
    # An up-to-date device's poll is answered before routing (server/sync/idle.py).
    def idle_poll(inner: ASGIApp) -> ASGIApp:
        poll = IdlePoll(inner, path=f"{API_PREFIX}/sync", engine=db.engine, secret=settings.resolved_secret(),
                        demo=settings.demo)

        async def close(_app: FastAPI) -> None:
            await poll.close()

        app.state.on_stop.append(close)
        return poll

    _wrap_outermost(app, idle_poll)
    # The live event stream of every device, one coroutine each (server/sync/stream.py).
    _wrap_outermost(app, lambda inner: EventStream(inner, path=f"{API_PREFIX}/events", state=app.state))
    # A meeting evening's online check-ins, batched into few write transactions (group commit).
    _wrap_outermost(app, lambda inner: CheckinFastPath(
        inner, prefix=API_PREFIX, db=db, secret=settings.resolved_secret(), demo=settings.demo,
        gate=lambda: sqlite_write_gate(app.state)))
    # Body limits inside CORS and the security headers, so a 413 carries their headers too (without
    # CORS headers a browser hides the 413 from the page, which then sees only a network error).
    _wrap_outermost(app, lambda inner: BodyLimit(inner, default=lambda: settings.json_max_bytes,
                                                 rules=body_limit_rules(settings)))
    if settings.cors_origins:
        origins = settings.cors_origins
        _wrap_outermost(app, lambda inner: CORSMiddleware(
            inner, allow_origins=origins, allow_credentials=False, allow_methods=["*"], allow_headers=["*"],
            expose_headers=["ETag", "Retry-After", "Content-Range"]))
    _wrap_outermost(app, lambda inner: SecurityHeaders(inner, hsts=settings.hsts))
    _wrap_outermost(app, RequestArrival)
    return app


def worker_app() -> FastAPI:
    """One worker of `serve --workers N`: the schema was upgraded once by the parent process."""
    app = create_app(get_settings(), migrate=False)
    collector.install(app)
    return app


# Room for the multipart framing and small form fields around an uploaded file.
MULTIPART_OVERHEAD = 64 * 1024


def body_limit_rules(settings: Settings) -> list[Rule]:
    """Routes whose bodies may be larger than a plain JSON request (settings read per request)."""

    def file_message(limit: int) -> str:
        return f"Tệp vượt quá giới hạn {size_text(limit - MULTIPART_OVERHEAD)}."

    def upload() -> int:
        return settings.upload_max_bytes + MULTIPART_OVERHEAD

    def member_file() -> int:
        return settings.import_max_bytes + MULTIPART_OVERHEAD

    def text() -> int:
        return settings.text_max_bytes

    # Files keep the code their routes answer for a file over the limit.
    too_large = "file_too_large"
    return [
        Rule("POST", f"{API_PREFIX}/documents/{{id}}/attachments", upload, too_large, file_message),
        Rule("POST", f"{API_PREFIX}/members/import", member_file, too_large, file_message),
        Rule("POST", f"{API_PREFIX}/sync/push", lambda: settings.push_max_bytes),
        Rule("POST", f"{API_PREFIX}/documents", text),
        Rule("PATCH", f"{API_PREFIX}/documents/{{id}}", text),
        Rule("POST", f"{API_PREFIX}/meetings", text),
        Rule("PATCH", f"{API_PREFIX}/meetings/{{id}}", text),
        Rule("PUT", f"{API_PREFIX}/meetings/{{id}}/minutes", text),
    ]


def _wrap_outermost(app: FastAPI, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
    """Put `wrap` outside Starlette's own error middleware, so even a 500 carries its headers."""
    build = app.build_middleware_stack

    def build_wrapped() -> ASGIApp:
        return wrap(build())

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]
