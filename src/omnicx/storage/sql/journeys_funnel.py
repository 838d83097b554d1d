"""ClickHouse SQL for the funnel analysis (``journeys.funnel``).

``funnel_sql(n_steps)`` is one query: the scoped events that name a step (the step
filter is applied before the profile join), grouped per profile, then one row per
funnel step reached. Parameters: those of ``SCOPED_EVENTS`` plus

* ``names`` (``Array(String)``): the distinct step names, in first-use order;
* ``masks`` (``Array(UInt32)``): per name, the steps it satisfies (bit ``i`` for step
  ``i + 1``; a name used twice in the funnel sets two bits);
* ``window_ms`` (``UInt64``), ``sample`` (``UInt32``: profile ids listed per drop-off)
  and ``use_walk`` (``UInt8``: take levels from the walk instead of ``windowFunnel``).

Per profile two things are computed:

* ``windowFunnel(window_ms)`` in its default mode: the deepest step reached;
  a later step's timestamp is at most ``window_ms`` after the step-1 event
  (inclusive) and not before the previous step's. It is wrong when a name repeats in
  the funnel (one event then satisfies two consecutive steps), so ``use_walk`` is
  set for such funnels.
* the *walk*, which finds the events that satisfied each step. The profile's step
  events are sorted by (time, first step the name satisfies, …); from every step-1
  event the chain takes, for each later step, the first following event that
  satisfies it, while it lies within the window of that step-1 event. The deepest
  chain wins; among equally deep ones the one that got there first, then the one
  with the latest step-1 event. A chain never uses one event twice. For distinct
  names its depth equals ``windowFunnel``'s (tested against it). Only profiles that
  ``windowFunnel`` puts past step 1 are walked (it never under-counts); the chain of
  the others is their first step-1 event.

Everything is array arithmetic over the sorted events (``arrayReverseFill`` gives
the next event satisfying step ``k`` after each position), no per-row Python.
"""

from __future__ import annotations

from omnicx.storage.sql.journeys import EVENT_NAME, SCOPED_EVENTS

MAX_STEPS = 20
_POS_BITS = 21  # positions in a profile's sorted step events (< 2M step events)
_POS_MASK = (1 << _POS_BITS) - 1

#: SCOPED_EVENTS ends in its WHERE clause; the step filter narrows it before the
#: join to profiles (a filter on the computed ``event`` alias would run after it).
_STEP_EVENTS = f"""
SELECT profile_id,
       toUInt64(toUnixTimestamp64Milli(ts)) AS t,
       toString(channel) AS ch,
       toUInt8(indexOf({{names:Array(String)}}, event)) AS ni,
       {{masks:Array(UInt32)}}[ni] AS mask
FROM ({SCOPED_EVENTS}  AND {EVENT_NAME} IN {{names:Array(String)}}) AS se
"""


def _walk(n: int, source: str) -> str:
    """The walk over ``walked`` (each profile's sorted step events) of ``source``:
    adds ``T`` (their epoch ms) and ``chain`` (positions of the events that
    satisfied steps 1, 2, …). Staged in subqueries: aliases inline into one
    expression tree within a SELECT, which for 20 steps outgrows ClickHouse's
    limit."""
    carried = "profile_id, wf_level, first_start, walked"
    first = [
        "arrayMap(e -> e.1, walked) AS T",
        "arrayMap(e -> {masks:Array(UInt32)}[e.3], walked) AS M",
        "arrayEnumerate(walked) AS I",
        "arrayFilter(i -> bitTest(M[i], 0), I) AS P1",
    ]
    for k in range(2, n + 1):
        # next{k}[p]: the first position after p whose event satisfies step k (or 0)
        first.append(
            f"arrayPushBack(arrayPopFront(arrayReverseFill(x -> x > 0, "
            f"arrayMap((m, i) -> if(bitTest(m, {k - 1}), i, 0), M, I))), 0) "
            f"AS next{k}"
        )
    # P{k}[j]: where the chain from the j-th step-1 event meets step k (or 0)
    meets = [
        f"arrayMap((p, s) -> if(p > 0 AND T[p] <= T[s] + {{window_ms:UInt64}}, "
        f"p, 0), arrayMap(p -> next{k}[p], P{k - 1}), P1) AS P{k}"
        for k in range(2, n + 1)
    ]
    depth = " + ".join(["1"] + [f"(P{k}[j] > 0)" for k in range(2, n + 1)])
    end = "greatest(" + ", ".join(f"P{k}[j]" for k in range(1, n + 1)) + ")"
    if n == 1:
        end = "P1[j]"
    # deepest, then earliest end, then latest start
    best = (
        f"toUInt32(bitAnd(arrayMax(arrayMap(j -> "
        f"bitShiftLeft(toUInt64({depth}), {2 * _POS_BITS}) "
        f"+ bitShiftLeft(toUInt64({_POS_MASK} - {end}), {_POS_BITS}) + j, "
        f"arrayEnumerate(P1))), {_POS_MASK})) AS best"
    )
    positions = ", ".join(f"P{k}[best]" for k in range(1, n + 1))
    p_columns = ", ".join(f"P{k}" for k in range(1, n + 1))
    first_sql = ",\n       ".join(first)
    meets_sql = ",\n       ".join(meets) if meets else "1 AS no_meets"
    return f"""
SELECT {carried}, T, arrayFilter(p -> p > 0, [{positions}]) AS chain
FROM (
  SELECT {carried}, T, {p_columns}, {best}
  FROM (
    SELECT *, {meets_sql}
    FROM (
      SELECT {carried},
       {first_sql}
      FROM ({source})
    )
  )
)
"""


