"""A meeting evening's online check-ins, answered each on its own and written many to a transaction.

On a province's evening thousands of members type the code within minutes. Through the full route
each check-in built its caller's principal and wrote about ten ORM statements in a transaction of its
own, 8 ms of CPU under SQLite's one writer (docs/benchmarks.md). Here a middleware takes the plain case,
an online check-in with a bearer token, queues it, and a single writer task writes every check-in
that queued meanwhile in one transaction: a few statements for the whole batch (group commit).

Only the case with nothing to decide goes this way: the member's first check-in at a meeting of their
own cell that is open, with the right code, judged at arrival. Anything else (no or bad token, an offline
check-in, a replay, a wrong or expired code, a throttled member, a closed meeting, any error) goes on,
unchanged, to the full route (`server/meetings/router.py`), which stays the one place that refuses,
replays and explains; the rules both use live in `server/meetings/checkin.py`.
"""

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, func, insert, select
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth import security
from server.auth.models import DeviceSession
from server.db import Database
from server.errors import DomainError
from server.meetings import checkin, service
from server.meetings.models import Attendance, AttendanceChange, Meeting
from server.records.audit import AuditEntry
from server.records.changelog import record_changes
from server.records.members import Member, RoleAssignment, User
from server.timeutil import utcnow
from shared.enums import CELL_ROLES
from shared.schemas.meetings import AttendanceStatus, CheckinPublic, CheckinRequest

log = logging.getLogger(__name__)

MAX_BODY = 4096  # a check-in is ~150 bytes; anything larger is the full route's to judge
MAX_BATCH = 500  # check-ins in one transaction: a few milliseconds of writing at most

# Built once, lists bound when run: building and keying a statement cost more than running it here
# (a batch of 4 check-ins: 3.8 ms with statements built per batch, 2.4 ms without).
_CALLERS = (
    select(col(DeviceSession.id), col(User.member_id), col(Member.org_id), col(Member.kind),
           col(DeviceSession.user_id), col(User.is_active), col(User.is_demo),
           col(DeviceSession.revoked_at).is_not(None))
    .join(User, col(User.id) == col(DeviceSession.user_id))
    .join(Member, col(Member.id) == col(User.member_id))
    .where(col(DeviceSession.id).in_(bindparam("sessions", expanding=True))))
_MEETINGS = select(Meeting).where(col(Meeting.id).in_(bindparam("meetings", expanding=True)))
_TAKEN = select(col(Attendance.meeting_id), col(Attendance.member_id)).where(
    col(Attendance.meeting_id).in_(bindparam("meetings", expanding=True)),
    col(Attendance.member_id).in_(bindparam("members", expanding=True)))
_FAILURES = (
    select(col(AuditEntry.actor_user_id), col(AuditEntry.target_id), func.count())
    .where(col(AuditEntry.action) == checkin.FAILED,
           col(AuditEntry.actor_user_id).in_(bindparam("users", expanding=True)),
           col(AuditEntry.at) >= bindparam("since", type_=AuditEntry.__table__.c.at.type))  # type: ignore[attr-defined]
    .group_by(col(AuditEntry.actor_user_id), col(AuditEntry.target_id)))
_LEADERS = select(col(RoleAssignment.org_id), col(RoleAssignment.user_id)).where(
    col(RoleAssignment.org_id).in_(bindparam("cells", expanding=True)),
    col(RoleAssignment.role).in_([r.value for r in CELL_ROLES]))
_ATTENDANCE_CHANGE_INSERT = insert(AttendanceChange.__table__)  # type: ignore[attr-defined]
_AUDIT_INSERT = insert(AuditEntry.__table__)  # type: ignore[attr-defined]
_ATTENDANCE_INSERT = insert(Attendance).returning(col(Attendance.id), sort_by_parameter_order=True)


@dataclass
class _Item:
    user_id: int
    session_id: int
    meeting_id: int
    body: CheckinRequest
    arrived_at: datetime
    address: str | None
    answer: asyncio.Future = field(repr=False)  # bytes (201 body) or None (go to the full route)


