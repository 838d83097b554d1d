"""Distribution over real connectors: email through an aiosmtpd server, SMS and
WhatsApp through the recording fake provider; fatigue and opt-out rules; responses
landing on the profile timeline; the widget, store QR link and segment sends."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from omnicx.channels import FakeProvider
from omnicx.feedback import triggers
from omnicx.settings import load_settings
from omnicx.storage._feedback_state import FeedbackState


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(
            (
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Sink]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", sink
    controller.stop()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


@pytest.fixture
def settings(tmp_path, smtp, provider):
    return load_settings(
        {
            "data": str(tmp_path / "data"),
            "smtp_url": smtp[0],
            "smtp_from": "cx@lumen.example",
            "sms_webhook_url": provider.url,
        },
        environ={},
    )


def _survey(live, template="nps"):
    response = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": "Feedback", "template": template},
    )
    assert response.status_code == 201
    return response.json()["id"]


def _send(live, survey_id, kind, value, channel, **extra):
    return live.api(
        f"/api/v1/surveys/{survey_id}/send",
        method="POST",
        json={"identity": {"type": kind, "value": value}, "channel": channel, **extra},
    )


def _identify(live, user_id, **traits):
    assert (
        live.send("/v1/identify", {"userId": user_id, "traits": traits}).status_code
        == 200
    )


def _wait_consent(live, user_id, count=1):
    """Opt-in/out events are recorded by a processor listener, which runs just
    after ``wait_processed()`` returns."""
    state = FeedbackState(live.runtime.store.state)
    workspace_id = live.workspace.workspace.id

    def recorded():
        profile = live.runtime.store.state.profile_for_identity(
            workspace_id, "user_id", user_id
        )
        return (
            profile is not None and len(state.consent(workspace_id, [profile])) >= count
        )

    _wait_for(recorded)


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_email_over_smtp_and_sms_whatsapp_over_the_provider(live, smtp, provider):
    survey_id = _survey(live)
    _identify(
        live, "u-he", email="dana@example.com", phone="+972501234567", language="he-IL"
    )
    live.wait_processed()

    email = _send(live, survey_id, "email", "Dana@Example.com", "email")
    assert email.status_code == 201, email.text
    sent = email.json()
    assert sent["status"] == "sent" and sent["language"] == "he"
    _wait_for(lambda: smtp[1].messages)
    rcpt, message = smtp[1].messages[0]
    assert rcpt == ["dana@example.com"]
    body = message.get_body(("plain",)).get_content()
    assert sent["url"] in body and "נשמח" in body  # the Hebrew invitation text

    sms = _send(
        live, survey_id, "user_id", "u-he", "sms", touchpoint="store:Order Completed"
    )
    assert sms.status_code == 201 and sms.json()["status"] == "sent"
    assert sms.json()["identity"] == {"type": "phone", "value": "+972501234567"}
    messages = provider.wait_for(1)
    assert messages[0]["channel"] == "sms" and messages[0]["to"] == "+972501234567"
    assert sms.json()["url"] in messages[0]["text"]
    assert messages[0]["metadata"]["invitation"] == sms.json()["invitation"]

    whatsapp = _send(live, survey_id, "phone", "+972501234567", "whatsapp")
    assert whatsapp.json()["status"] == "sent"
    assert provider.wait_for(2)[1]["channel"] == "whatsapp"

    in_app = _send(live, survey_id, "user_id", "u-he", "mobile_app")
    assert in_app.status_code == 201 and in_app.json()["status"] == "no_connector"
    assert in_app.json()["url"].endswith("/s/" + in_app.json()["invitation"])

    no_phone = _send(live, survey_id, "email", "nobody@example.com", "sms")
    assert no_phone.status_code == 400
    assert no_phone.json()["errors"][0]["field"] == "identity"

    invitations = live.api(f"/api/v1/surveys/{survey_id}/invitations").json()[
        "invitations"
    ]
    assert sorted(i["channel"] for i in invitations) == [
        "email",
        "mobile_app",
        "sms",
        "whatsapp",
    ]


def test_response_lands_on_the_timeline_with_channel_and_touchpoint(live, provider):
    survey_id = _survey(live, "csat")
    _identify(live, "u-1", phone="+14155550100")
    live.wait_processed()
    sent = _send(
        live,
        survey_id,
        "user_id",
        "u-1",
        "sms",
        touchpoint="store:Order Completed",
        message_id="order-77",
    ).json()
    answer = httpx.post(
        f"{live.url}/api/v1/responses",
        json={
            "invitation": sent["invitation"],
            "answers": {"score": 2, "comment": "cold"},
        },
        timeout=30,
    )
    assert answer.status_code == 201
    live.wait_processed()
    profile = live.api("/api/v1/profiles/lookup?type=user_id&value=u-1").json()
    events = live.api(f"/api/v1/profiles/{profile['id']}/timeline").json()["events"]
    answered = [e for e in events if e["event"] == "Survey Answered"]
    assert len(answered) == 1
    event = answered[0]
    assert event["channel"] == "sms"
    props = event["properties"]
    assert props["survey_id"] == survey_id and props["template"] == "csat"
    assert props["score"] == 2 and props["comment"] == "cold"
    assert props["touchpoint"] == "store:Order Completed"
    assert props["trigger_message_id"] == "order-77"
    assert props["invitation"] == sent["invitation"] and props["partial"] is False
    sources = live.api("/api/v1/sources").json()["sources"]
    assert event["source_id"] in {s["id"] for s in sources if s["name"] == "surveys"}


def test_fatigue_across_surveys_and_channels(live, provider):
    first, second = _survey(live, "nps"), _survey(live, "csat")
    assert _send(live, first, "email", "f@example.com", "store").status_code == 201
    # off unless configured: a second survey goes out
    assert _send(live, second, "email", "f@example.com", "web").status_code == 201
    live.api("/api/v1/survey-settings", method="PUT", json={"fatigue_days": 30})
    blocked = _send(live, second, "email", "f@example.com", "web")
    assert blocked.status_code == 409
    assert blocked.json()["errors"] == [{"field": "identity", "message": "fatigue"}]
    assert _send(live, second, "email", "other@example.com", "web").status_code == 201
    forced = _send(live, second, "email", "f@example.com", "web", force=True)
    assert forced.status_code == 201


def test_opt_out_by_event_and_trait_and_opt_in_setting(live, provider):
    survey_id = _survey(live)
    _identify(live, "u-2", email="o@example.com", phone="+14155550111")
    assert (
        live.send(
            "/v1/track",
            {
                "userId": "u-2",
                "event": "Survey Opt Out",
                "properties": {"channel": "sms"},
            },
        ).status_code
        == 200
    )
    live.wait_processed()
    _wait_consent(live, "u-2")
    opted = _send(live, survey_id, "user_id", "u-2", "sms")
    assert opted.status_code == 409
    assert opted.json()["errors"][0]["message"] == "opted_out"
    assert _send(live, survey_id, "user_id", "u-2", "email").status_code == 201

    _identify(live, "u-3", email="t@example.com", survey_opt_out=["email"])
    live.wait_processed()
    assert _send(live, survey_id, "user_id", "u-3", "email").status_code == 409
    assert _send(live, survey_id, "user_id", "u-3", "web").status_code == 201

    live.api("/api/v1/survey-settings", method="PUT", json={"require_opt_in": True})
    _identify(live, "u-4", email="i@example.com")
    live.wait_processed()
    needs = _send(live, survey_id, "user_id", "u-4", "email")
    assert (
        needs.status_code == 409 and needs.json()["errors"][0]["message"] == "no_opt_in"
    )
    live.send("/v1/track", {"userId": "u-4", "event": "Survey Opt In"})
    live.wait_processed()
    _wait_consent(live, "u-4")
    assert _send(live, survey_id, "user_id", "u-4", "email").status_code == 201


def test_widget_store_qr_link_and_segment_send(live, provider):
    survey_id = _survey(live)
    widget = httpx.post(
        f"{live.url}/api/v1/widget/invitations",
        content=json.dumps(
            {
                "writeKey": live.write_key,
                "survey": survey_id,
                "userId": "visitor-9",
                "language": "ar",
            }
        ),
        headers={"content-type": "text/plain"},
        timeout=30,
    )
    assert widget.status_code == 201, widget.text
    assert widget.headers["access-control-allow-origin"] == "*"
    assert widget.json()["channel"] == "web" and widget.json()["language"] == "ar"
    bad_key = httpx.post(
        f"{live.url}/api/v1/widget/invitations",
        json={"writeKey": "wk_nope", "survey": survey_id, "userId": "x"},
        timeout=30,
    )
    assert bad_key.status_code == 400
    script = httpx.get(f"{live.url}/js/survey-widget.js", timeout=30)
    assert script.status_code == 200 and "OmniCXSurvey" in script.text

    store_link = live.api(f"/api/v1/surveys/{survey_id}").json()["links"]["store"]
    qr = httpx.get(store_link + "/qr.svg", timeout=30)
    assert qr.status_code == 200 and "<svg" in qr.text
    scan = httpx.get(store_link + "?touchpoint=store:tlv-1", timeout=30)
    assert scan.status_code == 303
    token = scan.headers["location"].split("/s/")[1]
    page = httpx.get(f"{live.url}/s/{token}", timeout=30)
    assert page.status_code == 200 and 'data-state="open"' in page.text
    assert httpx.get(f"{live.url}/q/nope", timeout=30).status_code == 404

    for n, tier in enumerate(["gold", "gold", "silver"]):
        _identify(live, f"seg-{n}", phone=f"+1415555020{n}", tier=tier)
    live.wait_processed()
    segment = live.api(
        f"/api/v1/surveys/{survey_id}/send-segment",
        method="POST",
        json={"traits": {"tier": "gold"}, "channel": "sms"},
    )
    assert segment.status_code == 201, segment.text
    assert segment.json()["profiles"] == 2 and segment.json()["scheduled"] == 2
    triggers.run_due(live.runtime)
    sent_to = {m["to"] for m in provider.wait_for(2)}
    assert sent_to == {"+14155550200", "+14155550201"}
