"""Security headers on every response, added by a pure ASGI middleware."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Interactive API docs load Swagger UI's script and style; every other answer is data and needs no script.
_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_DOCS_CSP = "frame-ancestors 'none'; base-uri 'none'"
_DOCS_PATHS = ("/docs", "/redoc")

HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """nosniff, no framing, no referrer, and HSTS when the request arrived over TLS."""

    def __init__(self, app: ASGIApp, *, hsts: bool = True) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = _DOCS_CSP if path.startswith(_DOCS_PATHS) else _API_CSP
        # The scheme is https when uvicorn served TLS itself or a trusted proxy said so.
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if "cache-control" not in headers and headers.get("content-type", "").startswith(
                        "application/json"):
                    # Members' data must not stay in shared or browser caches after sign-out.
                    headers["Cache-Control"] = "no-store"
                if tls and self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
