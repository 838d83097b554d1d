"""ClickHouse SQL for attribution: conversion journeys, grouped by channel path.

``ATTRIBUTION_CHANNELS`` lists the workspace's channels (sorted): the dictionary
``channel_names`` that ``ATTRIBUTION_PATHS`` numbers channels by (1-based), so paths
travel as small integers.

``ATTRIBUTION_PATHS`` builds on ``SCOPED_EVENTS`` (profiles after merges). Each event
is packed into one UInt64 — ``ts_ms << 17 | is_conversion << 16 | channel number`` —
so sorting a profile's packed events orders them by ``(ts, is_conversion,
channel)``: a touch at the same instant as a conversion comes before it, and
conversions at one instant go by channel name. The sorted array is split after every
conversion (``arraySplit``): each piece is one journey, ending in a conversion
(converting) or not (the tail after the last conversion, non-converting); the k-th
converting piece ends in the k-th conversion, whose value comes from the profile's
sorted ``(packed, value)`` conversions. A journey's touches are its non-conversion
events with ``end - ts <= lookback`` (inclusive), where ``end`` is the conversion's
time, or for the tail the time of its last touch.

Journeys are kept when ``end >= range_from_ms`` (the query's ``from``): the events are
read from ``from - lookback`` so that touches before ``from`` still count for
conversions after it. Touches are limited to ``touch_channels`` (pass every channel
for no limit: an ``empty(…)`` test ANDed with ``IN`` makes chdb's plan ~6x slower);
conversions count on every channel. Events on a channel missing from
``channel_names`` (one that first appeared after it was read) are left out.

One row per distinct ``path`` (channel numbers in order) — and, for conversions with
no touch in their lookback, one row per conversion channel with an empty ``path``
and that ``no_touch_channel`` (unless ``no_touch_as_touch`` = 1 made the
conversion's own channel its only touch; ``no_touch`` counts those conversions
either way) — with ``journeys``, ``conversions`` and ``value``. Plus one total row
(``is_total`` = 1, a ``GROUPING SETS`` grand total) whose ``decay_conversions`` and
``decay_value`` hold, per channel number, the summed time-decay shares
(``2^(-Δt / half_life)`` per touch, normalised within each journey) of the
conversions and of their value: summed here, so per-touch shares never leave the
engine (a fixed-length ``sumForEach`` per journey is cheaper than ``sumMap``).

Parameters: those of ``SCOPED_EVENTS`` plus ``channel_names``, ``conversion`` (event
name), ``value_property`` and ``has_value`` (0: every value is 0),
``touch_channels``, ``lookback_ms``, ``range_from_ms``, ``half_life_ms``,
``with_decay`` (0: the decay arrays are empty), ``n_channels`` (the length of
``channel_names``) and ``no_touch_as_touch``.
"""

from __future__ import annotations

from omnicx.storage.sql.clickhouse import DATABASE
from omnicx.storage.sql.journeys import SCOPED_EVENTS

ATTRIBUTION_CHANNELS = f"""
SELECT DISTINCT toString(channel) AS channel
FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}}
ORDER BY channel
"""

_EVENTS = f"""
SELECT profile_id,
       toUInt8(event = {{conversion:String}}) AS is_conversion,
       bitOr(bitShiftLeft(toUInt64(toUnixTimestamp64Milli(ts)), 17),
             bitOr(bitShiftLeft(toUInt64(is_conversion), 16),
                   toUInt64(indexOf({{channel_names:Array(String)}}, channel))))
           AS packed,
       if(is_conversion = 1 AND {{has_value:UInt8}} = 1,
          JSONExtractFloat(properties, {{value_property:String}}), 0.) AS value
FROM ({SCOPED_EVENTS}) AS se
WHERE event = {{conversion:String}} OR channel IN {{touch_channels:Array(String)}}
"""

# Unpacking: ts = e >> 17, is_conversion = (e >> 16) & 1, channel number = e & 65535.
_JOURNEYS = f"""
SELECT toUInt8(bitAnd(bitShiftRight(piece[-1], 16), 1)) AS converted,
       toInt64(bitShiftRight(piece[-1], 17)) AS end_ms,
       if(converted = 1, toUInt16(bitAnd(piece[-1], 65535)), 0) AS conversion_channel,
       if(converted = 1, conversions[k].2, 0.) AS journey_value,
       arrayFilter(
           e -> bitAnd(bitShiftRight(e, 16), 1) = 0
                AND end_ms - toInt64(bitShiftRight(e, 17)) <= {{lookback_ms:Int64}},
           piece
       ) AS found,
       if(empty(found) AND converted = 1 AND {{no_touch_as_touch:UInt8}} = 1
              AND has({{touch_channels:Array(String)}},
                      {{channel_names:Array(String)}}[conversion_channel]),
          [bitOr(bitShiftLeft(toUInt64(end_ms), 17), toUInt64(conversion_channel))],
          found) AS touches
FROM (
    SELECT arraySort(groupArrayIf(packed, bitAnd(packed, 65535) > 0)) AS evs,
           arraySort(
               groupArrayIf(
                   (packed, value), is_conversion = 1 AND bitAnd(packed, 65535) > 0
               )
           ) AS conversions,
           arraySplit(
               (e, split) -> split,
               evs,
               arrayPushFront(
                   arrayPopBack(
                       arrayMap(e -> toUInt8(bitAnd(bitShiftRight(e, 16), 1)), evs)
                   ),
                   toUInt8(0)
               )
           ) AS pieces
    FROM ({_EVENTS}) AS ev
    GROUP BY profile_id
) AS per_profile
ARRAY JOIN pieces AS piece, arrayEnumerate(pieces) AS k
WHERE end_ms >= {{range_from_ms:Int64}} AND (converted = 1 OR notEmpty(found))
"""

ATTRIBUTION_PATHS = f"""
SELECT path,
       no_touch_channel,
       grouping(path) AS is_total,
       toUInt64(countIf(had_touch = 0)) AS no_touch,
       count() AS journeys,
       toUInt64(sum(converted)) AS conversions,
       sum(journey_value) AS value,
       if(is_total = 1, sumForEach(arrayMap(x -> x * converted, channel_shares)),
          CAST([], 'Array(Float64)')) AS decay_conversions,
       if(is_total = 1, sumForEach(arrayMap(x -> x * journey_value, channel_shares)),
          CAST([], 'Array(Float64)')) AS decay_value
FROM (
    SELECT converted,
           journey_value,
           arrayMap(e -> toUInt16(bitAnd(e, 65535)), touches) AS path,
           toUInt8(notEmpty(found)) AS had_touch,
           if(empty(touches), conversion_channel, 0) AS no_touch_channel,
           if({{with_decay:UInt8}} = 1,
              arrayMap(
                  e -> exp2(-(end_ms - toInt64(bitShiftRight(e, 17)))
                            / {{half_life_ms:Float64}}),
                  touches),
              []) AS weights,
           arraySum(weights) AS total_weight,
           arrayMap(w -> w / total_weight, weights) AS shares,
           -- the journey's shares summed per channel number (1 … n_channels)
           if({{with_decay:UInt8}} = 1,
              arrayMap(
                  c -> arraySum(arrayFilter((s, p) -> p = c, shares, path)),
                  range(1, {{n_channels:UInt16}} + 1)),
              []) AS channel_shares
    FROM ({_JOURNEYS}) AS split_journeys
) AS journey_rows
GROUP BY GROUPING SETS ((path, no_touch_channel), ())
"""
