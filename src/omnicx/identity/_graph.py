"""The identity graph as pure data: link one event's identities into profiles.

A profile is a set of identities. An event links its identities: the profiles of its
known identities merge (into the oldest) and its new identities join them, unless the
result would give one profile more values of a type than the rules allow (e.g. two
``user_id``s) or would re-join profiles split apart by hand. Then the lowest-priority
identities are left out until the rest fit. An identity that is left out and new gets a
profile of its own, so no identity is ever dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from omnicx.contracts import IdentityKey
from omnicx.identity._rules import MergeRules


@dataclass(frozen=True)
class Merge:
    survivor: int
    merged: int
    identities: tuple[IdentityKey, ...]  # the merged side, at merge time
    linking_identity: IdentityKey


@dataclass
class GraphView:
    """The part of the identity graph a batch of events touches.

    ``profile_of`` maps every known identity to its profile; ``members`` holds the full
    identity set of every profile mentioned in ``profile_of``.
    """

    profile_of: dict[IdentityKey, int] = field(default_factory=dict)
    members: dict[int, set[IdentityKey]] = field(default_factory=dict)
    split_pairs: set[frozenset[int]] = field(default_factory=set)
    type_counts: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_members(
        cls,
        rows: Iterable[tuple[int, str, str]],
        split_pairs: Iterable[tuple[int, int]] = (),
    ) -> GraphView:
        view = cls(split_pairs={frozenset(pair) for pair in split_pairs})
        for profile_id, identity_type, value in rows:
            _add(view, profile_id, (identity_type, value))
        return view


@dataclass
class Resolution:
    """What linking one event changed."""

    profile_of_identity: dict[IdentityKey, int]
    new_profiles: list[int]
    merges: list[Merge]


def _can_unite(view: GraphView, keys: list[IdentityKey], rules: MergeRules) -> bool:
    """Whether all ``keys`` and the profiles they are on may become one profile."""
    profiles = {view.profile_of[k] for k in keys if k in view.profile_of}
    if view.split_pairs and len(profiles) > 1:
        for a in profiles:
            for b in profiles:
                if a < b and frozenset((a, b)) in view.split_pairs:
                    return False
    for identity_type, limit in rules.limits.items():
        total = sum(view.type_counts[p].get(identity_type, 0) for p in profiles)
        total += sum(
            1 for k in keys if k[0] == identity_type and k not in view.profile_of
        )
        if total > limit:
            return False
    return True


def _merge(view: GraphView, survivor: int, merged: int) -> tuple[IdentityKey, ...]:
    moved = view.members.pop(merged)
    for key in moved:
        view.profile_of[key] = survivor
    view.members[survivor] |= moved
    survivor_counts = view.type_counts[survivor]
    for identity_type, n in view.type_counts.pop(merged).items():
        survivor_counts[identity_type] = survivor_counts.get(identity_type, 0) + n
    if view.split_pairs:
        view.split_pairs = {
            frozenset(survivor if p == merged else p for p in pair)
            for pair in view.split_pairs
        }
    return tuple(sorted(moved))


def _add(view: GraphView, profile_id: int, key: IdentityKey) -> None:
    view.profile_of[key] = profile_id
    view.members.setdefault(profile_id, set()).add(key)
    counts = view.type_counts.setdefault(profile_id, {})
    counts[key[0]] = counts.get(key[0], 0) + 1


def link_identities(
    view: GraphView,
    identities: tuple[IdentityKey, ...],
    rules: MergeRules,
    new_profile_id: Callable[[], int],
) -> Resolution:
    """Link one event's identities (in priority order) into ``view``, in place.

    As Segment Unify does: if uniting every identity would break a rule, the
    lowest-priority identity is left out and the rest tried again. Left-out identities
    stay where they are, or get a profile of their own when they are new.
    """
    profile_of = view.profile_of
    first = profile_of.get(identities[0]) if identities else None
    if first is not None and all(profile_of.get(k) == first for k in identities):
        return Resolution({k: first for k in identities}, [], [])  # already linked
    new_profiles: list[int] = []
    merges: list[Merge] = []
    linked = list(identities)
    left_out: list[IdentityKey] = []
    while linked and not _can_unite(view, linked, rules):
        left_out.append(linked.pop())
    known = [(k, view.profile_of[k]) for k in linked if k in view.profile_of]
    if known:
        survivor = min(profile_id for _, profile_id in known)
    elif linked:
        survivor = new_profile_id()
        new_profiles.append(survivor)
    for key, _ in known:
        current = view.profile_of[key]
        if current != survivor:
            moved = _merge(view, survivor, current)
            merges.append(Merge(survivor, current, moved, key))
    for key in linked:
        if key not in view.profile_of:
            _add(view, survivor, key)
    for key in left_out:
        if key not in view.profile_of:
            own = new_profile_id()
            new_profiles.append(own)
            _add(view, own, key)
    return Resolution(
        profile_of_identity={key: view.profile_of[key] for key in identities},
        new_profiles=new_profiles,
        merges=merges,
    )


def anchor_identity(identities: tuple[IdentityKey, ...]) -> IdentityKey | None:
    """The identity an event is filed under: its user id, else anonymous id, else the
    first identity it carries."""
    for wanted in ("user_id", "anonymous_id"):
        for key in identities:
            if key[0] == wanted:
                return key
    return identities[0] if identities else None
