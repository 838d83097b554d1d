"""Triggers: an order in the store schedules a CSAT by SMS two hours later, sent when
due (time stepped by hand); relationship NPS on a schedule; scheduled sends survive
a restart."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from omnicx.channels import FakeProvider
from omnicx.feedback import surveys, triggers
from omnicx.feedback._survey_send import SendRequest, send_survey
from omnicx.runtime import Runtime
from omnicx.settings import load_settings
from omnicx.storage._feedback_state import FeedbackState

HOUR_MS = 3_600_000


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


@pytest.fixture
def settings(tmp_path, provider):
    return load_settings(
        {"data": str(tmp_path / "data"), "sms_webhook_url": provider.url}, environ={}
    )


def _invitations(runtime, workspace_id, survey_id, at_least=0):
    """The survey's invitations; waits for ``at_least`` of them, because processor
    listeners run just after ``drain()`` returns."""
    state = FeedbackState(runtime.store.state)
    deadline = time.monotonic() + 10
    while True:
        rows = state.invitations(workspace_id, survey_id, 100)
        if len(rows) >= at_least or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_order_in_store_sends_csat_by_sms_two_hours_later(live, provider):
    survey_id = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": "Store CSAT", "template": "csat"},
    ).json()["id"]
    trigger = live.api(
        f"/api/v1/surveys/{survey_id}/triggers",
        method="POST",
        json={
            "type": "event",
            "event": "Order Completed",
            "channel": "store",
            "send_via": "sms",
            "delay": "2h",
        },
    )
    assert trigger.status_code == 201, trigger.text
    state = live.runtime.store.state
    workspace = state.workspace(live.workspace.workspace.id)
    config = {**workspace.config, "journey_stages": {"purchase": ["Order Completed"]}}
    state.set_workspace_config(workspace.id, config)
    ordered_at = datetime.now(UTC).replace(microsecond=0)
    order = {
        "type": "track",
        "userId": "cust-1",
        "event": "Order Completed",
        "messageId": "order-1001",
        "timestamp": ordered_at.isoformat(),
        "context": {"channel": "store", "traits": {"phone": "+14155550123"}},
        "properties": {"order_id": "1001", "total": 42},
    }
    web_order = {**order, "messageId": "order-1002", "context": {"channel": "web"}}
    assert live.send("/v1/batch", {"batch": [order, web_order]}).status_code == 200
    live.wait_processed()

    [invitation] = _invitations(live.runtime, live.workspace.workspace.id, survey_id, 1)
    due = int(ordered_at.timestamp() * 1000) + 2 * HOUR_MS
    assert invitation["status"] == "scheduled" and invitation["due_at"] == due
    assert invitation["channel"] == "sms"
    assert invitation["touchpoint"] == "store:Order Completed"
    assert invitation["trigger_message_id"] == "order-1001"
    assert invitation["stage"] == "purchase"

    assert triggers.run_due(live.runtime, now=due - 60_000) == 0
    assert provider.messages == []
    assert triggers.run_due(live.runtime, now=due + 1) == 1
    [sms] = provider.wait_for(1)
    assert sms["to"] == "+14155550123" and "/s/" + invitation["token"] in sms["text"]
    [sent] = _invitations(live.runtime, live.workspace.workspace.id, survey_id)
    assert sent["status"] == "sent" and sent["provider_id"] == "fake-1"
    assert triggers.run_due(live.runtime, now=due + 2) == 0  # sent once

    answer = httpx.post(
        f"{live.url}/api/v1/responses",
        json={"invitation": invitation["token"], "answers": {"score": 3}},
        timeout=30,
    )
    assert answer.status_code == 201
    assert answer.json()["touchpoint"] == "store:Order Completed"
    results = live.api(
        f"/api/v1/surveys/{survey_id}/results?group_by=touchpoint"
    ).json()
    assert results["groups"]["store:Order Completed"]["responses"] == 1
    stages = live.api(f"/api/v1/surveys/{survey_id}/results?group_by=stage").json()
    assert list(stages["groups"]) == ["purchase"]
    assert results["score"] == 0  # 3 of 5 is not satisfied


def test_old_events_fire_nothing_and_call_ended_triggers_ces(runtime, provider):
    created = runtime.store.state.create_workspace("w")
    workspace_id = created.workspace.id
    ces = surveys.create_survey(
        runtime.store, workspace_id, surveys.SurveyRequest(name="CES", template="ces")
    )
    triggers.create_trigger(
        runtime.store,
        workspace_id,
        ces.id,
        triggers.TriggerRequest(type="event", event="Call Ended", send_via="sms"),
    )
    now = datetime.now(UTC)
    calls = [
        {
            "type": "track",
            "userId": "c1",
            "event": "Call Ended",
            "timestamp": now.isoformat(),
            "context": {"channel": "call_center", "traits": {"phone": "+14155550140"}},
        },
        {
            "type": "track",
            "userId": "c2",
            "event": "Call Ended",
            "timestamp": (now - timedelta(days=30)).isoformat(),
            "context": {"channel": "call_center", "traits": {"phone": "+14155550141"}},
        },
    ]
    runtime.ingest.ingest_blocking(
        "batch", json.dumps({"batch": calls}).encode(), created.source.write_key
    )
    assert runtime.processor.drain(30)
    rows = _invitations(runtime, workspace_id, ces.id, 1)
    assert [r["identity_value"] for r in rows] == ["+14155550140"]
    assert rows[0]["touchpoint"] == "call_center:Call Ended"
    triggers.run_due(runtime)
    assert provider.wait_for(1)[0]["to"] == "+14155550140"


def test_relationship_nps_schedule_and_restart_keeps_scheduled_sends(
    settings, provider
):
    runtime = Runtime.open(settings)
    try:
        created = runtime.store.state.create_workspace("w")
        workspace_id = created.workspace.id
        nps = surveys.create_survey(
            runtime.store,
            workspace_id,
            surveys.SurveyRequest(name="NPS", template="nps"),
        )
        people = [
            {
                "type": "identify",
                "userId": f"r{n}",
                "traits": {"phone": f"+1415555016{n}"},
            }
            for n in range(3)
        ]
        runtime.ingest.ingest_blocking(
            "batch", json.dumps({"batch": people}).encode(), created.source.write_key
        )
        assert runtime.processor.drain(30)
        rule = triggers.create_trigger(
            runtime.store,
            workspace_id,
            nps.id,
            triggers.TriggerRequest(
                type="schedule", every="90d", send_via="sms", start_in="1h"
            ),
        )
        [row] = FeedbackState(runtime.store.state).triggers(kind="schedule")
        assert row["id"] == rule["id"] and rule["every_ms"] == 90 * 86_400_000
        start = row["next_run_at"]
        assert start > time.time() * 1000 + HOUR_MS - 60_000
        assert triggers.run_schedules(runtime.store, now=start - 1) == 0
        assert triggers.run_schedules(runtime.store, now=start) == 3
        assert triggers.run_schedules(runtime.store, now=start + HOUR_MS) == 0
        later = send_survey(
            runtime.store,
            runtime.settings,
            workspace_id,
            nps.id,
            SendRequest(
                identity=msgspec_identity("user_id", "r0"), channel="sms", delay="1d"
            ),
        )
        assert later["status"] == "scheduled"
    finally:
        runtime.close()

    runtime = Runtime.open(settings)
    try:
        rows = {r["token"]: r for r in _invitations(runtime, workspace_id, nps.id)}
        assert rows[later["invitation"]]["status"] == "scheduled"
        triggers.run_due(runtime, now=start)  # the three relationship invitations
        assert len(provider.wait_for(3)) == 3
        due = rows[later["invitation"]]["due_at"]
        assert later["due_at"] == datetime.fromtimestamp(due / 1000, UTC).isoformat(
            timespec="milliseconds"
        )
        triggers.run_due(runtime, now=due + 1)
        assert provider.wait_for(4)[3]["metadata"]["invitation"] == later["invitation"]
        rule_row = FeedbackState(runtime.store.state).triggers(kind="schedule")[0]
        assert rule_row["next_run_at"] == start + 90 * 86_400_000
    finally:
        runtime.close()


def msgspec_identity(kind: str, value: str):
    from omnicx.feedback._survey_send import IdentityRef

    return IdentityRef(type=kind, value=value)
