"""ClickHouse SQL for channel switching (``journeys.switching``), and the per-profile
event keys that silo-vs-unified and omnichannel-impact build on too.

Speed (10M events / 1M customers) comes from never carrying strings through the
per-profile step: each interaction becomes one ``UInt64`` *key*

    key = t_ms · 2^18 + is_conversion · 2^17 + is_cart · 2^16 + channel_code

so that sorting a profile's keys orders its interactions by time, then touches before
conversions at the same instant (as attribution does), then by channel. Channel
codes are given by the parameters ``codes`` (``Array(String)``, read first with
``CHANNELS``) and ``nums`` (``Array(UInt16)``, their codes, 1…n).

``PROFILE_EVENTS`` has the scope semantics of ``journeys.SCOPED_EVENTS`` (profile
after merges, half-open time range, channel and profile filters) restricted to
*interactions* (track, page and screen events; identify, group and alias calls say
who someone is, not that they did something), with the event name compared without
building it for every row: ``track`` events by name, page calls as ``Page Viewed``,
screen calls as ``Screen Viewed``.
"""

from __future__ import annotations

from omnicx.storage.sql.clickhouse import DATABASE
from omnicx.storage.sql.journeys import CURRENT_PROFILES

T_SHIFT = 262144  # 2^18
CONVERSION_BIT = 131072  # 2^17
CART_BIT = 65536  # 2^16


def key_t(k: str) -> str:
    """SQL: the epoch-ms time of key ``k``."""
    return f"toInt64(intDiv({k}, {T_SHIFT}))"


def key_code(k: str) -> str:
    """SQL: the channel code of key ``k``."""
    return f"toUInt16(bitAnd({k}, 65535))"


def key_is_conversion(k: str) -> str:
    return f"bitTest({k}, 17)"


def key_is_cart(k: str) -> str:
    return f"bitTest({k}, 16)"


def _named(names: str) -> str:
    """SQL: the event's name is in ``names`` (an ``Array(String)`` expression)."""
    return (
        f"((e.type = 'track' AND e.event IN {names})"
        f" OR (e.type = 'page' AND has({names}, 'Page Viewed'))"
        f" OR (e.type = 'screen' AND has({names}, 'Screen Viewed')))"
    )


_SCOPE = """
WHERE e.workspace_id = {ws:String}
  AND e.type IN ('track', 'page', 'screen')
  AND e.timestamp >= fromUnixTimestamp64Milli({from_ms:Int64}, 'UTC')
  AND e.timestamp < fromUnixTimestamp64Milli({to_ms:Int64}, 'UTC')
  AND (empty({channels:Array(String)}) OR e.channel IN {channels:Array(String)})
  AND ({filter_profiles:UInt8} = 0 OR m.profile_id IN {profiles:Array(UInt64)})
"""

#: The workspace's channels, to number them (``codes``): a superset of the channels
#: in scope is enough, and reading only the channel column keeps this cheap.
CHANNELS = f"""
SELECT DISTINCT toString(channel) AS channel
FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}}
  AND (empty({{channels:Array(String)}}) OR channel IN {{channels:Array(String)}})
ORDER BY channel
"""

#: One row per interaction in scope: profile, key, value (0 unless a conversion) and
#: message id. Parameters besides the scope's: ``codes``, ``nums``, ``conversion``,
#: ``cart_events`` (``Array(String)``, may be empty) and ``value_property`` ('' for
#: none).
PROFILE_EVENTS = f"""
SELECT m.profile_id AS profile_id,
       toUInt64(greatest(toUnixTimestamp64Milli(e.timestamp), 0)) * {T_SHIFT}
         + {_named("[{conversion:String}]")} * {CONVERSION_BIT}
         + {_named("{cart_events:Array(String)}")} * {CART_BIT}
         + transform(e.channel, {{codes:Array(String)}}, {{nums:Array(UInt16)}},
                     toUInt16(0)) AS key,
       if(bitTest(key, 17) AND {{value_property:String}} != '',
          JSONExtractFloat(e.properties, {{value_property:String}}), 0.) AS value,
       e.message_id AS message_id
FROM {DATABASE}.events AS e
INNER JOIN ({CURRENT_PROFILES}) AS m ON m.identity_id = e.identity_id
{_SCOPE}
"""

