"""ClickHouse SQL shared by the journey analyses.

``SCOPED_EVENTS`` is every event of the workspace in the query's scope, with the
profile it belongs to *now* (after merges and splits) and one event name per event:
the track event's name, ``Page Viewed`` for page calls, ``Screen Viewed`` for screens,
and the call type otherwise (``Identify``, ``Group``, ``Alias``). Analyses select from
it as a subquery: ``FROM ({SCOPED_EVENTS}) AS se``.

Parameters: ``ws``, ``from_ms``, ``to_ms`` (epoch ms, half-open range), ``channels``
(empty: all), ``filter_profiles`` (0/1) and ``profiles`` (the allowed profiles).
"""

from __future__ import annotations

from omnicx.storage.sql.clickhouse import DATABASE

EVENT_NAME = (
    "multiIf(e.type = 'track', e.event, e.type = 'page', 'Page Viewed', "
    "e.type = 'screen', 'Screen Viewed', e.type = 'identify', 'Identify', "
    "e.type = 'group', 'Group', 'Alias')"
)

CURRENT_PROFILES = f"""
SELECT identity_id, argMax(profile_id, version) AS profile_id
FROM {DATABASE}.identity_profiles
WHERE workspace_id = {{ws:String}}
GROUP BY identity_id
"""

SCOPED_EVENTS = f"""
SELECT m.profile_id AS profile_id,
       e.timestamp AS ts,
       e.channel AS channel,
       {EVENT_NAME} AS event,
       e.type AS type,
       e.name AS name,
       e.message_id AS message_id,
       e.properties AS properties,
       e.context AS context
FROM {DATABASE}.events AS e
INNER JOIN ({CURRENT_PROFILES}) AS m ON m.identity_id = e.identity_id
WHERE e.workspace_id = {{ws:String}}
  AND e.timestamp >= fromUnixTimestamp64Milli({{from_ms:Int64}}, 'UTC')
  AND e.timestamp < fromUnixTimestamp64Milli({{to_ms:Int64}}, 'UTC')
  AND (empty({{channels:Array(String)}}) OR e.channel IN {{channels:Array(String)}})
  AND ({{filter_profiles:UInt8}} = 0 OR m.profile_id IN {{profiles:Array(UInt64)}})
"""