class CheckinBatcher:
    """Queues check-ins and writes them in batches from one task; at most one batch writes at a time."""

    def __init__(self, db: Database, gate: Callable[[], asyncio.Semaphore | None], demo: bool) -> None:
        self.db, self.gate, self.demo = db, gate, demo
        self.pending: list[_Item] = []
        self.draining = False

    async def submit(self, item: _Item) -> bytes | None:
        # A waiting writer from now on: background jobs give way (Database.background_transaction).
        with self.db.request_writing():
            self.pending.append(item)
            if not self.draining:
                self.draining = True
                asyncio.get_running_loop().create_task(self._drain())
            return await item.answer

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
                gate = self.gate()
                try:
                    if gate is None:
                        answers = await run_in_threadpool(self._write, batch)
                    else:
                        async with gate:
                            answers = await run_in_threadpool(self._write, batch)
                except Exception:  # the full route answers each of them, error included
                    log.exception("check-in batch of %d failed; each goes to the full route", len(batch))
                    answers = [None] * len(batch)
                for item, answer in zip(batch, answers, strict=True):
                    if not item.answer.done():
                        item.answer.set_result(answer)
        finally:
            self.draining = False

    def _write(self, batch: list[_Item]) -> list[bytes | None]:
        session = self.db.session(write=True)
        try:
            answers = write_batch(session, batch, demo=self.demo)
            session.commit()
            return answers
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def write_batch(session: Session, batch: list[_Item], *, demo: bool, now: datetime | None = None
                ) -> list[bytes | None]:
    """Record every plain check-in of `batch` in the session's transaction; None for the others."""
    now = now or utcnow()
    # Core statements on the connection: the ORM's execution path cost more than the SQL (nothing is
    # pending in this session to flush first).
    conn = session.connection()
    callers = _callers(conn, {i.session_id for i in batch})
    meetings = {m.id: m for m in session.execute(
        _MEETINGS, {"meetings": list({i.meeting_id for i in batch})}).scalars()}
    member_ids = {c[0] for c in callers.values() if c is not None}
    taken = set(conn.execute(_TAKEN, {"meetings": list(meetings), "members": list(member_ids)}))
    failures = _failures(conn, {i.user_id for i in batch}, now)

    accepted: list[tuple[_Item, Meeting, int, bool, str, datetime]] = []
    answers: list[bytes | None] = [None] * len(batch)
    slots: list[int] = []
    for n, item in enumerate(batch):
        caller = callers.get(item.session_id)
        meeting = meetings.get(item.meeting_id)
        if caller is None or meeting is None:
            continue
        member_id, org_id, kind, user_id, active, is_demo, revoked = caller
        if user_id != item.user_id or revoked or not active or (is_demo and not demo):
            continue  # the full route says why the session no longer signs in
        if org_id != meeting.org_id or (meeting.id, member_id) in taken:
            continue
        if failures.get((item.user_id, str(meeting.id)), 0) >= checkin.MAX_FAILURES:
            continue
        at = min(item.arrived_at, now)
        try:
            status = checkin.judge_online(meeting, item.body.code, at)
        except DomainError:
            continue
        taken.add((meeting.id, member_id))  # a second one of this batch is a replay, for the full route
        accepted.append((item, meeting, member_id, service.expected_kind(kind), status, at))
        slots.append(n)
    if not accepted:
        return answers

    ids = [int(row_id) for row_id in conn.execute(_ATTENDANCE_INSERT, [
        {"meeting_id": meeting.id, "member_id": member_id, "status": status, "expected": expected,
         "source": "checkin", "client_id": item.body.client_id,
         "checkin_fingerprint": checkin.fingerprint(item.body), "checkin_status": status,
         "checked_in_at": at, "checkin_recorded_at": now, "checkin_offline": False,
         "updated_by": item.user_id, "updated_at": now}
        for item, meeting, member_id, expected, status, at in accepted]).scalars()]
    conn.execute(_ATTENDANCE_CHANGE_INSERT, [
        {"meeting_id": meeting.id, "member_id": member_id, "old_status": None, "new_status": status,
         "source": "checkin", "by_user_id": item.user_id, "at": now}
        for item, meeting, member_id, _, status, _ in accepted])
    conn.execute(_AUDIT_INSERT, [
        {"at": now, "action": "attendance.checkin", "actor_user_id": item.user_id,
         "target_type": "meeting", "target_id": str(meeting.id), "org_id": meeting.org_id,
         "client_address": item.address,
         "detail": checkin.audit_detail(member_id, status, False, at)}
        for item, meeting, member_id, _, status, at in accepted])
    leaders = _leaders(conn, {meeting.org_id for _, meeting, *_ in accepted})
    record_changes(session, "attendance", [
        (row_id, [item.user_id, *leaders.get(meeting.org_id, ())])
        for row_id, (item, meeting, *_) in zip(ids, accepted, strict=True)])
    for n, (item, meeting, member_id, _, status, at) in zip(slots, accepted, strict=True):
        assert meeting.id is not None
        answers[n] = CheckinPublic(
            meeting_id=meeting.id, member_id=member_id, client_id=item.body.client_id,
            status=AttendanceStatus(status), checked_in_at=at, recorded_at=now, offline=False,
        ).model_dump_json().encode()
    return answers


