"""Building and sending the events the closed-loop tests need."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx


def iso_ago(seconds: float) -> str:
    return datetime.fromtimestamp(time.time() - seconds, UTC).isoformat()


def answered(
    message_id: str,
    score: int,
    user: str = "ana",
    channel: str = "sms",
    survey: str = "srv_nps",
    template: str = "nps",
    comment: str = "",
    timestamp: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``Survey Answered`` track message as the surveys module sends it."""
    message: dict[str, Any] = {
        "type": "track",
        "event": "Survey Answered",
        "messageId": message_id,
        "userId": user,
        "properties": {
            "survey_id": survey,
            "survey_name": "Relationship NPS",
            "template": template,
            "invitation": f"inv-{message_id}",
            "score": score,
            "comment": comment,
            "answers": {"score": score, "comment": comment},
            "partial": False,
            **extra,
        },
        "context": {"channel": channel},
    }
    if timestamp:
        message["timestamp"] = timestamp
    return message


def customer(
    user: str, email: str, channel: str = "web", **traits: Any
) -> dict[str, Any]:
    return {
        "type": "identify",
        "messageId": f"id-{user}-{email}",
        "userId": user,
        "traits": {"email": email, **traits},
        "context": {"channel": channel},
    }


def send(live: Any, *messages: dict[str, Any]) -> None:
    response = live.send("/v1/batch", {"batch": list(messages)})
    assert response.status_code == 200, response.text
    live.wait_processed()


def wait_until(check: Any, timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll ``check()`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def create_rule(live: Any, body: dict[str, Any], token: str | None = None) -> dict:
    response = live.api("/api/v1/alerts", token=token, method="POST", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def firings(live: Any, rule_id: str) -> list[dict[str, Any]]:
    response = live.api(f"/api/v1/alerts/{rule_id}/firings")
    assert response.status_code == 200, response.text
    return response.json()["firings"]


def open_cases(live: Any) -> list[dict[str, Any]]:
    response = live.api("/api/v1/cases?status=open")
    assert response.status_code == 200, response.text
    return response.json()["cases"]


def error_fields(response: httpx.Response) -> set[str]:
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code
    return {e["field"] for e in body["errors"]}
