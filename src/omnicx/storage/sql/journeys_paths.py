"""ClickHouse SQL for paths, journey stages and pain points (``journeys.paths``).

``JOURNEY_MAP`` answers all three in one pass. It reads the scoped *touchpoint*
events — ``track``, ``page`` and ``screen`` calls (identify, group and alias calls
are not touchpoints) — and sorts each profile's events by time (ties by a hash of
the message id). Parameters, besides those of ``SCOPED_EVENTS``:

* paths: ``tp_event`` (``UInt8``: 1 for ``channel:event`` touchpoints, 0 for
  ``channel``), ``start_event`` and ``end_event`` (``String``, ``''`` for none),
  ``max_steps`` and ``top`` (``UInt32``). A profile's path starts at its first
  ``start_event`` (else its first event) and ends at the first ``end_event`` after
  that (else its last event); profiles without the anchor events have no path.
  Consecutive repeats of a touchpoint collapse into one; the path keeps its first
  ``max_steps`` touchpoints, or its last ones when only ``end_event`` is given.
* stages: ``awareness``, ``consideration``, ``purchase``, ``retention``,
  ``advocacy`` (``Array(String)``: the event names of each stage);
* pain points: ``service_channels`` (``Array(String)``).

One row:

* ``profiles`` with a path, the ``top`` most common ``top_paths`` (``[(path, n)]``),
  and the Sankey's ``links`` (keys ``"k<US>source<US>target"``, ``k`` the source's
  step, ``<US>`` the unit separator ``\\x1f``) and ``nodes`` (keys
  ``"k<US>touchpoint"``), both as ``[[keys], [profiles]]``;
* ``customers`` (profiles with a touchpoint), ``reached_<stage>`` and
  ``furthest_<n>`` (profiles whose furthest stage is stage ``n``, 0 for none);
* ``touchpoints``: per ``channel:event``, ``(touchpoint, profiles that had it,
  abandoned, negative, service)`` — of those profiles, how many had it as their last
  event and never purchased, had negative feedback right after it, or a service
  contact right after it.
"""

from __future__ import annotations

from omnicx.storage.sql.journeys import EVENT_NAME, SCOPED_EVENTS

STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")

#: Touchpoints: track, page and screen calls. Written on the event name because a
#: plain ``e.type IN (…)`` here makes the query ~6x slower (measured on 10M events:
#: ClickHouse 26.9 reads the join's LowCardinality columns through a slow path).
_TOUCHPOINTS = (
    f"{SCOPED_EVENTS}  AND ({EVENT_NAME} NOT IN ('Identify', 'Group', 'Alias') "
    "OR e.type = 'track')"
)

_NEGATIVE = (
    "(event ILIKE '%complaint%' OR (event = 'Survey Answered' "
    "AND JSONHas(properties, 'score') AND JSONExtractFloat(properties, 'score') <= 6))"
)
_PROMOTER = (
    "(event = 'Survey Answered' AND JSONHas(properties, 'score') "
    "AND JSONExtractFloat(properties, 'score') >= 9)"
)

