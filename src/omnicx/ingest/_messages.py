"""Wire shapes of the Segment HTTP tracking spec, decoded with msgspec.

Free-form objects (``properties``, ``traits``, ``context``) stay ``msgspec.Raw`` on the
hot path and are looked into only through the small views below. An empty ``Raw`` means
the field was absent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

Id = str | int | float | None  # SDKs sometimes send numeric ids; stored as text


class Message(msgspec.Struct):
    type: str | None = None
    userId: Id = None
    anonymousId: Id = None
    event: str | None = None
    name: str | None = None
    category: str | None = None
    properties: msgspec.Raw = msgspec.Raw()
    traits: msgspec.Raw = msgspec.Raw()
    context: msgspec.Raw = msgspec.Raw()
    integrations: msgspec.Raw = msgspec.Raw()
    timestamp: datetime | None = None
    originalTimestamp: datetime | None = None
    sentAt: datetime | None = None
    messageId: str | None = None
    groupId: Id = None
    previousId: Id = None
    writeKey: str | None = None


class Batch(msgspec.Struct):
    batch: list[msgspec.Raw]
    context: msgspec.Raw = msgspec.Raw()
    integrations: msgspec.Raw = msgspec.Raw()
    sentAt: datetime | None = None
    writeKey: str | None = None


class ContextView(msgspec.Struct):
    """The parts of ``context`` ingest needs; everything else is kept untouched."""

    channel: Any = None
    library: Any = None
    traits: dict[str, Any] | None = None
    externalIds: list[Any] | None = None
    device: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    locale: Any = None


class PropertiesView(msgspec.Struct):
    channel: Any = None


class Rejection(msgspec.Struct, array_like=True, gc=False):
    """A message that was not accepted, kept for inspection."""

    workspace_id: str
    source_id: str
    received_at: int
    index: int | None
    field: str
    message: str
    payload: str
