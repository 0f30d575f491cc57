"""Documents test helpers: create documents through the API as a given publisher."""

from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1/documents"


def doc_payload(title: str, audience: list[int], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": title,
        "doc_type": "resolution",
        "category": "documents",
        "audience_org_ids": audience,
    }
    body.update(extra)
    return body


def create_doc(
    client: TestClient, headers: dict[str, str], title: str, audience: list[int], **extra: Any
) -> dict[str, Any]:
    resp = client.post(API, json=doc_payload(title, audience, **extra), headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


def visible_titles(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    resp = client.get(API, params={"limit": 200, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    return [d["title"] for d in resp.json()["items"]]


def pdf_bytes(text: str = "Tai lieu") -> bytes:
    body = f"%PDF-1.4\n1 0 obj<<>>endobj\n% {text}\ntrailer<<>>\n%%EOF\n".encode()
    return body
