"""Cohorts / retention: customers grouped by when they first did something, and the
share of each group that comes back in each later period.

Query (every field optional)::

    {"period": "week" | "month", "cohort_event": "Order Completed",
     "return_event": "Order Completed", "periods": 8, "by_first_channel": false,
     "from": ..., "to": ..., "channels": [...], "traits": {...}}

Definitions:

- A profile's **cohort** is the period of its first ``cohort_event`` in the scope
  (``"first_seen"`` or ``"any"``: its first event of any kind). Periods are UTC: weeks
  start on Monday 00:00 (ISO weeks), months on the 1st.
- **Period k** of a cohort is the k-th period after the cohort period. A profile is
  **retained in period k** (k ≥ 1) when it did ``return_event`` (``"any"``: any event)
  at least once in that period — classic N-period retention, not "k or later".
- **Period 0 is 100% by definition**: every member did the cohort event in it; return
  events inside the cohort period are not counted.
- Periods that have not started by the latest event in the scope (``observed_until``)
  are ``null``, not 0, and are left out of the ``overall`` averages, which weight each
  cohort by its size over the cohorts that have reached that period.
- ``first_channel`` is the channel of the profile's first cohort event (ties at the same
  millisecond: the smaller message id).
- Events are those of the scope (time range, channels, traits) with each event filed
  under its profile *after* merges; a cohort event before ``from`` is not seen.

Answer::

    {"period", "cohort_event", "return_event", "periods", "observed_until",
     "offsets": [0, 1, ...],
     "cohorts": [{"cohort": "2026-01-05", "size", "retained": [...],
                  "retention": [1.0, 0.25, null, ...]}],
     "overall": {"size", "eligible": [...], "retained": [...], "retention": [...]},
     "by_first_channel": [{"channel", "size", "cohorts": [...], "overall": {...}}]
                         (null unless asked)}
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any, Literal

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, scope_from
from omnicx.journeys._registry import Analysis
from omnicx.journeys._scope import scope_params
from omnicx.storage import Store
from omnicx.storage.sql.journeys_cohorts import COHORT_RETENTION

SCOPE_FIELDS = frozenset({"from", "to", "channels", "channel", "traits"})
ANY_EVENT = frozenset({"any", "first_seen"})
MAX_PERIODS = 120


class _CohortFields(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    period: Literal["week", "month"] = "week"
    cohort_event: str = "Order Completed"
    return_event: str = "Order Completed"
    periods: int = 8
    by_first_channel: bool = False


class CohortQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A validated cohort / retention query."""

    scope: Scope
    period: Literal["week", "month"] = "week"
    cohort_event: str = "Order Completed"
    return_event: str = "Order Completed"
    periods: int = 8
    by_first_channel: bool = False

    @property
    def cohort_any(self) -> bool:
        return self.cohort_event in ANY_EVENT

    @property
    def return_any(self) -> bool:
        return self.return_event == "any"


# -- named validation rules ----------------------------------------------------------
def periods_in_range(q: _CohortFields) -> FieldError | None:
    if not 1 <= q.periods <= MAX_PERIODS:
        return FieldError(
            "periods", f"must be between 1 and {MAX_PERIODS}; got {q.periods}"
        )
    return None


def cohort_event_named(q: _CohortFields) -> FieldError | None:
    if not q.cohort_event.strip():
        return FieldError(
            "cohort_event", 'must be an event name, "first_seen" or "any"'
        )
    return None


def return_event_named(q: _CohortFields) -> FieldError | None:
    if not q.return_event.strip():
        return FieldError("return_event", 'must be an event name or "any"')
    return None


RULES = (periods_in_range, cohort_event_named, return_event_named)


