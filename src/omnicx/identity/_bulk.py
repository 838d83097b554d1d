"""Bulk identity resolution for back-fills: connected components, then the rules.

Linking millions of identities one event at a time is too slow for a back-fill. Here the
links of all events become a sparse graph whose connected components are the candidate
profiles (scipy, C speed). A component that obeys the merge rules is one profile — the
same partition the incremental resolver reaches in any order. A component that breaks a
rule (e.g. a shared device linking two user ids) is resolved again event by event with
``link_identities`` in the order given, exactly as the incremental path would.

Vectorised: one C-level hash pass maps every identity occurrence to a node id, edges
and the per-type limit checks are numpy, and only the events of rule-breaking
components are replayed in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, count
from operator import itemgetter

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from omnicx.contracts import IdentityKey
from omnicx.identity._graph import GraphView, link_identities
from omnicx.identity._rules import MergeRules


def resolve_components(
    events: Sequence[tuple[IdentityKey, ...]], rules: MergeRules
) -> tuple[list[IdentityKey], np.ndarray]:
    """Resolve every identity of ``events`` to a profile label.

    Returns ``(identities, labels)``: ``labels[i]`` is the profile of ``identities[i]``;
    labels are dense integers from 0.
    """
    n_events = len(events)
    lengths = np.fromiter(map(len, events), dtype=np.int64, count=n_events)
    total = int(lengths.sum())
    index: dict[IdentityKey, int] = {}
    # Node id of each occurrence = the occurrence number of the key's first
    # occurrence (sparse in [0, total); unused ids are isolated nodes, ignored).
    occurrences = np.fromiter(
        map(index.setdefault, chain.from_iterable(events), count()),
        dtype=np.int64,
        count=total,
    )
    keys = list(index)
    if not keys:
        return keys, np.zeros(0, dtype=np.int64)
    node = np.fromiter(index.values(), dtype=np.int64, count=len(keys))
    starts = np.cumsum(lengths) - lengths
    nonempty = lengths > 0
    first = np.repeat(occurrences[starts[nonempty]], lengths[nonempty])
    graph = csr_matrix(
        (np.ones(total, dtype=np.int8), (first, occurrences)), shape=(total, total)
    )
    _, node_label = connected_components(graph, directed=False)
    labels = node_label[node]
    type_names = list(dict.fromkeys(map(itemgetter(0), keys)))
    type_id = {t: i for i, t in enumerate(type_names)}
    types = np.fromiter(
        map(type_id.__getitem__, map(itemgetter(0), keys)),
        dtype=np.int32,
        count=len(keys),
    )
    n_labels = int(node_label.max()) + 1
    broken = np.zeros(n_labels, dtype=bool)
    for identity_type in type_names:
        limit = rules.limit(identity_type)
        if limit is not None:
            per_label = np.bincount(
                labels[types == type_id[identity_type]], minlength=n_labels
            )
            broken |= per_label > limit
    if broken.any():
        labels = _relink_broken(
            events, index, node, labels, occurrences, starts, nonempty, node_label,
            broken, rules,
        )  # fmt: skip
    _, dense = np.unique(labels, return_inverse=True)
    return keys, dense


def _relink_broken(
    events: Sequence[tuple[IdentityKey, ...]],
    index: dict[IdentityKey, int],
    node: np.ndarray,
    labels: np.ndarray,
    occurrences: np.ndarray,
    starts: np.ndarray,
    nonempty: np.ndarray,
    node_label: np.ndarray,
    broken: np.ndarray,
    rules: MergeRules,
) -> np.ndarray:
    """Replay, in order, only the events of components that break a rule."""
    event_label = node_label[occurrences[starts[nonempty]]]
    todo = np.flatnonzero(nonempty)[broken[event_label]]
    fresh = [len(broken)]

    def new_label() -> int:
        fresh[0] += 1
        return fresh[0] - 1

    view = GraphView()
    for i in todo.tolist():
        link_identities(view, events[i], rules, new_label)
    if not view.profile_of:
        return labels
    position_of_node = np.empty(int(node.max()) + 1, dtype=np.int64)
    position_of_node[node] = np.arange(len(node))
    relinked = np.fromiter(
        map(index.__getitem__, view.profile_of),
        dtype=np.int64,
        count=len(view.profile_of),
    )
    labels = labels.copy()
    labels[position_of_node[relinked]] = np.fromiter(
        view.profile_of.values(), dtype=np.int64, count=len(view.profile_of)
    )
    return labels
