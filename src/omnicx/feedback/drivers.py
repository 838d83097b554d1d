""" "Why" drivers: which touchpoints and channels in the journey before a survey
response go with detractors, and which with promoters.

For each completed ``Survey Answered`` response in the time range (``from``/``to``,
default all time) the **journey** is the profile's interactions (track, page and
screen events other than survey and feedback events) within ``window`` before the
response, on any channel. For each touchpoint (``channel:event``) and each channel:

- ``responses``: responses whose journey had it; ``detractors``, ``promoters``;
- ``detractor_rate`` = detractors / responses with it, ``detractor_rate_without`` =
  the same over the responses without it, ``detractor_lift`` = their ratio (``null``
  when the rate without is 0) and ``detractor_difference`` = their difference;
- the same for promoters, and the average score with and without it.

Detractor / promoter thresholds come from each response's ``template`` (NPS 0-6 /
9-10, CSAT 1-2 / 4-5, CES 1-3 / 5-7) unless ``detractor_max`` / ``promoter_min`` are
given. Touchpoints are ordered by ``detractor_difference`` (most associated with
detractors first), then by responses.

Query (every field optional; strings are read as numbers)::

    {"survey": "srv_…", "template": "nps", "window": "30d", "from", "to",
     "detractor_max": 6, "promoter_min": 9, "min_responses": 1}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys import parse_duration, parse_time
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql.feedback_drivers import DRIVER_COUNTS

ALL_TIME_START = 0
ALL_TIME_END = 7258118400000  # 2200-01-01
MAX_ITEMS = 200


class _DriverFields(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    survey: str = ""
    template: Literal["", "nps", "csat", "ces", "custom"] = ""
    window: str | int = "30d"
    detractor_max: float | None = None
    promoter_min: float | None = None
    min_responses: int = 1


class DriversQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A validated drivers query."""

    survey: str = ""
    template: str = ""
    window: str = "30d"
    window_s: int = 30 * 86400
    start_ms: int = ALL_TIME_START
    end_ms: int = ALL_TIME_END
    detractor_max: float | None = None
    promoter_min: float | None = None
    min_responses: int = 1


# -- named validation rules ----------------------------------------------------------
def thresholds_ordered(q: _DriverFields) -> FieldError | None:
    if (
        q.detractor_max is not None
        and q.promoter_min is not None
        and q.detractor_max >= q.promoter_min
    ):
        return FieldError("promoter_min", "must be above detractor_max")
    return None


def thresholds_in_range(q: _DriverFields) -> FieldError | None:
    for name in ("detractor_max", "promoter_min"):
        value = getattr(q, name)
        if value is not None and not 0 <= value <= 100:
            return FieldError(name, f"must be a score from 0 to 100; got {value}")
    return None


def min_responses_positive(q: _DriverFields) -> FieldError | None:
    if not 1 <= q.min_responses <= 1_000_000:
        return FieldError("min_responses", "must be an integer from 1 to 1000000")
    return None


RULES = (thresholds_ordered, thresholds_in_range, min_responses_positive)


