"""Hostile input against the alert and case endpoints (from their OpenAPI paths):
never a 5xx, always the one error shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
import schemathesis.checks as st_checks
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from omnicx.api._openapi import OPENAPI
from omnicx.api._routes_closed_loop import OPENAPI_PATHS
from tests.api.test_fuzz import assert_error_shape
from tests.closed_loop.helpers import answered, create_rule, send, wait_until

FUZZ = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.ignored_auth,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_alert_and_case_endpoints_never_500(live: Any, receiver: Any, mode: Any):
    create_rule(
        live,
        {
            "name": "Detractors",
            "when": {"score_at_most": 6},
            "actions": [
                {"type": "open_case"},
                {"type": "webhook", "url": receiver.url},
            ],
        },
    )
    send(live, answered("z-1", 2, user="zoe"))
    wait_until(lambda: live.api("/api/v1/cases").json()["cases"])
    document = copy.deepcopy(OPENAPI)
    document["paths"] = copy.deepcopy(OPENAPI_PATHS)
    schema = schemathesis.openapi.from_dict(document)
    auth = {"Authorization": f"Bearer {live.admin_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    failures: list[str] = []

    def runner(operation: Any) -> Any:
        @given(case=operation.as_strategy(generation_mode=mode))
        @FUZZ
        def run(case: Any) -> None:
            response = case.call(base_url=live.url, headers=auth, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
                if response.status_code >= 400:
                    assert_error_shape(response)
            except (AssertionError, BaseExceptionGroup) as exc:
                failures.append(
                    f"{operation.label} -> {response.status_code} "
                    f"{response.text[:200]}\n  {case.as_curl_command()}\n  "
                    f"{str(exc).splitlines()[0]}"
                )

        return run

    for operation in operations:
        runner(operation)()
    assert not failures, "\n".join(failures[:10])
