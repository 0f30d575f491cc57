"""The up-to-date poll, answered before routing from one indexed query.

Most polls of a province's phones find nothing new. The full feed (server/sync/service.py) builds the
caller's principal and view and asks the change log, about 9 statements and several thread hops; here a
poll whose signed cursor names the scopes its view follows is answered from one statement that checks the
device session (revoked, disabled and demo accounts are refused by the full path on this very request)
and whether any change reached those scopes since the cursor. Anything else (a change, a bad or old
cursor, any doubt) goes on to the full feed, which stays the one place that decides what a device sees.
"""

import asyncio
import contextlib
import json
import weakref
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth import security
from server.sync.bus import pg_conninfo
from server.sync.cursor import cursor_key, decode, up_to_date
from server.sync.service import MAX_LIMIT

# One statement: the session and its account, the newest version, the log's horizon, and whether any
# change of the followed scopes is newer than the cursor. Counter and log are read in one snapshot, so
# every change up to the counter is visible (writers take the counter's row lock until they commit).
_CHECK = text("""
SELECT d.user_id, d.revoked_at, u.is_active, u.is_demo,
       (SELECT c.version FROM sync_counter c WHERE c.id = 1) AS top,
       (SELECT h.version FROM sync_horizon h WHERE h.id = 1) AS horizon,
       EXISTS (SELECT 1 FROM sync_change_scope s WHERE s.user_id = :uid AND s.version > :after)
       OR EXISTS (SELECT 1 FROM sync_change_scope s WHERE s.org_id IN :orgs AND s.version > :after)
       AS changed
FROM device_session d JOIN user_account u ON u.id = d.user_id
WHERE d.id = :sid
""").bindparams(bindparam("orgs", expanding=True))


# The same statement in psycopg's own form, for PostgreSQL's connections of this worker's event loop.
_PG_CHECK = """
SELECT d.user_id, d.revoked_at, u.is_active, u.is_demo,
       (SELECT c.version FROM sync_counter c WHERE c.id = 1) AS top,
       (SELECT h.version FROM sync_horizon h WHERE h.id = 1) AS horizon,
       EXISTS (SELECT 1 FROM sync_change_scope s WHERE s.user_id = %(uid)s AND s.version > %(after)s)
       OR EXISTS (SELECT 1 FROM sync_change_scope s WHERE s.org_id = ANY(%(orgs)s) AND s.version > %(after)s)
       AS changed
FROM device_session d JOIN user_account u ON u.id = d.user_id
WHERE d.id = %(sid)s
"""


class _PgConnections:
    """A few async PostgreSQL connections of one event loop for the idle poll: on PostgreSQL the
    statement went through a worker thread and the pool (0.25 of health's rate where SQLite, asked from
    the loop itself, reaches about 0.9). More polls at once than connections take the thread path."""

    def __init__(self, conninfo: str, size: int = 8) -> None:
        self.conninfo, self.size = conninfo, size
        self.idle: list[Any] = []
        self.opened = 0

    async def check(self, params: dict[str, Any]) -> tuple[bool, Any]:
        """(answered, row): answered is False when no connection was free (the caller goes another way)."""
        import psycopg  # PostgreSQL driver: not loaded on SQLite

        conn = self.idle.pop() if self.idle else None
        if conn is None:
            if self.opened >= self.size:
                return False, None
            self.opened += 1
            try:
                conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            except Exception:  # noqa: BLE001 - the full path (and its pool) answers instead
                self.opened -= 1
                return True, None
        try:
            # Prepared on the server: planning the statement each time halved the rate (0.39 -> 0.78 of
            # health). Behind pgbouncer in transaction mode this needs its max_prepared_statements (1.21+).
            cursor = await conn.execute(_PG_CHECK, params, prepare=True)
            row = await cursor.fetchone()
        except Exception:  # noqa: BLE001 - a broken connection is dropped; the full path answers
            self.opened -= 1
            with contextlib.suppress(Exception):
                await conn.close()
            return True, None
        self.idle.append(conn)
        return True, row


class IdlePoll:
    """ASGI middleware: answers `GET {prefix}/sync?cursor=...` itself when nothing is new for the caller."""

    def __init__(self, app: ASGIApp, *, path: str, engine: Engine, secret: str, demo: bool) -> None:
        self.app, self.path, self.engine = app, path, engine
        self.secret, self.key, self.demo = secret, cursor_key(secret), demo
        self.in_loop = engine.dialect.name == "sqlite"  # a local file: cheaper than a thread hop
        self.pg_url = (pg_conninfo(engine.url.render_as_string(hide_password=False))
                       if engine.dialect.name == "postgresql" else None)
        self.pg: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _PgConnections] = (
            weakref.WeakKeyDictionary())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == self.path:
            answer = await self._answer(scope)
            if answer is not None:
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]})
                await send({"type": "http.response.body", "body": answer})
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope) -> bytes | None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if set(query) - {"cursor", "limit"} or len(query.get("cursor", ())) != 1:
            return None
        limit = query.get("limit", ["1"])
        if len(limit) != 1 or not limit[0].isdigit() or not 1 <= int(limit[0]) <= MAX_LIMIT:
            return None  # the full feed says what is wrong with it
        token = security.bearer_token(scope)
        if token is None:
            return None
        claims = security.read_access_token(self.secret, token)
        if claims is None:
            return None
        try:
            cursor = decode(query["cursor"][0], self.key)
            user_id, session_id = int(claims["sub"]), int(claims["sid"])
        except Exception:  # noqa: BLE001  (whatever is odd, the full path answers it properly)
            return None
        if cursor.snapshot or cursor.scope is None or cursor.scope.user_id != user_id:
            return None
        params = {"sid": session_id, "uid": user_id, "after": cursor.version,
                  "orgs": list(cursor.scope.org_ids) or [-1]}
        row = self._check(params) if self.in_loop else await self._check_elsewhere(params)
        if row is None:
            return None
        owner, revoked_at, active, is_demo, top, horizon, changed = row
        if (owner != user_id or revoked_at is not None or not active or (is_demo and not self.demo)
                or changed or (horizon or 0) > cursor.version):
            return None
        fresh = up_to_date(max(int(top or 0), cursor.version), cursor.fingerprint, cursor.scope, self.key)
        return json.dumps({"changes": [], "cursor": fresh, "has_more": False,
                           "reset": False}).encode()

    async def _check_elsewhere(self, params: dict[str, Any]) -> Any:
        if self.pg_url is not None:
            loop = asyncio.get_running_loop()
            connections = self.pg.get(loop)
            if connections is None:
                connections = self.pg[loop] = _PgConnections(self.pg_url)
            answered, row = await connections.check({**params, "orgs": list(params["orgs"])})
            if answered:
                return row
        return await run_in_threadpool(self._check, params)

    async def close(self) -> None:
        """Close this event loop's PostgreSQL connections (the app's shutdown)."""
        connections = self.pg.pop(asyncio.get_running_loop(), None)
        for conn in connections.idle if connections else []:
            with contextlib.suppress(Exception):
                await conn.close()

    def _check(self, params: dict[str, Any]) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(_CHECK, params).first()

