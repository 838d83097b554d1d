"""Scores of survey responses, unrounded, with 95% confidence intervals.

- **NPS** (0-10): promoters answer 9-10, passives 7-8, detractors 0-6.
  ``score = 100 * (promoters - detractors) / responses`` (-100..100). Each answer is
  +1/0/-1; the interval is ``score ± 1.96 * 100 * sqrt(var / n)`` with
  ``var = p⁺ + p⁻ - (p⁺ - p⁻)²`` (the variance of those ±1/0 values), clipped to
  -100..100.
- **CSAT** (1-5): ``score`` = % of satisfied answers (4-5; on other scales the top two
  values), interval by the normal approximation of a proportion; ``mean`` too.
- **CES** (1-7): ``score`` = the mean answer, interval ``mean ± 1.96 * s / sqrt(n)``
  (``s`` the sample standard deviation); ``easy_pct`` = % of answers ≥ 5.
- **rating** (a custom survey's scored question): ``score`` = mean, like CES, with
  ``top2_pct``.

Every summary has ``responses`` (answers with a score), ``score``, ``ci95`` and
``distribution`` (``{answer: count}``). With no answers ``score`` and ``ci95`` are
``None``.

The omnichannel lens (``omnichannel``) keeps only customers who answered on two or more
channels and scores each channel over those same customers. Its ``consistency`` holds
``spread`` (max - min of those channel scores, in score units), ``std`` (population
standard deviation of the channel scores), ``customer_spread`` (the mean, over those
customers, of max - min of their own average answer per channel, in answer points)
and ``index`` = ``100 * (1 - customer_spread / (scale max - scale min))``: 100 means
every customer rates every channel alike.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

Z95 = 1.959963984540054
METRICS = ("nps", "csat", "ces", "rating")


def _clip(low: float, high: float, lo: float, hi: float) -> list[float]:
    return [max(lo, low), min(hi, high)]


def nps_summary(scores: Iterable[int]) -> dict[str, Any]:
    values = list(scores)
    n = len(values)
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    passives = n - promoters - detractors
    out: dict[str, Any] = {
        "metric": "nps",
        "responses": n,
        "score": None,
        "ci95": None,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "promoters_pct": None,
        "passives_pct": None,
        "detractors_pct": None,
        "distribution": _distribution(values),
    }
    if n:
        p_plus, p_minus = promoters / n, detractors / n
        score = 100 * (promoters - detractors) / n
        variance = p_plus + p_minus - (p_plus - p_minus) ** 2
        margin = 100 * Z95 * math.sqrt(max(variance, 0.0) / n)
        out.update(
            score=score,
            ci95=_clip(score - margin, score + margin, -100.0, 100.0),
            promoters_pct=100 * p_plus,
            passives_pct=100 * passives / n,
            detractors_pct=100 * p_minus,
        )
    return out


def csat_summary(
    scores: Iterable[int], scale: tuple[int, int] = (1, 5)
) -> dict[str, Any]:
    values = list(scores)
    n = len(values)
    satisfied = sum(1 for s in values if s >= scale[1] - 1)
    out: dict[str, Any] = {
        "metric": "csat",
        "responses": n,
        "score": None,
        "ci95": None,
        "satisfied": satisfied,
        "mean": None,
        "distribution": _distribution(values),
    }
    if n:
        p = satisfied / n
        margin = 100 * Z95 * math.sqrt(p * (1 - p) / n)
        out.update(
            score=100 * p,
            ci95=_clip(100 * p - margin, 100 * p + margin, 0.0, 100.0),
            mean=sum(values) / n,
        )
    return out


def _mean_summary(
    metric: str, values: list[int], scale: tuple[int, int]
) -> dict[str, Any]:
    n = len(values)
    out: dict[str, Any] = {
        "metric": metric,
        "responses": n,
        "score": None,
        "ci95": None,
        "mean": None,
        "distribution": _distribution(values),
    }
    if n:
        mean = sum(values) / n
        if n > 1:
            sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
            margin = Z95 * sd / math.sqrt(n)
        else:
            margin = 0.0
        out.update(
            score=mean,
            mean=mean,
            ci95=_clip(mean - margin, mean + margin, float(scale[0]), float(scale[1])),
        )
    return out


def ces_summary(
    scores: Iterable[int], scale: tuple[int, int] = (1, 7)
) -> dict[str, Any]:
    values = list(scores)
    out = _mean_summary("ces", values, scale)
    easy = sum(1 for s in values if s >= 5)
    out["easy"] = easy
    out["easy_pct"] = 100 * easy / len(values) if values else None
    return out


def rating_summary(scores: Iterable[int], scale: tuple[int, int]) -> dict[str, Any]:
    values = list(scores)
    out = _mean_summary("rating", values, scale)
    top = sum(1 for s in values if s >= scale[1] - 1)
    out["top2_pct"] = 100 * top / len(values) if values else None
    return out


def summarize(
    metric: str, scores: Iterable[int], scale: tuple[int, int]
) -> dict[str, Any]:
    """The summary of one metric (see the module docstring)."""
    if metric == "nps":
        return nps_summary(scores)
    if metric == "csat":
        return csat_summary(scores, scale)
    if metric == "ces":
        return ces_summary(scores, scale)
    return rating_summary(scores, scale)


def _distribution(values: list[int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(Counter(values).items())}


# -- grouping -----------------------------------------------------------------------


def period_key(ms: int, period: str) -> str:
    """The UTC day, the Monday of the ISO week, or the month of a time in ms."""
    day = datetime.fromtimestamp(ms / 1000, UTC).date()
    if period == "week":
        day = day - timedelta(days=day.weekday())
    elif period == "month":
        day = date(day.year, day.month, 1)
    return day.isoformat()


def grouped(
    metric: str,
    scale: tuple[int, int],
    rows: list[dict[str, Any]],
    key: Callable[[dict[str, Any]], str | None],
) -> dict[str, dict[str, Any]]:
    """Summaries per group key (rows whose key is ``None`` are left out), sorted."""
    buckets: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.get("score") is None:
            continue
        name = key(row)
        if name is not None:
            buckets[name].append(int(row["score"]))
    return {name: summarize(metric, buckets[name], scale) for name in sorted(buckets)}


def omnichannel(
    metric: str, scale: tuple[int, int], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per-channel scores of the customers who answered on two or more channels,
    and how consistent their experience is across channels (module docstring)."""
    by_customer: dict[Any, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        if row.get("score") is not None and row.get("profile_id") is not None:
            by_customer[row["profile_id"]][row["channel"]].append(int(row["score"]))
    multi = {p: chans for p, chans in by_customer.items() if len(chans) >= 2}
    kept = [
        row
        for row in rows
        if row.get("profile_id") in multi and row.get("score") is not None
    ]
    channels = grouped(metric, scale, kept, lambda row: row["channel"])
    channel_scores = [g["score"] for g in channels.values() if g["score"] is not None]
    consistency: dict[str, Any] = {
        "spread": None,
        "std": None,
        "customer_spread": None,
        "index": None,
    }
    if channel_scores:
        mean = sum(channel_scores) / len(channel_scores)
        consistency["spread"] = max(channel_scores) - min(channel_scores)
        consistency["std"] = math.sqrt(
            sum((s - mean) ** 2 for s in channel_scores) / len(channel_scores)
        )
    if multi:
        spreads = []
        for chans in multi.values():
            means = [sum(v) / len(v) for v in chans.values()]
            spreads.append(max(means) - min(means))
        customer_spread = sum(spreads) / len(spreads)
        width = scale[1] - scale[0]
        consistency["customer_spread"] = customer_spread
        consistency["index"] = 100 * (1 - customer_spread / width) if width else None
    return {
        "customers": len(multi),
        "responses": len(kept),
        "channels": channels,
        "consistency": consistency,
    }
