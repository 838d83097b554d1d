"""Unified feedback: reviews and social mentions imported into the same model as
survey responses.

Each item becomes a ``Feedback Received`` track event, sent through the normal ingest
path from the workspace's internal ``feedback`` source, with the text analysed on the
way in::

    {"event": "Feedback Received", "messageId": "fb-<hash of source and id/url/text>",
     "timestamp": <created_at>, "anonymousId": "fb-<hash>" | "userId": <user_id>,
     "context": {"channel": <channel>, "traits": {"email", "phone"},
                 "externalIds": [{"type": <handle_type>, "id": <handle>}]},
     "properties": {"source", "kind", "rating", "rating_max", "title", "text",
       "author", "url", "external_id", "sentiment", "score" (sentiment score),
       "sentiment_score", "topics", "keywords", "text_language", "extra"}}

An email, phone, user id or social handle attaches the item to the profile that has
it (identity resolution does the matching); without one the item is its own
anonymous profile. The message id is derived from the item, so importing the same
file twice adds nothing. An item without text is classed by its rating.

Items (JSON webhook, strict field names)::

    {"source": "google", "text": "…", "rating": 4, "rating_max": 5, "title",
     "author", "email", "phone", "handle", "handle_type", "user_id", "created_at",
     "url", "id", "language", "channel", "kind": "review" | "mention", "extra": {}}

Files (CSV with a header row, or JSONL) also accept common export column names
(``review``/``comment``/``body`` for text, ``stars`` for rating, ``date`` for
created_at, ``link`` for url, ``username`` for handle …); other columns go to
``extra``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omnicx.errors import FieldError, ValidationError
from omnicx.feedback._feedback_item import FeedbackItem, check_item
from omnicx.feedback.text import TextAnalyzer, TextInsight, label, text_properties
from omnicx.ingest import IngestService, canonical_channel
from omnicx.journeys import parse_time
from omnicx.storage import Store

EVENT_NAME = "Feedback Received"
SOURCE_NAME = "feedback"
MAX_ITEMS = 1000
BATCH_BYTES = 256 * 1024
SOCIAL = frozenset(
    [
        "twitter",
        "x",
        "facebook",
        "instagram",
        "tiktok",
        "linkedin",
        "youtube",
        "reddit",
        "threads",
        "mastodon",
    ]
)
APP_STORES = frozenset(
    ["app_store", "appstore", "google_play", "play_store", "playstore"]
)


def _hash(*parts: Any) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _channel(item: FeedbackItem) -> str:
    if item.channel:
        return canonical_channel(item.channel) or "other"
    source = item.source.strip().lower().replace(" ", "_")
    if source in SOCIAL:
        return "social"
    if source in APP_STORES:
        return "mobile_app"
    return "web"


def rating_insight(item: FeedbackItem, language: str | None) -> TextInsight:
    """Sentiment from the rating alone (1-5 stars: 1 → -1, 3 → 0, 5 → 1)."""
    low = 1.0 if item.rating_max <= 5 else 0.0
    mid = (low + item.rating_max) / 2
    score = round(((item.rating or mid) - mid) / (item.rating_max - mid), 4)
    return TextInsight(language=language or "und", sentiment=label(score), score=score)


def feedback_message(item: FeedbackItem, insight: TextInsight) -> dict[str, Any]:
    """The ``Feedback Received`` track message of an item (see the module doc)."""
    source = item.source.strip().lower()
    handle = (item.handle or "").strip().lstrip("@").lower() or None
    handle_type = (item.handle_type or source).strip().lower().replace(" ", "_")
    item_key = item.id if item.id not in (None, "") else None
    message_id = "fb-" + (
        _hash(source, item_key)
        if item_key is not None
        else _hash(
            source, item.url, item.author, item.created_at, item.title, item.text
        )
    )
    traits = {k: v for k, v in (("email", item.email), ("phone", item.phone)) if v}
    context: dict[str, Any] = {"channel": _channel(item)}
    if traits:
        context["traits"] = traits
    if handle:
        context["externalIds"] = [
            {"type": handle_type, "id": handle, "collection": "users"}
        ]
    properties: dict[str, Any] = {
        "source": source,
        "kind": item.kind or ("mention" if _channel(item) == "social" else "review"),
        "rating": item.rating,
        "rating_max": item.rating_max if item.rating is not None else None,
        "title": item.title,
        "text": item.text,
        "author": item.author,
        "url": item.url,
        "external_id": None if item_key is None else str(item_key),
        "score": insight.score,
        **text_properties(insight),
    }
    if item.extra:
        properties["extra"] = item.extra
    message: dict[str, Any] = {
        "type": "track",
        "event": EVENT_NAME,
        "messageId": message_id,
        "context": context,
        "properties": {k: v for k, v in properties.items() if v is not None},
    }
    if item.created_at not in (None, ""):
        at_ms = parse_time(item.created_at, "created_at", 0)
        message["timestamp"] = (
            datetime.fromtimestamp(at_ms / 1000, UTC).isoformat().replace("+00:00", "Z")
        )
    if item.user_id:
        message["userId"] = item.user_id
    else:
        who = item.email or item.phone or (handle and f"{handle_type}:{handle}")
        message["anonymousId"] = "fb-" + (_hash(who) if who else message_id[3:])
    return message


def analyze_item(item: FeedbackItem, analyzer: TextAnalyzer) -> TextInsight:
    text = ". ".join(t for t in (item.title, item.text) if t and t.strip())
    if text.strip():
        return analyzer.analyze(text, item.language)
    return rating_insight(item, item.language)


_source_lock = threading.Lock()
_BATCH_INDEX = re.compile(r"batch\[(\d+)\]")


def feedback_write_key(store: Store, workspace_id: str) -> str:
    """The write key of the workspace's internal ``feedback`` source (made once)."""
    with _source_lock:
        source = next(
            (s for s in store.state.sources(workspace_id) if s.name == SOURCE_NAME),
            None,
        ) or store.state.create_source(workspace_id, SOURCE_NAME, None)
    return source.write_key


