"""Multichannel vs omnichannel: each channel's numbers as its silo sees them, next to
the unified view of the same customers.

Definitions (all within the query's scope: time range, channel and trait filters):

- *Interaction*: a track, page or screen event. *Conversion*: an interaction named
  ``conversion`` (default ``Order Completed``); its *value* is its ``value_property``
  (default ``revenue``; missing or non-numeric counts as 0) and its channel is the
  channel it happened on. *Touch*: any other interaction.
- *Order*: by timestamp; at the same instant touches come before conversions (as
  attribution orders them).
- *Journey of a conversion* (as attribution defines it): the profile's touches after
  its previous conversion and at most ``lookback`` (default 30d) before the
  conversion, plus the conversion itself. Its *channels* are the distinct channels
  of those touches and of the conversion. Only events in scope count: touches before
  ``from`` are not part of a journey.
- Per channel X:

  - ``completed_conversions`` / ``completed_value``: conversions that happened on X
    (everything X's own system records).
  - ``silo_conversions`` / ``silo_value``: conversions on X whose journey used X
    only — what a team that sees only its own channel can explain.
  - ``unified_conversions`` / ``unified_value``: conversions whose journey used X
    anywhere, wherever they completed (each conversion counts in full for every
    channel it used, so these add up to more than the total).
  - ``assisted_elsewhere`` / ``assisted_elsewhere_value``: conversions X took part in
    that completed on another channel — invisible to X's silo.
  - ``unified_vs_silo``: ``unified_conversions / silo_conversions`` (null when 0).
  - ``cart_profiles``: profiles with a cart event (``cart_events``, default
    ``Product Added`` and ``Checkout Started``) on X. A profile's cart on X is its
    last cart event on X.
  - ``abandoned_carts_silo``: of those, the profiles with no conversion on X after
    that cart (a conversion at the same instant is after it) — "abandoned" as X's
    silo sees it.
  - ``abandoned_then_bought_elsewhere``: of the abandoned, the profiles with a
    conversion on another channel after the cart and at most ``lookback`` after it;
    ``abandoned_bought_on`` counts them by the channel of the first such conversion.

``totals``: all conversions and their value, and how many were single-channel (the
journey used one channel) or cross-channel.
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, parse_duration, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys.switching import (
    DEFAULT_CONVERSION,
    check_keys,
    event_name,
    event_names,
    profile_event_params,
)
from omnicx.storage import Store
from omnicx.storage.sql import journeys_silo as sql

DEFAULT_VALUE_PROPERTY = "revenue"
DEFAULT_LOOKBACK = "30d"
DEFAULT_CART_EVENTS = ("Product Added", "Checkout Started")


class ConversionSpec(msgspec.Struct, frozen=True):
    """What a conversion is, what it is worth, and how far back its journey goes."""

    conversion: str = DEFAULT_CONVERSION
    value_property: str = DEFAULT_VALUE_PROPERTY
    lookback_s: int = 30 * 86400

    def describe(self) -> dict[str, Any]:
        return {
            "conversion": self.conversion,
            "value_property": self.value_property,
            "lookback_s": self.lookback_s,
        }


CONVERSION_KEYS = frozenset({"conversion", "value_property", "lookback"})


def conversion_spec(raw: dict[str, Any]) -> ConversionSpec:
    return ConversionSpec(
        event_name(raw, "conversion", DEFAULT_CONVERSION),
        event_name(raw, "value_property", DEFAULT_VALUE_PROPERTY),
        parse_duration(raw.get("lookback", DEFAULT_LOOKBACK), "lookback"),
    )


class SiloQuery(msgspec.Struct, frozen=True):
    scope: Scope
    spec: ConversionSpec
    cart_events: tuple[str, ...] = DEFAULT_CART_EVENTS


def parse(raw: dict[str, Any]) -> SiloQuery:
    check_keys(raw, CONVERSION_KEYS | {"cart_events"})
    scope = scope_from(raw)
    spec = conversion_spec(raw)
    carts = event_names(raw, "cart_events", DEFAULT_CART_EVENTS)
    if spec.conversion in carts:
        raise ValidationError(
            f"cart_events must not include the conversion {spec.conversion!r}",
            [FieldError("cart_events", "includes the conversion event")],
        )
    return SiloQuery(scope, spec, carts)


def _empty_channel() -> dict[str, Any]:
    return {
        "completed_conversions": 0,
        "completed_value": 0.0,
        "silo_conversions": 0,
        "silo_value": 0.0,
        "unified_conversions": 0,
        "unified_value": 0.0,
        "assisted_elsewhere": 0,
        "assisted_elsewhere_value": 0.0,
        "unified_vs_silo": None,
        "cart_profiles": 0,
        "abandoned_carts_silo": 0,
        "abandoned_then_bought_elsewhere": 0,
        "abandoned_bought_on": {},
    }


def run(store: Store, workspace_id: str, query: SiloQuery) -> dict[str, Any]:
    spec = query.spec
    params, channels = profile_event_params(
        store,
        workspace_id,
        query.scope,
        spec.conversion,
        query.cart_events,
        spec.value_property,
    )
    rows = []
    if channels:
        params["lookback_ms"] = spec.lookback_s * 1000
        rows = store.events.query_rows(sql.SILO, params)
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = found.setdefault(channels[row["code"] - 1], _empty_channel())
        n, value, here, only = int(row["n"]), row["value"], row["x"], row["y"]
        if row["kind"] == 0:
            _add(entry, "unified", n, value)
            _add(entry, "completed" if here else "assisted_elsewhere", n, value)
            if here and only:
                _add(entry, "silo", n, value)
            continue
        entry["cart_profiles"] += n
        if here:
            entry["abandoned_carts_silo"] += n
            if row["y"]:
                entry["abandoned_then_bought_elsewhere"] += n
                bought = entry["abandoned_bought_on"]
                bought[channels[row["y"] - 1]] = n
    total = sum(e["completed_conversions"] for e in found.values())
    single = sum(e["silo_conversions"] for e in found.values())
    for entry in found.values():
        for key in ("completed", "silo", "unified", "assisted_elsewhere"):
            entry[f"{key}_value"] = round(entry[f"{key}_value"], 6)
        if entry["silo_conversions"]:
            entry["unified_vs_silo"] = (
                entry["unified_conversions"] / entry["silo_conversions"]
            )
    return {
        **spec.describe(),
        "cart_events": list(query.cart_events),
        "totals": {
            "conversions": total,
            "value": round(sum(e["completed_value"] for e in found.values()), 6),
            "single_channel_conversions": single,
            "cross_channel_conversions": total - single,
            "cross_channel_share": (total - single) / total if total else None,
        },
        "channels": dict(
            sorted(
                found.items(),
                key=lambda item: (-item[1]["unified_conversions"], item[0]),
            )
        ),
    }


def _add(entry: dict[str, Any], metric: str, n: int, value: float) -> None:
    count_key = metric if metric == "assisted_elsewhere" else f"{metric}_conversions"
    entry[count_key] += n
    entry[f"{metric}_value"] += value


ANALYSIS = Analysis(
    name="silo-vs-unified",
    title="Silo vs unified view",
    parse=parse,
    run=run,
    example={"conversion": DEFAULT_CONVERSION, "lookback": DEFAULT_LOOKBACK},
    description=(
        "Each channel's conversions as its own team sees them (journeys on that "
        "channel only) next to every conversion it took part in, and carts its silo "
        "calls abandoned that were bought on another channel."
    ),
)
