"""Funnel: how many customers go through a sequence of steps, on any channels.

Semantics are ClickHouse ``windowFunnel(window)`` in its default mode: a profile's
depth is the deepest step reached from any occurrence of step 1, every later step
happening at or after the previous one (events at the same millisecond count, in
funnel order) and at most ``window`` after that step-1 event — *inclusive*: a step
exactly ``window`` later still counts. Steps may happen on different channels. One
event never satisfies two steps (with a repeated step name ``windowFunnel`` would let
it, so such funnels take their depths from the step walk below).

For the numbers beyond counts, the events that satisfied each step come from a walk
over each profile's step events (``storage.sql.journeys_funnel``): from each step-1
event, the first later event satisfying each next step within the window; the deepest
chain wins, then the one that got there first, then the latest start. From it:

* ``median_time_from_previous_s``: the median, over profiles that reached the step,
  of the time between the events satisfying the previous step and this one;
* ``channels`` (``breakdown: "channel"``): the channels of the events that satisfied
  the step;
* ``cross_channel``: of the profiles that completed the funnel, how many did every
  step on one channel and how many used several.

``dropped_profile_ids`` at step ``k`` lists (smallest first, at most ``sample``)
profiles that reached step ``k - 1`` but not ``k``. Rates with a zero denominator are
0; medians with nobody to measure are ``null``.

``window`` is a duration (``"7d"``, ``"12h"``, seconds), counted in whole seconds.
``details: false`` answers the counts and drop-offs from ``windowFunnel`` alone, two
to three times faster (medians and ``cross_channel`` are then ``null``; a breakdown
needs the details).
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, parse_duration, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql.journeys_funnel import (
    MAX_STEPS,
    funnel_levels_sql,
    funnel_sql,
)

BREAKDOWNS = ("channel",)
DEFAULT_WINDOW = "7d"
DEFAULT_SAMPLE = 100
MAX_SAMPLE = 1000
MAX_STEP_NAME = 200
_SCOPE_KEYS = {"from", "to", "channels", "channel", "traits"}
_KEYS = {"steps", "window", "breakdown", "sample", "details"} | _SCOPE_KEYS


class FunnelQuery(msgspec.Struct, frozen=True):
    steps: tuple[str, ...]
    window_s: int = 7 * 86400
    breakdown: str | None = None
    sample: int = DEFAULT_SAMPLE
    details: bool = True
    scope: Scope = Scope()


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def _rule_known_keys(raw: dict[str, Any]) -> None:
    for key in raw:
        if key not in _KEYS:
            raise _invalid(
                key, f"unknown field; a funnel takes {', '.join(sorted(_KEYS))}"
            )


def _rule_steps(raw: dict[str, Any]) -> tuple[str, ...]:
    steps = raw.get("steps")
    if steps is None:
        raise _invalid("steps", "required: a list of 1 to 20 event names")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise _invalid("steps", f"must be a list of 1 to {MAX_STEPS} event names")
    for i, step in enumerate(steps):
        if not isinstance(step, str) or not step.strip():
            raise _invalid(f"steps[{i}]", "must be a non-empty event name")
        if len(step) > MAX_STEP_NAME:
            raise _invalid(f"steps[{i}]", f"longer than {MAX_STEP_NAME} characters")
    return tuple(s.strip() for s in steps)


def _rule_breakdown(raw: dict[str, Any]) -> str | None:
    breakdown = raw.get("breakdown")
    if breakdown is None or breakdown == "":
        return None
    if breakdown not in BREAKDOWNS:
        raise _invalid("breakdown", 'must be null or "channel"')
    return str(breakdown)


def _rule_sample(raw: dict[str, Any]) -> int:
    sample = raw.get("sample", DEFAULT_SAMPLE)
    if isinstance(sample, str) and sample.strip().isdigit():
        sample = int(sample)
    if not isinstance(sample, int) or isinstance(sample, bool):
        raise _invalid("sample", f"must be an integer from 0 to {MAX_SAMPLE}")
    if not 0 <= sample <= MAX_SAMPLE:
        raise _invalid("sample", f"must be an integer from 0 to {MAX_SAMPLE}")
    return sample


def _rule_details(raw: dict[str, Any], breakdown: str | None) -> bool:
    details = raw.get("details", True)
    if details in ("true", "false"):
        details = details == "true"
    if not isinstance(details, bool):
        raise _invalid("details", "must be true or false")
    if breakdown and not details:
        raise _invalid("breakdown", "needs details (the events behind each step)")
    return details


def parse_funnel(raw: dict[str, Any]) -> FunnelQuery:
    """Validate a funnel query; every error names its field."""
    _rule_known_keys(raw)
    breakdown = _rule_breakdown(raw)
    return FunnelQuery(
        steps=_rule_steps(raw),
        window_s=parse_duration(raw.get("window", DEFAULT_WINDOW), "window"),
        breakdown=breakdown,
        sample=_rule_sample(raw),
        details=_rule_details(raw, breakdown),
        scope=scope_from(raw),
    )


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _step_rows(
    store: Store, workspace_id: str, query: FunnelQuery
) -> dict[int, dict[str, Any]]:
    """Per step reached: ``profiles`` and the ``sample`` of those stopping there,
    plus (with details) the median gap, channels and channel use of completers."""
    steps = query.steps
    names = list(dict.fromkeys(steps))
    masks = [sum(1 << i for i, s in enumerate(steps) if s == n) for n in names]
    repeated = len(names) < len(steps)
    params = scope_params(store, workspace_id, query.scope) | {
        "names": array_param(names),
        "masks": array_param(masks),
        "window_ms": query.window_s * 1000,
        "sample": max(query.sample, 1),  # groupArraySorted needs a positive size
        "use_walk": 1 if repeated else 0,
    }
    if query.details or repeated:
        found = store.events.query_rows(funnel_sql(len(steps)), params)
        return {int(r["step"]): r for r in found}
    levels = {
        int(r["level"]): r
        for r in store.events.query_rows(funnel_levels_sql(len(steps)), params)
    }
    rows: dict[int, dict[str, Any]] = {}
    for k in range(len(steps), 0, -1):
        reached = int(levels.get(k, {}).get("profiles", 0))
        reached += int(rows.get(k + 1, {}).get("profiles", 0))
        if reached:
            rows[k] = {"profiles": reached, "sample": levels.get(k, {}).get("sample")}
    return rows


def run_funnel(store: Store, workspace_id: str, query: FunnelQuery) -> dict[str, Any]:
    steps = query.steps
    rows = _step_rows(store, workspace_id, query)
    counts = [
        int(rows[k]["profiles"]) if k in rows else 0 for k in range(1, len(steps) + 1)
    ]
    out_steps = []
    for k, event in enumerate(steps, start=1):
        row = rows.get(k, {})
        count = counts[k - 1]
        previous = counts[k - 2] if k > 1 else count
        before = rows.get(k - 1, {})
        median = row.get("median_gap_ms") if k > 1 and query.details else None
        step: dict[str, Any] = {
            "step": k,
            "event": event,
            "count": count,
            "conversion_from_previous": _rate(count, previous),
            "conversion_from_first": _rate(count, counts[0]),
            "median_time_from_previous_s": None if median is None else median / 1000,
            "dropped": previous - count,
            "dropped_profile_ids": [int(p) for p in before.get("sample") or []][
                : query.sample if k > 1 else 0
            ],
        }
        if query.breakdown == "channel":
            names_, values = row.get("channels") or ([], [])
            pairs = sorted(
                zip(names_, values, strict=True), key=lambda p: (-p[1], p[0])
            )
            step["channels"] = [
                {"channel": c, "count": int(v), "share": _rate(int(v), count)}
                for c, v in pairs
            ]
        out_steps.append(step)
    completers = counts[-1]
    cross_channel = None
    if query.details:
        single = int(rows.get(len(steps), {}).get("stopped_single_channel", 0))
        cross_channel = {
            "completers": completers,
            "single_channel": single,
            "multi_channel": completers - single,
            "multi_channel_share": _rate(completers - single, completers),
        }
    return {
        "steps": out_steps,
        "window_s": query.window_s,
        "breakdown": query.breakdown,
        "details": query.details,
        "entered": counts[0],
        "completed": completers,
        "conversion": _rate(completers, counts[0]),
        "cross_channel": cross_channel,
    }


ANALYSIS = Analysis(
    name="funnel",
    title="Funnel",
    parse=parse_funnel,
    run=run_funnel,
    example={
        "steps": [
            "Product Viewed",
            "Product Added",
            "Checkout Started",
            "Order Completed",
        ],
        "window": "7d",
        "breakdown": "channel",
    },
    description=(
        "How many customers go through a sequence of steps within a window, on any "
        "channels: conversion per step, time between steps, the channels each step "
        "happened on, how many completers used several channels, and who dropped off."
    ),
)
