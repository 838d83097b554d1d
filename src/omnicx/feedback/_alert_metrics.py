"""Metric alert rules: a channel's NPS, CSAT or CES dropping between two windows.

The event store counts the answers of the current and the previous window
(``storage/sql/feedback_alerts.py``); ``judge_metric`` decides whether the rule fires,
stays firing, or recovers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicx.feedback._alert_rules import DEFAULT_MIN_RESPONSES, AlertWhen, window_ms


def metric_params(when: AlertWhen, workspace_id: str, now: int) -> dict[str, Any]:
    """Parameters of ``sql.feedback_alerts.METRIC_WINDOWS`` for a check at ``now``."""
    assert when.metric is not None and when.window is not None
    span = window_ms(when.window)
    return {
        "ws": workspace_id,
        "template": when.metric,
        "channel": when.channel or "",
        "survey": when.survey or "",
        "prev_from": now - 2 * span,
        "cur_from": now - span,
        "to": now,
    }


def metric_value(metric: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """NPS: % promoters minus % detractors; CSAT: % answering 4 or 5; CES: mean."""
    n = int(row["responses"])
    if metric == "nps":
        score = 100.0 * (int(row["promoters"]) - int(row["detractors"])) / n
    elif metric == "csat":
        score = 100.0 * int(row["satisfied"]) / n
    else:
        score = float(row["mean"])
    return {"responses": n, "score": round(score, 4)}


def judge_metric(
    when: AlertWhen,
    rows: list[dict[str, Any]],
    state: Mapping[str, Any] | None,
    now_iso: str | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The rule's new state, and the firing's event when it fires now.

    It fires when the drop reaches ``drop_points`` and it is not firing already; it
    recovers (can fire again) at the first check where the drop is below that. Too few
    responses in either window leave the state as it was.
    """
    assert when.metric is not None and when.drop_points is not None
    new = dict(state or {"firing": False})
    new["checked_at"] = now_iso
    windows = {int(r["current"]): metric_value(when.metric, r) for r in rows}
    minimum = when.min_responses or DEFAULT_MIN_RESPONSES
    current, previous = windows.get(1), windows.get(0)
    if (
        current is None
        or previous is None
        or min(current["responses"], previous["responses"]) < minimum
    ):
        new["note"] = f"fewer than {minimum} responses in a window"
        return new, None
    drop = round(previous["score"] - current["score"], 4)
    new.update(current=current, previous=previous, drop=drop, note=None)
    if drop < when.drop_points:
        if new.get("firing"):
            new.update(firing=False, recovered_at=now_iso)
        return new, None
    if new.get("firing"):
        return new, None
    new.update(firing=True, fired_at=now_iso)
    return new, {
        "metric": when.metric,
        "channel": when.channel,
        "survey": when.survey,
        "window": when.window,
        "drop_points": when.drop_points,
        "drop": drop,
        "current": current,
        "previous": previous,
        "timestamp": now_iso,
    }
