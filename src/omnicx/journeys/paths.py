"""Paths and the journey map: the routes customers take across touchpoints, the
journey stages they reach, and the touchpoints where journeys go wrong.

**Paths.** A touchpoint is a ``track``, ``page`` or ``screen`` event seen as its
``channel`` or as ``channel:event`` (``touchpoint``). A profile's path starts at its
first ``start_event`` (or its first event) and ends at the first ``end_event`` after
it (or its last event); profiles without those events have no path. Consecutive
repeats of a touchpoint collapse into one (web, web, store → web, store), then the
path keeps its first ``max_steps`` touchpoints — its last ones when only
``end_event`` is given. ``paths`` lists the ``top`` most common paths with the
profiles that took them. ``nodes``/``links`` is the Sankey of *all* paths: node names
carry the step number (``"1. web"``, ``"2. store"``) so the graph is acyclic, and a
link's value is the profiles that went from one node to the next, so the links out of
step ``k`` add up to the profiles whose path has more than ``k`` steps. Per step, the
``top`` busiest touchpoints keep their own node; the rest share ``"k. other"``.

**Stages** are mapped from event names by the workspace configuration (see
``journeys._stages``): per stage, the customers that reached it and the share of all
customers with a touchpoint in scope, and how many went no further (``stopped``:
their furthest stage).

**Pain points** are ``channel:event`` touchpoints ranked by the customers for whom
they came right before trouble: *abandonment* — the customer's last touchpoint in
scope, and the customer never purchased in scope; *negative feedback* — the next event
is a complaint (an event name containing "complaint", any case) or a ``Survey
Answered`` event with a ``score`` of 6 or less (an NPS detractor); *service contact* —
the next event is on ``call_center`` or ``chat`` and this one is not. Each count is
of distinct customers, and each rate divides it by the customers who had the
touchpoint.
"""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.journeys._stages import journey_stages
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql.journeys_paths import JOURNEY_MAP, STAGES

TOUCHPOINTS = ("channel", "channel:event")
SERVICE_CHANNELS = ("call_center", "chat")
MAX_STEPS = 20
MAX_TOP = 100
_SEP = "\x1f"
_KEYS = {"start_event", "end_event", "touchpoint", "max_steps", "top"} | {
    "from",
    "to",
    "channels",
    "channel",
    "traits",
}


class PathsQuery(msgspec.Struct, frozen=True):
    start_event: str | None = None
    end_event: str | None = None
    touchpoint: str = "channel"
    max_steps: int = 5
    top: int = 20
    scope: Scope = Scope()


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def _rule_known_keys(raw: dict[str, Any]) -> None:
    for key in raw:
        if key not in _KEYS:
            raise _invalid(key, f"unknown field; paths take {', '.join(sorted(_KEYS))}")


def _rule_event(raw: dict[str, Any], field: str) -> str | None:
    value = raw.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise _invalid(field, "must be an event name (or null)")
    return value.strip()


def _rule_int(raw: dict[str, Any], field: str, default: int, high: int) -> int:
    value = raw.get(field, default)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise _invalid(field, f"must be an integer from 1 to {high}")
    return value


def _rule_touchpoint(raw: dict[str, Any]) -> str:
    value = raw.get("touchpoint", "channel")
    if value not in TOUCHPOINTS:
        raise _invalid("touchpoint", 'must be "channel" or "channel:event"')
    return str(value)


