"""Body limits over real HTTP: 413 at once from Content-Length, 413 while streaming, files keep their room."""

import json
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from server.db import Database
from server.kit.limits import ANONYMOUS_MAX, BodyLimits, Limit
from tests import factories
from tests.conftest import make_settings
from tests.server.documents.factories import pdf_bytes
from tests.server.sync.servers import server_process

MiB = 1024 * 1024


@pytest.fixture
def live(tmp_path: Path, sqlite_template: Path):
    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    settings = make_settings(tmp_path)
    db = Database(settings)
    with db.session(write=True) as s:
        world = factories.make_world(s)
        s.commit()
    db.dispose()
    with server_process(tmp_path, str(settings.database_url), SOTAY_UPLOAD_MAX_BYTES=str(3 * MiB)) as base:
        yield base, world


def _raw(base: str, head: str, body_chunks=(), timeout: float = 10
         ) -> tuple[int, dict[str, str], bytes, float]:
    """Send a request by hand (headers, then body chunks), read the answer; seconds until it arrived."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=timeout)
    started = time.monotonic()
    try:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending: that is the point
        data = b""
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        waited = time.monotonic() - started
        head_raw, _, rest = data.partition(b"\r\n\r\n")
        lines = head_raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            part = sock.recv(65536)
            if not part:
                break
            rest += part
        return status, headers, rest, waited
    finally:
        sock.close()


def test_declared_huge_body_is_refused_at_once_without_reading_it(live):
    base, _ = live
    head = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 6000000000\r\n\r\n")
    status, headers, body, waited = _raw(base, head)
    assert status == 413
    assert json.loads(body)["code"] == "payload_too_large"
    assert "16 KB" in json.loads(body)["message"]
    assert waited < 5  # before: waited on forever
    assert headers["x-content-type-options"] == "nosniff"  # the refusal carries the headers too
    assert headers["connection"] == "close"


def test_chunked_body_is_cut_off_while_streaming(live):
    base, _ = live
    head = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    piece = b"x" * 4096
    chunks = (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(2048))  # 8 MB, never sent whole
    status, _, body, _ = _raw(base, head, chunks)
    assert status == 413
    assert json.loads(body)["code"] == "payload_too_large"
    # The server is fine afterwards.
    assert httpx.get(base + "/api/v1/health").status_code == 200


def test_signed_in_json_gets_its_megabyte_and_files_their_own_limit(live):
    base, world = live
    with httpx.Client(base_url=base + "/api/v1", timeout=30) as http:
        token = http.post("/auth/login", json={"username": world.staff.username,
                                               "password": world.staff.password}).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        too_big = http.post("/documents", content=b'{"title": "' + b"a" * (2 * MiB) + b'"}',
                            headers={**h, "Content-Type": "application/json"})
        assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
        assert "1 MB" in too_big.json()["message"]
        # Under the limit, the route's own validation answers (a title this long is not a title).
        long = {"title": "a" * 600_000, "doc_type": "guidance", "category": "documents",
                "audience_org_ids": [world.cell.id]}
        long_title = http.post("/documents", json=long, headers=h)
        assert long_title.status_code == 422
        doc = http.post("/documents", json={"title": "Nghị quyết có tệp", "doc_type": "guidance",
                                            "category": "documents", "audience_org_ids": [world.cell.id]},
                        headers=h).json()
        # A 2 MB file: above the JSON limit, within the upload limit (3 MB here).
        content = pdf_bytes() + b"0" * (2 * MiB)
        up = http.post(f"/documents/{doc['id']}/attachments", headers=h,
                       files={"file": ("nghi-quyet.pdf", content, "application/pdf")})
        assert up.status_code == 201, up.text
        over = http.post(f"/documents/{doc['id']}/attachments", headers=h,
                         files={"file": ("lon.pdf", content + b"0" * (2 * MiB), "application/pdf")})
        assert over.status_code == 413 and over.json()["code"] == "file_too_large"
        assert "3 MB" in over.json()["message"]


def test_which_limit_a_request_gets():
    limits = BodyLimits(json=Limit(MiB), anonymous=Limit(ANONYMOUS_MAX), push=Limit(8 * MiB),
                        upload=Limit(50 * MiB, "file_too_large"), import_=Limit(20 * MiB, "file_too_large"))
    assert limits.for_request("POST", "/api/v1/auth/login") is limits.anonymous
    assert limits.for_request("POST", "/api/v1/auth/refresh") is limits.anonymous
    assert limits.for_request("POST", "/api/v1/auth/password") is limits.json  # signed in
    assert limits.for_request("POST", "/api/v1/sync/push") is limits.push
    assert limits.for_request("POST", "/api/v1/documents/12/attachments") is limits.upload
    assert limits.for_request("PUT", "/api/v1/documents/12/attachments") is limits.json
    assert limits.for_request("POST", "/api/v1/members/import") is limits.import_
    assert limits.for_request("PATCH", "/api/v1/meetings/3") is limits.json
