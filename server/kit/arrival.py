"""The instant a request reached the server, stamped before it waits for anything."""

from starlette.types import ASGIApp, Receive, Scope, Send

from server.timeutil import utcnow


class RequestArrival:
    """Puts `arrived_at` (aware UTC) in the request's state, read by `server.deps.ArrivedAt`.

    A check-in may queue behind SQLite's single writer for seconds on a meeting evening; the code the member
    typed is judged at this instant, not when its turn comes (a rotating code would have moved on).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["arrived_at"] = utcnow()
        await self.app(scope, receive, send)
