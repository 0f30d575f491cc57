"""Live-push hints: an in-process bus, fed after commit (SQLite) or by PostgreSQL LISTEN/NOTIFY.

A hint says "changes up to version V touched these organisations / users"; it carries no data. Losing
one loses nothing: the feed stays the truth and devices pull it on connect and on every hint.
"""

import asyncio
import contextlib
import hashlib
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from starlette.concurrency import run_in_threadpool

# What a commit sends lives with the change log (server/records/hints.py); the bus receives it.
from server.records.hints import CHANNEL, Hint

log = logging.getLogger(__name__)

class Mailbox:
    """The hints waiting for one stream: the newest `size` of them (a slow reader only needs the newest).

    Lighter than an asyncio.Queue (three deques and their futures): a province keeps tens of thousands
    of streams open, each with one of these."""

    __slots__ = ("_items", "_size", "_waiter")

    def __init__(self, size: int = 100) -> None:
        self._items: list[Hint] = []
        self._size = size
        self._waiter: asyncio.Future[None] | None = None

    def put(self, hint: Hint) -> None:
        self._items.append(hint)
        if len(self._items) > self._size:
            del self._items[0]
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Hint:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(eq=False, slots=True)
class Subscriber:
    user_id: int
    org_ids: frozenset[int]
    queue: Mailbox = field(default_factory=Mailbox)

    def wants(self, hint: Hint) -> bool:
        return hint.everyone or self.user_id in hint.user_ids or bool(self.org_ids & hint.org_ids)


STOP = Hint(version=-1)


class Bus:
    """Subscribers of one process; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._subs: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self.published = 0

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, user_id: int, org_ids: frozenset[int]) -> Subscriber:
        sub = Subscriber(user_id=user_id, org_ids=org_ids)
        with self._lock:
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def publish(self, hint: Hint) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._dispatch(hint)
        else:
            with contextlib.suppress(RuntimeError):  # loop shutting down
                loop.call_soon_threadsafe(self._dispatch, hint)

    def _dispatch(self, hint: Hint) -> None:
        self.published += 1
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            if hint is STOP or sub.wants(hint):
                sub.queue.put(hint)

    def close(self) -> None:
        self.publish(STOP)


def redis_channel(database_url: str) -> str:
    """One channel per database, so deployments sharing a Redis server do not hear each other."""
    return f"{CHANNEL}:{hashlib.sha256(database_url.encode()).hexdigest()[:12]}"


def pg_conninfo(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def listen_redis(redis_url: str, channel: str, bus: Bus, ready: asyncio.Event | None = None) -> None:
    """Forward hints published to Redis by every worker to this process's bus; reconnects until cancelled."""
    import redis.asyncio as aioredis  # only a deployment with Redis has it

    delay = 0.5
    while True:
        client = aioredis.from_url(redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                if ready is not None:
                    ready.set()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        bus.publish(Hint.from_payload(message["data"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("bad sync hint from Redis ignored")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep listening through Redis restarts
            log.warning("sync Redis subscription lost (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()


async def listen(database_url: str, bus: Bus, ready: asyncio.Event | None = None) -> None:
    """Forward NOTIFYs of every worker to this process's bus; reconnects until cancelled."""
    import psycopg  # PostgreSQL driver: not loaded on SQLite

    delay = 0.5
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(pg_conninfo(database_url), autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                if ready is not None:
                    ready.set()
                delay = 0.5
                async for note in conn.notifies():
                    try:
                        bus.publish(Hint.from_payload(note.payload))
                    except (ValueError, KeyError, TypeError):
                        log.warning("bad sync notification payload ignored")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep listening through database restarts
            log.warning("sync LISTEN connection lost (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


# The newest scopes since a version; more rows than this make one hint for everyone.
_LOG_SCOPES = text("SELECT version, org_id, user_id FROM sync_change_scope WHERE version > :after "
                   "ORDER BY version LIMIT :limit")
_LOG_TOP = text("SELECT version FROM sync_counter WHERE id = 1")
LOG_BATCH = 5000


def read_log_hint(engine: Engine, after: int) -> Hint | None:
    """One hint for every change scope newer than `after`, read from the change log; None when none."""
    with engine.connect() as conn:
        rows = conn.execute(_LOG_SCOPES, {"after": after, "limit": LOG_BATCH + 1}).all()
        if not rows:
            return None
        if len(rows) > LOG_BATCH:
            top = conn.execute(_LOG_TOP).scalar_one()
            return Hint(version=int(top), everyone=True)
    orgs = frozenset(int(r.org_id) for r in rows if r.org_id is not None)
    users = frozenset(int(r.user_id) for r in rows if r.user_id is not None)
    return Hint(version=int(rows[-1].version), org_ids=orgs, user_ids=users)


async def listen_log(engine: Engine, bus: Bus, interval: float, ready: asyncio.Event | None = None) -> None:
    """Several workers on one SQLite file without Redis: every `interval` seconds, publish what any worker
    committed since the last look. One indexed statement per look and worker; a hint reaches a device at
    most `interval` later than through the in-process bus. Notifications arrive through the feed it pulls.
    """
    def top() -> int:
        with engine.connect() as conn:
            return int(conn.execute(_LOG_TOP).scalar() or 0)

    after = await run_in_threadpool(top)
    if ready is not None:
        ready.set()
    while True:
        await asyncio.sleep(interval)
        try:
            hint = await run_in_threadpool(read_log_hint, engine, after)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep listening through a locked or moved file
            log.warning("sync log read failed (%s); retrying", exc)
            continue
        if hint is not None:
            # A version below the counter may still be uncommitted; the scopes read are committed, and
            # the devices pull the feed, which never skips a change (server/records/changelog.py).
            after = hint.version
            bus.publish(hint)