#: Per profile, the path (kind 2), one row of stages (kind 0) and its touchpoints
#: with what followed them (kind 1), as ``(kind, touchpoint, path, code)`` rows:
#: kind 1 codes are 1 — had the touchpoint, 2 — abandoned after it, 4 — negative
#: feedback after it, 8 — a service contact after it (each at most once per profile
#: and touchpoint, so counts are distinct-profile counts); the kind 0 code packs the
#: stages reached (bits 8–12) and the furthest stage (bits 16+).
_PER_PROFILE = f"""
SELECT profile_id,
       length(evs) AS n_events,
       arrayMap(x -> x.3, evs) AS CH,
       arrayMap(x -> x.4, evs) AS EV,
       arrayMap(x -> x.5, evs) AS NEG,
       arrayMap(x -> concat(x.3, ':', x.4), evs) AS TPE,
       -- paths
       arrayMap(x -> if({{tp_event:UInt8}} = 1, concat(x.3, ':', x.4), x.3), evs) AS TP,
       if({{start_event:String}} = '', 1, indexOf(EV, {{start_event:String}})) AS lo,
       toUInt32({{start_event:String}} != '') AS step_after,
       arrayFirstIndex((x, i) -> x = {{end_event:String}} AND i >= lo + step_after,
                       EV, arrayEnumerate(EV)) AS first_end,
       -- arithmetic, not if(): a lambda's result under if() is evaluated lazily,
       -- which recomputes it (see journeys_funnel)
       toUInt32(lo > 0) * (toUInt32({{end_event:String}} = '') * n_events
                           + toUInt32({{end_event:String}} != '') * first_end) AS hi,
       arraySlice(TP, lo, greatest(toInt64(hi) - lo + 1, 0)) AS segment,
       arrayFilter((x, previous) -> x != previous, segment,
                   arraySlice(arrayPushFront(segment, ''), 1, length(segment)))
           AS collapsed,
       arraySlice(collapsed,
                  if({{start_event:String}} = '' AND {{end_event:String}} != '',
                     -toInt64({{max_steps:UInt32}}), 1),
                  {{max_steps:UInt32}}) AS path,
       -- stages
       purchases > 0 AS s3,
       purchases >= 2 OR (purchases > 0 AND last_retention > first_purchase) AS s4,
       multiIf(s5, 5, s4, 4, s3, 3, s2, 2, s1, 1, 0) AS furthest,
       -- pain points
       arrayMap((c, next_c, n, next_n, i) ->
                    2 * toUInt32(NOT s3 AND i = n_events)
                    + 4 * toUInt32(next_n = 1 AND n = 0)
                    + 8 * toUInt32(
                        has({{service_channels:Array(String)}}, next_c)
                        AND NOT has({{service_channels:Array(String)}}, c)),
                CH, arrayPushBack(arrayPopFront(CH), ''),
                NEG, arrayPushBack(arrayPopFront(NEG), 0),
                arrayEnumerate(evs)) AS flags,
       arrayConcat(
           [(toUInt8(0), '', CAST([], 'Array(String)'),
             toUInt32(bitShiftLeft(toUInt32(furthest), 16)
                      + 256 * s1 + 512 * s2 + 1024 * s3 + 2048 * s4 + 4096 * s5))],
           arrayFilter(x -> notEmpty(x.3), [(toUInt8(2), '', path, toUInt32(0))]),
           arrayMap(x -> (toUInt8(1), x, CAST([], 'Array(String)'), toUInt32(1)),
                    arrayDistinct(TPE)),
           arrayMap(x -> (toUInt8(1), x.1, CAST([], 'Array(String)'), x.2),
                    arrayDistinct(arrayFilter(x -> x.2 > 0, arrayConcat(
                        arrayMap((x, f) -> (x, toUInt32(bitAnd(f, 2))), TPE, flags),
                        arrayMap((x, f) -> (x, toUInt32(bitAnd(f, 4))), TPE, flags),
                        arrayMap((x, f) -> (x, toUInt32(bitAnd(f, 8))), TPE, flags)))))
       ) AS rows
FROM (
    SELECT profile_id,
           arraySort(groupArray((t, h, toString(channel), toString(event), neg)))
               AS evs,
           countIf(event IN {{purchase:Array(String)}}) AS purchases,
           minIf(t, event IN {{purchase:Array(String)}}) AS first_purchase,
           maxIf(t, event IN {{retention:Array(String)}}) AS last_retention,
           max(event IN {{awareness:Array(String)}}) AS s1,
           max(event IN {{consideration:Array(String)}}) AS s2,
           max(event IN {{advocacy:Array(String)}} OR promoter = 1) AS s5
    FROM (
        SELECT profile_id,
               toUnixTimestamp64Milli(ts) AS t,
               cityHash64(message_id) AS h,
               channel,
               event,
               toUInt8({_NEGATIVE}) AS neg,
               toUInt8({_PROMOTER}) AS promoter
        FROM ({_TOUCHPOINTS}) AS se
    )
    GROUP BY profile_id
)
"""

_STAGE_COUNTS = ",\n       ".join(
    [
        f"countIf(kind = 0 AND bitTest(row.4, {8 + i})) AS reached_{s}"
        for i, s in enumerate(STAGES)
    ]
    + [
        f"countIf(kind = 0 AND bitShiftRight(row.4, 16) = {n}) AS furthest_{n}"
        for n in range(6)
    ]
)

_GROUPED = f"""
SELECT row.1 AS kind,
       row.2 AS touchpoint,
       row.3 AS path,
       countIf(kind != 1 OR row.4 = 1) AS n,
       countIf(row.4 = 2) AS abandoned,
       countIf(row.4 = 4) AS negative,
       countIf(row.4 = 8) AS service,
       {_STAGE_COUNTS}
FROM ({_PER_PROFILE})
ARRAY JOIN rows AS row
GROUP BY kind, touchpoint, path
"""

_STAGE_SUMS = ",\n       ".join(
    [f"sumIf(reached_{s}, kind = 0) AS reached_{s}" for s in STAGES]
    + [f"sumIf(furthest_{n}, kind = 0) AS furthest_{n}" for n in range(6)]
)

JOURNEY_MAP = f"""
SELECT sumIf(n, kind = 2) AS profiles,
       arraySlice(arraySort(x -> (-x.2, x.1), groupArrayIf((path, n), kind = 2)),
                  1, {{top:UInt32}}) AS top_paths,
       sumMapIf(arrayMap(k -> concat(toString(k), '\\x1f', path[k],
                                     '\\x1f', path[k + 1]),
                         range(1, length(path))),
                arrayWithConstant(greatest(length(path), 1) - 1, n), kind = 2) AS links,
       sumMapIf(arrayMap(k -> concat(toString(k), '\\x1f', path[k]),
                         range(1, length(path) + 1)),
                arrayWithConstant(length(path), n), kind = 2) AS nodes,
       sumIf(n, kind = 0) AS customers,
       {_STAGE_SUMS},
       groupArrayIf((touchpoint, n, abandoned, negative, service), kind = 1)
           AS touchpoints
FROM ({_GROUPED})
"""
