"""Bulk identity resolution for back-fills: connected components, then the rules.

Linking millions of identities one event at a time is too slow for a back-fill. Here the
links of all events become a sparse graph whose connected components are the candidate
profiles (scipy, C speed). A component that obeys the merge rules is one profile — the
same partition the incremental resolver reaches in any order. A component that breaks a
rule (e.g. a shared device linking two user ids) is resolved again event by event with
``link_identities`` in the order given, exactly as the incremental path would.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from omnicx.contracts import IdentityKey
from omnicx.identity._graph import GraphView, link_identities
from omnicx.identity._rules import MergeRules


def _component_breaks_rules(types: list[str], rules: MergeRules) -> bool:
    counts: dict[str, int] = {}
    for identity_type in types:
        counts[identity_type] = counts.get(identity_type, 0) + 1
    return any(
        (limit := rules.limit(t)) is not None and n > limit for t, n in counts.items()
    )


def resolve_components(
    events: Sequence[tuple[IdentityKey, ...]], rules: MergeRules
) -> tuple[list[IdentityKey], np.ndarray]:
    """Resolve every identity of ``events`` to a profile label.

    Returns ``(identities, labels)``: ``labels[i]`` is the profile of ``identities[i]``;
    labels are dense integers from 0.
    """
    index: dict[IdentityKey, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for identities in events:
        first = -1
        for key in identities:
            position = index.setdefault(key, len(index))
            if first < 0:
                first = position
            else:
                rows.append(first)
                cols.append(position)
    size = len(index)
    graph = coo_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    keys = list(index)
    types = [key[0] for key in keys]
    limited = [t for t in {*types} if rules.limit(t) is not None]
    if not limited:
        return keys, labels
    by_label: dict[int, list[int]] = {}
    for t in limited:
        for position in np.flatnonzero(np.array(types) == t):
            by_label.setdefault(int(labels[position]), []).append(int(position))
    broken = {
        label
        for label, positions in by_label.items()
        if _component_breaks_rules([types[p] for p in positions], rules)
    }
    if broken:
        labels = _relink_broken(events, index, labels, broken, rules)
    return keys, labels


def _relink_broken(
    events: Sequence[tuple[IdentityKey, ...]],
    index: dict[IdentityKey, int],
    labels: np.ndarray,
    broken: set[int],
    rules: MergeRules,
) -> np.ndarray:
    labels = labels.copy()
    view = GraphView()
    next_label = [int(labels.max()) + 1]

    def new_label() -> int:
        next_label[0] += 1
        return next_label[0] - 1

    for identities in events:
        if identities and int(labels[index[identities[0]]]) in broken:
            link_identities(view, identities, rules, new_label)
    for key, label in view.profile_of.items():
        labels[index[key]] = label
    _, dense = np.unique(labels, return_inverse=True)
    return dense
