"""The demo business generator: valid Segment messages, deterministic, believable."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
import pytest

from omnicx.demo.generator import (
    DEFAULT_START,
    DEMO_CHANNELS,
    DEMO_EVENT_NAMES,
    demo_personas,
    generate_business,
    generate_business_json,
    generate_business_with_truth,
)

CUSTOMERS = 300
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SERVER_LIBRARIES = {"analytics-python", "@segment/analytics-node"}
Message = dict[str, Any]


@pytest.fixture(scope="module")
def business() -> tuple[list[Message], dict[str, int]]:
    return generate_business_with_truth(CUSTOMERS, seed=7)


@pytest.fixture(scope="module")
def messages(business: tuple[list[Message], dict[str, int]]) -> list[Message]:
    return business[0]


@pytest.fixture(scope="module")
def by_person(
    business: tuple[list[Message], dict[str, int]],
) -> dict[int, list[Message]]:
    """Each real person's messages, in time order."""
    messages, truth = business
    people: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        people[truth[message["messageId"]]].append(message)
    return people


def _when(message: Message) -> datetime:
    return datetime.fromisoformat(message["timestamp"].replace("Z", "+00:00"))


def _e164(phone: str, country: str | None) -> str:
    number = phonenumbers.parse(phone, country)
    assert phonenumbers.is_valid_number(number), (phone, country)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- determinism and API ---------------------------------------------------------------
def test_same_seed_gives_identical_output_and_another_seed_does_not() -> None:
    first = list(generate_business(120, seed=11))
    assert first == list(generate_business(120, seed=11))
    other = list(generate_business(120, seed=12))
    assert first != other
    assert not {m["messageId"] for m in first} & {m["messageId"] for m in other}


