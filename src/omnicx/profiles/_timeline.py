"""A profile's events from every channel, newest first, with a stable cursor."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from omnicx.errors import FieldError, ValidationError, parse_int
from omnicx.profiles._profile import _current, iso, parse_profile_id
from omnicx.storage import Store

MAX_LIMIT = 1000


@dataclass
class Timeline:
    profile_id: str
    events: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "events": self.events,
            "next_cursor": self.next_cursor,
        }


def _encode_cursor(ts: int, message_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([ts, message_id]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        ts, message_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(ts), str(message_id)
    except (ValueError, TypeError):
        raise ValidationError(
            "invalid cursor; pass next_cursor from the previous page",
            [FieldError("cursor", "invalid")],
        ) from None


def parse_limit(raw: str | None, default: int = 50) -> int:
    if raw is None or raw == "":
        return default
    return parse_int(raw, "limit", 1, MAX_LIMIT)


def get_timeline(
    store: Store, workspace_id: str, raw_id: str, limit: int, cursor: str | None
) -> Timeline:
    before = _decode_cursor(cursor) if cursor else None
    profile_id = _current(store, workspace_id, parse_profile_id(raw_id))
    identity_ids = [i["id"] for i in store.state.profile_identities(profile_id)]
    rows = store.events.timeline(workspace_id, identity_ids, limit + 1, before)
    page = rows[:limit]
    events = [
        {
            "message_id": r["message_id"],
            "type": r["type"],
            "event": r["event"] or None,
            "name": r["name"] or None,
            "channel": r["channel"],
            "timestamp": iso(int(r["ts_ms"])),
            "received_at": iso(int(r["received_ms"])),
            "source_id": r["source_id"],
            "user_id": r["user_id"],
            "anonymous_id": r["anonymous_id"],
            "properties": json.loads(r["properties"] or "{}"),
            "traits": json.loads(r["traits"] or "{}"),
            "context": json.loads(r["context"] or "{}"),
            "integrations": json.loads(r["integrations"] or "{}"),
        }
        for r in page
    ]
    next_cursor = None
    if len(rows) > limit and page:
        next_cursor = _encode_cursor(int(page[-1]["ts_ms"]), page[-1]["message_id"])
    return Timeline(str(profile_id), events, next_cursor)
