"""ClickHouse SQL for feedback analytics: "why" drivers of survey scores, and the
sentiment / topic trends of feedback text (``feedback.drivers``,
``feedback.text.sentiment_trends``).

Both read ``SCOPED_EVENTS`` (parameters ``ws``, ``from_ms``, ``to_ms``, ``channels``,
``filter_profiles``, ``profiles``).

Drivers parameters: ``tp_from_ms`` (start of the touchpoints' range: ``from_ms`` less
the window), ``window_ms``, ``survey`` and ``template`` (``''``: any),
``detractor_max`` / ``promoter_min`` (``-1``: the template's own thresholds: NPS 0-6
/ 9-10, CSAT 1-2 / 4-5, CES 1-3 / 5-7).

Insights parameters: ``events`` (``Array(String)``: ``Survey Answered``,
``Feedback Received``), ``sources`` (empty: all).
"""

from __future__ import annotations

from omnicx.storage.sql.journeys import SCOPED_EVENTS

SURVEY_EVENT = "Survey Answered"
FEEDBACK_EVENT = "Feedback Received"

_TOUCHPOINT_EVENTS = SCOPED_EVENTS.replace("{from_ms:Int64}", "{tp_from_ms:Int64}")

#: One row per completed survey response in scope, classified.
_RESPONSES = f"""
SELECT profile_id, t, message_id, score, template,
       multiIf({{detractor_max:Float64}} >= 0, score <= {{detractor_max:Float64}},
               template = 'csat', score <= 2,
               template = 'ces', score <= 3,
               score <= 6) AS detractor,
       multiIf({{promoter_min:Float64}} >= 0, score >= {{promoter_min:Float64}},
               template = 'csat', score >= 4,
               template = 'ces', score >= 5,
               score >= 9) AS promoter
FROM (
    SELECT se.profile_id AS profile_id,
           toUnixTimestamp64Milli(se.ts) AS t,
           se.message_id AS message_id,
           JSONExtractFloat(se.properties, 'score') AS score,
           JSONExtractString(se.properties, 'template') AS template
    FROM ({SCOPED_EVENTS}) AS se
    WHERE se.event = '{SURVEY_EVENT}'
      AND JSONType(se.properties, 'score') IN ('Int64', 'UInt64', 'Double')
      AND NOT JSONExtractBool(se.properties, 'partial')
      AND ({{survey:String}} = ''
           OR JSONExtractString(se.properties, 'survey_id') = {{survey:String}}
           OR JSONExtractString(se.properties, 'survey') = {{survey:String}})
)
WHERE {{template:String}} = '' OR template = {{template:String}}
"""

#: Interactions that can precede a response (track/page/screen, not survey or
#: feedback events themselves).
_TOUCHES = f"""
SELECT te.profile_id AS profile_id,
       toUnixTimestamp64Milli(te.ts) AS t,
       toString(te.channel) AS channel,
       te.event AS event
FROM ({_TOUCHPOINT_EVENTS}) AS te
WHERE te.type IN ('track', 'page', 'screen')
  AND NOT startsWith(te.event, 'Survey ')
  AND te.event != '{FEEDBACK_EVENT}'
"""

#: Per response: its class and the distinct touchpoints (``channel:event``) and
#: channels of the same profile within ``window_ms`` before it.
_JOURNEYS = f"""
SELECT r.message_id AS message_id,
       any(r.score) AS score,
       any(r.detractor) AS detractor,
       any(r.promoter) AS promoter,
       groupUniqArrayIf(concat(tc.channel, ':', tc.event),
                        tc.t < r.t AND tc.t >= r.t - {{window_ms:Int64}})
           AS touchpoints,
       groupUniqArrayIf(tc.channel,
                        tc.t < r.t AND tc.t >= r.t - {{window_ms:Int64}})
           AS channels
FROM ({_RESPONSES}) AS r
LEFT JOIN ({_TOUCHES}) AS tc ON tc.profile_id = r.profile_id
GROUP BY r.message_id
"""

#: ``kind`` ``total`` (all responses), ``touchpoint`` or ``channel``, with the
#: responses whose journey had it, their detractors, promoters and score sum.
DRIVER_COUNTS = f"""
SELECT item.1 AS kind, item.2 AS name,
       count() AS responses,
       sum(detractor) AS detractors,
       sum(promoter) AS promoters,
       sum(score) AS score_sum
FROM ({_JOURNEYS})
ARRAY JOIN arrayConcat([('total', '')],
                       arrayMap(x -> ('touchpoint', x), touchpoints),
                       arrayMap(x -> ('channel', x), channels)) AS item
GROUP BY kind, name
ORDER BY kind, responses DESC, name
"""