def test_output_ignores_global_random_state_and_hash_seed() -> None:
    random.seed(1)
    first = list(generate_business(40, seed=5))
    random.seed(2)
    assert list(generate_business(40, seed=5)) == first
    script = (
        "import hashlib; from omnicx.demo.generator import generate_business_json; "
        "raw = b''.join(generate_business_json(40, seed=5)); "
        "print(hashlib.sha256(raw).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env=os.environ | {"PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_all_variants_share_one_code_path(messages: list[Message]) -> None:
    assert list(generate_business(CUSTOMERS, seed=7)) == messages
    raw = list(generate_business_json(CUSTOMERS, seed=7))
    assert [json.loads(document) for document in raw] == messages


def test_output_is_lazy_and_arguments_are_checked() -> None:
    stream = generate_business(50)
    assert isinstance(stream, Iterator)
    assert next(stream)["timestamp"].startswith("2026-08-01T")
    with pytest.raises(ValueError):
        list(generate_business(10, days=0))
    assert list(generate_business(0)) == []


# -- each message is a valid Segment message ------------------------------------------
def test_every_message_is_a_valid_segment_message(messages: list[Message]) -> None:
    assert 20 <= len(messages) / CUSTOMERS <= 60
    ids = [m["messageId"] for m in messages]
    assert len(set(ids)) == len(ids)
    for m in messages:
        assert m["type"] in {"track", "identify", "page", "screen", "alias"}
        assert m.get("userId") or m.get("anonymousId"), m
        assert TIMESTAMP.match(m["timestamp"]), m["timestamp"]
        assert m["context"]["channel"] in DEMO_CHANNELS
        assert len(json.dumps(m).encode()) < 32 * 1024
        if m["type"] == "track":
            assert m["event"] in DEMO_EVENT_NAMES
            assert isinstance(m["properties"], dict)
        elif m["type"] in ("page", "screen"):
            assert m["name"]
        elif m["type"] == "identify":
            assert m["traits"]
        else:
            assert m["previousId"] and m["userId"]


def test_timestamps_are_sorted_and_inside_the_window(messages: list[Message]) -> None:
    stamps = [m["timestamp"] for m in messages]
    assert stamps == sorted(stamps)
    assert _when(messages[0]) >= DEFAULT_START
    assert _when(messages[-1]) <= DEFAULT_START + timedelta(days=90)


def test_a_custom_window_is_respected() -> None:
    start = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
    messages = list(generate_business(80, seed=3, start=start, days=20))
    stamps = [_when(m) for m in messages]
    assert stamps == sorted(stamps)
    assert start <= stamps[0] and stamps[-1] <= start + timedelta(days=20)
    assert stamps[-1] > start + timedelta(days=15)  # the whole window is used


def test_context_library_matches_the_channel_sdk(messages: list[Message]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for m in messages:
        context, channel = m["context"], m["context"]["channel"]
        library = context["library"]["name"]
        seen[channel].add(library)
        if channel == "web":
            assert library == "analytics.js"
            assert m["messageId"].startswith("ajs-next-")
            assert context["page"]["url"].startswith("https://")
            assert context["userAgent"].startswith("Mozilla/5.0")
            assert context["ip"]
        elif channel in ("mobile_app", "push"):
            assert library in {"analytics-ios", "analytics-android"}
            assert context["device"]["id"] and context["os"]["name"] in {
                "iOS",
                "Android",
            }
            assert context["app"]["version"]
        else:
            assert library in SERVER_LIBRARIES
    assert seen["mobile_app"] == {"analytics-ios", "analytics-android"}
    assert seen["store"] == {"analytics-python"}


# -- the business looks real ----------------------------------------------------------
def test_eight_or_more_channels(messages: list[Message]) -> None:
    channels = Counter(m["context"]["channel"] for m in messages)
    required = {"web", "mobile_app", "email", "sms", "social", "chat", "call_center"}
    assert required | {"store"} <= set(channels)
    assert len(channels) >= 8
    assert channels.most_common(1)[0][0] == "web"


def test_customers_range_from_one_channel_to_five_or_more(
    by_person: dict[int, list[Message]],
) -> None:
    width = Counter(
        len({m["context"]["channel"] for m in ms}) for ms in by_person.values()
    )
    assert width[1] >= 10
    assert sum(n for channels, n in width.items() if channels >= 5) >= 10
    assert width[2] + width[3] >= 0.3 * len(by_person)


def test_purchases_repeat_and_some_customers_never_buy(
    by_person: dict[int, list[Message]],
) -> None:
    orders = Counter(
        sum(m.get("event") == "Order Completed" for m in ms)
        for ms in by_person.values()
    )
    assert orders[0] >= 5
    assert sum(n for count, n in orders.items() if count >= 2) >= 30


def test_orders_follow_the_ecommerce_spec(messages: list[Message]) -> None:
    orders = [m for m in messages if m.get("event") == "Order Completed"]
    assert {o["context"]["channel"] for o in orders} >= {"web", "mobile_app", "store"}
    assert len({o["properties"]["order_id"] for o in orders}) == len(orders)
    for order in orders:
        p = order["properties"]
        assert p["currency"] in {"ILS", "AED", "TRY", "USD", "GBP", "EUR"}
        assert p["products"] and all(
            {"product_id", "sku", "name", "price", "quantity"} <= set(item)
            for item in p["products"]
        )
        subtotal = sum(item["price"] * item["quantity"] for item in p["products"])
        assert p["revenue"] == pytest.approx(subtotal - p["discount"], abs=0.02)
        assert p["revenue"] > 0


def test_anonymous_web_cart_is_bought_in_the_store(
    by_person: dict[int, list[Message]],
) -> None:
    """The silo blind spot: an abandoned anonymous cart, later bought at the till by
    the same person, who identified on that browser at some point."""
    found = 0
    for ms in by_person.values():
        carts = [
            m
            for m in ms
            if m.get("event") == "Product Added"
            and m["context"]["channel"] == "web"
            and "userId" not in m
        ]
        if not carts:
            continue
        browser = carts[0]["anonymousId"]
        bought = [
            m
            for m in ms
            if m.get("event") == "Order Completed"
            and m["context"]["channel"] == "store"
            and m["timestamp"] > carts[0]["timestamp"]
        ]
        identified = any(
            m["type"] == "identify"
            and m.get("anonymousId") == browser
            and "email" in m["traits"]
            for m in ms
        )
        if bought and identified:
            who = bought[0]["context"]["traits"]
            assert {"loyalty_id", "phone", "email"} & set(who)
            assert bought[0]["context"]["location"]["country"]
            found += 1
    assert found >= 10


def test_social_complaint_is_escalated_to_the_call_centre(
    by_person: dict[int, list[Message]],
) -> None:
    escalated = followed_by_chat = 0
    for ms in by_person.values():
        complaints = [m for m in ms if m.get("event") == "Complaint Posted"]
        if not complaints:
            continue
        handle = complaints[0]["context"]["externalIds"][0]
        assert handle["id"].startswith("@") and handle["type"].endswith("_handle")
        assert handle["collection"] == "users" and handle["encoding"] == "none"
        assert complaints[0]["properties"]["text"]
        later = [m for m in ms if m["timestamp"] > complaints[0]["timestamp"]]
        calls = [m for m in later if m.get("event") == "Call Started"]
        if calls:
            call = calls[0]
            assert call["context"]["channel"] == "call_center"
            assert call["context"]["traits"]["phone"].startswith("+")
            assert handle in call["context"]["externalIds"]
            ended = next(m for m in later if m.get("event") == "Call Ended")
            assert ended["properties"]["duration_s"] > 0
            escalated += 1
            if any(m.get("event") == "Chat Started" for m in later):
                followed_by_chat += 1
    assert escalated >= 10
    assert followed_by_chat >= 2


def test_anonymous_browsing_is_identified_then_carries_both_ids(
    messages: list[Message],
) -> None:
    first_identify: dict[str, Message] = {}
    for m in messages:
        if m["type"] == "identify" and m.get("userId") and "anonymousId" in m:
            first_identify.setdefault(m["anonymousId"], m)
    stitched = 0
    for anonymous_id, identify in first_identify.items():
        assert identify["traits"]["email"]
        before = [
            m
            for m in messages
            if m.get("anonymousId") == anonymous_id
            and m["timestamp"] < identify["timestamp"]
        ]
        after = [
            m
            for m in messages
            if m.get("anonymousId") == anonymous_id
            and m["timestamp"] > identify["timestamp"]
        ]
        if before and after:
            assert all("userId" not in m for m in before)
            assert all(m["userId"] == identify["userId"] for m in after)
            stitched += 1
        if stitched >= 20:
            break
    assert stitched >= 20


def test_identify_traits_describe_the_person(messages: list[Message]) -> None:
    signups = [
        m
        for m in messages
        if m["type"] == "identify" and m.get("userId") and "first_name" in m["traits"]
    ]
    assert len(signups) >= 50
    languages = set()
    for m in signups:
        traits = m["traits"]
        assert {"first_name", "last_name", "email", "phone", "language", "city"} <= set(
            traits
        )
        languages.add(traits["language"])
    assert languages == {"en", "he", "ar", "tr", "fa"}
    assert any("loyalty_id" in m["traits"] for m in signups)


def test_email_and_sms_campaigns_lead_to_web_sessions(
    by_person: dict[int, list[Message]],
) -> None:
    landed: Counter[str] = Counter()
    for ms in by_person.values():
        for i, m in enumerate(ms):
            if m.get("event") not in ("Email Link Clicked", "SMS Clicked"):
                continue
            assert m["properties"]["campaign_id"] and m["properties"]["campaign_name"]
            landing = next(x for x in ms[i + 1 :] if x["context"]["channel"] == "web")
            assert landing["type"] == "page"
            assert (
                landing["context"]["campaign"]["name"] == m["properties"]["campaign_id"]
            )
            landed[landing["context"]["campaign"]["medium"]] += 1
    assert landed["email"] >= 20 and landed["sms"] >= 1


def test_phone_numbers_are_valid_and_some_are_in_national_format(
    messages: list[Message],
) -> None:
    national = 0
    for m in messages:
        for traits in (m.get("traits") or {}, m["context"].get("traits") or {}):
            if "phone" not in traits:
                continue
            phone = traits["phone"]
            country = m["context"].get("location", {}).get("country")
            if not phone.startswith("+"):
                assert country, m  # a national number always comes with its country
                national += 1
            _e164(phone, country)
    assert national >= 20
    countries = {p.market.code for p in demo_personas(CUSTOMERS, seed=7)}
    assert countries == {"IL", "AE", "TR", "IR", "US", "GB", "DE"}


def test_no_identifier_is_shared_by_two_people(
    business: tuple[list[Message], dict[str, int]],
) -> None:
    """Ground truth for identity resolution: every identifier belongs to one person."""
    messages, truth = business
    owners: dict[tuple[str, str], set[int]] = defaultdict(set)
    for m in messages:
        person = truth[m["messageId"]]
        country = m["context"].get("location", {}).get("country")
        keys = [("user_id", m.get("userId")), ("anonymous_id", m.get("anonymousId"))]
        for traits in (m.get("traits") or {}, m["context"].get("traits") or {}):
            keys.append(("email", traits.get("email")))
            keys.append(("loyalty_id", traits.get("loyalty_id")))
            if "phone" in traits:
                keys.append(("phone", _e164(traits["phone"], country)))
        keys += [(x["type"], x["id"]) for x in m["context"].get("externalIds", [])]
        for kind, value in keys:
            if value:
                owners[kind, value].add(person)
    assert len(owners) > 3 * CUSTOMERS
    shared = {key: people for key, people in owners.items() if len(people) > 1}
    assert not shared
