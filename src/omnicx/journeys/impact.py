"""Omnichannel impact: do customers who use more channels buy more? On your own data,
the figures the industry quotes — as correlations, with the sample sizes.

Definitions (all within the query's scope: time range, channel and trait filters):

- *Customer*: a profile (after merges) with at least one interaction (track, page or
  screen event). *Channels used*: the distinct channels of its interactions; buckets
  ``"1"``, ``"2"`` and ``"3+"``.
- *Order*: an interaction named ``conversion`` (default ``Order Completed``);
  *revenue*: the sum of its ``value_property`` (default ``revenue``; missing or
  non-numeric counts as 0). A purchase is also an interaction, so the channel it
  happened on counts as used.
- Per bucket: ``customers``; ``purchasers`` (≥ 1 order) and ``purchase_rate``
  (purchasers / customers); ``orders``, ``orders_per_customer`` and
  ``orders_per_purchaser`` (purchase frequency); ``revenue``,
  ``revenue_per_customer`` (the in-range "lifetime value") and
  ``revenue_per_purchaser``; ``repeat_purchasers`` (≥ 2 orders) and
  ``retention_rate`` = repeat purchasers / customers (the share of the bucket's
  customers who came back to buy again) and ``repeat_purchase_rate`` = repeat
  purchasers / purchasers.
- ``ratios``: each metric for "3+" divided by the same metric for "1" (null when the
  "1" value is 0 or a bucket is empty), with ``percent_higher`` = (ratio - 1) * 100.
- ``headline``: ``multichannel_customer_share`` — customers using ≥ 2 channels
  (analogue of "67% of customers use several channels"); ``same_day_switcher_share``
  — customers who used ≥ 2 channels within one UTC day (analogue of "90% switch
  channels during a day"); ``multichannel_purchase_share`` — orders whose journey
  (the touches after the previous order, within ``lookback``, default 30d, plus the
  order; as attribution defines it) used ≥ 2 channels (analogue of "67% use several
  channels for one purchase").

Rates and ratios are null when their denominator is 0.
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.journeys._query import Scope, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys.silo import (
    CONVERSION_KEYS,
    DEFAULT_VALUE_PROPERTY,
    ConversionSpec,
    conversion_spec,
)
from omnicx.journeys.switching import (
    DEFAULT_CONVERSION,
    check_keys,
    profile_event_params,
)
from omnicx.storage import Store
from omnicx.storage.sql import journeys_impact as sql

BUCKETS = ("1", "2", "3+")
SMALL_SAMPLE = 30
CAVEAT = (
    "Correlation, not causation: customers who use more channels are usually more "
    "engaged to begin with, and buying itself adds channels (a store purchase is a "
    "store visit), so these ratios describe your customers; they do not predict what "
    "adding a channel would do. Compare like with like (same period, same segment) "
    "before acting on them."
)

#: metric, label, the figure the industry quotes and how this one differs.
RATIOS = (
    (
        "orders_per_customer",
        "Order rate (orders per customer)",
        "3+ channel campaigns: 494% higher order rate",
        "The quoted figure compares marketing campaigns sent on 3+ channels with "
        "single-channel ones; this is the customer-level analogue: orders per "
        "customer for customers who used 3+ channels vs 1.",
    ),
    (
        "revenue_per_customer",
        "Revenue per customer (lifetime value in range)",
        "omnichannel customers: ~30% higher lifetime value",
        "Revenue per customer within the selected time range, 3+ channels vs 1.",
    ),
    (
        "purchase_rate",
        "Purchase rate (share who bought)",
        None,
        "Share of customers with at least one order, 3+ channels vs 1.",
    ),
    (
        "orders_per_purchaser",
        "Purchase frequency (orders per purchaser)",
        None,
        "Orders per customer who bought at least once, 3+ channels vs 1.",
    ),
    (
        "retention_rate",
        "Retention (share with 2+ orders)",
        None,
        "Share of customers with two or more orders, 3+ channels vs 1.",
    ),
)


class ImpactQuery(msgspec.Struct, frozen=True):
    scope: Scope
    spec: ConversionSpec


def parse(raw: dict[str, Any]) -> ImpactQuery:
    check_keys(raw, CONVERSION_KEYS)
    scope = scope_from(raw)
    return ImpactQuery(scope, conversion_spec(raw))


def _div(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def bucket_of(channels: int) -> str:
    return "3+" if channels >= 3 else str(channels)


def bucket_metrics(
    customers: int, purchasers: int, orders: int, revenue: float, repeat: int
) -> dict[str, Any]:
    return {
        "customers": customers,
        "purchasers": purchasers,
        "purchase_rate": _div(purchasers, customers),
        "orders": orders,
        "orders_per_customer": _div(orders, customers),
        "orders_per_purchaser": _div(orders, purchasers),
        "revenue": round(revenue, 6),
        "revenue_per_customer": _div(revenue, customers),
        "revenue_per_purchaser": _div(revenue, purchasers),
        "repeat_purchasers": repeat,
        "retention_rate": _div(repeat, customers),
        "repeat_purchase_rate": _div(repeat, purchasers),
    }


def ratios(buckets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each metric of the "3+" bucket over the same metric of the "1" bucket."""
    many, one = buckets["3+"], buckets["1"]
    found = []
    for metric, label, quoted, note in RATIOS:
        top, base = many[metric], one[metric]
        ratio = top / base if top is not None and base else None
        found.append(
            {
                "metric": metric,
                "label": label,
                "three_plus": top,
                "single": base,
                "ratio": ratio,
                "percent_higher": None if ratio is None else (ratio - 1) * 100,
                "industry_figure": quoted,
                "note": note,
            }
        )
    return found


