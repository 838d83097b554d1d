"""Unified profiles: assemble the customer 360, the timeline, lookups and splits."""

from __future__ import annotations

from omnicx.profiles._profile import (
    get_profile,
    lookup_profile,
    profile_merges,
    split_profile,
    workspace_stats,
)
from omnicx.profiles._timeline import Timeline, get_timeline

__all__ = [
    "Timeline",
    "get_profile",
    "get_timeline",
    "lookup_profile",
    "profile_merges",
    "split_profile",
    "workspace_stats",
]
