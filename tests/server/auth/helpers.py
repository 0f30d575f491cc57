"""Small helpers the sign-in tests share: logging in raw, bearer headers, the error shape."""

from typing import Any

from fastapi.testclient import TestClient

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"


def login_raw(client: TestClient, username: str, password: str, device: str | None = None) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password, "device_name": device})


def tokens(client: TestClient, username: str, password: str, device: str | None = None) -> dict[str, Any]:
    resp = login_raw(client, username, password, device)
    assert resp.status_code == 200, resp.text
    return resp.json()


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: a machine code and a Vietnamese sentence."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert isinstance(body.get("code"), str) and body["code"]
    assert isinstance(body.get("message"), str) and len(body["message"]) > 10
    if code is not None:
        assert body["code"] == code, body
    return body
