"""Attribution: which channels get the credit for conversions, by seven models.

``POST /api/v1/analytics/attribution`` with an ``AttributionQuery`` body answers

    {"models": {"linear": {"channels": {"web": {"conversions": 1.5, "value": 30.0},
                                        ...},
                           "total": {"conversions": 2.0, "value": 45.0}}, ...},
     "linear": {"web": {"conversions": 1.5, "value": 30.0}, ...},  # same, per model
     "channels": ["email", "web"],
     "journeys": {"converting": 3, "non_converting": 5, "no_touch": 1,
                  "attributed": 2, "paths": 4},
     "conversions": {"total": 3, "value": 60.0, "attributed": 2,
                     "attributed_value": 45.0,
                     "unattributed": {"conversions": 1, "value": 15.0,
                                      "by_channel": {"store": {...}}}},
     "top_paths": [{"path": ["web", "email"], "journeys": 2, "conversions": 1,
                    "value": 30.0}, ...],
     "query": {...}}

Journeys (the SQL in ``storage/sql/journeys_attribution.py`` builds them): a touch is
any non-conversion event of the profile (after identity merges); a converting journey
is the touches after the profile's previous conversion and at most ``lookback``
before this conversion (a touch exactly ``lookback`` before counts); the touches
after the last conversion form one non-converting journey, looking back from its last
touch. Never split by inactivity. A touch at the same instant as a conversion comes
before it; conversions at the same instant are ordered by channel name, and the
later ones have no touches.

Scope: ``from``/``to`` select the conversions (and non-converting journeys by their
last touch); touches are looked for up to ``lookback`` before each, even before
``from``. A conversion at or after ``to`` is not seen, so the touches before it form
the non-converting tail (the data as of ``to``). ``channels`` limits the *touches*;
conversions count on every channel. ``traits`` limits the profiles.

A conversion with no touch in its lookback cannot be shared by any model. With
``no_touch: "unattributed"`` (default) it is reported under ``unattributed`` by the
conversion's channel and left out of every model (each model then totals the
attributed conversions); with ``"conversion_channel"`` the conversion's own channel
is its one touch (unless ``channels`` excludes that channel).

Each model also reports its parameters: ``time_decay`` its ``half_life_s``; ``markov``
its ``order``, ``states``, ``conversion_probability`` and per channel
``removal_effects`` (of conversions and of value); ``shapley`` its ``function``.

Models (see their modules): first_touch, last_touch, linear, position_based,
time_decay (``half_life``) — equal to ``channelattribution.heuristic_models`` where
it has them — markov (``order``; exact removal effects, equal to
``channelattribution.markov_model`` up to its simulation noise) and shapley
(``shapley_function``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys import _attribution_heuristic as heuristic
from omnicx.journeys._attribution_heuristic import Credit
from omnicx.journeys._attribution_markov import markov
from omnicx.journeys._attribution_paths import PathTable, paths_from_rows
from omnicx.journeys._attribution_query import (
    AttributionQuery,
    parse_attribution,
)
from omnicx.journeys._attribution_shapley import shapley
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql.journeys_attribution import (
    ATTRIBUTION_CHANNELS,
    ATTRIBUTION_PATHS,
)

TOP_PATHS = 10
MAX_CHANNELS = 65535


def attribution_params(
    store: Store, workspace_id: str, query: AttributionQuery, channels: list[str]
) -> dict[str, Any]:
    """Parameters of ``ATTRIBUTION_PATHS`` for a query; ``channels`` the
    workspace's channels (``ATTRIBUTION_CHANNELS``)."""
    scope = query.scope
    lookback_ms = query.lookback_s * 1000
    params = scope_params(store, workspace_id, scope)
    params.update(
        {
            # events from `from - lookback`: touches before `from` still count
            "from_ms": max(0, scope.start_ms - lookback_ms),
            "range_from_ms": scope.start_ms,
            # touches are filtered by channel, conversions are not
            "channels": array_param([]),
            "channel_names": array_param(channels),
            "n_channels": len(channels),
            "touch_channels": array_param(list(scope.channels or channels)),
            "conversion": query.conversion,
            "value_property": query.value_property or "",
            "has_value": 1 if query.value_property else 0,
            "lookback_ms": lookback_ms,
            "half_life_ms": float(query.half_life_s * 1000),
            "with_decay": 1 if "time_decay" in query.models else 0,
            "no_touch_as_touch": 1 if query.no_touch == "conversion_channel" else 0,
        }
    )
    return params


def model_credit(
    table: PathTable,
    model: str,
    query: AttributionQuery,
    decay: dict[str, tuple[float, float]],
) -> Credit:
    """One model's credit per channel of ``table`` (``decay``: the time-decay shares
    per channel from the SQL)."""
    if model == "markov":
        return markov(table, query.order)
    if model == "shapley":
        return shapley(table, query.shapley_function)
    if model == "time_decay":
        return heuristic.time_decay(table, decay, query.half_life_s)
    rule = {
        "first_touch": heuristic.first_touch,
        "last_touch": heuristic.last_touch,
        "linear": heuristic.linear,
        "position_based": heuristic.position_based,
    }[model]
    return rule(table)


def _plain(value: Any, channels: tuple[str, ...]) -> Any:
    """Details as JSON: per-channel arrays become {channel: number}."""
    if isinstance(value, np.ndarray):
        return {c: float(x) for c, x in zip(channels, value, strict=True)}
    if isinstance(value, dict):
        return {k: _plain(v, channels) for k, v in value.items()}
    return value