def run(store: Store, workspace_id: str, query: ImpactQuery) -> dict[str, Any]:
    spec = query.spec
    params, channels = profile_event_params(
        store, workspace_id, query.scope, spec.conversion, (), spec.value_property
    )
    rows = []
    if channels:
        params["lookback_ms"] = spec.lookback_s * 1000
        rows = store.events.query_rows(sql.CUSTOMERS_BY_CHANNELS, params)
    sums = {b: {"c": 0, "p": 0, "o": 0, "r": 0.0, "rp": 0} for b in BUCKETS}
    by_count: dict[int, int] = {}
    switchers = orders = multichannel_orders = 0
    for row in rows:
        n, flags = int(row["customers"]), int(row["flags"])
        by_count[row["channels"]] = by_count.get(row["channels"], 0) + n
        acc = sums[bucket_of(int(row["channels"]))]
        acc["c"] += n
        acc["p"] += n if flags & 1 else 0
        acc["rp"] += n if flags & 2 else 0
        acc["o"] += int(row["orders"])
        acc["r"] += row["revenue"]
        switchers += n if flags & 4 else 0
        orders += int(row["orders"])
        multichannel_orders += int(row["multichannel_orders"])
    buckets = {
        b: bucket_metrics(a["c"], a["p"], a["o"], a["r"], a["rp"])
        for b, a in sums.items()
    }
    customers = sum(by_count.values())
    multichannel = customers - by_count.get(1, 0)
    sample = {"1": buckets["1"]["customers"], "3+": buckets["3+"]["customers"]}
    return {
        **spec.describe(),
        "customers": customers,
        "customers_by_channel_count": {str(k): by_count[k] for k in sorted(by_count)},
        "buckets": buckets,
        "ratios": ratios(buckets),
        "sample_sizes": sample,
        "small_sample": min(sample.values()) < SMALL_SAMPLE,
        "headline": {
            "multichannel_customers": multichannel,
            "multichannel_customer_share": _div(multichannel, customers),
            "same_day_switchers": switchers,
            "same_day_switcher_share": _div(switchers, customers),
            "orders": orders,
            "multichannel_orders": multichannel_orders,
            "multichannel_purchase_share": _div(multichannel_orders, orders),
        },
        "caveat": CAVEAT,
    }


ANALYSIS = Analysis(
    name="omnichannel-impact",
    title="Omnichannel impact",
    parse=parse,
    run=run,
    example={
        "conversion": DEFAULT_CONVERSION,
        "value_property": DEFAULT_VALUE_PROPERTY,
    },
    description=(
        "Customers grouped by how many channels they use (1, 2, 3+): purchase rate, "
        "orders and revenue per customer and retention, with the 3+ vs 1 ratios the "
        "industry quotes, computed on your data. Correlation, not causation."
    ),
)