#: Feedback texts analysed at ingest (``properties.sentiment`` set).
_TEXTS = f"""
SELECT toUnixTimestamp64Milli(se.ts) AS t,
       se.event AS event,
       toString(se.channel) AS channel,
       if(se.event = '{FEEDBACK_EVENT}',
          JSONExtractString(se.properties, 'source'), 'survey') AS source,
       JSONExtractString(se.properties, 'sentiment') AS sentiment,
       JSONExtractFloat(se.properties, 'sentiment_score') AS sentiment_score,
       JSONExtract(se.properties, 'topics', 'Array(String)') AS topics,
       JSONExtract(se.properties, 'keywords', 'Array(String)') AS keywords,
       JSONExtractString(se.properties, 'text_language') AS language
FROM ({SCOPED_EVENTS}) AS se
WHERE se.event IN {{events:Array(String)}}
  AND JSONExtractString(se.properties, 'sentiment') IN ('positive', 'neutral',
                                                         'negative')
"""

_SENTIMENT_COLUMNS = """count() AS count,
       countIf(sentiment = 'positive') AS positive,
       countIf(sentiment = 'neutral') AS neutral,
       countIf(sentiment = 'negative') AS negative,
       sum(sentiment_score) AS score_sum"""

_FILTERED = f"""
SELECT * FROM ({_TEXTS})
WHERE empty({{sources:Array(String)}}) OR source IN {{sources:Array(String)}}
"""

_SERIES = """
SELECT toString({bucket}(toDateTime(intDiv(t, 1000), 'UTC'))) AS bucket,
       {columns}
FROM ({texts})
GROUP BY bucket ORDER BY bucket
"""

#: Sentiment per time bucket, by bucket size.
SENTIMENT_SERIES = {
    name: _SERIES.format(bucket=fn, columns=_SENTIMENT_COLUMNS, texts=_FILTERED)
    for name, fn in (
        ("day", "toDate"),
        ("week", "toMonday"),
        ("month", "toStartOfMonth"),
    )
}

#: Sentiment per group: ``{group}`` is ``source``, ``channel`` or ``language``.
SENTIMENT_BY = {
    group: f"""
SELECT {group} AS name, {_SENTIMENT_COLUMNS}
FROM ({_FILTERED})
GROUP BY name ORDER BY count DESC, name
"""
    for group in ("source", "channel", "language")
}

#: Sentiment per topic (a text counts once for each of its topics).
TOPICS = f"""
SELECT topic AS name, {_SENTIMENT_COLUMNS}
FROM ({_FILTERED})
ARRAY JOIN topics AS topic
GROUP BY name ORDER BY count DESC, name
"""

_TOPIC_SERIES = """
SELECT toString({bucket}(toDateTime(intDiv(t, 1000), 'UTC'))) AS bucket,
       topic,
       count() AS count,
       countIf(sentiment = 'negative') AS negative
FROM ({texts})
ARRAY JOIN topics AS topic
GROUP BY bucket, topic ORDER BY bucket, topic
"""

#: Mentions of each topic per time bucket, by bucket size.
TOPIC_SERIES = {
    name: _TOPIC_SERIES.format(bucket=fn, texts=_FILTERED)
    for name, fn in (
        ("day", "toDate"),
        ("week", "toMonday"),
        ("month", "toStartOfMonth"),
    )
}

#: The most frequent keywords.
KEYWORDS = f"""
SELECT keyword AS name, {_SENTIMENT_COLUMNS}
FROM ({_FILTERED})
ARRAY JOIN keywords AS keyword
GROUP BY name ORDER BY count DESC, name
LIMIT {{limit:UInt32}}
"""

#: Texts not analysed at ingest (events written before analysis was wired in):
#: analysed when read, at most ``limit`` of them.
UNANALYSED = f"""
SELECT toUnixTimestamp64Milli(se.ts) AS t,
       se.event AS event,
       toString(se.channel) AS channel,
       if(se.event = '{FEEDBACK_EVENT}',
          JSONExtractString(se.properties, 'source'), 'survey') AS source,
       if(JSONExtractString(se.properties, 'comment') != '',
          JSONExtractString(se.properties, 'comment'),
          JSONExtractString(se.properties, 'text')) AS text,
       JSONExtractString(se.properties, 'language') AS language
FROM ({SCOPED_EVENTS}) AS se
WHERE se.event IN {{events:Array(String)}}
  AND JSONExtractString(se.properties, 'sentiment') NOT IN ('positive', 'neutral',
                                                             'negative')
  AND text != ''
ORDER BY t DESC
LIMIT {{limit:UInt32}}
"""