_ROWS = f"""
arrayMap(k -> {key_code("k")}, keys) AS cs,
arrayMap(k -> {key_t("k")}, keys) AS ts,
length(arrayDistinct(cs)) AS channels,
arrayFilter((t, c) -> has({{online:Array(UInt16)}}, c), ts, cs) AS online_ts,
arrayFilter(k -> {key_code("k")} = {{store:UInt16}} AND {key_is_conversion("k")},
            keys) AS store_buys,
arrayFilter((t, c) -> has({{service_from:Array(UInt16)}}, c), ts, cs) AS service_ts,
arrayFilter((t, c) -> c = {{service_to:UInt16}}, ts, cs) AS call_ts,
notEmpty(online_ts) AS online,
notEmpty(store_buys) AS store_buyer,
online AND store_buyer AND online_ts[1] < {key_t("store_buys[-1]")} AS ropo,
notEmpty(service_ts) AS service,
service AND notEmpty(call_ts) AND service_ts[1] < call_ts[-1] AS escalated,
arrayExists((a, b, ca, cb) -> a = b AND ca != cb,
            arrayPopBack(ts), arrayPopFront(ts), arrayPopBack(cs), arrayPopFront(cs))
  AS mixed_tie,
arrayConcat(
  [(toUInt8(0), toUInt16(channels),
    toUInt16(online + 2 * store_buyer + 4 * ropo + 8 * service + 16 * escalated
             + 32 * mixed_tie),
    toInt64(0))],
  arrayFilter(x -> x.2 != x.3,
    arrayZip(arrayWithConstant(length(cs) - 1, toUInt8(1)),
             arrayPopBack(cs), arrayPopFront(cs),
             arrayMap((a, b) -> b - a, arrayPopBack(ts), arrayPopFront(ts))))
) AS rows
"""


def _switching(sorted_keys: str) -> str:
    return f"""
SELECT r.1 AS kind, r.2 AS a, r.3 AS b, count() AS n,
       quantileExactInclusiveIf(0.5)(r.4, r.1 = 1) / 1000 AS median_gap_s
FROM (
    SELECT {sorted_keys} AS keys, {_ROWS}
    FROM ({PROFILE_EVENTS})
    GROUP BY profile_id
)
ARRAY JOIN rows AS r
GROUP BY kind, a, b
ORDER BY kind, a, b
"""


#: Per-profile summary rows (``kind`` 0: ``a`` the number of channels, ``b`` flag
#: bits — 1 online, 2 store buyer, 4 ROPO, 8 social/chat, 16 escalated, 32 has
#: interactions at the same instant on different channels — and ``n`` profiles) and
#: transition rows (``kind`` 1: from code ``a``, to code ``b``, ``n`` transitions,
#: median gap). ROPO: an online interaction strictly earlier than a store conversion;
#: escalated: a ``service_to`` interaction strictly later than a ``service_from`` one.
#: Parameters besides ``PROFILE_EVENTS``'s: ``online`` and ``service_from``
#: (``Array(UInt16)`` codes), ``store`` and ``service_to`` (codes, 0 for none).
#:
#: ``SWITCHING`` orders same-instant interactions by channel code;
#: ``SWITCHING_EXACT`` by message id, which matters only when flag 32 is set.
SWITCHING = _switching("arraySort(groupArray(key))")
SWITCHING_EXACT = _switching(
    f"arraySort((k, m) -> ({key_t('k')}, m), groupArray(key), groupArray(message_id))"
)
