"""Fuzzing the live server: schemathesis on the management API, malformed ingest."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

ERROR_KEYS = {"ok", "status", "error", "errors"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_management_api_schemathesis(live, mode):
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    auth = {"Authorization": f"Bearer {live.admin_token}"}
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(base_url=live.url, headers=auth)
            try:
                case.validate_response(response, headers=auth)
            except BaseExceptionGroup as exc:
                problems.append(
                    (
                        operation.label,
                        response.status_code,
                        sorted(
                            {
                                type(e).__name__ + ": " + str(e).splitlines()[0]
                                for e in exc.exceptions
                            }
                        ),
                        case.as_curl_command(),
                    )
                )

        run()
    for p in problems[:60]:
        print(p)
    assert not problems