def parse_fields(raw: dict[str, Any], kind: type[Any]) -> Any:
    """Convert the non-scope fields of ``raw`` to ``kind`` (strings from a query string
    or the CLI are read as numbers and booleans), naming the offending field."""
    fields = {k: v for k, v in raw.items() if k not in SCOPE_FIELDS}
    try:
        return msgspec.convert(fields, kind, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = "body"
        if "`$." in text:
            field = text.rsplit("`$.", 1)[-1].rstrip("`").split("[")[0]
        elif "unknown field" in text:
            field = text.split("`")[1]
        raise ValidationError(
            f"invalid query: {text}", [FieldError(field, text)]
        ) from None


def parse_cohort_query(raw: dict[str, Any]) -> CohortQuery:
    scope = scope_from(raw)
    fields: _CohortFields = parse_fields(raw, _CohortFields)
    errors = [e for rule in RULES if (e := rule(fields)) is not None]
    if errors:
        raise ValidationError(
            "invalid cohort query: "
            + "; ".join(f"{e.field} {e.message}" for e in errors),
            errors,
        )
    return CohortQuery(
        scope=scope,
        period=fields.period,
        cohort_event=fields.cohort_event.strip(),
        return_event=fields.return_event.strip(),
        periods=fields.periods,
        by_first_channel=fields.by_first_channel,
    )


# -- running --------------------------------------------------------------------------
def period_start(cohort: date, period: str, k: int) -> date:
    """The first day of period ``k`` after the period starting on ``cohort``."""
    if period == "week":
        return date.fromordinal(cohort.toordinal() + 7 * k)
    months = cohort.year * 12 + cohort.month - 1 + k
    return date(months // 12, months % 12 + 1, 1)


def _cohort_row(
    cohort: str, counts: dict[int, int], q: CohortQuery, until: date | None
) -> dict[str, Any]:
    size = counts.get(0, 0)
    start = date.fromisoformat(cohort)
    retained: list[int | None] = []
    for k in range(q.periods):
        observed = until is not None and period_start(start, q.period, k) <= until
        retained.append(counts.get(k, 0) if observed or k == 0 else None)
    return {
        "cohort": cohort,
        "size": size,
        "retained": retained,
        "retention": [None if r is None else r / size for r in retained],
    }


def _overall(cohorts: list[dict[str, Any]], periods: int) -> dict[str, Any]:
    eligible = [0] * periods
    retained = [0] * periods
    for row in cohorts:
        for k, value in enumerate(row["retained"]):
            if value is not None:
                eligible[k] += row["size"]
                retained[k] += value
    return {
        "size": sum(row["size"] for row in cohorts),
        "eligible": eligible,
        "retained": retained,
        "retention": [
            r / e if e else None for r, e in zip(retained, eligible, strict=True)
        ],
    }


def _table(
    counts: dict[str, dict[int, int]], q: CohortQuery, until: date | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [_cohort_row(c, counts[c], q, until) for c in sorted(counts)]
    return rows, _overall(rows, q.periods)


def run_cohorts(store: Store, workspace_id: str, q: CohortQuery) -> dict[str, Any]:
    params = scope_params(store, workspace_id, q.scope) | {
        "cohort_any": int(q.cohort_any),
        "cohort_event": q.cohort_event,
        "return_any": int(q.return_any),
        "return_event": q.return_event,
        "periods": q.periods,
    }
    rows = store.events.query_rows(COHORT_RETENTION[q.period], params)
    until_ms = rows[0]["observed_until_ms"] if rows else None
    until = (
        datetime.fromtimestamp(until_ms / 1000, UTC) if until_ms is not None else None
    )
    total: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_channel: dict[str, dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for row in rows:
        total[row["cohort"]][row["offset"]] += row["profiles"]
        per_channel[row["first_channel"]][row["cohort"]][row["offset"]] += row[
            "profiles"
        ]
    until_day = until.date() if until else None
    cohorts, overall = _table(total, q, until_day)
    by_channel = None
    if q.by_first_channel:
        by_channel = []
        for channel in sorted(per_channel):
            channel_rows, channel_overall = _table(per_channel[channel], q, until_day)
            by_channel.append(
                {
                    "channel": channel,
                    "size": channel_overall["size"],
                    "cohorts": channel_rows,
                    "overall": channel_overall,
                }
            )
        by_channel.sort(key=lambda c: (-c["size"], c["channel"]))
    return {
        "period": q.period,
        "cohort_event": q.cohort_event,
        "return_event": q.return_event,
        "periods": q.periods,
        "observed_until": until.isoformat().replace("+00:00", "Z") if until else None,
        "offsets": list(range(q.periods)),
        "cohorts": cohorts,
        "overall": overall,
        "by_first_channel": by_channel,
    }


ANALYSIS = Analysis(
    name="cohorts",
    title="Cohorts & retention",
    parse=parse_cohort_query,
    run=run_cohorts,
    example={
        "period": "week",
        "cohort_event": "Order Completed",
        "return_event": "Order Completed",
        "periods": 8,
        "by_first_channel": True,
    },
    description=(
        "Customers grouped by the week or month of their first cohort event (default: "
        'first order; "first_seen" for any event), and the share of each cohort that '
        "does the return event in each later period (period 0 is 100% by definition). "
        "Weeks start on Monday, UTC. Periods not reached yet are blank. Optionally "
        "split by the channel of the first event."
    ),
)
