"""HTTP client of the sync server: shared schemas in and out, token refresh, Vietnamese errors."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from httpx_sse import SSEError, aconnect_sse
from pydantic import BaseModel, TypeAdapter

from client.errors import (  # noqa: F401  (re-exported: the states catch these from client.api)
    ApiError,
    OfflineError,
    SessionEnded,
    error_from_response,
)
from shared.schemas.auth import DeviceSessionPublic, LoginRequest, MePublic, PasswordChange, TokenPair
from shared.schemas.documents import AttachmentPublic, DocumentPublic
from shared.schemas.meetings import AgendaReminderPublic, AgendaUnread, MeetingPublic, MeetingUpdate
from shared.schemas.year import (
    CellCommitments,
    CommitmentCreate,
    CommitmentDecision,
    CommitmentPublic,
    CommitmentRemarks,
    CommitmentResults,
    CommitmentUpdate,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)

# Only these mean the network (or the server) is unreachable right now; see `Api._send`.
_OFFLINE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)


@dataclass
class Tokens:
    access: str
    refresh: str


class Api:
    """One signed-in (or signing-in) device talking to one server.

    Access tokens are short-lived: a 401 triggers one refresh (the refresh token rotates on every use)
    and the request is retried once. Concurrent 401s share a single refresh, since refreshing twice with
    the same token would look like theft to the server and end the session.
    """

    def __init__(
        self,
        base_url: str,
        *,
        tokens: Tokens | None = None,
        on_tokens: Callable[[Tokens | None], Awaitable[None] | None] | None = None,
        saved_refresh: Callable[[], Awaitable[str | None]] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
    ):
        self.base_url = normalise_server_url(base_url)
        self.tokens = tokens
        self.device_token: str | None = None
        self._on_tokens = on_tokens
        self._saved_refresh = saved_refresh
        self._refresh_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- plumbing -------------------------------------------------------------------------------------

    async def _set_tokens(self, tokens: Tokens | None) -> None:
        self.tokens = tokens
        if self._on_tokens is not None:
            result = self._on_tokens(tokens)
            if asyncio.iscoroutine(result):
                await result

    def _headers(self) -> dict[str, str]:
        # No header at all without an access token (a restored session holds only its refresh token):
        # "Bearer " with nothing after it is not a valid header, and httpx refuses to send it.
        return {"Authorization": f"Bearer {self.tokens.access}"} if self.tokens and self.tokens.access else {}

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._http.request(method, API_PREFIX + path, **kwargs)
        except _OFFLINE as exc:  # connect refused, DNS, timeouts, dropped connections
            raise OfflineError(str(exc)) from exc
        except httpx.HTTPError as exc:
            # A request this client could not even build or send (a bug, a bad URL): never "offline",
            # which would hide it behind the offline banner for good.
            raise ApiError(0, "request_error", "Không gửi được yêu cầu tới máy chủ: " + str(exc)) from exc

    async def request(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            headers.update(self._headers())
        used = self.tokens
        resp = await self._send(method, path, headers=headers, **kwargs)
        if resp.status_code == 401 and auth and used is not None:
            await self._refresh(used)
            headers.update(self._headers())
            resp = await self._send(method, path, headers=headers, **kwargs)
            if resp.status_code == 401:
                err = error_from_response(resp)
                await self._set_tokens(None)
                raise SessionEnded(401, err.code, err.message)
        if resp.status_code >= 400:
            err = error_from_response(resp)
            if resp.status_code == 401 and auth:
                raise SessionEnded(401, err.code, err.message)
            raise err
        return resp

    async def refresh(self) -> None:
        """Exchange the saved refresh token for a fresh pair now (a restored session starts here)."""
        if self.tokens is None:
            raise SessionEnded(401, "signed_out", "Bạn cần đăng nhập lại.")
        await self._refresh(self.tokens)

    async def _refresh(self, used: Tokens) -> None:
        async with self._refresh_lock:
            if self.tokens is not None and self.tokens.access != used.access:
                return  # another request refreshed while this one waited
            if self.tokens is None:
                raise SessionEnded(401, "signed_out", "Bạn cần đăng nhập lại.")
            saved = await self._saved_refresh() if self._saved_refresh else None
            if saved and saved != self.tokens.refresh:
                # Another session of this device (a second tab) rotated the sign-in they share: spending
                # the old token again would look like theft and end both.
                self.tokens = Tokens(self.tokens.access, saved)
            resp = await self._send("POST", "/auth/refresh", json={"refresh_token": self.tokens.refresh})
            if resp.status_code != 200:
                err = error_from_response(resp)
                if resp.status_code in (400, 401, 403, 422):
                    await self._set_tokens(None)
                    raise SessionEnded(resp.status_code, err.code, err.message)
                raise err
            pair = TokenPair.model_validate(resp.json())
            await self._set_tokens(Tokens(pair.access_token, pair.refresh_token))

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return (await self.request("GET", path, **kwargs)).json()

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        resp = await self.request("POST", path, json=body, **kwargs)
        return resp.json() if resp.content else None

    async def get_model(self, path: str, model: type[M], **kwargs: Any) -> M:
        return model.model_validate(await self.get_json(path, **kwargs))

    async def get_list(self, path: str, item: type[M], **kwargs: Any) -> list[M]:
        data = await self.get_json(path, **kwargs)
        if isinstance(data, dict) and "items" in data:  # Page[T]
            data = data["items"]
        return TypeAdapter(list[item]).validate_python(data)  # type: ignore[valid-type]

    # --- system and auth -------------------------------------------------------------------------------

    async def info(self) -> dict[str, Any]:
        return await self.get_json("/info", auth=False)

    async def login(
        self, username: str, password: str, device_name: str | None = None, device_token: str | None = None
    ) -> Tokens:
        """Sign in; `device_token` is what an earlier sign-in of this account on this device gave, and the
        new one is left in `self.device_token` for the caller to keep."""
        body = LoginRequest(
            username=username, password=password, device_name=device_name, device_token=device_token
        )
        resp = await self._send("POST", "/auth/login", json=body.model_dump())
        if resp.status_code != 200:
            raise error_from_response(resp)
        pair = TokenPair.model_validate(resp.json())
        self.device_token = pair.device_token
        tokens = Tokens(pair.access_token, pair.refresh_token)
        await self._set_tokens(tokens)
        return tokens

    async def logout(self) -> None:
        try:
            if self.tokens is not None:
                await self.request("POST", "/auth/logout")
        except ApiError:
            pass  # signing out locally must work even when the server cannot be told
        finally:
            await self._set_tokens(None)

    async def me(self) -> MePublic:
        return await self.get_model("/me", MePublic)

    async def sessions(self) -> list[DeviceSessionPublic]:
        return await self.get_list("/auth/sessions", DeviceSessionPublic)

    async def revoke_session(self, session_id: int) -> None:
        await self.request("DELETE", f"/auth/sessions/{session_id}")

    async def revoke_other_sessions(self) -> int:
        data = await self.post_json("/auth/sessions/revoke-others")
        return int((data or {}).get("revoked", 0))

    async def change_password(self, current: str, new: str) -> None:
        body = PasswordChange(current_password=current, new_password=new)
        await self.request("POST", "/auth/password", json=body.model_dump())

    # --- sync (issue 5) ---------------------------------------------------------------------------------

    async def sync_pull(self, cursor: str | None, limit: int = 200) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return await self.get_json("/sync", params=params)

    async def sync_push(self, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        data = await self.post_json("/sync/push", {"actions": actions})
        return list(data.get("results", []) if isinstance(data, dict) else data or [])

    async def send_action(self, kind: str, payload: dict[str, Any], client_id: str, made_at: datetime) -> Any:
        """One queued action through its own route (servers without /sync/push, or types it lacks)."""
        if kind == "meeting.check_in":
            body = {"code": payload["code"], "client_id": client_id, "checked_in_at": made_at.isoformat()}
            return await self.post_json(f"/meetings/{payload['meeting_id']}/check-ins", body)
        if kind == "meeting.absence_request":
            return await self.post_json(
                f"/meetings/{payload['meeting_id']}/absence-requests", {"reason": payload["reason"]}
            )
        if kind == "document.read":
            doc = payload["document_id"]
            result = await self.post_json(f"/documents/{doc}/read", {"read_at": made_at.isoformat()})
            if payload.get("studied"):
                result = await self.post_json(f"/documents/{doc}/studied", {"read_at": made_at.isoformat()})
            return result
        if kind == "document.bookmark":
            method = "PUT" if payload.get("on", True) else "DELETE"
            return await self.request(method, f"/documents/{payload['document_id']}/bookmark")
        if kind == "document.comment":
            return await self.post_json(
                f"/documents/{payload['document_id']}/comments", {"body": payload["body"]}
            )
        if kind == "notification.read":
            return await self.post_json("/notifications/read", {"ids": payload["ids"]})
        if kind.startswith("commitment."):
            return (await self._send_commitment_action(kind, payload)).model_dump(mode="json")
        raise ApiError(400, "unknown_action", f"Không gửi được thao tác '{kind}'.")

    # --- documents on a meeting's agenda -----------------------------------------------------------------

    async def update_meeting(self, meeting_id: int, body: MeetingUpdate) -> MeetingPublic:
        """PATCH a meeting: only the fields set on `body` change (an agenda replaces the whole agenda; the
        server keeps an item's id while its title stays)."""
        resp = await self.request("PATCH", f"/meetings/{meeting_id}", json=body.model_dump(mode="json",
                                                                                          exclude_unset=True))
        return MeetingPublic.model_validate(resp.json())

    async def agenda_unread(self, meeting_id: int) -> AgendaUnread:
        """Per agenda item: its documents' reading rates and who has not read them (one request)."""
        return await self.get_model(f"/meetings/{meeting_id}/agenda/unread", AgendaUnread)

    async def remind_agenda(self, meeting_id: int, position: int) -> AgendaReminderPublic:
        """The one reading reminder of an item (409 `agenda_reminder_sent` the second time)."""
        data = await self.post_json(f"/meetings/{meeting_id}/agenda/{position}/remind")
        return AgendaReminderPublic.model_validate(data)

    async def publish_meeting_paper(
        self, cell_id: int, title: str, filename: str, content: bytes, content_type: str
    ) -> tuple[DocumentPublic, AttachmentPublic]:
        """A paper for the cell's meeting (category "meeting", addressed to the cell alone: what a cell's
        leaders may publish), with its file."""
        doc = DocumentPublic.model_validate(await self.post_json("/documents", {
            "title": title, "doc_type": "report", "category": "meeting", "audience_org_ids": [cell_id],
        }))
        resp = await self.request("POST", f"/documents/{doc.id}/attachments",
                                  files={"file": (filename, content, content_type)})
        return doc, AttachmentPublic.model_validate(resp.json())

    # --- the member's year: commitments (docs/protocol.md, section 8) -----------------------------------

    async def my_commitments(self) -> list[CommitmentPublic]:
        return await self.get_list("/year/commitments/mine", CommitmentPublic)

    async def get_commitment(self, commitment_id: int) -> CommitmentPublic:
        return await self.get_model(f"/year/commitments/{commitment_id}", CommitmentPublic)

    async def create_commitment(self, body: CommitmentCreate) -> CommitmentPublic:
        return CommitmentPublic.model_validate(await self.post_json("/year/commitments", _body(body)))

    async def update_commitment(self, commitment_id: int, body: CommitmentUpdate) -> CommitmentPublic:
        resp = await self.request("PATCH", f"/year/commitments/{commitment_id}", json=_body(body))
        return CommitmentPublic.model_validate(resp.json())

    async def submit_commitment(self, commitment_id: int) -> CommitmentPublic:
        data = await self.post_json(f"/year/commitments/{commitment_id}/submit")
        return CommitmentPublic.model_validate(data)

    async def decide_commitment(self, commitment_id: int, body: CommitmentDecision) -> CommitmentPublic:
        data = await self.post_json(f"/year/commitments/{commitment_id}/decision", _body(body))
        return CommitmentPublic.model_validate(data)

    async def set_commitment_results(self, commitment_id: int, body: CommitmentResults) -> CommitmentPublic:
        resp = await self.request("PUT", f"/year/commitments/{commitment_id}/results", json=_body(body))
        return CommitmentPublic.model_validate(resp.json())

    async def set_commitment_remarks(self, commitment_id: int, body: CommitmentRemarks) -> CommitmentPublic:
        resp = await self.request("PUT", f"/year/commitments/{commitment_id}/remarks", json=_body(body))
        return CommitmentPublic.model_validate(resp.json())

    async def cell_commitments(self, cell_id: int, year: int) -> CellCommitments:
        """Every member now in the cell and where their commitment of `year` stands (the cell's leaders)."""
        path = f"/year/cells/{cell_id}/commitments"
        return await self.get_model(path, CellCommitments, params={"year": year})

    async def _send_commitment_action(self, kind: str, payload: dict[str, Any]) -> CommitmentPublic:
        """A queued commitment action through the REST routes (a server without /sync/push)."""
        if kind == "commitment.save":
            year, items = int(payload["year"]), payload["items"]
            mine = [c for c in await self.my_commitments() if c.year == year]
            if not mine:
                return await self.create_commitment(
                    CommitmentCreate(year=year, items=items, submit=bool(payload.get("submit"))))
            done = await self.update_commitment(mine[0].id, CommitmentUpdate(items=items))
            return await self.submit_commitment(done.id) if payload.get("submit") else done
        commitment_id = int(payload["commitment_id"])
        if kind == "commitment.result":
            return await self.set_commitment_results(
                commitment_id, CommitmentResults(results=payload["results"]))
        if kind == "commitment.decide":
            return await self.decide_commitment(commitment_id, CommitmentDecision(
                approve=bool(payload["approve"]), comment=payload.get("comment")))
        if kind == "commitment.remark":
            return await self.set_commitment_remarks(
                commitment_id, CommitmentRemarks(remarks=payload["remarks"]))
        raise ApiError(400, "unknown_action", f"Không gửi được thao tác '{kind}'.")

    # --- files ------------------------------------------------------------------------------------------

    async def download(
        self, path: str, dest: Path, on_progress: Callable[[int, int | None], None] | None = None
    ) -> Path:
        """Stream a file to `dest`, resuming a partial `.part` file with a Range request."""
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.exists() else 0
        headers = self._headers()
        if have:
            headers["Range"] = f"bytes={have}-"
        for attempt in range(2):
            try:
                async with self._http.stream(
                    "GET", API_PREFIX + path, headers=headers, timeout=httpx.Timeout(30.0, read=60.0)
                ) as resp:
                    if resp.status_code == 401 and attempt == 0 and self.tokens is not None:
                        await self._refresh(self.tokens)
                        headers.update(self._headers())
                        continue
                    if resp.status_code == 416:  # the part file is already complete
                        part.replace(dest)
                        return dest
                    if resp.status_code >= 400:
                        await resp.aread()
                        raise error_from_response(resp)
                    if resp.status_code != 206:
                        have = 0
                    total = _total_size(resp, have)
                    done = have
                    with part.open("ab" if have else "wb") as fh:
                        async for chunk in resp.aiter_bytes(64 * 1024):
                            fh.write(chunk)
                            done += len(chunk)
                            if on_progress:
                                on_progress(done, total)
                part.replace(dest)
                return dest
            except httpx.TransportError as exc:
                raise OfflineError(str(exc)) from exc
        raise SessionEnded(401, "signed_out", "Bạn cần đăng nhập lại.")

    # --- live events ------------------------------------------------------------------------------------

    async def events(
        self, last_event_id: str | None = None
    ) -> AsyncGenerator[tuple[str, Any, str | None], None]:
        """Server-Sent Events from /events as (event, data, id), read by httpx-sse; ends when the stream
        closes. Heartbeats and events without data are skipped; data is decoded when it is JSON."""
        headers = self._headers()  # a fresh dict: aconnect_sse adds its Accept header to it
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        try:
            timeout = httpx.Timeout(10.0, read=90.0)
            async with aconnect_sse(
                self._http, "GET", API_PREFIX + "/events", headers=headers, timeout=timeout
            ) as source:
                resp = source.response
                if resp.status_code == 401 and self.tokens is not None:
                    await self._refresh(self.tokens)
                    return  # the caller reconnects with the new token
                if resp.status_code >= 400:
                    await resp.aread()
                    raise error_from_response(resp)
                # closed here, not left to the garbage collector, so the connection ends with the stream
                async with aclosing(source.aiter_sse()) as stream:
                    async for sse in stream:
                        if sse.data:
                            yield sse.event, _decoded(sse.data), sse.id or None
        except SSEError as exc:  # answered, but not with an event stream (a portal's page): as if it ended
            log.info("no event stream: %s", exc)
        except httpx.TransportError as exc:
            raise OfflineError(str(exc)) from exc


def _decoded(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return data


def _body(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _total_size(resp: httpx.Response, offset: int) -> int | None:
    crange = resp.headers.get("content-range", "")
    if "/" in crange and not crange.endswith("*"):
        return int(crange.rsplit("/", 1)[1])
    length = resp.headers.get("content-length")
    return int(length) + offset if length else None


def normalise_server_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = (
            "http://" + url if url.startswith(("127.", "localhost", "192.168.", "10.")) else "https://" + url
        )
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url
