"""SMS / WhatsApp through the provider webhook, against the shipped FakeProvider."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
import pytest

from omnicx.channels import (
    FakeProvider,
    OutboundMessage,
    deliver,
    post_webhook,
    sign_payload,
    verify_signature,
)
from tests.channels.conftest import free_port


@pytest.fixture
def provider():
    with FakeProvider() as fake:
        yield fake


def sms(**changes) -> OutboundMessage:
    fields = {
        "channel": "sms",
        "to": "+972521234567",
        "text": "איך היה? https://cx.example/s/t1",
        "metadata": {"invitation": "inv_1"},
    }
    return OutboundMessage(**{**fields, **changes})


def test_sms_posts_the_documented_json(settings, provider):
    settings = settings.replace(sms_webhook_url=provider.url)
    delivery = deliver(settings, sms())
    assert delivery.status == "sent", delivery.error
    [body] = provider.messages
    assert set(body) == {"channel", "to", "text", "metadata", "message_id"}
    assert body["channel"] == "sms"
    assert body["to"] == "+972521234567"
    assert body["text"] == "איך היה? https://cx.example/s/t1"
    assert body["metadata"] == {"invitation": "inv_1"}
    assert len(body["message_id"]) >= 16
    assert delivery.provider_id == "fake-1"
    request = provider.requests[0]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == body["message_id"]
    assert "x-omnicx-signature" not in request.headers  # no secret configured


def test_whatsapp_uses_its_own_url_else_the_sms_one(settings, provider):
    with FakeProvider() as whatsapp:
        both = settings.replace(
            sms_webhook_url=provider.url, whatsapp_webhook_url=whatsapp.url
        )
        assert deliver(both, sms(channel="whatsapp")).status == "sent"
        assert [m["channel"] for m in whatsapp.messages] == ["whatsapp"]
        assert provider.messages == []
    sms_only = settings.replace(sms_webhook_url=provider.url, whatsapp_webhook_url="")
    assert deliver(sms_only, sms(channel="whatsapp")).status == "sent"
    assert [m["channel"] for m in provider.messages] == ["whatsapp"]


def test_signed_when_a_secret_is_configured(settings):
    secret = "whsec_test"
    with FakeProvider(secret=secret) as provider:
        signed = settings.replace(sms_webhook_url=provider.url, webhook_secret=secret)
        assert deliver(signed, sms()).status == "sent"
        request = provider.requests[0]
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-omnicx-signature"] == f"sha256={expected}"
    assert request.signature_ok is True
    assert verify_signature(secret, request.body, request.headers["x-omnicx-signature"])
    assert not verify_signature("other", request.body, f"sha256={expected}")
    assert not verify_signature(secret, request.body + b" ", f"sha256={expected}")


def test_retries_with_backoff_then_succeeds(settings):
    with FakeProvider(fail_first=2) as provider:
        settings = settings.replace(sms_webhook_url=provider.url)
        started = time.monotonic()
        delivery = deliver(settings, sms(metadata={"message_id": "m-42"}))
        elapsed = time.monotonic() - started
    assert delivery.status == "sent", delivery.error
    assert [r.status for r in provider.requests] == [503, 503, 200]
    # the same body (and idempotency key) every attempt
    assert len({r.body for r in provider.requests}) == 1
    assert {r.headers["idempotency-key"] for r in provider.requests} == {"m-42"}
    assert provider.messages[0]["message_id"] == "m-42"
    assert elapsed >= 0.25 + 0.5  # backoff 0.25 s, then 0.5 s


def test_gives_up_after_three_tries(settings):
    with FakeProvider(fail_first=5) as provider:
        settings = settings.replace(sms_webhook_url=provider.url)
        delivery = deliver(settings, sms())
    assert delivery.status == "failed"
    assert "503" in delivery.error
    assert len(provider.requests) == 3
    assert provider.messages == []


def test_unreachable_provider_fails_without_raising(settings):
    url = f"http://127.0.0.1:{free_port()}/sms"
    delivery = deliver(settings.replace(sms_webhook_url=url), sms())
    assert delivery.status == "failed"
    assert "could not reach" in delivery.error


def test_client_errors_are_not_retried(settings):
    with FakeProvider(fail_first=5, fail_status=400) as provider:
        status, body = post_webhook(provider.url, {"a": 1}, retries=3)
        assert status == 400
        assert "failing on purpose" in json.loads(body)["error"]
        assert len(provider.requests) == 1
        delivery = deliver(settings.replace(sms_webhook_url=provider.url), sms())
    assert delivery.status == "failed"
    assert delivery.error.startswith("provider answered 400")
    assert len(provider.requests) == 2


def test_non_object_bodies_are_recorded_but_not_messages():
    with FakeProvider() as provider:
        status, body = post_webhook(provider.url + "any/path", [1, 2])
    assert status == 200
    assert json.loads(body)["status"] == "queued"
    assert provider.messages == []
    assert provider.requests[0].json() == [1, 2]


def test_post_webhook_signs_and_returns_the_answer():
    payload = {"alert": "detractor", "score": 3, "text": "לא טוב"}
    with FakeProvider(secret="s") as provider:
        status, body = post_webhook(provider.url + "alerts", payload, secret="s")
        request = provider.requests[0]
    assert status == 200
    assert json.loads(body)["id"] == "fake-1"
    assert request.path == "/alerts"
    assert request.json() == payload
    assert request.headers["x-omnicx-signature"] == sign_payload("s", request.body)
    assert request.signature_ok


def test_post_webhook_bad_url_and_retry_count():
    status, message = post_webhook("ftp://example", {})
    assert status == 0 and "http://" in message
    with FakeProvider(fail_first=10) as provider:
        status, _ = post_webhook(provider.url, {}, retries=2, backoff_s=0.01)
        assert status == 503
        assert len(provider.requests) == 2


def test_sign_payload_is_hex_hmac_sha256():
    assert sign_payload("key", b"body") == (
        "sha256=" + hmac.new(b"key", b"body", hashlib.sha256).hexdigest()
    )
    assert sign_payload("key", "body") == sign_payload(b"key", b"body")


def test_no_connector_cases(settings):
    empty = settings.replace(sms_webhook_url="", whatsapp_webhook_url="")
    delivery = deliver(empty, sms())
    assert delivery.status == "no_connector"
    assert "OMNICX_SMS_WEBHOOK_URL" in delivery.error
    delivery = deliver(empty, sms(channel="whatsapp"))
    assert delivery.status == "no_connector"
    assert "OMNICX_WHATSAPP_WEBHOOK_URL" in delivery.error
    for channel in ("store", "call_center", "web", "push"):
        delivery = deliver(settings, sms(channel=channel))
        assert delivery.status == "no_connector"
        assert channel in delivery.error


def test_fake_provider_lists_and_clears_over_http():
    with FakeProvider() as provider:
        httpx.post(provider.url, json={"to": "+1", "text": "a"})
        listed = httpx.get(provider.url + "messages").json()
        assert listed == {"messages": [{"to": "+1", "text": "a"}]}
        assert provider.wait_for(1, timeout=1)[0]["text"] == "a"
        httpx.delete(provider.url + "messages")
        assert provider.messages == []
        with pytest.raises(TimeoutError):
            provider.wait_for(1, timeout=0.05)
