"""Body limits: a body over its route's limit is refused before it is read (real HTTP where it matters)."""

import json
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import body_limit_rules, create_app
from server.kit.limits import MIB, declared_length, size_text
from tests.server.documents.factories import API, create_doc, pdf_bytes
from tests.server.meetings.test_concurrency import ServerThread

LOGIN = "/api/v1/auth/login"
HARDENED = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


@pytest.fixture
def live(app) -> Iterator[tuple[str, int]]:
    with ServerThread(app) as base:
        yield base, int(base.rsplit(":", 1)[1])


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read until the server closes; a reset after the answer (unread body left behind) is expected."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def _request_head(path: str, *extra: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_declared_oversize_is_refused_at_once_without_the_body(live):
    """6 GB announced, not one byte sent: the server answers 413 at once instead of waiting for it."""
    _base, port = live
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(_request_head(LOGIN, "Content-Length: 6000000000"))
        status, headers, body = _read_answer(sock)
        elapsed = time.monotonic() - started
    assert status == 413, body
    assert elapsed < 3
    answer = json.loads(body)
    assert answer["code"] == "payload_too_large"
    assert "1 MB" in answer["message"] and answer["message"].startswith("Dữ liệu gửi lên")
    # The answer is hardened like every other, and the connection is not kept for a next request.
    for name, value in HARDENED.items():
        assert headers[name] == value
    assert headers["connection"] == "close"
    assert headers["cache-control"] == "no-store"


def test_chunked_body_is_cut_off_at_the_limit(live, caplog):
    """No Content-Length: the bytes are counted as they arrive and the 413 comes once they pass 1 MB."""
    _base, port = live
    chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(_request_head(LOGIN, "Transfer-Encoding: chunked"))
        try:
            # Keep sending (up to 64 MB) until the server answers.
            while sent < 64 * MIB and not select.select([sock], [], [], 0)[0]:
                sock.sendall(chunk)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed after answering: the answer is in our receive buffer
        status, headers, body = _read_answer(sock)
    assert status == 413, body
    assert json.loads(body)["code"] == "payload_too_large"
    assert headers["x-content-type-options"] == "nosniff"
    # It answered soon after the limit (socket buffers hold a few chunks more), not at the end.
    assert sent < 16 * MIB
    assert "unhandled error" not in caplog.text  # a refused body is not a bug in the server


def test_normal_requests_still_work(live, world):
    base, _port = live
    with httpx.Client(base_url=base, timeout=30) as http:
        resp = http.post(LOGIN, json={"username": world.staff.username, "password": world.staff.password})
        assert resp.status_code == 200, resp.text
        assert http.get("/api/v1/health").status_code == 200
        # Just over the limit, declared by httpx: refused before the route runs (no 401 / 422 about the body).
        big = {"username": "x" * (MIB + 1), "password": "y"}
        resp = http.post(LOGIN, json=big)
        assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"


def test_upload_above_the_json_limit_still_works(live, world):
    """An attachment of 3 MB: far over the JSON limit, well under upload_max_bytes."""
    base, _port = live
    content = pdf_bytes() + b"%" + b"0" * (3 * MIB)
    with httpx.Client(base_url=base, timeout=60) as http:
        token = http.post(LOGIN, json={"username": world.staff.username, "password": world.staff.password})
        staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
        doc = create_doc(http, staff, "Tệp lớn", [world.cell.id])
        resp = http.post(f"{API}/{doc['id']}/attachments", headers=staff,
                         files={"file": ("lon.pdf", content, "application/pdf")})
        assert resp.status_code == 201, resp.text
        assert resp.json()["size"] == len(content)


def test_upload_over_its_limit_keeps_the_file_code(app, live, world):
    """A declared upload over upload_max_bytes is refused before reading, with the upload's own code."""
    _base, port = live
    app.state.settings.upload_max_bytes = 2 * MIB
    path = f"{API}/1/attachments"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(_request_head(path, f"Content-Length: {3 * MIB}"))
        status, _headers, body = _read_answer(sock)
    assert status == 413
    answer = json.loads(body)
    assert answer == {"code": "file_too_large", "message": "Tệp vượt quá giới hạn 2 MB."}


def test_long_document_text_is_not_held_to_the_json_limit(client, world, login):
    """A document's full text may be a million characters (3 MB of UTF-8): its route has a larger limit."""
    staff = login(world.staff)
    text = "Nghị quyết về công tác xây dựng Đảng. " * 26_000
    assert len(text.encode()) > 1 * MIB
    doc = create_doc(client, staff, "Toàn văn dài", [world.cell.id], body=text)
    assert doc["id"]


@pytest.mark.parametrize("value", ["abc", "-1", "+5", "1e3", "5, 6", "99999999999999999999"])
def test_bad_content_length_is_refused(app, value):
    """uvicorn refuses these itself; another ASGI server may pass them on, and then the middleware does."""
    with TestClient(app) as raw:
        resp = raw.post(LOGIN, content=b"{}", headers={"content-length": value,
                                                       "content-type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["code"] == "bad_content_length"
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_declared_length_parsing():
    def scope(*values: bytes) -> dict:
        return {"headers": [(b"content-length", v) for v in values]}

    assert declared_length({"headers": []}) is None
    assert declared_length(scope(b"0")) == 0
    assert declared_length(scope(b"6000000000")) == 6_000_000_000
    assert declared_length(scope(b"12", b"12")) == 12  # repeated, the same: harmless
    assert declared_length(scope(b"12", b"13")) == -1
    assert declared_length(scope("٥".encode())) == -1


def test_size_text():
    assert size_text(MIB) == "1 MB"
    assert size_text(50 * MIB) == "50 MB"
    assert size_text(MIB // 2) == "0,5 MB"
    assert size_text(4096) == "4 KB"


def test_every_rule_names_a_real_route(app, client):
    """A renamed route must not silently fall back to the small JSON limit (an upload would get 413)."""
    paths = client.get("/openapi.json").json()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() for m in ops]
    for rule in body_limit_rules(app.state.settings):
        assert any(m == rule.method and _same_shape(p, rule.path) for m, p in routes), rule


def _same_shape(route: str, template: str) -> bool:
    a, b = route.split("/"), template.split("/")
    if len(a) != len(b):
        return False
    return all(x == y or (x.startswith("{") and y.startswith("{")) for x, y in zip(a, b, strict=True))


def test_a_413_carries_cors_headers_so_a_web_page_can_read_it(settings):
    # Without them the browser hides the answer and the page can only say "network error".
    origin = "https://sotay.example.vn"
    settings.cors_origins = [origin]
    with TestClient(create_app(settings, migrate=False)) as client:
        resp = client.post(LOGIN, content=b"{" + b" " * (2 * MIB) + b"}",
                           headers={"Origin": origin, "Content-Type": "application/json"})
        assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"
        assert resp.headers["access-control-allow-origin"] == origin
        assert resp.headers["x-content-type-options"] == "nosniff"
        other = client.post(LOGIN, json={"username": "x", "password": "y"}, headers={"Origin": origin})
        assert other.headers["access-control-allow-origin"] == origin  # ordinary answers still carry it
