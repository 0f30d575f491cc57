"""Entity providers: what of each entity type a caller's device holds, and its current data.

A provider answers three questions for one `View` (the caller's device view):
- `snapshot_ids`: ids a fresh device gets now, ascending, for a full snapshot in pages: the visible ones, or
  a bounded part of them (documents: the horizon of server/documents/sync.py);
- `load`: for some ids, the data of those still visible now (the others become deletes): deltas use the
  whole visible set, so an entity outside a snapshot's bound reaches devices when it changes and is never
  deleted from one for ageing out of the bound;
Each domain lists its providers in its `sync.py`; the app factory registers them (server/wiring.py).
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from server.auth.principal import Principal
from server.records.orgs import OrgClosure


@dataclass(frozen=True)
class Horizon:
    """How far back a fresh device's snapshot of documents reaches (server/documents/sync.py):
    documents published in the last `months`, unread ones addressed to the member's own cell in the last
    `unread_months`, and the still relevant ones whatever their age. Settings `sync_document_months`,
    `sync_unread_months`."""

    months: int = 12
    unread_months: int = 36


@dataclass(frozen=True)
class View:
    """The caller's device view: their own user, their cell and the path above it.

    Devices hold the MEMBER's view only (own profile, org path, own cell's meetings, documents addressed
    to the path, own marks and notifications). Staff and admin screens read the REST API online: a
    district's 40,000 member records do not belong on a phone.
    """

    user_id: int
    member_id: int | None
    cell_id: int | None
    path_org_ids: tuple[int, ...]  # the cell and every ancestor, sorted
    led_cell_ids: tuple[int, ...] = ()
    staff_org_ids: tuple[int, ...] = ()
    is_admin: bool = False
    principal: Principal | None = field(default=None, compare=False, hash=False)
    # Bounds only what a fresh snapshot carries, never what the view may see: not in the fingerprint.
    horizon: Horizon = field(default_factory=Horizon, compare=False, hash=False)

    @property
    def org_ids(self) -> tuple[int, ...]:
        """Organisations the device holds: the path, plus the organisations the caller is staff of (so the
        names their roles refer to are on the device)."""
        return tuple(sorted(set(self.path_org_ids) | set(self.staff_org_ids)))

    def fingerprint(self) -> str:
        """Changes whenever the SET of things the view may contain could change (transfer, org moved,
        role granted or removed): a cursor made under another fingerprint needs a reset."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:  # computed once per view: a feed request asks for it several times
        raw = "|".join([
            str(self.user_id), str(self.member_id), str(self.cell_id),
            ",".join(map(str, self.path_org_ids)), ",".join(map(str, self.led_cell_ids)),
            ",".join(map(str, self.staff_org_ids)), "a" if self.is_admin else "",
        ])
        return hashlib.sha256(raw.encode()).hexdigest()[:10]


def build_view(session: Session, principal: Principal, horizon: Horizon | None = None) -> View:
    cell_id = principal.cell_id
    path: tuple[int, ...] = ()
    if cell_id is not None:
        path = tuple(sorted(int(r) for r in session.execute(
            select(col(OrgClosure.ancestor_id)).where(col(OrgClosure.descendant_id) == cell_id)).scalars()))
    return View(
        user_id=principal.user_id, member_id=principal.member.id if principal.member else None,
        cell_id=cell_id, path_org_ids=path, led_cell_ids=tuple(sorted(set(principal.led_cell_ids))),
        staff_org_ids=tuple(sorted(set(principal.staff_org_ids))), is_admin=principal.is_admin,
        principal=principal, horizon=horizon or Horizon(),
    )


class Provider(Protocol):
    type: str
    companions: tuple[str, ...]
    dependents: Callable[[Session, list[int]], list[tuple[str, int]]] | None

    def snapshot_ids(self, session: Session, view: View, after_id: int, limit: int) -> list[int]: ...

    def load(self, session: Session, view: View, ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...


@dataclass
class SimpleProvider:
    """A provider from two functions: `visible` SELECTs visible ids, `serialise` turns ids into data."""

    type: str
    visible: Callable[[View], Any]  # -> SELECT of one id column, or None when the view has none
    serialise: Callable[[Session, View, list[int]], dict[int, dict[str, Any]]]
    id_column: Any = None
    # Types whose entity shares this one's id and is logged under this type (e.g. a meeting's minutes):
    # a change of this type also re-evaluates them.
    companions: tuple[str, ...] = ()
    # Entities that live inside this one (a document's attachments): re-evaluated when it changes, so a
    # withdrawn document takes its attachments off devices even if they were not logged themselves.
    dependents: Callable[[Session, list[int]], list[tuple[str, int]]] | None = None
    # What a fresh snapshot carries when it is less than `visible` (a SELECT of ids that must be a subset of
    # it); None: everything visible.
    snapshot_visible: Callable[[Session, View], Any] | None = None

    def snapshot_ids(self, session: Session, view: View, after_id: int, limit: int) -> list[int]:
        q = self.visible(view) if self.snapshot_visible is None else self.snapshot_visible(session, view)
        if q is None:
            return []
        col = self.id_column
        q = q.where(col > after_id).order_by(col).limit(limit)
        return [int(i) for i in session.execute(q).scalars()]

    def load(self, session: Session, view: View, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        q = self.visible(view)
        if q is None or not ids:
            return {}
        seen = [int(i) for i in session.execute(q.where(self.id_column.in_(list(ids)))).scalars()]
        return self.serialise(session, view, seen) if seen else {}


_providers: dict[str, Provider] = {}


Relevance = Callable[[Session, "View", datetime], set[int]]
"""Ids of one entity type that another domain makes relevant to a device now (e.g. documents on an upcoming
meeting's agenda), whatever their age: a fresh snapshot carries them too."""
_relevance: dict[str, list[Relevance]] = {}


def add_relevance(entity_type: str, fn: Relevance) -> None:
    found = _relevance.setdefault(entity_type, [])
    if fn not in found:  # a second app registers the same ones again
        found.append(fn)


def relevant_ids(entity_type: str, session: Session, view: "View", now: datetime) -> set[int]:
    ids: set[int] = set()
    for fn in _relevance.get(entity_type, []):
        ids |= fn(session, view, now)
    return ids


def register(provider: Provider) -> None:
    """Add (or replace) the provider of one entity type; snapshot order is registration order."""
    _providers[provider.type] = provider


def providers() -> list[Provider]:
    return list(_providers.values())


def get(entity_type: str) -> Provider | None:
    return _providers.get(entity_type)


def types() -> list[str]:
    return [p.type for p in providers()]


def flatten(values: Iterable[Iterable[int]]) -> list[int]:
    return sorted({v for vs in values for v in vs})
