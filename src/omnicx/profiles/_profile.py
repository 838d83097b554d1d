"""The unified profile: identities, traits with provenance, channels and activity."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from omnicx.errors import FieldError, NotFoundError, ValidationError
from omnicx.identity import merge_rules_from_config, normalize_identity
from omnicx.storage import Store


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def parse_profile_id(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise NotFoundError(f"no profile {raw!r} in this workspace")
    return int(text)


def _current(store: Store, workspace_id: str, profile_id: int) -> int:
    current = store.state.current_profile_id(workspace_id, profile_id)
    if current is None:
        raise NotFoundError(f"no profile {profile_id} in this workspace")
    return current


def _traits(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        best = latest.get(row["key"])
        if best is None or (row["ts"], row["identity_id"]) > (
            best["ts"],
            best["identity_id"],
        ):
            latest[row["key"]] = row
    values = {key: json.loads(row["value"]) for key, row in sorted(latest.items())}
    provenance = {
        key: {
            "value": values[key],
            "source_id": row["source_id"],
            "channel": row["channel"],
            "timestamp": iso(row["ts"]),
        }
        for key, row in sorted(latest.items())
    }
    return values, provenance


def get_profile(store: Store, workspace_id: str, raw_id: str | int) -> dict[str, Any]:
    """The profile, following merges to the survivor. 404 outside the workspace."""
    requested = raw_id if isinstance(raw_id, int) else parse_profile_id(raw_id)
    profile_id = _current(store, workspace_id, requested)
    identities = store.state.profile_identities(profile_id)
    identity_ids = [i["id"] for i in identities]
    traits, provenance = _traits(store.state.profile_traits(identity_ids))
    activity = store.events.profile_activity(workspace_id, identity_ids)
    row = store.state.profile_row(profile_id)
    first = [i["first_seen"] for i in identities]
    last = [i["last_seen"] for i in identities]
    events = sum(int(a["events"]) for a in activity)
    return {
        "id": str(profile_id),
        "requested_id": str(requested),
        "merged": requested != profile_id,
        "identities": [
            {
                "type": i["type"],
                "value": i["value"],
                "first_seen": iso(i["first_seen"]),
                "last_seen": iso(i["last_seen"]),
            }
            for i in identities
        ],
        "traits": traits,
        "trait_sources": provenance,
        "channels": [a["channel"] for a in activity],
        "channel_counts": {a["channel"]: int(a["events"]) for a in activity},
        "first_seen": iso(min(first)) if first else None,
        "last_seen": iso(max(last)) if last else None,
        "created_at": iso(row["created_at"]),
        "counts": {
            "events": events,
            "identities": len(identities),
            "channels": len(activity),
        },
    }


def lookup_profile(
    store: Store,
    workspace_id: str,
    identity_type: str | None,
    value: str | None,
    default_region: str = "US",
) -> dict[str, Any]:
    """Find a profile by any identifier, normalised the way ingest normalises it."""
    errors = []
    if not identity_type:
        errors.append(("type", "required, e.g. email, phone, user_id"))
    if value is None or not value.strip():
        errors.append(("value", "required"))
    if errors:
        raise ValidationError(
            "lookup needs type and value", [FieldError(f, m) for f, m in errors]
        )
    assert identity_type is not None and value is not None
    identity_type = {"userId": "user_id", "anonymousId": "anonymous_id"}.get(
        identity_type, identity_type
    )
    rules = merge_rules_from_config(
        store.state.workspace(workspace_id).config, default_region
    )
    normalised = normalize_identity(identity_type, value, rules.default_region)
    profile_id = (
        store.state.profile_for_identity(workspace_id, identity_type, normalised)
        if normalised
        else None
    )
    if profile_id is None:
        raise NotFoundError(f"no profile with {identity_type} {value!r}")
    return get_profile(store, workspace_id, profile_id)


def profile_merges(
    store: Store, workspace_id: str, raw_id: str
) -> list[dict[str, Any]]:
    profile_id = _current(store, workspace_id, parse_profile_id(raw_id))
    return [
        {
            "id": m["id"],
            "survivor_id": str(m["survivor_id"]),
            "merged_id": str(m["merged_id"]),
            "identities": [{"type": t, "value": v} for t, v in m["identity_ids"]],
            "linking_identity": json.loads(m["linking_identity"] or "null"),
            "message_id": m["message_id"],
            "at": iso(m["at"]),
            "undone_at": iso(m["undone_at"]),
        }
        for m in store.state.profile_merges(profile_id)
    ]


def split_profile(
    store: Store, workspace_id: str, raw_id: str, merge_id: int | None
) -> dict[str, Any]:
    """Undo a merge into the profile; the merged profile comes back with its
    identities and the two are not merged again automatically."""
    profile_id = _current(store, workspace_id, parse_profile_id(raw_id))
    at = int(time.time() * 1000)
    with store.state.transaction() as conn:
        result = store.state.split_merge(conn, workspace_id, profile_id, merge_id, at)
    store.events.upsert_identity_profiles(
        workspace_id,
        [(i, result["restored_id"]) for i in result["moved_identity_ids"]],
        version=time.time_ns(),
    )
    return {
        "merge_id": result["merge_id"],
        "profile": get_profile(store, workspace_id, profile_id),
        "restored": get_profile(store, workspace_id, result["restored_id"]),
    }


def workspace_stats(store: Store, workspace_id: str) -> dict[str, Any]:
    events = store.events.workspace_stats(workspace_id)
    return {
        "events": int(events.get("events") or 0),
        "profiles": store.state.count_profiles(workspace_id),
        "identities": store.state.count_identities(workspace_id),
        "channels": int(events.get("channels") or 0),
        "first_event_at": iso(events.get("first_ms")) if events.get("events") else None,
        "last_event_at": iso(events.get("last_ms")) if events.get("events") else None,
    }