def _send(
    ingest: IngestService, write_key: str, batch: list[tuple[Any, dict]]
) -> list[tuple[Any, str, str]]:
    """Append one batch; the ``(position, field, message)`` of refused items."""
    body = json.dumps({"batch": [m for _, m in batch]}, ensure_ascii=False).encode()
    try:
        result = ingest.ingest_blocking("batch", body, write_key)
        refused = result.rejected
    except ValidationError as exc:
        refused = [
            {"index": None, "field": e.field, "message": e.message} for e in exc.errors
        ] or [{"index": None, "field": "batch", "message": str(exc)}]
    out = []
    for r in refused:
        field = str(r.get("field", ""))
        index = r.get("index")
        if not isinstance(index, int) and (found := _BATCH_INDEX.match(field)):
            index = int(found.group(1))
        field = field.split(".", 1)[-1] if "." in field else field
        targets = [batch[index]] if isinstance(index, int) else batch
        out.extend((at, field, str(r.get("message"))) for at, _ in targets)
    return out


def import_items(
    ingest: IngestService,
    write_key: str,
    items: Iterable[tuple[Any, Any]],
    analyzer: TextAnalyzer,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Validate, analyse and append ``(position, raw item)`` pairs; positions name
    the item in errors (an index, or a file line)."""
    accepted = 0
    rejected: list[dict[str, Any]] = []
    counts = {"positive": 0, "neutral": 0, "negative": 0}
    results: list[dict[str, Any]] = []
    batch: list[tuple[Any, dict]] = []
    size = 0

    def flush() -> None:
        nonlocal accepted, size
        if not batch:
            return
        refused = _send(ingest, write_key, batch)
        bad = {at for at, _, _ in refused}
        for at, field, message in refused:
            rejected.append({"at": at, "field": field, "message": message})
        for at, message in batch:
            if at not in bad:
                accepted += 1
                counts[message["properties"]["sentiment"]] += 1
        if progress:
            progress(len(batch))
        batch.clear()
        size = 0

    for at, raw in items:
        try:
            item = check_item(raw)
        except ValidationError as exc:
            for error in exc.errors:
                rejected.append(
                    {"at": at, "field": error.field, "message": error.message}
                )
            if progress:
                progress(1)
            continue
        insight = analyze_item(item, analyzer)
        message = feedback_message(item, insight)
        encoded = len(json.dumps(message, ensure_ascii=False).encode())
        if size + encoded > BATCH_BYTES:
            flush()
        batch.append((at, message))
        size += encoded
        if len(results) < MAX_ITEMS:
            results.append(
                {"at": at, "message_id": message["messageId"], **insight.as_dict()}
            )
    flush()
    return {
        "accepted": accepted,
        "rejected": rejected,
        "sentiment": counts,
        "items": results,
    }


def import_feedback(
    ingest: IngestService,
    store: Store,
    workspace_id: str,
    items: list[Any],
    analyzer: TextAnalyzer,
) -> dict[str, Any]:
    """The webhook import: a JSON list of items (see the module docstring)."""
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            f"{len(items)} items in one request; send at most {MAX_ITEMS}",
            [FieldError("body", f"more than {MAX_ITEMS} items")],
        )
    result = import_items(
        ingest, feedback_write_key(store, workspace_id), enumerate(items), analyzer
    )
    for entry in (*result["rejected"], *result["items"]):
        entry["index"] = entry.pop("at")
    for error in result["rejected"]:
        error["field"] = f"[{error['index']}].{error['field']}".rstrip(".")
    if items and not result["accepted"]:
        raise ValidationError(
            "no feedback item was valid; see errors",
            [FieldError(e["field"], e["message"]) for e in result["rejected"][:50]],
        )
    return {"ok": True, "received": len(items), **result}


def import_feedback_file(
    ingest: IngestService,
    store: Store,
    workspace_id: str,
    path: Path,
    analyzer: TextAnalyzer,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Import a CSV (header row) or JSONL file of reviews / mentions."""
    from omnicx.feedback._imports_files import import_file

    return import_file(
        lambda rows: import_items(
            ingest, feedback_write_key(store, workspace_id), rows, analyzer, progress
        ),
        path,
    )
