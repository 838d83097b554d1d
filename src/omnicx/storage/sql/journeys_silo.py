"""ClickHouse SQL for the silo-vs-unified lens (``journeys.silo``).

Built on the per-profile keys of ``journeys_switching.PROFILE_EVENTS`` (sorted: time,
then touches before conversions at the same instant, then channel code). Parameters
besides ``PROFILE_EVENTS``'s: ``lookback_ms``.
"""

from __future__ import annotations

from omnicx.storage.sql.journeys_switching import (
    PROFILE_EVENTS,
    key_code,
    key_is_cart,
    key_is_conversion,
    key_t,
)

#: SQL select items over a profile's sorted ``keys``: ``pieces`` splits them after
#: every conversion; ``conv_pieces`` are the pieces that end in a conversion (one per
#: conversion, in order); ``journey_codes`` the distinct channel codes of each one's
#: journey — its touches no earlier than ``lookback_ms`` before the conversion, and
#: the conversion itself.
JOURNEY_ARRAYS = f"""
arraySplit((k, s) -> s, keys,
           arrayPushFront(arrayPopBack(arrayMap(k -> {key_is_conversion("k")}, keys)),
                          0)) AS pieces,
arrayFilter(p -> {key_is_conversion("p[-1]")}, pieces) AS conv_pieces,
arrayMap(p -> arrayDistinct(arrayMap(k -> {key_code("k")},
           arrayFilter(k -> {key_t("k")} >= {key_t("p[-1]")} - {{lookback_ms:Int64}},
                       p))),
         conv_pieces) AS journey_codes
"""

#: SQL: the first conversion on another channel than ``lc.1`` after the cart key
#: ``lc.2`` and within the lookback (0 when none).
_BOUGHT_ELSEWHERE = f"""arrayFirst(
    k -> {key_is_conversion("k")} AND {key_code("k")} != lc.1 AND k > lc.2
         AND {key_t("k")} <= {key_t("lc.2")} + {{lookback_ms:Int64}},
    keys)"""

#: Rows ``(kind, channel code, x, y)`` with ``n`` and ``value``:
#:
#: - ``kind`` 0, one per (conversion, channel of its journey): ``x`` 1 when the
#:   conversion happened on that channel, ``y`` 1 when the journey used that channel
#:   only; ``value`` the conversions' summed value.
#: - ``kind`` 1, one per (profile, channel it has cart events on): the profile's last
#:   cart event there; ``x`` 1 when no conversion on that channel follows it
#:   (abandoned as the channel's silo sees it); ``y`` the channel code of the first
#:   conversion on another channel after it and no later than ``lookback_ms`` after
#:   it (0: none).
SILO = f"""
SELECT r.1 AS kind, r.2 AS code, r.3 AS x, r.4 AS y, count() AS n, sum(r.5) AS value
FROM (
    SELECT arraySort(groupArray(key)) AS keys,
           arraySort(groupArrayIf((key, value), {key_is_conversion("key")})) AS convs,
           {JOURNEY_ARRAYS},
           arrayFlatten(arrayMap(
               (p, c, v) -> arrayMap(
                   ch -> (toUInt8(0), ch, toUInt16({key_code("p[-1]")} = ch),
                          toUInt16(length(c) = 1), v),
                   c),
               conv_pieces, journey_codes, arrayMap(x -> x.2, convs))) AS journey_rows,
           arrayMap(ch -> (ch, arrayFilter(
                              k -> {key_is_cart("k")} AND {key_code("k")} = ch,
                              keys)[-1]),
                    arrayDistinct(arrayMap(k -> {key_code("k")},
                                           arrayFilter(k -> {key_is_cart("k")}, keys))))
               AS last_carts,
           arrayMap(lc -> (
               toUInt8(1), lc.1,
               toUInt16(NOT arrayExists(
                   k -> {key_is_conversion("k")} AND {key_code("k")} = lc.1
                        AND k > lc.2, keys)),
               {key_code(_BOUGHT_ELSEWHERE)},
               0.), last_carts) AS cart_rows
    FROM ({PROFILE_EVENTS})
    GROUP BY profile_id
)
ARRAY JOIN arrayConcat(journey_rows, cart_rows) AS r
GROUP BY kind, code, x, y
ORDER BY kind, code, x, y
"""
