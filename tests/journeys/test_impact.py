"""Omnichannel impact: hand-computed answers on declarative journeys, including
out-of-order arrival, merged profiles, filters and empty ranges."""

from __future__ import annotations

import pytest

from omnicx.errors import ValidationError
from omnicx.journeys.impact import CAVEAT, bucket_metrics, parse
from tests.journeys.test_silo import ordered, reference_journeys
from tests.journeys.test_switching import random_people

PV, OC = "Product Viewed", "Order Completed"

#: p1 web only, no order                                   → bucket 1
#: p2 store only, two orders (50 + 30)                     → bucket 1, repeat
#: p7 store visit, no order                                → bucket 1
#: p3 web 10:00 + store order (40) 12:00 the same day      → bucket 2, same-day switch,
#:    the order's journey {web, store}
#: p4 email, web two days later, no order                  → bucket 2
#: p5 web, app, store order (100), store order (20)        → bucket 3+, repeat; first
#:    journey {web, app, store}, second {store}
#: p6 email + web the same day, sms, phone order (60)      → 4 channels (3+), same-day
#:    switch, journey of four channels
PEOPLE = {
    "p1": [("2026-03-01T10:00:00Z", "web", PV)],
    "p2": [
        ("2026-03-01T10:00:00Z", "store", OC, {"revenue": 50}),
        ("2026-03-20T10:00:00Z", "store", OC, {"revenue": 30}),
    ],
    "p3": [
        ("2026-03-02T10:00:00Z", "web", PV),
        ("2026-03-02T12:00:00Z", "store", OC, {"revenue": 40}),
    ],
    "p4": [
        ("2026-03-03T10:00:00Z", "email", "Email Opened"),
        ("2026-03-05T10:00:00Z", "web", PV),
    ],
    "p5": [
        ("2026-03-04T10:00:00Z", "web", PV),
        ("2026-03-05T10:00:00Z", "mobile_app", PV),
        ("2026-03-06T10:00:00Z", "store", OC, {"revenue": 100}),
        ("2026-03-07T10:00:00Z", "store", OC, {"revenue": 20}),
    ],
    "p6": [
        ("2026-03-08T09:00:00Z", "email", "Email Opened"),
        ("2026-03-08T09:30:00Z", "web", PV),
        ("2026-03-09T10:00:00Z", "sms", "SMS Clicked"),
        ("2026-03-09T12:00:00Z", "call_center", OC, {"revenue": 60}),
    ],
    "p7": [("2026-03-10T10:00:00Z", "store", "Store Visit")],
}


def ratio_of(result: dict, metric: str) -> dict:
    return next(r for r in result["ratios"] if r["metric"] == metric)


@pytest.mark.parametrize("shuffle", [False, True], ids=["in-order", "reversed"])
def test_impact_hand_computed(journeys_for, run_analysis, shuffle):
    journeys_for(PEOPLE, shuffle=shuffle)
    result = run_analysis("omnichannel-impact", {})
    assert result["customers"] == 7
    assert result["customers_by_channel_count"] == {"1": 3, "2": 2, "3": 1, "4": 1}
    one, two, many = (result["buckets"][b] for b in ("1", "2", "3+"))
    assert one == pytest.approx(
        {
            "customers": 3,
            "purchasers": 1,
            "purchase_rate": 1 / 3,
            "orders": 2,
            "orders_per_customer": 2 / 3,
            "orders_per_purchaser": 2.0,
            "revenue": 80.0,
            "revenue_per_customer": 80 / 3,
            "revenue_per_purchaser": 80.0,
            "repeat_purchasers": 1,
            "retention_rate": 1 / 3,
            "repeat_purchase_rate": 1.0,
        }
    )
    assert two == pytest.approx(
        {
            "customers": 2,
            "purchasers": 1,
            "purchase_rate": 0.5,
            "orders": 1,
            "orders_per_customer": 0.5,
            "orders_per_purchaser": 1.0,
            "revenue": 40.0,
            "revenue_per_customer": 20.0,
            "revenue_per_purchaser": 40.0,
            "repeat_purchasers": 0,
            "retention_rate": 0.0,
            "repeat_purchase_rate": 0.0,
        }
    )
    assert many == pytest.approx(
        {
            "customers": 2,
            "purchasers": 2,
            "purchase_rate": 1.0,
            "orders": 3,
            "orders_per_customer": 1.5,
            "orders_per_purchaser": 1.5,
            "revenue": 180.0,
            "revenue_per_customer": 90.0,
            "revenue_per_purchaser": 90.0,
            "repeat_purchasers": 1,
            "retention_rate": 0.5,
            "repeat_purchase_rate": 0.5,
        }
    )
    expected = {  # 3+ over 1
        "orders_per_customer": 2.25,  # 1.5 / (2/3)
        "revenue_per_customer": 3.375,  # 90 / (80/3)
        "purchase_rate": 3.0,  # 1 / (1/3)
        "orders_per_purchaser": 0.75,  # 1.5 / 2
        "retention_rate": 1.5,  # 0.5 / (1/3)
    }
    assert [r["metric"] for r in result["ratios"]] == list(expected)
    for metric, value in expected.items():
        found = ratio_of(result, metric)
        assert found["ratio"] == pytest.approx(value), metric
        assert found["percent_higher"] == pytest.approx((value - 1) * 100), metric
    assert "494%" in ratio_of(result, "orders_per_customer")["industry_figure"]
    assert "campaigns" in ratio_of(result, "orders_per_customer")["note"]
    assert "30%" in ratio_of(result, "revenue_per_customer")["industry_figure"]
    assert result["sample_sizes"] == {"1": 3, "3+": 2}
    assert result["small_sample"] is True
    assert result["headline"] == pytest.approx(
        {
            "multichannel_customers": 4,
            "multichannel_customer_share": 4 / 7,
            "same_day_switchers": 2,  # p3, p6
            "same_day_switcher_share": 2 / 7,
            "orders": 6,
            "multichannel_orders": 3,  # p3, p5's first, p6
            "multichannel_purchase_share": 0.5,
        }
    )
    assert result["caveat"] == CAVEAT
    assert "not causation" in result["caveat"]


