"""Signing a test person in over the API: the Authorization headers every HTTP test starts from."""

from fastapi.testclient import TestClient

from tests.factories import Person


def bearer(client: TestClient, person: Person, device: str | None = None) -> dict[str, str]:
    """Signs `person` in through POST /auth/login and returns their Authorization headers."""
    body: dict[str, str | None] = {"username": person.username, "password": person.password}
    if device is not None:
        body["device_name"] = device
    resp = client.post("/api/v1/auth/login", json=body)
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
