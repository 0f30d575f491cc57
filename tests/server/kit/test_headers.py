"""Security headers on every answer; API docs only where the operator turned them on."""

import argparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.__main__ import serve_settings
from server.app import create_app
from server.config import get_settings
from tests.conftest import make_settings

BASE = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _assert_hardened(resp) -> None:
    for name, value in BASE.items():
        assert resp.headers.get(name) == value, (resp.request.url, name, dict(resp.headers))
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]


def _failing_app(app: FastAPI) -> FastAPI:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


def test_every_kind_of_answer_carries_the_headers(app, client):
    _failing_app(app)
    answers = [
        client.get("/api/v1/health"),                               # 200
        client.get("/api/v1/me"),                                   # 401
        client.get("/api/v1/khong-co"),                             # 404
        client.post("/api/v1/auth/login", json={"username": 1}),   # 422
    ]
    with TestClient(app, raise_server_exceptions=False) as raw:
        answers.append(raw.get("/boom"))                            # 500 from Starlette's error middleware
    assert [r.status_code for r in answers] == [200, 401, 404, 422, 500]
    for resp in answers:
        _assert_hardened(resp)
    # Data is never kept by caches; plain HTTP gets no HSTS (it would be ignored, and it lies about TLS).
    assert answers[1].headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answers[0].headers


def test_hsts_only_over_tls(app, settings):
    with TestClient(app, base_url="https://sotay.example") as tls:
        resp = tls.get("/api/v1/health")
    assert resp.headers["strict-transport-security"].startswith("max-age=31536000")
    settings.hsts = False
    with TestClient(create_app(settings, migrate=False), base_url="https://sotay.example") as tls:
        assert "strict-transport-security" not in tls.get("/api/v1/health").headers


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_api_docs_are_off_by_default(tmp_path, sqlite_template, path):
    import shutil

    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    settings = make_settings(tmp_path, api_docs=False)
    with TestClient(create_app(settings, migrate=False)) as client:
        resp = client.get(path)
        assert resp.status_code == 404
        _assert_hardened(resp)


def test_api_docs_when_turned_on(client):
    assert client.get("/openapi.json").json()["info"]["title"] == "Sổ tay đảng viên API"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # Swagger UI needs its script: the docs page gets a CSP without default-src 'none'.
    assert "default-src 'none'" not in docs.headers["content-security-policy"]
    _assert_hardened(docs)


def test_production_default_and_demo_switch(monkeypatch, tmp_path):
    monkeypatch.setenv("SOTAY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert get_settings().api_docs is False
        assert serve_settings(argparse.Namespace(demo=False)).api_docs is False
        get_settings.cache_clear()
        demo = serve_settings(argparse.Namespace(demo=True))
        assert demo.api_docs is True and demo.demo is True
    finally:
        get_settings.cache_clear()