def parse_drivers_query(raw: Mapping[str, Any]) -> DriversQuery:
    """Validate a query (a JSON object or query-string parameters)."""
    fields = {k: v for k, v in raw.items() if k not in ("from", "to")}
    try:
        parsed = msgspec.convert(fields, _DriverFields, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else "query"
        if "unknown field" in text:
            field = text.split("`")[1]
        raise ValidationError(
            f"invalid drivers query: {text}", [FieldError(field, text)]
        ) from None
    errors = [e for rule in RULES if (e := rule(parsed)) is not None]
    if errors:
        raise ValidationError(
            "invalid drivers query: "
            + "; ".join(f"{e.field} {e.message}" for e in errors),
            errors,
        )
    start = parse_time(raw.get("from"), "from", ALL_TIME_START)
    end = parse_time(raw.get("to"), "to", ALL_TIME_END)
    check_range(start, end)
    return DriversQuery(
        survey=parsed.survey.strip(),
        template=parsed.template,
        window=str(parsed.window),
        window_s=parse_duration(parsed.window, "window"),
        start_ms=start,
        end_ms=end,
        detractor_max=parsed.detractor_max,
        promoter_min=parsed.promoter_min,
        min_responses=parsed.min_responses,
    )


def check_range(start: int, end: int) -> None:
    """``from`` and ``to`` between 1970 and 2200, ``to`` after ``from``."""
    for name, value in (("from", start), ("to", end)):
        if not ALL_TIME_START <= value <= ALL_TIME_END:
            raise ValidationError(
                f"{name} must be between 1970 and 2200",
                [FieldError(name, "out of range")],
            )
    if end <= start:
        raise ValidationError(
            "`to` must be after `from`", [FieldError("to", "not after from")]
        )


def _rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _diff(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def _item(row: dict[str, Any], total: dict[str, Any]) -> dict[str, Any]:
    n, n_all = row["responses"], total["responses"]
    without = n_all - n
    det, det_out = row["detractors"], total["detractors"] - row["detractors"]
    pro, pro_out = row["promoters"], total["promoters"] - row["promoters"]
    det_rate, det_rate_out = _rate(det, n), _rate(det_out, without)
    pro_rate, pro_rate_out = _rate(pro, n), _rate(pro_out, without)
    return {
        "responses": n,
        "responses_without": without,
        "detractors": det,
        "promoters": pro,
        "detractor_rate": det_rate,
        "detractor_rate_without": det_rate_out,
        "detractor_lift": _ratio(det_rate, det_rate_out),
        "detractor_difference": _diff(det_rate, det_rate_out),
        "promoter_rate": pro_rate,
        "promoter_rate_without": pro_rate_out,
        "promoter_lift": _ratio(pro_rate, pro_rate_out),
        "promoter_difference": _diff(pro_rate, pro_rate_out),
        "average_score": _rate(row["score_sum"], n),
        "average_score_without": _rate(total["score_sum"] - row["score_sum"], without),
    }


def _order(item: dict[str, Any]) -> tuple[float, int, str]:
    difference = item["detractor_difference"]
    return (
        -(difference if difference is not None else -2.0),
        -item["responses"],
        item["name"],
    )


def touchpoint_drivers(
    store: Store, workspace_id: str, query: DriversQuery
) -> dict[str, Any]:
    """Run a drivers query (see the module docstring)."""
    window_ms = query.window_s * 1000
    rows = store.events.query_rows(
        DRIVER_COUNTS,
        {
            "ws": workspace_id,
            "from_ms": query.start_ms,
            "to_ms": query.end_ms,
            "tp_from_ms": max(0, query.start_ms - window_ms),
            "window_ms": window_ms,
            "channels": array_param([]),
            "filter_profiles": 0,
            "profiles": array_param([]),
            "survey": query.survey,
            "template": query.template,
            "detractor_max": -1 if query.detractor_max is None else query.detractor_max,
            "promoter_min": -1 if query.promoter_min is None else query.promoter_min,
        },
    )
    total = next(
        (r for r in rows if r["kind"] == "total"),
        {"responses": 0, "detractors": 0, "promoters": 0, "score_sum": 0},
    )
    touchpoints, channels = [], []
    for row in rows:
        if row["kind"] == "total" or row["responses"] < query.min_responses:
            continue
        item = {"name": row["name"], **_item(row, total)}
        if row["kind"] == "touchpoint":
            channel, _, event = row["name"].partition(":")
            touchpoints.append(
                {"touchpoint": row["name"], "channel": channel, "event": event, **item}
            )
        else:
            channels.append({"channel": row["name"], **item})
    touchpoints.sort(key=_order)
    channels.sort(key=_order)
    n = total["responses"]
    return {
        "survey": query.survey or None,
        "template": query.template or None,
        "window": query.window,
        "window_s": query.window_s,
        "responses": n,
        "detractors": total["detractors"],
        "promoters": total["promoters"],
        "passives": n - total["detractors"] - total["promoters"],
        "detractor_rate": _rate(total["detractors"], n),
        "promoter_rate": _rate(total["promoters"], n),
        "average_score": _rate(total["score_sum"], n),
        "touchpoints": [_public(t) for t in touchpoints[:MAX_ITEMS]],
        "channels": [_public(c) for c in channels[:MAX_ITEMS]],
        "detractor_drivers": [
            t["touchpoint"] for t in touchpoints if (t["detractor_difference"] or 0) > 0
        ][:5],
        "promoter_drivers": [
            t["touchpoint"]
            for t in sorted(touchpoints, key=lambda t: -(t["promoter_difference"] or 0))
            if (t["promoter_difference"] or 0) > 0
        ][:5],
    }


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "name"}
