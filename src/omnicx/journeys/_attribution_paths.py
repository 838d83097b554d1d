"""Journeys as compact numpy arrays: distinct channel paths with their counts.

A ``PathTable`` holds P distinct paths (each at least one touch) flattened into
``touches`` (channel indices into ``channels``) with ``offsets`` (P + 1), and per path
the number of journeys, conversions and conversion value. Every model but time decay
(whose per-channel shares the SQL sums, as only it sees each journey's timestamps)
reads only this table, so the same code serves the store and the benchmark.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PathTable:
    channels: tuple[str, ...]
    touches: np.ndarray  # int64, flattened channel indices
    offsets: np.ndarray  # int64, len P + 1
    journeys: np.ndarray  # float64 per path
    conversions: np.ndarray  # float64 per path
    value: np.ndarray  # float64 per path

    @property
    def n_paths(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def non_conversions(self) -> np.ndarray:
        return self.journeys - self.conversions

    @property
    def path_of_touch(self) -> np.ndarray:
        """For each touch, the index of its path."""
        return np.repeat(np.arange(self.n_paths), self.lengths)

    @property
    def first_touches(self) -> np.ndarray:
        return self.touches[self.offsets[:-1]]

    @property
    def last_touches(self) -> np.ndarray:
        return self.touches[self.offsets[1:] - 1]

    def path(self, index: int) -> list[str]:
        start, end = self.offsets[index], self.offsets[index + 1]
        return [self.channels[c] for c in self.touches[start:end]]


def _table(
    channels: tuple[str, ...],
    touches: np.ndarray,
    lengths: np.ndarray,
    journeys: Any,
    conversions: Any,
    value: Any,
) -> PathTable:
    if (lengths == 0).any():
        raise ValueError("every path needs at least one touch")
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return PathTable(
        channels,
        touches,
        offsets,
        np.asarray(journeys, dtype=np.float64),
        np.asarray(conversions, dtype=np.float64),
        np.asarray(value, dtype=np.float64),
    )


def paths_from_lists(
    paths: Sequence[Sequence[str]],
    journeys: Sequence[float] | np.ndarray,
    conversions: Sequence[float] | np.ndarray,
    value: Sequence[float] | np.ndarray,
) -> PathTable:
    """A table from per-path lists of channel names (paths may repeat)."""
    flat = list(itertools.chain.from_iterable(paths))
    channels = tuple(sorted(set(flat)))
    lookup = {name: index for index, name in enumerate(channels)}
    touches = np.fromiter(map(lookup.__getitem__, flat), np.int64, len(flat))
    lengths = np.fromiter(map(len, paths), np.int64, len(paths))
    return _table(channels, touches, lengths, journeys, conversions, value)


def paths_from_rows(
    rows: Sequence[dict[str, Any]], channel_names: Sequence[str]
) -> PathTable:
    """A table from the path rows of ``ATTRIBUTION_PATHS`` (channel numbers, 1-based
    into ``channel_names``); ``channels`` keeps only the channels that occur."""
    lengths = np.fromiter((len(r["path"]) for r in rows), np.int64, len(rows))
    numbers = np.fromiter(
        itertools.chain.from_iterable(r["path"] for r in rows),
        np.int64,
        int(lengths.sum()),
    )
    used = np.flatnonzero(np.bincount(numbers, minlength=len(channel_names) + 1))
    index = np.zeros(len(channel_names) + 1, dtype=np.int64)
    index[used] = np.arange(len(used))

    def column(key: str) -> np.ndarray:
        return np.fromiter((r[key] for r in rows), np.float64, len(rows))

    return _table(
        tuple(channel_names[i - 1] for i in used),
        index[numbers],
        lengths,
        column("journeys"),
        column("conversions"),
        column("value"),
    )


def collapse_repeats(table: PathTable) -> tuple[np.ndarray, np.ndarray]:
    """Touches and offsets with consecutive repeats of a channel collapsed
    (``web > web > email`` → ``web > email``), as the Markov models read paths."""
    keep = np.ones(len(table.touches), dtype=bool)
    keep[1:] = table.touches[1:] != table.touches[:-1]
    keep[table.offsets[:-1]] = True
    touches = table.touches[keep]
    offsets = np.zeros(table.n_paths + 1, dtype=np.int64)
    if table.n_paths:
        np.cumsum(np.add.reduceat(keep, table.offsets[:-1]), out=offsets[1:])
    return touches, offsets
