"""The normalised event: what the ingest log holds and the event store keeps."""

from __future__ import annotations

import msgspec

#: An identity as ``(type, normalised value)``, e.g. ``("email", "ana@example.com")``.
IdentityKey = tuple[str, str]


class Event(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One accepted interaction, after validation, channel resolution and clock-skew
    correction. Free-form objects stay JSON text so nothing the client sent is lost.

    Times are milliseconds since the Unix epoch (UTC).
    """

    workspace_id: str
    source_id: str
    message_id: str
    type: str  # track | identify | page | screen | group | alias
    event: str  # track event name, else ""
    name: str  # page/screen name, else ""
    user_id: str | None
    anonymous_id: str | None
    channel: str
    timestamp: int
    received_at: int
    sent_at: int | None
    properties: str  # JSON object text
    traits: str  # JSON object text
    context: str  # JSON object text
    group_id: str | None = None
    previous_id: str | None = None
    identities: tuple[IdentityKey, ...] = ()
    profile_traits: str = ""  # JSON object of traits to apply to the profile, or ""
    integrations: str = ""  # JSON object (destinations on/off), batch-level merged in
