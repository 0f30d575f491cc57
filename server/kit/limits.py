"""Request body limits, enforced before and while reading: a pure ASGI middleware, never buffering."""

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # settings are read once, at wiring; the kit imports nothing of the app at run time
    from server.config import Settings

log = logging.getLogger(__name__)

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    code: str = "payload_too_large"
    what: str = "Dữ liệu gửi lên"
    shown_bytes: int | None = None  # the limit as people know it (a file's size, without the form around it)

    def message(self) -> str:
        size = self.shown_bytes or self.max_bytes
        shown = f"{size / MiB:.0f} MB" if size >= MiB else f"{max(1, size // 1024)} KB"
        return f"{self.what} vượt quá giới hạn {shown}."


@dataclass(frozen=True)
class BodyLimits:
    """Which limit a request gets, by method and path: small by default, configured for files."""

    json: Limit
    anonymous: Limit
    push: Limit
    upload: Limit
    import_: Limit
    prefix: str = "/api/v1"

    def for_request(self, method: str, path: str) -> Limit:
        if path.startswith(self.prefix):
            path = path[len(self.prefix):]
        if method == "POST":
            if _UPLOAD.fullmatch(path):
                return self.upload
            if path == "/members/import":
                return self.import_
            if path == "/sync/push":
                return self.push
        if path.startswith("/auth/") and path != "/auth/password":
            return self.anonymous  # sign-in and refresh: open to anyone, their bodies are a few hundred bytes
        return self.json


_UPLOAD = re.compile(r"/documents/[^/]+/attachments")
_BAD_LENGTH = "Độ dài nội dung (Content-Length) không hợp lệ."
# Multipart framing around an uploaded file: boundaries, part headers, a long file name.
FORM_OVERHEAD = 64 * 1024
ANONYMOUS_MAX = 16 * 1024


def from_settings(settings: "Settings") -> BodyLimits:
    return BodyLimits(
        json=Limit(settings.json_max_bytes),
        anonymous=Limit(ANONYMOUS_MAX),
        push=Limit(settings.push_max_bytes),
        upload=Limit(settings.upload_max_bytes + FORM_OVERHEAD, "file_too_large", "Tệp",
                     shown_bytes=settings.upload_max_bytes),
        import_=Limit(settings.import_max_bytes + FORM_OVERHEAD, "file_too_large", "Tệp nhập",
                      shown_bytes=settings.import_max_bytes),
    )


def _error(status: int, code: str, message: str) -> tuple[Message, Message]:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            # The rest of the body is not read: the connection cannot carry another request.
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body, "more_body": False}


class BodyLimit:
    """413 at once from a declared Content-Length; while streaming, 413 as soon as the count passes it."""

    def __init__(self, app: ASGIApp, limits: Callable[[str, str], Limit]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits(scope["method"], scope["path"])
        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        if declared:
            raw = declared[0].strip()
            if len(declared) > 1 or not raw.isdigit() or len(raw) > 19:
                for message in _error(400, "bad_content_length", _BAD_LENGTH):
                    await send(message)
                return
            if int(raw) > limit.max_bytes:
                log.info("refused %s %s: declared %s bytes > %s", scope["method"], scope["path"],
                         raw.decode(), limit.max_bytes)
                for message in _error(413, limit.code, limit.message()):
                    await send(message)
                return

        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    refused = True
                    log.info("refused %s %s: body passed %s bytes while streaming", scope["method"],
                             scope["path"], limit.max_bytes)
                    if not started:
                        for reply in _error(413, limit.code, limit.message()):
                            await send(reply)
                    # The app sees the client gone: it stops reading and its own answer is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            # What the app raised on finding the body cut off: the client already has its 413.