def _model_result(credit: Credit, channels: tuple[str, ...]) -> dict[str, Any]:
    return {
        "channels": {
            name: {"conversions": float(conv), "value": float(val)}
            for name, conv, val in zip(
                channels, credit.conversions, credit.value, strict=True
            )
        },
        "total": {
            "conversions": float(credit.conversions.sum()),
            "value": float(credit.value.sum()),
        },
        **_plain(credit.details, channels),
    }


def _top_paths(table: PathTable) -> list[dict[str, Any]]:
    """The most converting paths (then most travelled; ties by path, so the order
    does not depend on the order of the SQL rows)."""
    conversions, journeys = table.conversions, table.journeys
    candidates = np.arange(table.n_paths)
    if table.n_paths > TOP_PATHS:
        kth = np.lexsort((-journeys, -conversions))[TOP_PATHS - 1]
        candidates = np.flatnonzero(
            (conversions > conversions[kth])
            | ((conversions == conversions[kth]) & (journeys >= journeys[kth]))
        )
    ranked = sorted(
        candidates.tolist(),
        key=lambda i: (-conversions[i], -journeys[i], table.path(i)),
    )[:TOP_PATHS]
    return [
        {
            "path": table.path(int(i)),
            "journeys": int(table.journeys[i]),
            "conversions": int(table.conversions[i]),
            "value": float(table.value[i]),
        }
        for i in ranked
    ]


def attribute(
    rows: list[dict[str, Any]], query: AttributionQuery, channels: list[str]
) -> dict[str, Any]:
    """The answer from the rows of ``ATTRIBUTION_PATHS`` (channel numbers into
    ``channels``)."""
    total = next((r for r in rows if r["is_total"]), None)
    rows = [r for r in rows if not r["is_total"]]
    table = paths_from_rows([r for r in rows if r["path"]], channels)
    decay: dict[str, tuple[float, float]] = {}
    if total is not None and total["decay_conversions"]:
        for name, conversion_share, value_share in zip(
            channels, total["decay_conversions"], total["decay_value"], strict=True
        ):
            decay[name] = (conversion_share, value_share)
    unattributed: dict[str, dict[str, float]] = defaultdict(
        lambda: {"conversions": 0, "value": 0.0}
    )
    for row in rows:
        if not row["path"]:
            bucket = unattributed[channels[row["no_touch_channel"] - 1]]
            bucket["conversions"] += int(row["conversions"])
            bucket["value"] += float(row["value"])
    converting = sum(int(r["conversions"]) for r in rows)
    all_journeys = sum(int(r["journeys"]) for r in rows)
    no_touch = sum(int(r["no_touch"]) for r in rows)
    unattributed_conversions = sum(b["conversions"] for b in unattributed.values())
    unattributed_value = sum(b["value"] for b in unattributed.values())
    models = {
        model: _model_result(model_credit(table, model, query, decay), table.channels)
        for model in query.models
    }
    return {
        "models": models,
        # The same per-model, per-channel credit one level up, for readers that take
        # {"<model>": {"<channel>": {"conversions", "value"}}} literally.
        **{model: result["channels"] for model, result in models.items()},
        "channels": list(table.channels),
        "journeys": {
            "converting": converting,
            "non_converting": all_journeys - converting,
            "no_touch": no_touch,
            "attributed": int(table.conversions.sum()),
            "paths": table.n_paths,
        },
        "conversions": {
            "total": converting,
            "value": float(sum(float(r["value"]) for r in rows)),
            "attributed": int(table.conversions.sum()),
            "attributed_value": float(table.value.sum()),
            "unattributed": {
                "conversions": unattributed_conversions,
                "value": unattributed_value,
                "by_channel": dict(sorted(unattributed.items())),
            },
        },
        "top_paths": _top_paths(table),
        "query": {
            "conversion": query.conversion,
            "value_property": query.value_property,
            "lookback_s": query.lookback_s,
            "half_life_s": query.half_life_s,
            "order": query.order,
            "shapley_function": query.shapley_function,
            "no_touch": query.no_touch,
        },
    }


def run_attribution(
    store: Store, workspace_id: str, query: AttributionQuery
) -> dict[str, Any]:
    channels = [
        r["channel"]
        for r in store.events.query_rows(ATTRIBUTION_CHANNELS, {"ws": workspace_id})
    ]
    if len(channels) > MAX_CHANNELS:  # the SQL packs a channel number in 16 bits
        raise ValidationError(
            f"attribution handles up to {MAX_CHANNELS} channels; this workspace has "
            f"{len(channels)}",
            [FieldError("channels", "too many channels in the workspace")],
        )
    params = attribution_params(store, workspace_id, query, channels)
    rows = store.events.query_rows(ATTRIBUTION_PATHS, params)
    return attribute(rows, query, channels)


ANALYSIS = Analysis(
    name="attribution",
    title="Attribution",
    parse=parse_attribution,
    run=run_attribution,
    example={
        "conversion": "Order Completed",
        "value_property": "revenue",
        "lookback": "30d",
        "models": [
            "first_touch",
            "last_touch",
            "linear",
            "position_based",
            "time_decay",
            "markov",
            "shapley",
        ],
        "half_life": "7d",
        "order": 1,
    },
    description=(
        "Which channels earn the credit for conversions: first/last touch, linear, "
        "position-based (40/20/40), time decay, Markov removal effect and Shapley, "
        "over each conversion's touches within the lookback."
    ),
)
