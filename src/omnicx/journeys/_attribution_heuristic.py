"""Rule-based attribution models over a ``PathTable``, vectorised with numpy.

Each converting path's conversions (and their value) are shared among its touches —
every touch, repeats included, as ``channelattribution.heuristic_models`` does:

- ``first_touch`` / ``last_touch``: all to the first / last touch;
- ``linear``: 1/n to each of the n touches;
- ``position_based``: one touch 100 %, two 50/50, else 40 % first, 40 % last and
  20 % split evenly over the touches in between;
- ``time_decay``: weight ``2^(-Δt / half_life)`` per touch, Δt = conversion time -
  touch time, normalised within each journey (summed per channel by the SQL, which
  sees each journey's timestamps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from omnicx.journeys._attribution_paths import PathTable


@dataclass(frozen=True)
class Credit:
    """Conversions and value credited to each channel of a table (same order)."""

    conversions: np.ndarray
    value: np.ndarray
    details: dict[str, Any] = field(default_factory=dict)


def _by_channel(table: PathTable, channels: np.ndarray, weights: np.ndarray) -> Any:
    return np.bincount(channels, weights=weights, minlength=table.n_channels)


def first_touch(table: PathTable) -> Credit:
    first = table.first_touches
    return Credit(
        _by_channel(table, first, table.conversions),
        _by_channel(table, first, table.value),
    )


def last_touch(table: PathTable) -> Credit:
    last = table.last_touches
    return Credit(
        _by_channel(table, last, table.conversions),
        _by_channel(table, last, table.value),
    )


def _per_touch(table: PathTable, share: np.ndarray) -> Credit:
    """Credit from each touch's share (summing to 1 within each path)."""
    pid = table.path_of_touch
    return Credit(
        _by_channel(table, table.touches, share * table.conversions[pid]),
        _by_channel(table, table.touches, share * table.value[pid]),
    )


def linear(table: PathTable) -> Credit:
    lengths = table.lengths
    return _per_touch(table, np.repeat(1.0 / lengths, lengths))


def position_based(table: PathTable) -> Credit:
    lengths = table.lengths
    per_path_length = np.repeat(lengths, lengths)
    position = np.arange(len(table.touches)) - np.repeat(table.offsets[:-1], lengths)
    is_end = (position == 0) | (position == per_path_length - 1)
    middle = np.divide(
        0.2, per_path_length - 2, out=np.zeros(len(position)), where=per_path_length > 2
    )
    share = np.where(is_end, 0.4, middle)
    share = np.where(per_path_length == 1, 1.0, share)
    share = np.where(per_path_length == 2, 0.5, share)
    return _per_touch(table, share)


def time_decay(
    table: PathTable, shares: dict[str, tuple[float, float]], half_life_s: int
) -> Credit:
    """``shares``: per channel, the summed time-decay shares of the conversions and
    of their value, as the SQL computed them from each journey's timestamps."""
    conversions = np.zeros(table.n_channels)
    value = np.zeros(table.n_channels)
    for index, name in enumerate(table.channels):
        conversions[index], value[index] = shares.get(name, (0.0, 0.0))
    return Credit(conversions, value, {"half_life_s": half_life_s})
