"""Request body size limits, enforced by a pure ASGI middleware before the application reads a byte."""

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024


def size_text(limit: int) -> str:
    """'1 MB', '0,5 MB', '4 KB': the limit as a person reads it (Vietnamese decimal comma)."""
    if limit >= MIB // 10:
        return f"{round(limit / MIB, 1):g} MB".replace(".", ",")
    return f"{max(1, round(limit / 1024))} KB"


@dataclass(frozen=True)
class Rule:
    """Requests to `method` + `path` (a route template such as /documents/{id}/attachments) get `limit()`.

    `limit` is called per request so a setting changed at run time applies at once; `code` and `message`
    (given the limit) are what the 413 says.
    """

    method: str
    path: str
    limit: Callable[[], int]
    code: str = "payload_too_large"
    message: Callable[[int], str] | None = None

    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"\{[^}]+\}", self.path)
        return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")


def default_message(limit: int) -> str:
    return f"Dữ liệu gửi lên vượt quá giới hạn {size_text(limit)}."


def _json_answer(status: int, code: str, message: str) -> list[Message]:
    body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The rest of the body is never read: the connection cannot carry another request after it.
        (b"connection", b"close"),
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body, "more_body": False},
    ]


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; None when absent; -1 when malformed or contradictory."""
    values = {v.strip() for k, v in scope.get("headers", []) if k.lower() == b"content-length"}
    if not values:
        return None
    if len(values) > 1:
        return -1
    raw = values.pop()
    # Digits only: int() would also take "+5", " 5", "5_0" and "٥".
    if not raw or len(raw) > 19 or not all(48 <= c <= 57 for c in raw):
        return -1
    return int(raw)


class BodyLimit:
    """Refuses a body over its route's limit: at once when Content-Length says so (the body is never read),
    otherwise the moment the bytes received pass it. Nothing is buffered here."""

    def __init__(self, app: ASGIApp, *, default: Callable[[], int], rules: Sequence[Rule] = ()) -> None:
        self.app = app
        self.default = default
        self.rules = [(r, r.pattern()) for r in rules]

    def _rule_for(self, scope: Scope) -> tuple[int, str, Callable[[int], str]]:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        method = scope.get("method", "GET")
        for rule, pattern in self.rules:
            if rule.method == method and pattern.match(path):
                return rule.limit(), rule.code, rule.message or default_message
        return self.default(), "payload_too_large", default_message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, code, message = self._rule_for(scope)
        declared = declared_length(scope)
        if declared == -1:
            bad = "Độ dài nội dung (Content-Length) không hợp lệ."
            for msg in _json_answer(400, "bad_content_length", bad):
                await send(msg)
            return
        if declared is not None and declared > limit:
            for msg in _json_answer(413, code, message(limit)):
                await send(msg)
            return

        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    exceeded = True
                    # The application sees an HTTP error while reading (rendered by its handler, nothing
                    # logged); whatever it answers is replaced by ours below.
                    raise HTTPException(413, detail={"code": code, "message": message(limit)})
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the answer to a cut-off body is ours, not the application's
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            if started:
                raise  # too late for a 413: the server drops the connection mid-answer
        if exceeded and not started:
            for msg in _json_answer(413, code, message(limit)):
                await send(msg)