def _per_profile(n_steps: int) -> str:
    """Per profile: ``windowFunnel``'s depth, the first step-1 event and, for the
    profiles it puts past step 1, the sorted step events to walk."""
    conditions = ", ".join(f"bitTest(mask, {i})" for i in range(n_steps))
    return f"""
SELECT profile_id,
       windowFunnel({{window_ms:UInt64}})(t, {conditions}) AS wf_level,
       minIf((t, low, ni, ch), bitTest(mask, 0)) AS first_start,
       -- only profiles past step 1 need the walk: the others' chain is their
       -- first step-1 event (windowFunnel never under-counts, so this keeps
       -- every profile the walk needs)
       if(wf_level >= 2, arraySort(groupArray((t, low, ni, ch))), []) AS walked
FROM (
    SELECT *, bitAnd(mask, bitNot(mask) + 1) AS low
    FROM ({_STEP_EVENTS})
)
GROUP BY profile_id
"""


def funnel_sql(n_steps: int) -> str:
    """One row per step reached (``step`` 1..N): ``profiles`` that reached it,
    ``median_gap_ms`` from the previous step, ``channels`` of the events that
    satisfied it (``[[names], [counts]]``), ``stopped`` (reached it and no further),
    ``stopped_single_channel`` (of those, one channel for every step) and a
    ``sample`` of the stopped profile ids (smallest first)."""
    if not 1 <= n_steps <= MAX_STEPS:
        raise ValueError(f"a funnel has 1 to {MAX_STEPS} steps, not {n_steps}")
    return f"""
SELECT step,
       countIf(level >= step) AS profiles,
       quantileExactInclusiveIf(0.5)(gap_ms, step > 1 AND step <= walk_level)
           AS median_gap_ms,
       sumMapIf([channel], [toUInt64(1)], step <= walk_level) AS channels,
       countIf(level = step) AS stopped,
       countIf(level = step AND channels_used = 1) AS stopped_single_channel,
       groupArraySortedIf({{sample:UInt32}})(profile_id, level = step) AS sample,
       countIf(wf_level >= step) AS window_funnel_profiles,
       countIf(walk_level >= step) AS walk_profiles
FROM (
    SELECT profile_id, wf_level, walk_level, level, channels_used, step,
           chain_t[step] - chain_t[greatest(step - 1, 1)] AS gap_ms,
           chain_ch[step] AS channel
    FROM (
        SELECT profile_id,
               wf_level,
               -- profiles at step 1 walked nothing (their chain is empty) and
               -- take their first step-1 event. No lambda under if(): its
               -- short-circuit evaluation recomputes the walk, ~10x slower.
               arrayConcat(if(wf_level = 1, [first_start.1], []),
                           arrayMap(p -> T[p], chain)) AS chain_t,
               arrayConcat(if(wf_level = 1, [first_start.4], []),
                           arrayMap(p -> walked[p].4, chain)) AS chain_ch,
               length(chain_t) AS walk_level,
               if({{use_walk:UInt8}} = 1, walk_level, wf_level) AS level,
               length(arrayDistinct(chain_ch)) AS channels_used
        FROM ({_walk(n_steps, _per_profile(n_steps))})
    )
    ARRAY JOIN range(1, greatest(wf_level, walk_level) + 1) AS step
)
GROUP BY step
ORDER BY step
"""


def funnel_levels_sql(n_steps: int) -> str:
    """Counts only, by ``windowFunnel`` alone (distinct step names): one row per
    deepest step reached (``level`` 1..N) with the ``profiles`` that stopped there
    and a ``sample`` of their ids (smallest first)."""
    if not 1 <= n_steps <= MAX_STEPS:
        raise ValueError(f"a funnel has 1 to {MAX_STEPS} steps, not {n_steps}")
    conditions = ", ".join(f"bitTest(mask, {i})" for i in range(n_steps))
    return f"""
SELECT level,
       count() AS profiles,
       groupArraySorted({{sample:UInt32}})(profile_id) AS sample
FROM (
    SELECT profile_id,
           windowFunnel({{window_ms:UInt64}})(t, {conditions}) AS level
    FROM ({_STEP_EVENTS})
    GROUP BY profile_id
)
WHERE level > 0
GROUP BY level
ORDER BY level
"""
