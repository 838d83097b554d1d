"""Split a Segment request body into its messages (the first step of validation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from omnicx.errors import FieldError, PayloadTooLargeError, ValidationError
from omnicx.ingest._messages import Batch

_batch_decoder = msgspec.json.Decoder(Batch)
_dict_decoder = msgspec.json.Decoder(dict[str, Any])
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


def field_from_msgspec(error: Exception, prefix: str) -> FieldError:
    text = str(error)
    match = _PATH.search(text)
    path = match.group(1) if match else ""
    message = _PATH.sub("", text).rstrip(" -") if match else text
    if not match and "missing required field" in text:
        missing = re.search(r"`(\w+)`", text)
        path = "." + missing.group(1) if missing else ""
    name = (prefix + path).lstrip(".") or prefix or "body"
    return FieldError(name, message)


NOT_OBJECT = b"<not an object>"
#: Besides msgspec's own errors: too deep nesting, invalid UTF-8 inside strings.
UNDECODABLE = (msgspec.DecodeError, RecursionError, UnicodeDecodeError, ValueError)


def reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return "invalid UTF-8 in a string"
    return str(exc)


def raw_object(raw: msgspec.Raw) -> bytes | None:
    """Bytes of a JSON object field; ``None`` if absent or null; ``NOT_OBJECT``."""
    data = bytes(raw).strip()
    if not data or data == b"null":
        return None
    return data if data[:1] == b"{" else NOT_OBJECT


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
        except UNDECODABLE as exc:
            raise ValidationError(
                f"the body is not valid JSON: {reason(exc)}",
                [FieldError("body", reason(exc))],
            ) from None
        return ParsedRequest(
            [(None, body)], write_key if isinstance(write_key, str) else None
        )
    try:
        batch = _batch_decoder.decode(body)
    except msgspec.ValidationError as exc:
        error = field_from_msgspec(exc, "")
        raise ValidationError(f"invalid batch: {error.message}", [error]) from None
    except UNDECODABLE as exc:
        raise ValidationError(
            f"the body is not valid JSON: {reason(exc)}",
            [FieldError("body", reason(exc))],
        ) from None
    batch_context = raw_object(batch.context)
    if batch_context is NOT_OBJECT:
        raise ValidationError(
            "batch context must be an object", [FieldError("context", "not an object")]
        )
    batch_integrations = raw_object(batch.integrations)
    if batch_integrations is NOT_OBJECT:
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