def parse_paths(raw: dict[str, Any]) -> PathsQuery:
    """Validate a paths query; every error names its field."""
    _rule_known_keys(raw)
    return PathsQuery(
        start_event=_rule_event(raw, "start_event"),
        end_event=_rule_event(raw, "end_event"),
        touchpoint=_rule_touchpoint(raw),
        max_steps=_rule_int(raw, "max_steps", 5, MAX_STEPS),
        top=_rule_int(raw, "top", 20, MAX_TOP),
        scope=scope_from(raw),
    )


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _sankey(
    row: dict[str, Any], top: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and links, each step's busiest ``top`` touchpoints kept by name."""
    node_keys, node_values = row.get("nodes") or ([], [])
    per_step: dict[int, list[tuple[int, str]]] = {}
    for key, value in zip(node_keys, node_values, strict=True):
        step, touchpoint = key.split(_SEP, 1)
        per_step.setdefault(int(step), []).append((int(value), touchpoint))
    kept: dict[int, set[str]] = {}
    nodes: dict[str, dict[str, Any]] = {}
    for step in sorted(per_step):
        ranked = sorted(per_step[step], key=lambda p: (-p[0], p[1]))
        kept[step] = {t for _, t in ranked[:top]}
        for value, touchpoint in ranked:
            label = touchpoint if touchpoint in kept[step] else "other"
            name = f"{step}. {label}"
            node = nodes.setdefault(
                name, {"name": name, "step": step, "touchpoint": label, "value": 0}
            )
            node["value"] += value

    def label(step: int, touchpoint: str) -> str:
        return f"{step}. {touchpoint if touchpoint in kept[step] else 'other'}"

    links: dict[tuple[str, str], int] = {}
    link_keys, link_values = row.get("links") or ([], [])
    for key, value in zip(link_keys, link_values, strict=True):
        step, source, target = key.split(_SEP, 2)
        k = int(step)
        pair = (label(k, source), label(k + 1, target))
        links[pair] = links.get(pair, 0) + int(value)
    ordered_links = [
        {"source": s, "target": t, "value": v}
        for (s, t), v in sorted(links.items(), key=lambda i: (i[0][0], -i[1], i[0][1]))
    ]
    ordered_nodes = sorted(nodes.values(), key=lambda n: (n["step"], -n["value"]))
    return ordered_nodes, ordered_links


def _stages(row: dict[str, Any]) -> dict[str, Any]:
    customers = int(row.get("customers") or 0)
    stages = []
    for n, stage in enumerate(STAGES, start=1):
        reached = int(row.get(f"reached_{stage}") or 0)
        stopped = int(row.get(f"furthest_{n}") or 0)
        stages.append(
            {
                "stage": stage,
                "customers": reached,
                "share": _rate(reached, customers),
                "stopped": stopped,
                "stopped_share": _rate(stopped, reached),
            }
        )
    return {
        "customers": customers,
        "no_stage": int(row.get("furthest_0") or 0),
        "stages": stages,
    }


def _pain_points(touchpoints: list[list[Any]], top: int) -> list[dict[str, Any]]:
    points = []
    for touchpoint, profiles, abandoned, negative, service in touchpoints:
        counts = {
            "abandoned": int(abandoned),
            "negative_feedback": int(negative),
            "service_contact": int(service),
        }
        if not any(counts.values()):
            continue
        point: dict[str, Any] = {"touchpoint": touchpoint, "profiles": int(profiles)}
        for key, count in counts.items():
            point[key] = count
            point[f"{key}_rate"] = _rate(count, int(profiles))
        point["problems"] = sum(counts.values())
        points.append(point)
    points.sort(key=lambda p: (-p["problems"], p["touchpoint"]))
    return points[:top]


def run_paths(store: Store, workspace_id: str, query: PathsQuery) -> dict[str, Any]:
    stages = journey_stages(store.state.workspace(workspace_id).config)
    params = scope_params(store, workspace_id, query.scope) | {
        "tp_event": 1 if query.touchpoint == "channel:event" else 0,
        "start_event": query.start_event or "",
        "end_event": query.end_event or "",
        "max_steps": query.max_steps,
        "top": query.top,
        "service_channels": array_param(SERVICE_CHANNELS),
    }
    params |= {name: array_param(stages[name]) for name in STAGES}
    found = store.events.query_rows(JOURNEY_MAP, params)
    row = found[0] if found else {}
    profiles = int(row.get("profiles") or 0)
    nodes, links = _sankey(row, query.top)
    return {
        "touchpoint": query.touchpoint,
        "start_event": query.start_event,
        "end_event": query.end_event,
        "max_steps": query.max_steps,
        "profiles": profiles,
        "paths": [
            {"path": list(path), "profiles": int(n), "share": _rate(int(n), profiles)}
            for path, n in row.get("top_paths") or []
        ],
        "nodes": nodes,
        "links": links,
        "stages": _stages(row),
        "pain_points": _pain_points(row.get("touchpoints") or [], query.top),
    }


ANALYSIS = Analysis(
    name="paths",
    title="Paths and journey map",
    parse=parse_paths,
    run=run_paths,
    example={"touchpoint": "channel", "max_steps": 5, "top": 20},
    description=(
        "The routes customers take across channels (a Sankey of touchpoints and the "
        "most common paths), the journey stages they reach, and the touchpoints most "
        "often followed by abandonment, negative feedback or a service contact."
    ),
)
