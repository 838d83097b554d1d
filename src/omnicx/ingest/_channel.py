"""Decide the one channel of an event (DESIGN.md: Channel)."""

from __future__ import annotations

import re
from typing import Any

from omnicx.contracts import SDK_CHANNELS

_SYNONYMS = {
    "website": "web",
    "browser": "web",
    "app": "mobile_app",
    "mobile": "mobile_app",
    "ios": "mobile_app",
    "android": "mobile_app",
    "e-mail": "email",
    "mail": "email",
    "text": "sms",
    "phone": "call_center",
    "call": "call_center",
    "callcenter": "call_center",
    "call_centre": "call_center",
    "call-center": "call_center",
    "contact_center": "call_center",
    "pos": "store",
    "retail": "store",
    "in_store": "store",
    "in-store": "store",
    "shop": "store",
    "live_chat": "chat",
    "social_media": "social",
    "ad": "ads",
    "advertising": "ads",
}
#: Values SDKs put in channel-like fields that say nothing about the customer's channel.
_NOT_A_CHANNEL = {"server", "client", "sources", "source", "unknown", "none", "null"}
_VALID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def canonical_channel(value: Any) -> str | None:
    """A channel name from free text, or ``None`` when the value names no channel."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower().replace(" ", "_")
    name = _SYNONYMS.get(name, name)
    if name in _NOT_A_CHANNEL or not _VALID.match(name):
        return None
    return name


def resolve_channel(
    context_channel: Any,
    properties_channel: Any,
    source_default: str | None,
    library_name: Any,
) -> str:
    """In order: ``context.channel``, ``properties.channel``, the source's default, the
    SDK library, else ``other``. A top-level ``channel`` field is never consulted."""
    for candidate in (context_channel, properties_channel, source_default):
        channel = canonical_channel(candidate)
        if channel:
            return channel
    if isinstance(library_name, str) and library_name in SDK_CHANNELS:
        return SDK_CHANNELS[library_name]
    return "other"
