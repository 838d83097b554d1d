"""Markov-chain attribution (order k ≥ 1) by exact removal effects.

Paths are read with consecutive repeats of a channel collapsed (``web > web > email``
is ``web > email``). ``channelattribution`` does so at order 1, where a self-loop
changes no absorption probability; at higher orders it keeps repeats as states like
``web web`` — we collapse at every order. At order k a state is the last k channels;
a path starts in the state of its first k channels (a path shorter than k is one
state: the whole path), as ``channelattribution`` builds them. Transition
probabilities are estimated from every journey, converting and not, with the
absorbing states *conversion* and *null*.

The chain is solved, not simulated: with Q the transient-to-transient probabilities
and s the start distribution, the expected visits are v = s (I - Q)⁻¹, and

    P(conversion)       = Σ_s v_s · p(s → conversion)
    E(conversion value) = Σ_s v_s · p(s → conversion) · m(s)

where m(s) is the mean value of the conversions whose path ends in state s (at order
1: ending on that channel), as ``channelattribution`` values a simulated conversion
(checked against it at orders 1-3). Removing channel c deletes the states that
contain it (entering one ends the journey unconverted); its removal effect is
1 - P₋c / P (and 1 - E₋c / E for value). The paths' conversions and value are then
shared among the channels in proportion to their removal effects.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from omnicx.journeys._attribution_heuristic import Credit
from omnicx.journeys._attribution_paths import PathTable, collapse_repeats

#: Up to this many states the system is solved densely.
DENSE_STATES = 600
#: Up to this many possible state codes, states are numbered by a lookup table.
DENSE_CODES = 1 << 22


def _states(
    touches: np.ndarray, offsets: np.ndarray, n_channels: int, order: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per state position: its path and its state code.

    A code packs up to ``order`` channels in base ``n_channels + 1`` (digit 0 = the
    current channel, 0 = no channel), so a short path's state never equals a full
    window."""
    lengths = np.diff(offsets)
    pid = np.repeat(np.arange(len(lengths)), lengths)
    if order == 1:
        return pid, touches + 1
    position = np.arange(len(touches)) - offsets[:-1][pid]
    path_length = lengths[pid]
    base = n_channels + 1
    code = np.zeros(len(touches), dtype=np.int64)
    for back in range(order):
        earlier = np.zeros(len(touches), dtype=np.int64)
        earlier[back:] = touches[: len(touches) - back] + 1
        code += np.where(position >= back, earlier, 0) * base**back
    is_state = (position >= order - 1) | (
        (position == path_length - 1) & (path_length < order)
    )
    return pid[is_state], code[is_state]


def _number(codes: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes (sorted) and each code's index among them."""
    if space <= DENSE_CODES:
        present = np.zeros(space, dtype=bool)
        present[codes] = True
        distinct = np.flatnonzero(present)
        index = np.zeros(space, dtype=np.int64)
        index[distinct] = np.arange(len(distinct))
        return distinct, index[codes]
    distinct, inverse = np.unique(codes, return_inverse=True)
    return distinct, inverse


def _contains(codes: np.ndarray, n_channels: int, order: int) -> np.ndarray:
    """(states, channels) bool: does the state include the channel."""
    base = n_channels + 1
    contains = np.zeros((len(codes), n_channels), dtype=bool)
    rows = np.arange(len(codes))
    for back in range(order):
        digit = (codes // base**back) % base
        present = digit > 0
        contains[rows[present], digit[present] - 1] = True
    return contains


class _Chain:
    """The absorbing chain over observed states."""

    def __init__(self, table: PathTable, order: int) -> None:
        n = table.n_channels
        touches, offsets = collapse_repeats(table)
        pid, codes = _states(touches, offsets, n, order)
        distinct, sid = _number(codes, (n + 1) ** order)
        states = self.n_states = len(distinct)
        self.contains = _contains(distinct, n, order)
        weight = table.journeys
        starts = np.ones(len(pid), dtype=bool)
        starts[1:] = pid[1:] != pid[:-1]
        ends = np.ones(len(pid), dtype=bool)
        ends[:-1] = starts[1:]
        start = np.bincount(sid[starts], weights=weight, minlength=states)
        to_conversion = np.bincount(
            sid[ends], weights=table.conversions, minlength=states
        )
        to_null = np.bincount(
            sid[ends], weights=table.non_conversions, minlength=states
        )
        moves = np.flatnonzero(~ends)
        move_from, move_to = sid[moves], sid[moves + 1]
        move_weight = weight[pid[moves]]
        out = to_conversion + to_null
        out += np.bincount(move_from, weights=move_weight, minlength=states)
        self.start = start / weight.sum()
        if states <= DENSE_STATES:
            counts = np.bincount(
                move_from * states + move_to, move_weight, minlength=states * states
            ).reshape(states, states)
            self.q: np.ndarray | sp.csr_matrix = counts / out[:, None]
        else:
            self.q = sp.csr_matrix(
                (move_weight / out[move_from], (move_from, move_to)),
                shape=(states, states),
            )
        self.conversion = to_conversion / out
        # a conversion is worth the mean value of the conversions whose path ends in
        # its state: p(s → conversion) · value / conversions = value ending in s / out
        value_end = np.bincount(sid[ends], weights=table.value, minlength=states)
        self.conversion_value = value_end / out

    def absorb(self, keep: np.ndarray | None = None) -> tuple[float, float]:
        """P(conversion) and E(conversion value) from the start, over ``keep``."""
        q, start = self.q, self.start
        conversion, conversion_value = self.conversion, self.conversion_value
        if keep is not None:
            q = q[keep][:, keep]
            start, conversion = start[keep], conversion[keep]
            conversion_value = conversion_value[keep]
        size = q.shape[0]
        if not size:
            return 0.0, 0.0
        if isinstance(q, np.ndarray):
            visits = np.linalg.solve(np.eye(size) - q.T, start)
        else:
            system = (sp.identity(size, format="csc") - q.T).tocsc()
            visits = spla.spsolve(system, start)
        return float(visits @ conversion), float(visits @ conversion_value)


def _share(total: float, effects: np.ndarray) -> np.ndarray:
    weight = effects.sum()
    if weight <= 0:
        return np.zeros(len(effects))
    return total * effects / weight


def markov(table: PathTable, order: int = 1) -> Credit:
    n = table.n_channels
    if not table.n_paths or table.conversions.sum() <= 0:
        zero = np.zeros(n)
        return Credit(zero, zero.copy(), _details(order, 0, 0.0, zero, zero))
    chain = _Chain(table, order)
    probability, expected_value = chain.absorb()
    effect_conversions = np.zeros(n)
    effect_value = np.zeros(n)
    for channel in range(n):
        p_removed, e_removed = chain.absorb(~chain.contains[:, channel])
        if probability > 0:
            effect_conversions[channel] = 1.0 - p_removed / probability
        if expected_value > 0:
            effect_value[channel] = 1.0 - e_removed / expected_value
    return Credit(
        _share(float(table.conversions.sum()), effect_conversions),
        _share(float(table.value.sum()), effect_value),
        _details(order, chain.n_states, probability, effect_conversions, effect_value),
    )


def _details(
    order: int,
    states: int,
    probability: float,
    effect_conversions: np.ndarray,
    effect_value: np.ndarray,
) -> dict[str, object]:
    return {
        "order": order,
        "states": states,
        "conversion_probability": probability,
        "removal_effects": {
            "conversions": effect_conversions,
            "value": effect_value,
        },
    }
