"""The issue's story end to end over real HTTP, with the surveys side: an order in the
store triggers an NPS survey by SMS (through the recording fake provider), the
customer answers 3 on the hosted page's endpoint, the alert fires, a case opens with the
customer's context, an email follow-up reaches the SMTP server, the case is resolved
with a re-survey, and the re-survey answer lands on the same profile, linked back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from omnicx.channels import FakeProvider
from omnicx.settings import load_settings
from tests.closed_loop.conftest import Mailbox
from tests.closed_loop.helpers import create_rule, iso_ago, send, wait_until


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(tmp_path: Path, smtp: Mailbox, provider: FakeProvider):
    return load_settings(
        {
            "data": str(tmp_path / "data"),
            "smtp_url": smtp.url,
            "sms_webhook_url": provider.url,
        },
        environ={},
    )


def test_store_order_to_resolved_case_and_linked_resurvey(
    live, smtp, provider, receiver
):
    survey = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": "Store NPS", "template": "nps"},
    ).json()
    trigger = live.api(
        f"/api/v1/surveys/{survey['id']}/triggers",
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
    rule = create_rule(
        live,
        {
            "name": "Store detractors",
            "when": {"survey": survey["id"], "score_at_most": 6},
            "actions": [
                {"type": "open_case", "sla_hours": 24},
                {"type": "webhook", "url": receiver.url},
            ],
        },
    )
    # the customer: known by email and phone; bought in the store 2 h 5 min ago
    send(
        live,
        {
            "type": "identify",
            "userId": "maya",
            "traits": {
                "email": "maya@example.com",
                "phone": "+972501234567",
                "name": "Maya",
            },
            "context": {"channel": "web"},
        },
        {
            "type": "track",
            "userId": "maya",
            "event": "Order Completed",
            "properties": {"order_id": "S-77", "revenue": 120},
            "timestamp": iso_ago(2 * 3600 + 300),
            "context": {"channel": "store"},
        },
    )
    # the due SMS goes out through the provider webhook on the next scheduler tick
    sms = wait_until(lambda: provider.messages, timeout=20)[0]
    assert sms["channel"] == "sms" and sms["to"] == "+972501234567"
    token = re.search(r"/s/([A-Za-z0-9_-]+)", sms["text"]).group(1)

    # the customer answers 3 on the hosted page (no admin token: the invitation is it)
    answer = httpx.post(
        f"{live.url}/api/v1/responses",
        json={"invitation": token, "answers": {"score": 3, "comment": "Long queue"}},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    live.wait_processed()
    hook = receiver.wait_for(1)[0].json()
    assert hook["alert"]["id"] == rule["id"]
    assert hook["event"]["properties"]["score"] == 3

    case = wait_until(lambda: live.api("/api/v1/cases?status=open").json()["cases"])[0]
    assert case["id"] == hook["case_id"] and case["channel"] == "sms"
    detail = live.api(f"/api/v1/cases/{case['id']}").json()
    timeline = {e["event"] for e in detail["context"]["timeline"]}
    assert {"Order Completed", "Survey Answered"} <= timeline
    assert detail["context"]["response"]["properties"]["comment"] == "Long queue"

    path = f"/api/v1/cases/{case['id']}"
    live.api(path, method="PATCH", json={"owner": "noa", "status": "in_progress"})
    follow = live.api(
        path + "/follow-up",
        method="POST",
        json={"channel": "email", "text": "Sorry about the queue, Maya."},
    )
    assert follow.status_code == 201, follow.text
    mail = smtp.wait_for(1)[0]
    assert mail["X-Envelope-To"] == "maya@example.com"

    resolved = live.api(
        path + "/resolve", method="POST", json={"resurvey": survey["id"]}
    )
    assert resolved.status_code == 200, resolved.text
    invitation = resolved.json()["resurvey"]["invitation"]
    # the re-survey went by the preferred consented channel: SMS has a connector now
    assert resolved.json()["resurvey"]["channel"] == "sms"
    wait_until(lambda: len(provider.messages) >= 2)
    again = httpx.post(
        f"{live.url}/api/v1/responses",
        json={"invitation": invitation, "answers": {"score": 9}},
        timeout=30,
    )
    assert again.status_code == 201, again.text
    live.wait_processed()
    linked = wait_until(lambda: live.api(path).json()["resurvey"]["response"])
    assert linked["score"] == 9 and linked["profile_id"] == case["profile_id"]
    assert live.api("/api/v1/cases?status=open").json()["cases"] == []
