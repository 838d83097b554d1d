"""Find the identifiers an incoming Segment message carries."""

from __future__ import annotations

from typing import Any

from omnicx.contracts import IdentityKey
from omnicx.identity._normalize import normalize_identity
from omnicx.identity._rules import MergeRules

_TRAIT_TYPES = (("email", "email"), ("phone", "phone"))


def _external_id_type(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if not isinstance(kind, str) or not kind.strip():
        return None
    kind = kind.strip().lower()
    return {"userid": "user_id", "user_id": "user_id"}.get(kind, kind)


def extract_identities(
    user_id: str | None,
    anonymous_id: str | None,
    traits: dict[str, Any] | None,
    context: dict[str, Any] | None,
    rules: MergeRules,
) -> tuple[IdentityKey, ...]:
    """Identities of one message, normalised, de-duplicated, in priority order.

    Sources: ``userId``, ``anonymousId``, ``traits`` (identify), ``context.traits``,
    ``context.externalIds[]``, ``context.device.id`` and the workspace's configured
    identity trait keys.
    Blocked values are dropped.
    """
    region = rules.default_region
    found: list[IdentityKey] = []

    def add(identity_type: str, raw: object) -> None:
        value = normalize_identity(identity_type, raw, region)
        if value is None or rules.is_blocked(value):
            return
        key = (identity_type, value)
        if key not in found:
            found.append(key)

    add("user_id", user_id)
    for trait_source in (traits, (context or {}).get("traits")):
        if not isinstance(trait_source, dict):
            continue
        for key, identity_type in _TRAIT_TYPES:
            add(identity_type, trait_source.get(key))
        for key, identity_type in rules.identity_traits.items():
            add(identity_type, trait_source.get(key))
    external = (context or {}).get("externalIds")
    if isinstance(external, list):
        for item in external:
            if isinstance(item, dict) and (kind := _external_id_type(item)):
                add(kind, item.get("id"))
    device = (context or {}).get("device")
    if isinstance(device, dict):
        add("device_id", device.get("id"))
    add("anonymous_id", anonymous_id)
    found.sort(key=lambda key: rules.rank(key[0]))  # stable: event order breaks ties
    return tuple(found)
