"""Segment-spec validation: channels, clock skew, identities, itemised rejections."""

from __future__ import annotations

import json

import pytest

from omnicx.errors import PayloadTooLargeError, ValidationError
from omnicx.identity import MergeRules
from omnicx.ingest._validate import (
    Limits,
    SourceInfo,
    parse_request,
    validate_request,
)

SOURCE = SourceInfo("ws_1", "src_1", None)
RECEIVED = 1_767_225_600_000  # 2026-01-01T00:00:00Z


DEFAULT_LIMITS = Limits()


def run(body, kind=None, source=SOURCE, limits=DEFAULT_LIMITS):
    parsed = parse_request(json.dumps(body).encode(), kind, limits)
    return validate_request(parsed, kind, source, MergeRules(), RECEIVED)


def one(message, kind="track", source=SOURCE):
    result = run(message, kind, source)
    assert not result.rejected, result.rejected
    return result.events[0]


@pytest.mark.parametrize(
    ("message", "source_default", "channel"),
    [
        ({"context": {"channel": "store"}, "channel": "server"}, None, "store"),
        ({"channel": "server"}, None, "other"),
        ({"properties": {"channel": "SMS"}}, "web", "sms"),
        ({}, "call_center", "call_center"),
        ({"context": {"library": {"name": "analytics.js"}}}, None, "web"),
        ({"context": {"library": {"name": "analytics-ios"}}}, None, "mobile_app"),
        ({"context": {"channel": "Call Centre"}}, None, "call_center"),
        ({"context": {"channel": "server"}}, "email", "email"),
    ],
)
def test_channel_resolution_order(message, source_default, channel):
    source = SourceInfo("ws_1", "src_1", source_default)
    event = one({"event": "X", "userId": "u", **message}, source=source)
    assert event.channel == channel


def test_explicit_timestamp_is_kept_and_missing_one_is_skew_corrected():
    kept = one(
        {
            "event": "X",
            "userId": "u",
            "timestamp": "2020-05-01T10:00:00Z",
            "sentAt": "2026-01-01T00:00:00Z",
        }
    )
    assert kept.timestamp == 1588327200000
    # device clock 1 hour fast: sent 10 s after the event by its own clock
    corrected = one(
        {
            "event": "X",
            "userId": "u",
            "originalTimestamp": "2026-01-01T00:59:50Z",
            "sentAt": "2026-01-01T01:00:00Z",
        }
    )
    assert corrected.timestamp == RECEIVED - 10_000
    assert one({"event": "X", "userId": "u"}).timestamp == RECEIVED


def test_batch_context_merges_into_each_event_and_event_wins():
    result = run(
        {
            "batch": [
                {"type": "track", "event": "A", "userId": "u"},
                {
                    "type": "track",
                    "event": "B",
                    "userId": "u",
                    "context": {"channel": "sms"},
                },
            ],
            "context": {"channel": "email", "ip": "1.2.3.4"},
        }
    )
    assert [e.channel for e in result.events] == ["email", "sms"]
    assert json.loads(result.events[1].context) == {"channel": "sms", "ip": "1.2.3.4"}


def test_invalid_events_are_itemised_with_field_paths():
    result = run(
        {
            "batch": [
                {"type": "track", "event": "ok", "userId": "u"},
                {"type": "track", "userId": "u"},
                {"type": "track", "event": "x", "userId": "u", "timestamp": "soon"},
                {"type": "track", "event": "x"},
                {"type": "bogus", "userId": "u"},
                {"type": "track", "event": "x", "userId": {"a": 1}},
                {"type": "track", "event": "x", "userId": "u", "properties": [1]},
            ]
        }
    )
    assert len(result.events) == 1
    fields = {r.index: r.field for r in result.rejected}
    assert fields == {
        1: "batch[1].event",
        2: "batch[2].timestamp",
        3: "batch[3].userId",
        4: "batch[4].type",
        5: "batch[5].userId",
        6: "batch[6].properties",
    }
    assert all(r.payload for r in result.rejected)  # kept for inspection


def test_message_id_is_assigned_when_missing():
    event = one({"event": "X", "userId": "u"})
    assert len(event.message_id) == 36
    assert one({"event": "X", "userId": "u", "messageId": "m1"}).message_id == "m1"


def test_identities_from_identify_traits_context_and_external_ids():
    event = one(
        {
            "userId": "u1",
            "anonymousId": "a1",
            "traits": {"email": "A@X.COM ", "loyalty_id": "L-1"},
            "context": {
                "traits": {"phone": "+44 20 7946 0958"},
                "externalIds": [{"id": "@ana", "type": "instagram_handle"}],
            },
        },
        kind="identify",
    )
    assert set(event.identities) == {
        ("user_id", "u1"),
        ("anonymous_id", "a1"),
        ("email", "a@x.com"),
        ("loyalty_id", "L-1"),
        ("phone", "+442079460958"),
        ("instagram_handle", "@ana"),
    }
    assert json.loads(event.profile_traits) == {
        "phone": "+44 20 7946 0958",
        "email": "A@X.COM ",
        "loyalty_id": "L-1",
    }


def test_size_limits():
    with pytest.raises(PayloadTooLargeError):
        run({"batch": [{"type": "track"}] * 10}, limits=Limits(max_request_bytes=50))
    with pytest.raises(PayloadTooLargeError):
        run({"event": "x" * 100, "userId": "u"}, "track", limits=Limits(64, 1000))
    result = run(
        {
            "batch": [
                {"type": "track", "event": "x" * 200, "userId": "u"},
                {"type": "track", "event": "ok", "userId": "u"},
            ]
        },
        limits=Limits(max_event_bytes=100),
    )
    assert [r.field for r in result.rejected] == ["batch[0]"]
    assert len(result.events) == 1


def test_malformed_json_is_a_validation_error():
    with pytest.raises(ValidationError):
        parse_request(b"{not json", None, Limits())
    with pytest.raises(ValidationError):
        parse_request(b"[]", "track", Limits())


def test_batch_integrations_merge_into_each_event():
    result = run(
        {
            "batch": [
                {"type": "track", "event": "A", "userId": "u"},
                {
                    "type": "track",
                    "event": "B",
                    "userId": "u",
                    "integrations": {"Mailchimp": True},
                },
            ],
            "integrations": {"All": False, "Mailchimp": False},
        }
    )
    assert json.loads(result.events[0].integrations) == {
        "All": False,
        "Mailchimp": False,
    }
    assert json.loads(result.events[1].integrations) == {
        "All": False,
        "Mailchimp": True,
    }


def test_national_phone_numbers_use_the_message_country():
    store = one(
        {
            "event": "Order Completed",
            "anonymousId": "till-1",
            "context": {
                "traits": {"phone": "052-123-4567"},
                "location": {"country": "IL"},
            },
        }
    )
    assert ("phone", "+972521234567") in store.identities
    app = one(
        {
            "event": "Login",
            "anonymousId": "a",
            "context": {"traits": {"phone": "0532 123 45 67"}, "locale": "tr-TR"},
        }
    )
    assert ("phone", "+905321234567") in app.identities
