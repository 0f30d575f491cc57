"""API fuzzing of the documents routes (schemathesis): whatever a client sends, never a 500."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from server.app import create_app
from tests import factories
from tests.server.documents.factories import create_doc, pdf_bytes


@pytest.fixture
def fuzz_target(tmp_path, sqlite_template):
    import shutil

    from fastapi.testclient import TestClient

    from tests.conftest import make_settings

    shutil.copy(sqlite_template, tmp_path / "sotay.db")
    app = create_app(make_settings(tmp_path), migrate=False)
    with app.state.db.transaction() as s:
        w = factories.make_world(s)
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/auth/login", json={"username": w.staff.username, "password": w.staff.password}
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        doc = create_doc(client, headers, "Văn bản để thử", [w.cell.id])
        client.post(
            f"/api/v1/documents/{doc['id']}/attachments",
            files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
            headers=headers,
        )
    yield app, headers
    app.state.db.dispose()


@pytest.mark.slow
def test_no_server_errors(fuzz_target):
    app, headers = fuzz_target
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="documents|attachments")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    (case.method, case.formatted_path, case.query, case.body, response.text[:200])
                )

        run()
    assert failures == []
