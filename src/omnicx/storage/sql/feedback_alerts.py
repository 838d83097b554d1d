"""ClickHouse SQL of the closed loop: survey metrics over two adjacent windows, and
the events a restart re-evaluates.

``METRIC_WINDOWS`` aggregates the ``Survey Answered`` events of one survey template in
``[prev_from, to)``, split into the previous window (``current = 0``) and the last one
(``current = 1``, from ``cur_from``). Partial responses and answers without a numeric
``score`` are left out. An empty ``channel`` / ``survey`` means any; ``survey`` matches
``properties.survey_id`` or ``properties.survey_name``.

Parameters: ``ws``, ``template``, ``channel``, ``survey``, ``prev_from``, ``cur_from``,
``to`` (epoch ms).
"""

from __future__ import annotations

from omnicx.storage.sql.clickhouse import DATABASE
from omnicx.storage.sql.journeys import CURRENT_PROFILES

METRIC_WINDOWS = f"""
SELECT toUInt8(ts >= fromUnixTimestamp64Milli({{cur_from:Int64}}, 'UTC')) AS current,
       count() AS responses,
       countIf(s >= 9) AS promoters,
       countIf(s <= 6) AS detractors,
       countIf(s >= 4) AS satisfied,
       avg(s) AS mean
FROM (
    SELECT e.timestamp AS ts,
           JSONExtract(e.properties, 'score', 'Nullable(Float64)') AS s
    FROM {DATABASE}.events AS e
    WHERE e.workspace_id = {{ws:String}}
      AND e.type = 'track'
      AND e.event = 'Survey Answered'
      AND e.timestamp >= fromUnixTimestamp64Milli({{prev_from:Int64}}, 'UTC')
      AND e.timestamp < fromUnixTimestamp64Milli({{to:Int64}}, 'UTC')
      AND (empty({{channel:String}}) OR e.channel = {{channel:String}})
      AND JSONExtractString(e.properties, 'template') = {{template:String}}
      AND (empty({{survey:String}})
           OR JSONExtractString(e.properties, 'survey_id') = {{survey:String}}
           OR JSONExtractString(e.properties, 'survey_name') = {{survey:String}})
      AND NOT JSONExtractBool(e.properties, 'partial')
)
WHERE s IS NOT NULL
GROUP BY current
ORDER BY current
"""

#: Track events of a workspace received from ``since`` (ms) on, oldest first, with the
#: profile each belongs to now: what a restart re-evaluates after a crash between the
#: processor's commit and the alert listener's. Parameters: ``ws``, ``since``,
#: ``limit``.
EVENTS_SINCE = f"""
SELECT e.message_id AS message_id, e.source_id AS source_id, e.event AS event,
       e.name AS name, e.channel AS channel, e.user_id AS user_id,
       e.anonymous_id AS anonymous_id, e.properties AS properties,
       toUnixTimestamp64Milli(e.timestamp) AS ts_ms,
       toUnixTimestamp64Milli(e.received_at) AS received_ms,
       m.profile_id AS profile_id
FROM {DATABASE}.events AS e
INNER JOIN ({CURRENT_PROFILES}) AS m ON m.identity_id = e.identity_id
WHERE e.workspace_id = {{ws:String}}
  AND e.type = 'track'
  AND e.received_at >= fromUnixTimestamp64Milli({{since:Int64}}, 'UTC')
ORDER BY e.received_at, e.message_id
LIMIT {{limit:UInt32}}
"""
