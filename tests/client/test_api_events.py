"""Api.events over a mocked transport: what the sync loop gets from the event stream (read by httpx-sse)."""

from __future__ import annotations

import httpx
import pytest

from client.api import Api, OfflineError, Tokens

STREAM = (
    ": heartbeat\n\n"
    "event: sync\nid: 7\ndata: {\"cursor\": 7}\n\n"
    ": heartbeat after an id\n\n"
    "event: notification\ndata: plain text\n\n"
    "data: line one\ndata: line two\n\n"
)


def _api(handler) -> Api:
    transport = httpx.MockTransport(handler)
    return Api("http://sotay.test", tokens=Tokens("access", "refresh"), transport=transport)


async def _all(api: Api, last_event_id: str | None = None) -> list[tuple]:
    return [e async for e in api.events(last_event_id)]


async def test_events_are_decoded_heartbeats_skipped_and_ids_kept():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text=STREAM, headers={"content-type": "text/event-stream; charset=utf-8"})

    events = await _all(_api(handler), last_event_id="6")
    assert events == [
        ("sync", {"cursor": 7}, "7"),
        ("notification", "plain text", "7"),  # an id holds until the next one (the SSE rule)
        ("message", "line one\nline two", "7"),
    ]
    request = seen[0]
    assert request.url.path == "/api/v1/events"
    assert request.headers["Last-Event-ID"] == "6"
    assert request.headers["Accept"] == "text/event-stream"
    assert request.headers["Authorization"] == "Bearer access"


async def test_a_page_that_is_not_an_event_stream_ends_the_stream_without_going_offline():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Wi-Fi login</html>", headers={"content-type": "text/html"})

    assert await _all(_api(handler)) == []


async def test_only_network_errors_are_offline():
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(OfflineError):
        await _all(_api(unreachable))

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": {"code": "not_found", "message": "Không có."}})

    with pytest.raises(Exception) as caught:
        await _all(_api(refused))
    assert not isinstance(caught.value, OfflineError)
    assert getattr(caught.value, "status", None) == 404
