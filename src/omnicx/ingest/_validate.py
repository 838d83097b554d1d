"""Turn a Segment request body into accepted events and itemised rejections.

Nothing here does I/O: the HTTP route, the importer and the demo all call it, so every
path into OmniCX validates the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from omnicx.contracts import Event
from omnicx.errors import FieldError
from omnicx.identity import MergeRules, extract_identities
from omnicx.ingest._channel import resolve_channel
from omnicx.ingest._messages import (
    ContextView,
    Message,
    PropertiesView,
    Rejection,
)
from omnicx.ingest._parse import (
    NOT_OBJECT,
    UNDECODABLE,
    Limits,
    ParsedRequest,
    field_from_msgspec,
    parse_request,
    raw_object,
    reason,
)

__all__ = [
    "EVENT_TYPES",
    "Limits",
    "ParsedRequest",
    "SourceInfo",
    "Validated",
    "parse_request",
    "region_hint",
    "validate_message",
    "validate_request",
]

EVENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")
MAX_ID_LENGTH = 1024
_MIN_MS = 0  # 1970-01-01
_MAX_MS = 7258118400000  # 2200-01-01

_message_decoder = msgspec.json.Decoder(Message)
_dict_decoder = msgspec.json.Decoder(dict[str, Any])
_context_decoder = msgspec.json.Decoder(ContextView)
_properties_decoder = msgspec.json.Decoder(PropertiesView)
_encode = msgspec.json.Encoder().encode


@dataclass
class Validated:
    events: list[Event]
    rejected: list[Rejection]


def region_hint(location: dict[str, Any] | None, locale: Any) -> str | None:
    """The country a message comes from, for phone numbers written without +code:
    ``context.location.country`` (a two-letter code), else ``context.locale``'s region
    (``he-IL`` → ``IL``)."""
    country = (location or {}).get("country")
    if isinstance(country, str) and len(country.strip()) == 2 and country.isalpha():
        return country.strip().upper()
    if isinstance(locale, str):
        parts = locale.replace("_", "-").split("-")
        if len(parts) >= 2 and len(parts[-1]) == 2 and parts[-1].isalpha():
            return parts[-1].upper()
    return None


def _to_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def _as_id(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Invalid(name, "must be a string")
    text = str(value) if not isinstance(value, float) else f"{value:g}"
    if len(text) > MAX_ID_LENGTH:
        raise _Invalid(name, f"is {len(text)} characters; the limit is {MAX_ID_LENGTH}")
    return text if text.strip() else None


class _Invalid(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class SourceInfo:
    workspace_id: str
    source_id: str
    default_channel: str | None


def validate_message(
    raw: bytes,
    kind: str | None,
    source: SourceInfo,
    rules: MergeRules,
    received_at: int,
    batch_context: bytes | None = None,
    batch_sent_at: datetime | None = None,
    batch_integrations: bytes | None = None,
) -> Event:
    """Validate one message; raise ``_Invalid`` (field relative to the message)."""
    try:
        message = _message_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        error = field_from_msgspec(exc, "")
        raise _Invalid(error.field, error.message) from None
    except UNDECODABLE as exc:
        raise _Invalid("", f"not valid JSON: {reason(exc)}") from None
    event_type = kind or message.type
    if event_type not in EVENT_TYPES:
        raise _Invalid("type", f"must be one of {', '.join(EVENT_TYPES)}")
    objects = {}
    for name in ("properties", "traits", "context", "integrations"):
        objects[name] = raw_object(getattr(message, name))
        if objects[name] is NOT_OBJECT:
            raise _Invalid(name, "must be an object")
    user_id = _as_id(message.userId, "userId")
    anonymous_id = _as_id(message.anonymousId, "anonymousId")
    if user_id is None and anonymous_id is None:
        raise _Invalid("userId", "userId or anonymousId is required")
    if event_type == "track" and not (message.event and message.event.strip()):
        raise _Invalid("event", "a track call needs a non-empty event name")
    if message.event is not None and len(message.event) > MAX_ID_LENGTH:
        raise _Invalid("event", f"longer than {MAX_ID_LENGTH} characters")
    previous_id = _as_id(message.previousId, "previousId")
    if event_type == "alias" and (previous_id is None or user_id is None):
        raise _Invalid("previousId", "an alias call needs previousId and userId")
    group_id = _as_id(message.groupId, "groupId")
    if event_type == "group" and group_id is None:
        raise _Invalid("groupId", "a group call needs a groupId")

    context_raw = objects["context"] or b"{}"
    if batch_context:
        merged = {
            **_dict_decoder.decode(batch_context),
            **_dict_decoder.decode(context_raw),
        }
        context_raw = _encode(merged)
    try:
        context = _context_decoder.decode(context_raw)
    except msgspec.ValidationError as exc:
        error = field_from_msgspec(exc, "context")
        raise _Invalid(error.field, error.message) from None
    integrations_raw = objects["integrations"]
    if batch_integrations:
        integrations_raw = _encode(
            {
                **_dict_decoder.decode(batch_integrations),
                **_dict_decoder.decode(integrations_raw or b"{}"),
            }
        )
    properties_raw = objects["properties"] or b"{}"
    traits_raw = objects["traits"] or b"{}"

    sent_at = message.sentAt or batch_sent_at
    if message.timestamp is not None:
        timestamp = _to_ms(message.timestamp)
    elif message.originalTimestamp is not None and sent_at is not None:
        timestamp = received_at - (_to_ms(sent_at) - _to_ms(message.originalTimestamp))
    elif message.originalTimestamp is not None:
        timestamp = _to_ms(message.originalTimestamp)
    else:
        timestamp = received_at
    if not _MIN_MS <= timestamp < _MAX_MS:
        raise _Invalid("timestamp", "must be between 1970 and 2200")

    traits = _dict_decoder.decode(traits_raw) if event_type == "identify" else None
    context_traits = context.traits or {}
    identity_context = {
        "traits": context_traits,
        "externalIds": context.externalIds,
        "device": context.device,
    }
    region = region_hint(context.location, context.locale)
    if region and region != rules.default_region:
        rules = msgspec.structs.replace(rules, default_region=region)
    identities = extract_identities(
        user_id, anonymous_id, traits, identity_context, rules
    )
    if event_type == "alias" and previous_id is not None:
        identities = (
            *identities,
            *extract_identities(None, previous_id, None, None, rules),
        )
    if not identities:
        raise _Invalid(
            "userId" if user_id is not None else "anonymousId",
            "is a blocked placeholder value and no other identifier was sent",
        )
    profile_traits = {**context_traits, **(traits or {})}
    library = context.library
    properties_channel = None
    if b'"channel"' in properties_raw:
        properties_channel = _properties_decoder.decode(properties_raw).channel
    return Event(
        workspace_id=source.workspace_id,
        source_id=source.source_id,
        message_id=message.messageId or str(uuid.uuid4()),
        type=event_type,
        event=(message.event or "").strip() if event_type == "track" else "",
        name=message.name or "",
        user_id=user_id,
        anonymous_id=anonymous_id,
        channel=resolve_channel(
            context.channel,
            properties_channel,
            source.default_channel,
            library.get("name") if isinstance(library, dict) else None,
        ),
        timestamp=timestamp,
        received_at=received_at,
        sent_at=_to_ms(sent_at) if sent_at else None,
        properties=properties_raw.decode(),
        traits=traits_raw.decode(),
        context=context_raw.decode(),
        group_id=group_id,
        previous_id=previous_id,
        identities=identities,
        profile_traits=_encode(profile_traits).decode() if profile_traits else "",
        integrations=integrations_raw.decode() if integrations_raw else "",
    )


def validate_request(
    parsed: ParsedRequest,
    kind: str | None,
    source: SourceInfo,
    rules: MergeRules,
    received_at: int,
) -> Validated:
    """Validate every message of a parsed request; invalid ones become rejections."""
    events: list[Event] = []
    rejected = [
        _rejection(source, received_at, index, error, b"")
        for index, error in parsed.rejected
    ]
    for index, raw in parsed.items:
        try:
            events.append(
                validate_message(
                    raw,
                    kind,
                    source,
                    rules,
                    received_at,
                    parsed.context,
                    parsed.sent_at,
                    parsed.integrations,
                )
            )
        except UNDECODABLE as exc:  # deep nesting inside traits/context, bad UTF-8
            prefix = f"batch[{index}]" if index is not None else ""
            rejected.append(
                _rejection(
                    source,
                    received_at,
                    index,
                    FieldError(prefix or "body", f"not valid JSON: {reason(exc)}"),
                    raw,
                )
            )
        except _Invalid as invalid:
            prefix = f"batch[{index}]" if index is not None else ""
            name = ".".join(p for p in (prefix, invalid.field) if p) or "body"
            rejected.append(
                _rejection(
                    source, received_at, index, FieldError(name, invalid.message), raw
                )
            )
    return Validated(events, rejected)


def _rejection(
    source: SourceInfo,
    received_at: int,
    index: int | None,
    error: FieldError,
    raw: bytes,
) -> Rejection:
    return Rejection(
        workspace_id=source.workspace_id,
        source_id=source.source_id,
        received_at=received_at,
        index=index,
        field=error.field,
        message=error.message,
        payload=raw.decode("utf-8", errors="replace"),
    )
