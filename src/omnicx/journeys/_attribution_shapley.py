"""Shapley-value attribution: the cooperative game of the channels.

The players are the channels; a journey's *channel set* is the distinct channels of
its touches. Two characteristic functions, chosen by ``shapley_function``:

``conversions`` (default)
    v(S) = the conversions (for value: the conversion value) of the converting
    journeys whose channel set ⊆ S. This game is a sum of unanimity games, so its
    Shapley value has a closed form: every journey's conversions are split evenly
    among the distinct channels it touched (Zhao et al. 2018, "simplified Shapley").

``conversion_rate``
    v(S) = J · (Σ outcomes of the journeys whose channel set ⊆ S) / (number of those
    journeys), with v(∅) = 0 and 0 when no journey fits in S; J = all journeys
    (converting and not) and the outcome 1 per conversion (for value: its value). So
    v(S) is the conversion rate (value per journey) of journeys confined to S, scaled
    so that v(all channels) = the total. A channel whose journeys convert less than
    the others can get negative credit. Computed exactly over all 2ⁿ coalitions
    (subset sums by a zeta transform), so at most ``MAX_RATE_CHANNELS`` channels.

Either way φ_c = Σ_{S ∌ c} |S|! (n - |S| - 1)! / n! · (v(S + {c}) - v(S)) and the
credits add up to v(all channels).
"""

from __future__ import annotations

import math

import numpy as np

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._attribution_heuristic import Credit
from omnicx.journeys._attribution_paths import PathTable

MAX_RATE_CHANNELS = 20
#: Up to this many (path, channel) pairs, distinct touches are found by a bit table.
DENSE_PAIRS = 1 << 26


def _distinct_touches(table: PathTable) -> tuple[np.ndarray, np.ndarray]:
    """(path, channel) pairs, each once, sorted by path."""
    keys = table.path_of_touch * table.n_channels + table.touches
    space = table.n_paths * table.n_channels
    if space <= DENSE_PAIRS:
        seen = np.zeros(space, dtype=bool)
        seen[keys] = True
        pairs = np.flatnonzero(seen)
    else:
        pairs = np.unique(keys)
    return pairs // table.n_channels, pairs % table.n_channels


def shapley(table: PathTable, function: str = "conversions") -> Credit:
    if function == "conversion_rate":
        return _shapley_rate(table)
    n = table.n_channels
    if not table.n_paths:
        return Credit(np.zeros(n), np.zeros(n), {"function": function})
    pid, channel = _distinct_touches(table)
    distinct = np.bincount(pid, minlength=table.n_paths)
    share = 1.0 / distinct[pid]
    return Credit(
        np.bincount(channel, weights=share * table.conversions[pid], minlength=n),
        np.bincount(channel, weights=share * table.value[pid], minlength=n),
        {"function": function},
    )


def _subset_sums(per_set: np.ndarray, n: int) -> np.ndarray:
    """For every coalition S (a bit mask), the sum over the masks T ⊆ S."""
    sums = per_set.copy()
    for bit in range(n):
        view = sums.reshape(-1, 2, 1 << bit)
        view[:, 1, :] += view[:, 0, :]
    return sums


def shapley_values(v: np.ndarray, n: int) -> np.ndarray:
    """Exact Shapley values of the game ``v`` given on all 2ⁿ bit-mask coalitions."""
    masks = np.arange(1 << n, dtype=np.int64)
    size = np.zeros(1 << n, dtype=np.int64)
    for bit in range(n):
        size += (masks >> bit) & 1
    weight = np.array(
        [
            math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            for s in range(n)
        ]
        + [0.0]
    )
    phi = np.zeros(n)
    for bit in range(n):
        pairs = v.reshape(-1, 2, 1 << bit)
        without = size.reshape(-1, 2, 1 << bit)[:, 0, :]
        phi[bit] = float((weight[without] * (pairs[:, 1, :] - pairs[:, 0, :])).sum())
    return phi


def _shapley_rate(table: PathTable) -> Credit:
    n = table.n_channels
    details = {"function": "conversion_rate"}
    if not table.n_paths:
        return Credit(np.zeros(n), np.zeros(n), details)
    if n > MAX_RATE_CHANNELS:
        raise ValidationError(
            f"the conversion_rate Shapley game is exact over 2^n channel sets and "
            f"takes at most {MAX_RATE_CHANNELS} channels; these journeys touch {n}. "
            "Filter channels or use shapley_function conversions",
            [FieldError("shapley_function", f"more than {MAX_RATE_CHANNELS} channels")],
        )
    pid, channel = _distinct_touches(table)
    mask = np.bincount(pid, weights=(1 << channel), minlength=table.n_paths)
    mask = mask.astype(np.int64)
    size = 1 << n
    journeys = _subset_sums(np.bincount(mask, table.journeys, size), n)
    conversions = _subset_sums(np.bincount(mask, table.conversions, size), n)
    value = _subset_sums(np.bincount(mask, table.value, size), n)
    total = table.journeys.sum()
    found = journeys > 0
    v_conversions = np.zeros(size)
    v_value = np.zeros(size)
    v_conversions[found] = total * conversions[found] / journeys[found]
    v_value[found] = total * value[found] / journeys[found]
    return Credit(shapley_values(v_conversions, n), shapley_values(v_value, n), details)
