"""Schema-driven fuzzing of the whole API (schemathesis, in-process over ASGI) as an admin and a member.

Whatever a client sends, the server answers without a 500 and every answer matches what /openapi.json
declares (status codes, bodies, the one error shape). Examples are derandomised so a run is repeatable.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from tests import factories

pytestmark = pytest.mark.slow


class _Caller:
    """A signed-in caller; fuzzed calls may end the session (logout, revoke), so it signs in again."""

    def __init__(self, client: TestClient, person: factories.Person):
        self.client, self.person = client, person
        self.headers: dict[str, str] = {}
        self.renew()

    def renew(self) -> None:
        resp = self.client.post("/api/v1/auth/login",
                                json={"username": self.person.username, "password": self.person.password})
        assert resp.status_code == 200, resp.text
        self.headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def ensure(self) -> None:
        if self.client.get("/api/v1/me", headers=self.headers).status_code == 401:
            self.renew()


@pytest.fixture(params=["admin", "member"])
def fuzz_app(request, settings) -> Iterator[tuple[FastAPI, _Caller]]:
    settings.login_max_failures_address = 10**6  # fuzzed sign-ins all come from one address
    settings.login_max_failures_account = 10**6
    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as session:
            world = factories.make_world(session)
        # An admin reaches every code path; a plain member of a cell meets the scope checks (403/404).
        yield app, _Caller(client, world.admin if request.param == "admin" else world.member)


# Endless by design (Server-Sent Events): a request/response fuzzer would wait for their end. Their
# authentication and behaviour are tested in tests/server/sync/test_events.py.
STREAMS = {"/api/v1/events"}

CHECKS: list[Any] = [not_a_server_error, status_code_conformance, content_type_conformance,
                     response_schema_conformance]


def test_api_never_fails_and_keeps_its_contract(fuzz_app):
    app, caller = fuzz_app
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    cases = [(result.ok(), mode) for result in api.get_all_operations()
             for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    for operation, mode in cases:
        operations += mode is GenerationMode.POSITIVE
        if operation.path in STREAMS:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            caller.ensure()
            case.call_and_validate(headers=caller.headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong in a call without input
        except (Exception, BaseExceptionGroup) as exc:  # every operation's findings, reported together
            failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
