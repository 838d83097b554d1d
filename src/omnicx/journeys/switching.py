"""Channel switching: how customers move between channels.

Definitions (all within the query's scope: time range, channel and trait filters):

- *Interaction*: a track, page or screen event (identify, group and alias calls say
  who someone is, not that they did something). A *customer* is a profile (after
  merges) with at least one interaction.
- ``customers_by_channel_count``: customers by the number of distinct channels of
  their interactions (``{"1": n, "2": n, ...}``); ``multichannel_share`` is the share
  with two or more.
- *Transition*: two consecutive interactions of one profile, ordered by timestamp
  then message id, on different channels. ``transitions`` lists, per ordered pair of
  channels, how many there were and the median time between the two events in
  seconds (the mean of the two middle gaps when the count is even); ``sankey`` holds
  the same as nodes and links, with ``from:`` and ``to:`` nodes per channel so that
  the graph has no cycles.
- *Research online, purchase offline* (``ropo``): a customer with an interaction on
  ``web`` or ``mobile_app`` strictly earlier than a ``conversion`` (default
  ``Order Completed``) on ``store``. ``rate_of_store_purchasers`` is ROPO customers /
  customers with a store conversion; ``rate_of_online_customers`` is ROPO customers /
  customers with any web or mobile_app interaction.
- *Service escalation*: a customer with a ``call_center`` interaction strictly later
  than a ``social`` or ``chat`` interaction; ``rate`` is those customers / customers
  with a social or chat interaction.

Rates are null when their denominator is 0.

This module also holds what the three cross-channel analyses (this one,
``silo-vs-unified`` and ``omnichannel-impact``) share: query-field validation and
the parameters of the per-profile event keys (``storage.sql.journeys_switching``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql import journeys_switching as sql

DEFAULT_CONVERSION = "Order Completed"
SCOPE_KEYS = frozenset({"from", "to", "channels", "channel", "traits"})
MAX_NAME = 200
ONLINE_CHANNELS = ("web", "mobile_app")
STORE_CHANNEL = "store"
SERVICE_FROM = ("social", "chat")
SERVICE_TO = "call_center"
_MIXED_TIE = 32


def check_keys(raw: dict[str, Any], allowed: frozenset[str]) -> None:
    """Reject query keys that are neither scope keys nor ``allowed`` (typos)."""
    known = allowed | SCOPE_KEYS
    unknown = sorted(k for k in raw if k not in known)
    if unknown:
        raise ValidationError(
            f"unknown query parameter {unknown[0]!r}; expected one of: "
            + ", ".join(sorted(known)),
            [FieldError(k, "unknown parameter") for k in unknown],
        )


def event_name(raw: dict[str, Any], field: str, default: str) -> str:
    """A non-empty event or property name of at most 200 characters."""
    value = raw.get(field, default)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise ValidationError(
            f"{field} must be a non-empty name of at most {MAX_NAME} characters; "
            f"got {value!r}",
            [FieldError(field, "not a name")],
        )
    return value.strip()


def event_names(
    raw: dict[str, Any], field: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    """A non-empty list of names, or one comma-separated string (query strings)."""
    value = raw.get(field, default)
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationError(
            f"{field} must be a non-empty list of event names",
            [FieldError(field, "not a list of names")],
        )
    return tuple(
        event_name({f"{field}[{i}]": v}, f"{field}[{i}]", "")
        for i, v in enumerate(value)
    )


def profile_event_params(
    store: Store,
    workspace_id: str,
    scope: Scope,
    conversion: str,
    cart_events: tuple[str, ...] = (),
    value_property: str = "",
) -> tuple[dict[str, Any], list[str]]:
    """Parameters of ``PROFILE_EVENTS``, and the workspace's channels numbered for
    it (``channels[i]`` has code ``i + 1``); none means the workspace has no
    events in the channels asked for."""
    params = scope_params(store, workspace_id, scope)
    channels = [r["channel"] for r in store.events.query_rows(sql.CHANNELS, params)]
    params |= {
        "codes": array_param(channels),
        "nums": array_param(range(1, len(channels) + 1)),
        "conversion": conversion,
        "cart_events": array_param(cart_events),
        "value_property": value_property,
    }
    return params, channels


def channel_codes(channels: list[str], wanted: tuple[str, ...]) -> list[int]:
    return [channels.index(c) + 1 for c in wanted if c in channels]


class SwitchingQuery(msgspec.Struct, frozen=True):
    scope: Scope
    conversion: str = DEFAULT_CONVERSION


def parse(raw: dict[str, Any]) -> SwitchingQuery:
    check_keys(raw, frozenset({"conversion"}))
    scope = scope_from(raw)
    return SwitchingQuery(scope, event_name(raw, "conversion", DEFAULT_CONVERSION))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def sankey(transitions: list[dict[str, Any]]) -> dict[str, Any]:
    """Transitions as acyclic Sankey nodes and links (``from:web`` → ``to:store``)."""
    nodes: dict[str, dict[str, str]] = {}
    links = []
    for t in transitions:
        source, target = f"from:{t['from']}", f"to:{t['to']}"
        nodes.setdefault(source, {"name": source, "channel": t["from"], "side": "from"})
        nodes.setdefault(target, {"name": target, "channel": t["to"], "side": "to"})
        links.append({"source": source, "target": target, "value": t["count"]})
    ordered = sorted(nodes.values(), key=lambda n: (n["side"] != "from", n["channel"]))
    return {"nodes": ordered, "links": links}


def _switching_rows(
    store: Store, params: dict[str, Any], channels: list[str]
) -> list[dict[str, Any]]:
    if not channels:
        return []
    params = params | {
        "online": array_param(channel_codes(channels, ONLINE_CHANNELS)),
        "store": (channel_codes(channels, (STORE_CHANNEL,)) or [0])[0],
        "service_from": array_param(channel_codes(channels, SERVICE_FROM)),
        "service_to": (channel_codes(channels, (SERVICE_TO,)) or [0])[0],
    }
    rows = store.events.query_rows(sql.SWITCHING, params)
    if any(r["kind"] == 0 and r["b"] & _MIXED_TIE for r in rows):
        # Same-instant interactions on different channels: order them by message id.
        rows = store.events.query_rows(sql.SWITCHING_EXACT, params)
    return rows


def run(store: Store, workspace_id: str, query: SwitchingQuery) -> dict[str, Any]:
    params, channels = profile_event_params(
        store, workspace_id, query.scope, query.conversion
    )
    rows = _switching_rows(store, params, channels)
    by_count: dict[int, int] = {}
    flags = {1: 0, 2: 0, 4: 0, 8: 0, 16: 0}
    transitions = []
    for row in rows:
        n = int(row["n"])
        if row["kind"] == 0:
            by_count[row["a"]] = by_count.get(row["a"], 0) + n
            for bit in flags:
                flags[bit] += n if row["b"] & bit else 0
        else:
            transitions.append(
                {
                    "from": channels[row["a"] - 1],
                    "to": channels[row["b"] - 1],
                    "count": n,
                    "median_gap_s": row["median_gap_s"],
                }
            )
    transitions.sort(key=lambda t: (-t["count"], t["from"], t["to"]))
    customers = sum(by_count.values())
    multichannel = customers - by_count.get(1, 0)
    online, store_buyers, ropo, service, escalated = flags.values()
    return {
        "conversion": query.conversion,
        "customers": customers,
        "customers_by_channel_count": {str(k): by_count[k] for k in sorted(by_count)},
        "multichannel_customers": multichannel,
        "multichannel_share": _rate(multichannel, customers),
        "total_transitions": sum(t["count"] for t in transitions),
        "transitions": transitions,
        "sankey": sankey(transitions),
        "ropo": {
            "online_channels": list(ONLINE_CHANNELS),
            "store_channel": STORE_CHANNEL,
            "customers": ropo,
            "store_purchasers": store_buyers,
            "online_customers": online,
            "rate_of_store_purchasers": _rate(ropo, store_buyers),
            "rate_of_online_customers": _rate(ropo, online),
        },
        "service_escalation": {
            "from_channels": list(SERVICE_FROM),
            "to_channel": SERVICE_TO,
            "customers": escalated,
            "service_customers": service,
            "rate": _rate(escalated, service),
        },
    }


ANALYSIS = Analysis(
    name="channel-switching",
    title="Channel switching",
    parse=parse,
    run=run,
    example={"conversion": DEFAULT_CONVERSION},
    description=(
        "How many channels each customer uses, how they move from one channel to the "
        "next (and how long it takes), research-online-purchase-offline and service "
        "escalation rates."
    ),
)
