"""Live-push hints of committed changes: what `record_change` collects in the session is sent at commit.

A hint says "changes up to version V touched these organisations / users"; it carries no data. PostgreSQL
sends it with NOTIFY inside the commit; otherwise it goes after the commit to Redis or to the process's
bus (server/sync/bus.py), whichever the app's start-up attached to the engine. Nothing attached, nothing
sent (command-line work on SQLite).
"""

import contextlib
import json
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

log = logging.getLogger(__name__)

CHANNEL = "sotay_sync"
MAX_PAYLOAD = 7000  # NOTIFY payloads must stay under 8000 bytes


@dataclass
class Hint:
    version: int
    org_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    everyone: bool = False  # scopes too large to carry: every device pulls
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def to_payload(self) -> str:
        body = {"v": self.version, "o": sorted(self.org_ids), "u": sorted(self.user_ids),
                "n": self.notifications}
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if len(raw.encode()) > MAX_PAYLOAD:
            raw = json.dumps({"v": self.version, "all": 1})
        return raw

    @classmethod
    def from_payload(cls, raw: str) -> "Hint":
        body = json.loads(raw)
        return cls(version=int(body["v"]), org_ids=frozenset(body.get("o", ())),
                   user_ids=frozenset(body.get("u", ())), everyone=bool(body.get("all")),
                   notifications=list(body.get("n", ())))


class Publisher(Protocol):
    """Where one engine's hints go in this process (server/sync/bus.py's Bus)."""

    def publish(self, hint: Hint) -> None: ...


# Where each engine's commits go: this process's bus, or a Redis channel every worker listens to.
_buses: "weakref.WeakKeyDictionary[Engine, Publisher]" = weakref.WeakKeyDictionary()
_redis: "weakref.WeakKeyDictionary[Engine, Any]" = weakref.WeakKeyDictionary()


def attach(engine: Engine, bus: Publisher) -> None:
    _buses[engine] = bus


def attach_redis(engine: Engine, client: Any, channel: str) -> None:
    _redis[engine] = (client, channel)


def detach(engine: Engine) -> None:
    _buses.pop(engine, None)
    entry = _redis.pop(engine, None)
    if entry is not None:
        with contextlib.suppress(Exception):
            entry[0].close()


def _engine_of(session: OrmSession) -> Engine | None:
    try:
        bind = session.get_bind()
    except Exception:  # noqa: BLE001 - an unbound session has nothing to publish
        return None
    return bind if isinstance(bind, Engine) else getattr(bind, "engine", None)


def _collect(session: OrmSession) -> Hint | None:
    hints = session.info.pop("sync_hints", None)
    notes = session.info.pop("notify_hints", None)
    if not hints:
        return None
    orgs: set[int] = set()
    users: set[int] = set()
    for _version, o, u in hints:
        orgs |= o
        users |= u
    return Hint(version=max(h[0] for h in hints), org_ids=frozenset(orgs), user_ids=frozenset(users),
                notifications=list(notes or []))


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    engine = _engine_of(session)
    if engine is None or engine.dialect.name != "postgresql" or not session.info.get("sync_hints"):
        return
    hint = _collect(session)
    if hint is not None:
        # Delivered by PostgreSQL at commit, to every listening worker (this one included); never if
        # the transaction rolls back.
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": hint.to_payload()})


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    hint = _collect(session)
    if hint is None:
        return
    engine = _engine_of(session)
    if engine is None:
        return
    entry = _redis.get(engine)
    if entry is not None:
        try:
            entry[0].publish(entry[1], hint.to_payload())
            return
        except Exception as exc:  # noqa: BLE001 - a hint is not worth failing a committed request
            log.warning("sync hint not published to Redis (%s); local devices only", exc)
    bus = _buses.get(engine)
    if bus is not None:
        bus.publish(hint)


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    if not session.in_transaction():
        session.info.pop("sync_hints", None)
        session.info.pop("notify_hints", None)
