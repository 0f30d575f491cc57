"""The serving process's objects from start-up are frozen out of the collector's full passes."""

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.app import create_app, worker_app
from server.config import get_settings
from server.kit import collector
from tests.conftest import SECRET, make_settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


def test_after_start_up_the_apps_objects_are_frozen(tmp_path, unfrozen):
    app = create_app(make_settings(tmp_path))
    collector.install(app)
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        # Frozen: the app and what its start-up built are no longer walked by a full collection.
        assert gc.get_freeze_count() > 10_000
        assert not any(obj is app for obj in gc.get_objects(generation=2))
        assert client.get("/api/v1/health").status_code == 200


def test_an_app_built_for_tests_is_left_alone(tmp_path, unfrozen):
    with TestClient(create_app(make_settings(tmp_path))) as client:
        assert client.get("/api/v1/health").status_code == 200
    assert gc.get_freeze_count() == 0


def test_each_worker_of_serve_freezes_after_its_start_up(tmp_path, unfrozen, monkeypatch):
    monkeypatch.setenv("SOTAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOTAY_SECRET_KEY", SECRET)
    monkeypatch.setenv("SOTAY_RUN_SCHEDULER", "false")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(get_settings())):  # serve's parent upgrades the schema first
            pass
        gc.unfreeze()
        with TestClient(worker_app()) as client:
            assert gc.get_freeze_count() > 10_000
            assert client.get("/api/v1/health").status_code == 200
    finally:
        get_settings.cache_clear()
