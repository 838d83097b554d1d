"""The real Segment and RudderStack Python SDKs, unchanged, against a live server.

Both SDKs POST ``/v1/batch`` with the write key as the HTTP Basic user; Segment's also
puts ``writeKey`` in the body and gzips only when asked, RudderStack's gzips by default
and stamps every message with a top-level ``"channel": "server"`` that must never be
taken as the customer's channel (DESIGN.md: Channel).
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import rudderstack.analytics as rudder_analytics
import rudderstack.analytics.request as rudder_request
import segment.analytics as segment_analytics
import segment.analytics.request as segment_request
from segment.analytics import Client as SegmentClient


class Wire:
    """Records what an SDK's ``requests`` session really sent (and still sends it)."""

    def __init__(self, module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requests: list[dict[str, Any]] = []
        real_post = module._session.post

        def post(url: str, **kwargs: Any) -> Any:
            headers = dict(kwargs.get("headers") or {})
            data = kwargs["data"]
            if headers.get("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            auth = kwargs.get("auth")
            if auth is not None:
                token = base64.b64encode(f"{auth.username}:{auth.password}".encode())
                headers["Authorization"] = "Basic " + token.decode()
            response = real_post(url, **kwargs)
            self.requests.append(
                {
                    "url": url,
                    "headers": headers,
                    "body": json.loads(data),
                    "status": response.status_code,
                }
            )
            return response

        monkeypatch.setattr(module._session, "post", post)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for r in self.requests for m in r["body"]["batch"]]


def lookup(live: Any, identity_type: str, value: str) -> dict[str, Any]:
    response = live.api(
        "/api/v1/profiles/lookup", params={"type": identity_type, "value": value}
    )
    assert response.status_code == 200, response.text
    return response.json()


def timeline(live: Any, profile_id: str) -> dict[str, dict[str, Any]]:
    """All events of a profile keyed by message id (follows the cursor)."""
    events: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        response = live.api(f"/api/v1/profiles/{profile_id}/timeline", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        for event in page["events"]:
            assert event["message_id"] not in events, "duplicate event in timeline"
            events[event["message_id"]] = event
        cursor = page["next_cursor"]
        if not cursor:
            return events


def identities(profile: dict[str, Any]) -> set[tuple[str, str]]:
    return {(i["type"], i["value"]) for i in profile["identities"]}


def mid(label: str) -> str:
    return f"{label}-{uuid.uuid4()}"


def check_wire(wire: Wire, live: Any, gzipped: bool) -> None:
    assert wire.requests, "the SDK sent nothing"
    for request in wire.requests:
        assert request["url"] == f"{live.url}/v1/batch"
        assert request["status"] == 200
        assert (
            request["headers"]["Authorization"]
            == "Basic " + base64.b64encode(f"{live.write_key}:".encode()).decode()
        )
        assert (request["headers"].get("Content-Encoding") == "gzip") is gzipped


# -- Segment analytics-python -----------------------------------------------------


@pytest.fixture
def segment_errors() -> list[Any]:
    return []


def _segment_client(live: Any, errors: list[Any], **kwargs: Any) -> SegmentClient:
    return SegmentClient(
        live.write_key,
        host=live.url,
        on_error=lambda error, batch: errors.append((error, batch)),
        max_retries=1,
        **kwargs,
    )


def test_segment_client_every_call_lands_on_one_profile(
    live: Any, monkeypatch: pytest.MonkeyPatch, segment_errors: list[Any]
) -> None:
    wire = Wire(segment_request, monkeypatch)
    client = _segment_client(live, segment_errors, sync_mode=True)
    ids = {
        name: mid(name)
        for name in (
            "anon_page",
            "alias",
            "identify",
            "track",
            "page",
            "screen",
            "group",
            "prop_channel",
            "no_channel",
        )
    }
    anonymous_id = f"anon-{uuid.uuid4()}"
    user_id = f"seg-{uuid.uuid4()}"
    client.page(
        anonymous_id=anonymous_id,
        name="Landing",
        context={"channel": "web"},
        message_id=ids["anon_page"],
    )
    client.alias(anonymous_id, user_id, message_id=ids["alias"])
    client.identify(
        user_id,
        {"email": "  Seg.User@Example.COM ", "name": "Seg User"},
        context={"channel": "email"},
        message_id=ids["identify"],
    )
    client.track(
        user_id,
        "Order Completed",
        {"revenue": 42.5, "channel": "sms"},
        context={"channel": "store"},
        message_id=ids["track"],
    )
    client.page(
        user_id,
        "Docs",
        "Pricing",
        {"path": "/p"},
        context={"channel": "Website"},
        message_id=ids["page"],
    )
    client.screen(
        user_id, name="Home", context={"channel": "ios"}, message_id=ids["screen"]
    )
    client.group(
        user_id,
        "org-1",
        {"name": "Acme"},
        context={"channel": "chat"},
        message_id=ids["group"],
    )
    client.track(
        user_id, "Coupon Used", {"channel": "whatsapp"}, message_id=ids["prop_channel"]
    )
    client.track(user_id, "Logged In", message_id=ids["no_channel"])
    assert not segment_errors
    check_wire(wire, live, gzipped=False)
    assert all(r["body"]["writeKey"] == live.write_key for r in wire.requests)
    assert [m["messageId"] for m in wire.messages] == list(ids.values())
    live.wait_processed()

    profile = lookup(live, "email", "seg.user@example.com")
    assert lookup(live, "user_id", user_id)["id"] == profile["id"]
    assert lookup(live, "anonymous_id", anonymous_id)["id"] == profile["id"]
    assert {
        ("user_id", user_id),
        ("anonymous_id", anonymous_id),
        ("email", "seg.user@example.com"),
    } <= identities(profile)
    assert profile["traits"]["name"] == "Seg User"
    events = timeline(live, profile["id"])
    assert set(events) == set(ids.values())
    channels = {name: events[message_id]["channel"] for name, message_id in ids.items()}
    assert channels == {
        "anon_page": "web",
        "alias": "other",
        "identify": "email",
        "track": "store",  # context.channel beats properties.channel
        "page": "web",
        "screen": "mobile_app",
        "group": "chat",
        "prop_channel": "whatsapp",
        "no_channel": "other",  # analytics-python names no channel
    }
    kinds = {name: events[message_id]["type"] for name, message_id in ids.items()}
    assert kinds["screen"] == "screen" and kinds["group"] == "group"
    assert kinds["alias"] == "alias" and kinds["identify"] == "identify"
    assert events[ids["track"]]["event"] == "Order Completed"
    assert events[ids["track"]]["properties"]["revenue"] == 42.5
    assert events[ids["page"]]["name"] == "Pricing"
    assert set(profile["channels"]) == {
        "web",
        "other",
        "email",
        "store",
        "mobile_app",
        "chat",
        "whatsapp",
    }
    assert profile["counts"]["events"] == len(ids)


def test_segment_client_async_gzip_flush_and_retry_dedup(
    live: Any, monkeypatch: pytest.MonkeyPatch, segment_errors: list[Any]
) -> None:
    wire = Wire(segment_request, monkeypatch)
    client = _segment_client(live, segment_errors, gzip=True, upload_size=25)
    user_id = f"bulk-{uuid.uuid4()}"
    client.identify(user_id, {"email": "bulk@example.com"}, context={"channel": "sms"})
    message_ids = [mid("t") for _ in range(120)]
    for n, message_id in enumerate(message_ids):
        client.track(
            user_id,
            "Step",
            {"n": n},
            context={"channel": "push"},
            message_id=message_id,
        )
    client.flush()
    client.join()
    assert not segment_errors
    check_wire(wire, live, gzipped=True)
    assert len(wire.requests) >= 5  # batched by upload_size

    # An SDK retrying a batch it already delivered (same messageIds) adds nothing.
    retry = _segment_client(live, segment_errors, sync_mode=True, gzip=True)
    for message_id in message_ids[:10]:
        retry.track(user_id, "Step", context={"channel": "push"}, message_id=message_id)
    live.wait_processed()

    profile = lookup(live, "email", "bulk@example.com")
    events = timeline(live, profile["id"])
    assert len(events) == 121
    assert set(message_ids) <= set(events)
    assert {e["channel"] for e in events.values()} == {"sms", "push"}
    steps = sorted(
        e["properties"]["n"] for e in events.values() if e["type"] == "track"
    )
    assert steps == list(range(120))
    assert profile["channel_counts"] == {"sms": 1, "push": 120}


def test_segment_module_level_api(live: Any, segment_errors: list[Any]) -> None:
    saved = {
        name: getattr(segment_analytics, name)
        for name in ("write_key", "host", "sync_mode", "on_error", "default_client")
    }
    segment_analytics.default_client = None
    segment_analytics.write_key = live.write_key
    segment_analytics.host = live.url
    segment_analytics.sync_mode = True
    segment_analytics.on_error = lambda error, batch: segment_errors.append(error)
    try:
        segment_analytics.identify("module-user", {"email": "module@example.com"})
        segment_analytics.track(
            "module-user", "Signed Up", context={"channel": "social"}
        )
    finally:
        for name, value in saved.items():
            setattr(segment_analytics, name, value)
    assert not segment_errors
    live.wait_processed()
    profile = lookup(live, "email", "module@example.com")
    assert ("user_id", "module-user") in identities(profile)
    assert profile["channel_counts"] == {"other": 1, "social": 1}


# -- RudderStack rudder-sdk-python ------------------------------------------------


@pytest.fixture
def rudder(live: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Wire]]:
    """The module-level RudderStack API pointed at the live server (dataPlaneUrl)."""
    wire = Wire(rudder_request, monkeypatch)
    errors: list[Any] = []
    monkeypatch.setattr(rudder_analytics, "default_client", None)
    monkeypatch.setattr(rudder_analytics, "write_key", live.write_key)
    monkeypatch.setattr(rudder_analytics, "dataPlaneUrl", live.url)
    monkeypatch.setattr(rudder_analytics, "max_retries", 1)
    monkeypatch.setattr(
        rudder_analytics, "on_error", lambda error, batch: errors.append(error)
    )
    yield rudder_analytics, wire
    if rudder_analytics.default_client is not None:
        rudder_analytics.shutdown()
    assert not errors, errors


def test_rudderstack_sdk_context_channel_wins_over_server(
    live: Any, rudder: tuple[Any, Wire]
) -> None:
    analytics, wire = rudder
    user_id = f"rs-{uuid.uuid4()}"
    anonymous_id = f"rs-anon-{uuid.uuid4()}"
    ids = {
        name: mid(name)
        for name in ("anon", "alias", "identify", "track", "page", "screen", "group")
    }
    ids["bare"] = mid("bare")
    analytics.track(
        anonymous_id=anonymous_id,
        event="Ad Clicked",
        context={"channel": "ads"},
        message_id=ids["anon"],
    )
    analytics.alias(anonymous_id, user_id, message_id=ids["alias"])
    analytics.identify(
        user_id,
        {"email": "Rudder@Example.com", "plan": "pro"},
        context={"channel": "call_center"},
        message_id=ids["identify"],
    )
    analytics.track(
        user_id,
        "Ticket Opened",
        {"priority": "high"},
        context={"channel": "chat"},
        message_id=ids["track"],
    )
    analytics.page(
        user_id, name="Home", context={"channel": "web"}, message_id=ids["page"]
    )
    analytics.screen(
        user_id, name="Cart", context={"channel": "android"}, message_id=ids["screen"]
    )
    analytics.group(
        user_id,
        "org-9",
        {"name": "Org"},
        context={"channel": "email"},
        message_id=ids["group"],
    )
    analytics.track(user_id, "Heartbeat", message_id=ids["bare"])
    analytics.flush()

    check_wire(wire, live, gzipped=True)
    sent = {m["messageId"]: m for m in wire.messages}
    assert set(sent) == set(ids.values())
    # What makes this test meaningful: every message carries "channel": "server".
    assert {m["channel"] for m in sent.values()} == {"server"}
    # RudderStack's identify sends traits only in context.traits.
    assert "traits" not in sent[ids["identify"]]
    assert sent[ids["identify"]]["context"]["traits"]["email"] == "Rudder@Example.com"
    live.wait_processed()

    profile = lookup(live, "email", "rudder@example.com")
    assert lookup(live, "user_id", user_id)["id"] == profile["id"]
    assert {
        ("user_id", user_id),
        ("anonymous_id", anonymous_id),
        ("email", "rudder@example.com"),
    } <= identities(profile)
    assert profile["traits"]["plan"] == "pro"
    events = timeline(live, profile["id"])
    assert set(events) == set(ids.values())
    channels = {name: events[message_id]["channel"] for name, message_id in ids.items()}
    assert channels == {
        "anon": "ads",
        "alias": "other",
        "identify": "call_center",
        "track": "chat",
        "page": "web",
        "screen": "mobile_app",
        "group": "email",
        "bare": "other",  # not "server": the top-level field is ignored
    }
    assert "server" not in profile["channels"]
    stats = live.api("/api/v1/stats").json()
    assert stats["events"] == len(ids)


def test_rudderstack_source_default_channel(
    live: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without context.channel the source's default channel applies, never 'server'."""
    created = live.api(
        "/api/v1/sources",
        method="POST",
        json={"name": "Store POS", "default_channel": "POS"},
    )
    assert created.status_code == 201, created.text
    pos_key = created.json()["write_key"]
    assert created.json()["default_channel"] == "store"

    wire = Wire(rudder_request, monkeypatch)
    errors: list[Any] = []
    client = rudder_analytics.Client(
        pos_key,
        host=live.url,
        sync_mode=True,
        on_error=lambda error, batch: errors.append(error),
    )
    user_id = f"pos-{uuid.uuid4()}"
    client.identify(user_id, {"email": "shopper@example.com"})
    client.track(user_id, "Order Completed", {"revenue": 10})
    client.track(user_id, "Receipt Emailed", context={"channel": "email"})
    client.track(user_id, "Review Requested", {"channel": "sms"})
    assert not errors
    assert {r["status"] for r in wire.requests} == {200}
    assert {m["channel"] for m in wire.messages} == {"server"}
    live.wait_processed()

    profile = lookup(live, "email", "shopper@example.com")
    events = timeline(live, profile["id"])
    by_type = {(e["type"], e["event"]): e["channel"] for e in events.values()}
    assert by_type == {
        ("identify", None): "store",
        ("track", "Order Completed"): "store",
        ("track", "Receipt Emailed"): "email",
        ("track", "Review Requested"): "sms",
    }
    assert {e["source_id"] for e in events.values()} == {created.json()["id"]}


def test_top_level_channel_is_never_used(live: Any) -> None:
    """Even a valid channel name in the top-level field (where RudderStack puts
    "server") is ignored; context.channel and properties.channel are not."""
    base = {"type": "track", "userId": "top-level", "event": "E"}
    body = {
        "batch": [
            {**base, "messageId": "tl-1", "channel": "sms"},
            {
                **base,
                "messageId": "tl-2",
                "channel": "sms",
                "context": {"channel": "web"},
            },
            {
                **base,
                "messageId": "tl-3",
                "channel": "sms",
                "properties": {"channel": "email"},
            },
        ]
    }
    response = live.send("/v1/batch", body)
    assert response.status_code == 200, response.text
    live.wait_processed()
    profile = lookup(live, "user_id", "top-level")
    events = timeline(live, profile["id"])
    assert {m: e["channel"] for m, e in events.items()} == {
        "tl-1": "other",
        "tl-2": "web",
        "tl-3": "email",
    }


def test_sdk_with_wrong_write_key_gets_401(live: Any) -> None:
    errors: list[Any] = []
    client = SegmentClient(
        "not-a-key",
        host=live.url,
        sync_mode=True,
        on_error=lambda error, batch: errors.append(error),
    )
    with pytest.raises(segment_request.APIError) as raised:
        client.track("someone", "Nope")
    assert raised.value.status == 401
    body = raised.value.response.json()
    assert body["ok"] is False and body["status"] == 401
    assert live.api("/api/v1/stats").json()["events"] == 0
