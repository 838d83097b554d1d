"""Per-workspace identity merge rules (Segment Unify style)."""

from __future__ import annotations

import functools
from typing import Any

import msgspec

from omnicx.errors import ConfigError

DEFAULT_PRIORITY = ("user_id", "email", "phone")
DEFAULT_LIMITS = {"user_id": 1, "email": 5, "phone": 5}
DEFAULT_BLOCKED = (
    "",
    "null",
    "none",
    "nil",
    "undefined",
    "0",
    "-1",
    "anonymous",
    "unknown",
    "n/a",
    "na",
    "test",
    "[object object]",
)


class MergeRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How identities link into profiles.

    - ``priority``: identity types in decreasing trust; types not listed come after, in
      the order an event lists them.
    - ``limits``: the most values of a type one profile may hold; a link that would
      exceed a limit does not merge profiles.
    - ``blocked_values``: values (compared case-insensitively) never used as identities.
    - ``identity_traits``: trait keys that carry an identity, mapped to its type, e.g.
      ``{"loyalty_id": "loyalty_id"}``.
    - ``default_region``: region for phone numbers without a country code.
    """

    priority: tuple[str, ...] = DEFAULT_PRIORITY
    limits: dict[str, int] = msgspec.field(default_factory=lambda: dict(DEFAULT_LIMITS))
    blocked_values: tuple[str, ...] = DEFAULT_BLOCKED
    identity_traits: dict[str, str] = msgspec.field(
        default_factory=lambda: {"loyalty_id": "loyalty_id"}
    )
    default_region: str = "US"

    def rank(self, identity_type: str) -> int:
        try:
            return self.priority.index(identity_type)
        except ValueError:
            return len(self.priority)

    def rank_key(self, key: tuple[str, str]) -> int:
        """Sort key putting identities in priority order."""
        return self.rank(key[0])

    def limit(self, identity_type: str) -> int | None:
        return self.limits.get(identity_type)

    def is_blocked(self, value: str) -> bool:
        return value.strip().lower() in _lowered(self.blocked_values)


@functools.lru_cache(maxsize=64)
def _lowered(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


def merge_rules_from_config(config: dict[str, Any], default_region: str) -> MergeRules:
    """Build rules from a workspace's stored config (``{"identity": {...}}``)."""
    raw = dict(config.get("identity") or {})
    raw.setdefault("default_region", default_region)
    try:
        rules = msgspec.convert(raw, MergeRules)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid identity rules: {exc}") from None
    for identity_type, limit in rules.limits.items():
        if limit < 1:
            raise ConfigError(
                f"identity limit for {identity_type!r} must be at least 1, got {limit}"
            )
    return rules
