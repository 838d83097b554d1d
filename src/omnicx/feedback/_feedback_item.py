"""One item of unified feedback (a review or a social mention), validated by named
rules before anything is ingested."""

from __future__ import annotations

from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.ingest import canonical_channel
from omnicx.journeys import parse_time

MAX_TEXT = 8000
LATEST_MS = 7258118400000  # 2200-01-01


class FeedbackItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    source: str
    text: str = ""
    rating: float | None = None
    rating_max: float = 5
    title: str | None = None
    author: str | None = None
    email: str | None = None
    phone: str | None = None
    handle: str | None = None
    handle_type: str | None = None
    user_id: str | None = None
    created_at: str | int | None = None
    url: str | None = None
    id: str | int | None = None
    language: str | None = None
    channel: str | None = None
    kind: str | None = None
    extra: dict[str, Any] = {}


# -- named validation rules ----------------------------------------------------------
def source_named(item: FeedbackItem) -> FieldError | None:
    if not item.source.strip() or len(item.source) > 100:
        return FieldError("source", "must name where it came from (1-100 chars)")
    return None


def text_or_rating(item: FeedbackItem) -> FieldError | None:
    if not item.text.strip() and item.rating is None:
        return FieldError("text", "give the feedback text, a rating, or both")
    return None


def text_not_too_long(item: FeedbackItem) -> FieldError | None:
    if len(item.text) > MAX_TEXT:
        return FieldError("text", f"is {len(item.text)} characters; at most {MAX_TEXT}")
    return None


def rating_in_scale(item: FeedbackItem) -> FieldError | None:
    if not 1 <= item.rating_max <= 100:
        return FieldError("rating_max", "must be from 1 to 100")
    if item.rating is not None and not 0 <= item.rating <= item.rating_max:
        return FieldError(
            "rating", f"must be from 0 to rating_max ({item.rating_max:g})"
        )
    return None


def channel_known(item: FeedbackItem) -> FieldError | None:
    if item.channel is not None and canonical_channel(item.channel) is None:
        return FieldError("channel", f"{item.channel!r} is not a channel name")
    return None


def created_at_parses(item: FeedbackItem) -> FieldError | None:
    try:
        at_ms = parse_time(item.created_at, "created_at", 0)
    except ValidationError:
        at_ms = -1
    if not 0 <= at_ms <= LATEST_MS:
        return FieldError(
            "created_at", "must be ISO-8601 (2026-08-01T10:00:00Z) or epoch ms"
        )
    return None


RULES = (
    source_named,
    text_or_rating,
    text_not_too_long,
    rating_in_scale,
    channel_known,
    created_at_parses,
)


def check_item(raw: Any) -> FeedbackItem:
    """A validated item, else ``ValidationError`` naming the field."""
    try:
        item = msgspec.convert(raw, FeedbackItem)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else ""
        if not field and "field `" in text:  # missing / unknown field `name`
            field = text.split("field `", 1)[1].split("`", 1)[0]
        raise ValidationError(text, [FieldError(field or "item", text)]) from None
    errors = [e for rule in RULES if (e := rule(item)) is not None]
    if errors:
        raise ValidationError(errors[0].message, errors)
    return item
