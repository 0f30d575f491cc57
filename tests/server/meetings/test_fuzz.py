"""API fuzzing of the meetings and stats routes: nothing a client sends may produce a 500."""

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server.meetings.factories import make_meeting


@pytest.mark.slow
def test_no_server_errors(app, client, world, login, db):
    now = datetime.now(UTC)
    make_meeting(db, world.cell, starts_at=now, opened_at=now - timedelta(minutes=1))
    db.commit()
    headers = login(world.secretary)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
        path_regex=r"^/api/v1/(meetings|stats)"
    )
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.body, response.text[:200]))

        run()
    assert operations >= 30
    assert failures == []
