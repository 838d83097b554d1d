"""Identity resolution: which identifiers an event carries and which profile they are.

The graph rules are pure (``link_identities``); the resolver applies them to a batch
of events against the state store.
"""

from __future__ import annotations

from omnicx.identity._bulk import resolve_components
from omnicx.identity._extract import extract_identities
from omnicx.identity._graph import (
    GraphView,
    Merge,
    Resolution,
    anchor_identity,
    link_identities,
)
from omnicx.identity._normalize import (
    normalize_email,
    normalize_identity,
    normalize_phone,
)
from omnicx.identity._rules import MergeRules, merge_rules_from_config

__all__ = [
    "GraphView",
    "Merge",
    "MergeRules",
    "Resolution",
    "anchor_identity",
    "extract_identities",
    "link_identities",
    "merge_rules_from_config",
    "normalize_email",
    "normalize_identity",
    "normalize_phone",
    "resolve_components",
]
