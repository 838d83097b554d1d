"""Turn a Segment request body into accepted events and itemised rejections.

Nothing here does I/O: the HTTP route, the importer and the demo all call it, so every
path into OmniCX validates the same way.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from omnicx.contracts import Event
from omnicx.errors import FieldError, PayloadTooLargeError, ValidationError
from omnicx.identity import MergeRules, extract_identities
from omnicx.ingest._channel import resolve_channel
from omnicx.ingest._messages import (
    Batch,
    ContextView,
    Message,
    PropertiesView,
    Rejection,
)

EVENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")
MAX_ID_LENGTH = 1024
_MIN_MS = 0  # 1970-01-01
_MAX_MS = 7258118400000  # 2200-01-01

_message_decoder = msgspec.json.Decoder(Message)
_batch_decoder = msgspec.json.Decoder(Batch)
_dict_decoder = msgspec.json.Decoder(dict[str, Any])
_context_decoder = msgspec.json.Decoder(ContextView)
_properties_decoder = msgspec.json.Decoder(PropertiesView)
_encode = msgspec.json.Encoder().encode
_PATH = re.compile(r"at `\$(.*)`$")


@dataclass(frozen=True)
class Limits:
    max_event_bytes: int = 32 * 1024
    max_request_bytes: int = 500 * 1024


@dataclass
class ParsedRequest:
    """A request body split into its messages, before the write key is known."""

    items: list[tuple[int | None, bytes]]
    write_key: str | None
    context: bytes | None = None
    sent_at: datetime | None = None
    integrations: bytes | None = None
    rejected: list[tuple[int | None, FieldError]] = field(default_factory=list)


@dataclass
class Validated:
    events: list[Event]
    rejected: list[Rejection]


def _field_from_msgspec(error: Exception, prefix: str) -> FieldError:
    text = str(error)
    match = _PATH.search(text)
    path = match.group(1) if match else ""
    message = _PATH.sub("", text).rstrip(" -") if match else text
    if not match and "missing required field" in text:
        missing = re.search(r"`(\w+)`", text)
        path = "." + missing.group(1) if missing else ""
    name = (prefix + path).lstrip(".") or prefix or "body"
    return FieldError(name, message)


_NOT_OBJECT = b"<not an object>"
#: Besides msgspec's own errors: too deep nesting, invalid UTF-8 inside strings.
_UNDECODABLE = (msgspec.DecodeError, RecursionError, UnicodeDecodeError, ValueError)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "invalid UTF-8 in a string"
    return str(exc)


def _raw_object(raw: msgspec.Raw) -> bytes | None:
    """Bytes of a JSON object field; ``None`` if absent or null; ``_NOT_OBJECT``."""
    data = bytes(raw).strip()
    if not data or data == b"null":
        return None
    return data if data[:1] == b"{" else _NOT_OBJECT


def parse_request(body: bytes, kind: str | None, limits: Limits) -> ParsedRequest:
    """Split a body into messages. ``kind`` is the event type of a single-event path,
    or ``None`` for ``/v1/batch`` and ``/v1/import``."""
    if len(body) > limits.max_request_bytes:
        raise PayloadTooLargeError(
            f"request body is {len(body)} bytes; the limit is "
            f"{limits.max_request_bytes} bytes — send smaller batches",
            [FieldError("body", "request too large")],
        )
    if kind is not None:
        if len(body) > limits.max_event_bytes:
            raise PayloadTooLargeError(
                f"event is {len(body)} bytes; the limit is {limits.max_event_bytes}",
                [FieldError("body", "event too large")],
            )
        try:
            write_key = _dict_decoder.decode(body).get("writeKey")
        except msgspec.ValidationError:
            raise ValidationError(
                "the body must be a JSON object", [FieldError("body", "not an object")]
            ) from None
        except _UNDECODABLE as exc:
            raise ValidationError(
                f"the body is not valid JSON: {_reason(exc)}",
                [FieldError("body", _reason(exc))],
            ) from None
        return ParsedRequest(
            [(None, body)], write_key if isinstance(write_key, str) else None
        )
    try:
        batch = _batch_decoder.decode(body)
    except msgspec.ValidationError as exc:
        error = _field_from_msgspec(exc, "")
        raise ValidationError(f"invalid batch: {error.message}", [error]) from None
    except _UNDECODABLE as exc:
        raise ValidationError(
            f"the body is not valid JSON: {_reason(exc)}",
            [FieldError("body", _reason(exc))],
        ) from None
    batch_context = _raw_object(batch.context)
    if batch_context is _NOT_OBJECT:
        raise ValidationError(
            "batch context must be an object", [FieldError("context", "not an object")]
        )
    batch_integrations = _raw_object(batch.integrations)
    if batch_integrations is _NOT_OBJECT:
        raise ValidationError(
            "batch integrations must be an object",
            [FieldError("integrations", "not an object")],
        )
    parsed = ParsedRequest(
        [], batch.writeKey, batch_context, batch.sentAt, batch_integrations
    )
    for index, raw in enumerate(batch.batch):
        item = bytes(raw)
        if len(item) > limits.max_event_bytes:
            parsed.rejected.append(
                (
                    index,
                    FieldError(
                        f"batch[{index}]",
                        f"event is {len(item)} bytes; the limit is "
                        f"{limits.max_event_bytes}",
                    ),
                )
            )
        else:
            parsed.items.append((index, item))
    return parsed


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
        error = _field_from_msgspec(exc, "")
        raise _Invalid(error.field, error.message) from None
    except _UNDECODABLE as exc:
        raise _Invalid("", f"not valid JSON: {_reason(exc)}") from None
    event_type = kind or message.type
    if event_type not in EVENT_TYPES:
        raise _Invalid("type", f"must be one of {', '.join(EVENT_TYPES)}")
    objects = {}
    for name in ("properties", "traits", "context", "integrations"):
        objects[name] = _raw_object(getattr(message, name))
        if objects[name] is _NOT_OBJECT:
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
        error = _field_from_msgspec(exc, "context")
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
        except _UNDECODABLE as exc:  # deep nesting inside traits/context, bad UTF-8
            prefix = f"batch[{index}]" if index is not None else ""
            rejected.append(
                _rejection(
                    source,
                    received_at,
                    index,
                    FieldError(prefix or "body", f"not valid JSON: {_reason(exc)}"),
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