def test_merged_profile_counts_once(journeys_for, run_analysis):
    """Anonymous web browsing linked by an identify to a store buyer: one customer
    with two channels, not two single-channel customers."""
    journeys_for(
        {
            "q": [
                ("2026-03-11T10:00:00Z", "web", PV, {},
                 {"userId": None, "anonymousId": "anon-q"}),
                ("2026-03-11T10:01:00Z", "web", "Identify", {},
                 {"type": "identify", "anonymousId": "anon-q"}),
                ("2026-03-12T10:00:00Z", "store", OC, {"revenue": 70}),
            ]
        },
        shuffle=True,
    )  # fmt: skip
    result = run_analysis("omnichannel-impact", {})
    assert result["customers_by_channel_count"] == {"2": 1}
    assert result["buckets"]["2"]["revenue_per_customer"] == 70.0
    assert result["headline"]["multichannel_purchase_share"] == 1.0


def test_filters_options_and_empty(journeys_for, run_analysis):
    journeys_for(PEOPLE)
    # Store and web only: p3 and p5 keep two channels; p4 and p6 drop to web only.
    scoped = run_analysis("omnichannel-impact", {"channels": ["web", "store"]})
    assert scoped["customers_by_channel_count"] == {"1": 5, "2": 2}
    assert scoped["buckets"]["3+"]["customers"] == 0
    assert all(r["ratio"] is None for r in scoped["ratios"])
    # Another conversion: a store visit is p7's only "order".
    visits = run_analysis("omnichannel-impact", {"conversion": "Store Visit"})
    assert visits["buckets"]["1"]["purchasers"] == 1
    assert visits["headline"]["orders"] == 1
    # A value property nobody sends: revenue ratios have no base.
    margin = run_analysis("omnichannel-impact", {"value_property": "margin"})
    assert margin["buckets"]["1"]["revenue"] == 0.0
    assert ratio_of(margin, "revenue_per_customer")["ratio"] is None
    assert ratio_of(margin, "orders_per_customer")["ratio"] == pytest.approx(2.25)
    # Time range: March 1 to 3 → p1, p2's first order, p3.
    early = run_analysis(
        "omnichannel-impact", {"from": "2026-03-01", "to": "2026-03-03"}
    )
    assert early["customers_by_channel_count"] == {"1": 2, "2": 1}
    assert early["buckets"]["1"]["repeat_purchasers"] == 0
    # Nothing in range.
    empty = run_analysis("omnichannel-impact", {"from": "2030-01-01"})
    assert empty["customers"] == 0
    assert empty["customers_by_channel_count"] == {}
    assert empty["buckets"]["1"]["purchase_rate"] is None
    assert all(r["ratio"] is None for r in empty["ratios"])
    assert empty["headline"]["multichannel_customer_share"] is None
    assert empty["small_sample"] is True


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"value_property": 3}, "value_property"),
        ({"lookback": "-1d"}, "lookback"),
        ({"conversion": "x" * 201}, "conversion"),
        ({"cart_events": ["Product Added"]}, "cart_events"),
        ({"to": "not a date"}, "to"),
    ],
)
def test_validation_names_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    assert [e.field for e in caught.value.errors] == [field]


# -- random journeys against a plain-Python reference ------------------------------
def reference_impact(people: dict[str, list[tuple]], lookback_ms: int) -> dict:
    buckets = {b: [0, 0, 0, 0.0, 0] for b in ("1", "2", "3+")}
    by_count: dict[str, int] = {}
    switchers = orders = multichannel_orders = 0
    for events in people.values():
        rows = ordered(events)
        n = len({r[3] for r in rows})
        by_count[str(n)] = by_count.get(str(n), 0) + 1
        mine = [r for r in rows if r[1]]
        acc = buckets["3+" if n >= 3 else str(n)]
        acc[0] += 1
        acc[1] += bool(mine)
        acc[2] += len(mine)
        acc[3] += sum(r[4] for r in mine)
        acc[4] += len(mine) >= 2
        days: dict[int, set[str]] = {}
        for r in rows:
            days.setdefault(r[0] // 86400000, set()).add(r[3])
        switchers += any(len(c) >= 2 for c in days.values())
        journeys = reference_journeys(rows, lookback_ms)
        orders += len(journeys)
        multichannel_orders += sum(len(used) >= 2 for _, _, used in journeys)
    return {
        "by_count": dict(sorted(by_count.items(), key=lambda kv: int(kv[0]))),
        "buckets": {b: bucket_metrics(*a) for b, a in buckets.items()},
        "headline": (switchers, orders, multichannel_orders),
    }


@pytest.mark.parametrize("seed", [5, 6])
def test_random_journeys_match_reference(journeys_for, run_analysis, seed):
    people = random_people(seed, people=40)
    journeys_for(people, shuffle=True)
    result = run_analysis("omnichannel-impact", {"lookback": "1d"})
    expected = reference_impact(people, 86400000)
    assert result["customers_by_channel_count"] == expected["by_count"]
    for bucket, values in expected["buckets"].items():
        assert result["buckets"][bucket] == pytest.approx(values), bucket
    headline = result["headline"]
    assert (
        headline["same_day_switchers"],
        headline["orders"],
        headline["multichannel_orders"],
    ) == expected["headline"]