def _callers(conn: Connection, session_ids: set[int]) -> dict[int, tuple | None]:
    """Device session id -> (member id, cell, member kind, user id, active, demo, revoked)."""
    rows = conn.execute(_CALLERS, {"sessions": list(session_ids)})
    return {sid: rest for sid, *rest in rows}  # type: ignore[misc]


def _failures(conn: Connection, user_ids: set[int], now: datetime) -> dict[tuple[int, str], int]:
    """Wrong codes per (user, meeting) within the throttle's window (checkin.MAX_FAILURES)."""
    rows = conn.execute(_FAILURES, {"users": list(user_ids), "since": now - checkin.FAILURE_WINDOW})
    return {(int(u), str(t)): int(c) for u, t, c in rows if u is not None}


def _leaders(conn: Connection, cell_ids: set[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for org_id, user_id in conn.execute(_LEADERS, {"cells": list(cell_ids)}):
        if org_id is not None:
            out.setdefault(int(org_id), []).append(int(user_id))
    return out


class CheckinFastPath:
    """ASGI middleware: `POST {prefix}/meetings/{id}/check-ins`, online, goes to the batcher; the rest on."""

    def __init__(self, app: ASGIApp, *, prefix: str, db: Database, secret: str, demo: bool,
                 gate: Callable[[], asyncio.Semaphore | None]) -> None:
        self.app, self.secret = app, secret
        self.path = re.compile("^" + re.escape(prefix) + r"/meetings/([0-9]{1,18})/check-ins/?$")
        self.batcher = CheckinBatcher(db, gate, demo)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        match = self.path.match(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if complete:
            answer = await self._answer(scope, int(match.group(1)), body)
            if answer is not None:
                await send({"type": "http.response.start", "status": 201, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]})
                await send({"type": "http.response.body", "body": answer})
                return
        await self.app(scope, _replay(body, complete, receive), send)

    async def _answer(self, scope: Scope, meeting_id: int, body: bytes) -> bytes | None:
        token = security.bearer_token(scope)
        if token is None or not body:
            return None
        claims = security.read_access_token(self.secret, token)
        if claims is None:
            return None
        try:
            data = CheckinRequest.model_validate_json(body)
            user_id, session_id = int(claims["sub"]), int(claims["sid"])
        except (ValidationError, ValueError, KeyError, TypeError):
            return None
        if data.checked_in_at is not None:
            return None  # offline check-ins are judged at their claimed time by the full route
        arrived = scope.get("state", {}).get("arrived_at")
        client = scope.get("client")
        item = _Item(user_id, session_id, meeting_id, data,
                     arrived if isinstance(arrived, datetime) else datetime.now(UTC),
                     client[0] if client else None, asyncio.get_running_loop().create_future())
        return await self.batcher.submit(item)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body if it is whole and small; (what was read, False) otherwise."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that hands the downstream app the bytes already read, then the rest of the stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay

