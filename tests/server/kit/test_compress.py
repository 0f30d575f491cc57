"""Large JSON answers travel gzipped when the client accepts it; files, small answers and streams do not."""

import json

from tests.server.documents.factories import API, create_doc, pdf_bytes


def test_a_first_sync_travels_gzipped_and_reads_the_same(client, world, login):
    headers = login(world.member)
    staff = login(world.staff)
    for i in range(12):  # a member's first sync: their cell's documents, and more
        create_doc(client, staff, f"Nghị quyết số {i} về công tác xây dựng Đảng ở cơ sở", [world.cell.id],
                   body="Nội dung văn bản. " * 40)
    plain = client.get("/api/v1/sync", headers={**headers, "Accept-Encoding": "identity"})
    packed = client.get("/api/v1/sync", headers={**headers, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
    assert packed.json()["changes"] == plain.json()["changes"]
    assert packed.num_bytes_downloaded * 3 < len(plain.content)  # what the phone's radio carries
    assert packed.headers["x-content-type-options"] == "nosniff"


def test_files_and_small_answers_go_as_they_are(client, world, login):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Có tệp", [world.cell.id])
    content = pdf_bytes("x" * 4000)
    att = client.post(f"{API}/{doc['id']}/attachments", headers=staff,
                      files={"file": ("tai-lieu.pdf", content, "application/pdf")}).json()
    got = client.get(f"/api/v1/attachments/{att['id']}", headers={**staff, "Accept-Encoding": "gzip"})
    assert got.status_code == 200 and got.content == content
    assert "content-encoding" not in got.headers  # one representation per ETag; ranges stay byte ranges
    health = client.get("/api/v1/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in health.headers and json.loads(health.content)
