"""Sentiment and topic trends of feedback text: survey comments (``Survey Answered``)
and imported feedback (``Feedback Received``), aggregated in the event store from the
sentiment recorded at ingest (``text_properties``). Texts recorded before analysis was
wired in are analysed when read (at most ``MAX_ON_READ`` of the latest).

Query (every field optional)::

    {"from", "to", "bucket": "day" | "week" | "month", "events": "all" | "survey" |
     "feedback", "sources": "google,trustpilot", "channels": "web,store",
     "keywords": 20}

Answer: ``totals``, ``series`` (per bucket), ``topics``, ``topic_series``,
``keywords``, ``sources``, ``channels``, ``languages``, each with ``count``,
``positive``, ``neutral``, ``negative`` and ``average_score``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from omnicx.errors import FieldError, ValidationError, parse_int
from omnicx.feedback.text._insight import TextAnalyzer
from omnicx.journeys import parse_time
from omnicx.storage import Store
from omnicx.storage._events import array_param
from omnicx.storage.sql.feedback_drivers import (
    FEEDBACK_EVENT,
    KEYWORDS,
    SENTIMENT_BY,
    SENTIMENT_SERIES,
    SURVEY_EVENT,
    TOPIC_SERIES,
    TOPICS,
    UNANALYSED,
)

ALL_TIME_START = 0
ALL_TIME_END = 7258118400000
MAX_ON_READ = 2000
EVENTS = {
    "all": [SURVEY_EVENT, FEEDBACK_EVENT],
    "survey": [SURVEY_EVENT],
    "feedback": [FEEDBACK_EVENT],
}
SENTIMENTS = ("positive", "neutral", "negative")


def _names(raw: Any, field: str) -> list[str]:
    if raw is None or raw == "":
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValidationError(
            f"{field} must be a comma-separated list of names",
            [FieldError(field, "not a list of names")],
        )
    return [i.strip().lower() for i in items if i.strip()]


def _choice(raw: Mapping[str, Any], field: str, options: Any, default: str) -> str:
    value = raw.get(field) or default
    if value not in options:
        raise ValidationError(
            f"{field} must be one of {', '.join(options)}; got {value!r}",
            [FieldError(field, f"must be one of {', '.join(options)}")],
        )
    return value


def _bucket(t_ms: int, bucket: str) -> str:
    day = datetime.fromtimestamp(t_ms / 1000, UTC).date()
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    elif bucket == "month":
        day = day.replace(day=1)
    return day.isoformat()


class _Counts(dict):
    """name → {count, positive, neutral, negative, score_sum}."""

    def add(self, name: str, row: Mapping[str, Any]) -> None:
        slot = self.setdefault(
            name,
            {"count": 0, "positive": 0, "neutral": 0, "negative": 0, "score_sum": 0.0},
        )
        for key in slot:
            slot[key] += row.get(key, 0)

    def listed(self, label: str) -> list[dict[str, Any]]:
        items = [{label: name, **_finish(slot)} for name, slot in self.items()]
        return sorted(items, key=lambda i: (-i["count"], str(i[label])))


_EMPTY = {"count": 0, "positive": 0, "neutral": 0, "negative": 0, "score_sum": 0.0}


def _finish(slot: Mapping[str, Any]) -> dict[str, Any]:
    count = slot["count"]
    return {
        "count": count,
        "positive": slot["positive"],
        "neutral": slot["neutral"],
        "negative": slot["negative"],
        "average_score": round(slot["score_sum"] / count, 4) if count else None,
        "net_sentiment": (
            round((slot["positive"] - slot["negative"]) / count, 4) if count else None
        ),
    }


def _one(sentiment: str, score: float) -> dict[str, Any]:
    return {"count": 1, sentiment: 1, "score_sum": score}


def sentiment_trends(
    store: Store, workspace_id: str, raw: Mapping[str, Any], analyzer: TextAnalyzer
) -> dict[str, Any]:
    """Run an insights query (see the module docstring)."""
    start = parse_time(raw.get("from"), "from", ALL_TIME_START)
    end = parse_time(raw.get("to"), "to", ALL_TIME_END)
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
    bucket = _choice(raw, "bucket", ("day", "week", "month"), "day")
    events = EVENTS[_choice(raw, "events", tuple(EVENTS), "all")]
    sources = _names(raw.get("sources") or raw.get("source"), "sources")
    channels = _names(raw.get("channels") or raw.get("channel"), "channels")
    keyword_limit = parse_int(str(raw.get("keywords") or 20), "keywords", 1, 200)
    params = {
        "ws": workspace_id,
        "from_ms": start,
        "to_ms": end,
        "channels": array_param(channels),
        "filter_profiles": 0,
        "profiles": array_param([]),
        "events": array_param(events),
        "sources": array_param(sources),
    }
    query = store.events.query_rows
    totals, series = _Counts(), _Counts()
    topics, keywords = _Counts(), _Counts()
    groups = {name: _Counts() for name in SENTIMENT_BY}
    topic_series: dict[tuple[str, str], dict[str, int]] = {}
    for row in query(SENTIMENT_SERIES[bucket], params):
        series.add(row["bucket"], row)
        totals.add("all", row)
    for row in query(TOPICS, params):
        topics.add(row["name"], row)
    for row in query(KEYWORDS, {**params, "limit": keyword_limit}):
        keywords.add(row["name"], row)
    for group, statement in SENTIMENT_BY.items():
        for row in query(statement, params):
            groups[group].add(row["name"], row)
    for row in query(TOPIC_SERIES[bucket], params):
        topic_series[(row["bucket"], row["topic"])] = {
            "count": row["count"],
            "negative": row["negative"],
        }
    on_read = query(UNANALYSED, {**params, "limit": MAX_ON_READ})
    analysed = 0
    for row in on_read:
        if sources and row["source"].lower() not in sources:
            continue
        insight = analyzer.analyze(row["text"], row["language"] or None)
        one = _one(insight.sentiment, insight.score)
        when = _bucket(row["t"], bucket)
        series.add(when, one)
        totals.add("all", one)
        groups["source"].add(row["source"], one)
        groups["channel"].add(row["channel"], one)
        groups["language"].add(insight.language, one)
        for topic in insight.topics:
            topics.add(topic, one)
            slot = topic_series.setdefault((when, topic), {"count": 0, "negative": 0})
            slot["count"] += 1
            slot["negative"] += insight.sentiment == "negative"
        for keyword in insight.keywords:
            keywords.add(keyword, one)
        analysed += 1
    return {
        "from": start if start != ALL_TIME_START else None,
        "to": end if end != ALL_TIME_END else None,
        "bucket": bucket,
        "events": events,
        "totals": _finish(totals.get("all") or _EMPTY),
        "series": sorted(series.listed("bucket"), key=lambda i: i["bucket"]),
        "topics": topics.listed("topic"),
        "topic_series": [
            {"bucket": b, "topic": t, **counts}
            for (b, t), counts in sorted(topic_series.items())
        ],
        "keywords": keywords.listed("keyword")[:keyword_limit],
        "sources": groups["source"].listed("source"),
        "channels": groups["channel"].listed("channel"),
        "languages": groups["language"].listed("language"),
        "analyzed_on_read": analysed,
    }
