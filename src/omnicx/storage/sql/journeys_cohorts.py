"""ClickHouse SQL of the cohort / retention analysis (``journeys.cohorts``).

One pass over the scoped events, grouped by profile: the profile's first cohort event
(time and channel) and the distinct periods in which it did the return event. Those
periods are turned into offsets from the cohort period (kept if ``0 < k < periods``),
the cohort period itself is added as offset 0, and the rows are counted per
``(cohort, first_channel, offset)``. Periods are UTC: ISO weeks starting on Monday
(``toMonday``) or calendar months (``toStartOfMonth``).

Parameters: those of ``SCOPED_EVENTS`` plus ``cohort_any`` (0/1: any event starts the
cohort), ``cohort_event``, ``return_any`` (0/1), ``return_event`` and ``periods``.

Result rows: ``cohort`` (the period's first day, ``YYYY-MM-DD``), ``first_channel``,
``offset``, ``profiles``, and ``observed_until_ms`` — the latest scoped event of any
profile, the end of what the data can show (the same on every row).
"""

from __future__ import annotations

from omnicx.storage.sql.journeys import SCOPED_EVENTS

#: Period start and the whole number of periods between two period starts.
_PERIODS = {
    "week": ("toMonday(ts)", "intDiv(dateDiff('day', cohort, p), 7)"),
    "month": (
        "toStartOfMonth(ts)",
        "toRelativeMonthNum(p) - toRelativeMonthNum(cohort)",
    ),
}

_RETENTION = """
SELECT toString(cohort) AS cohort,
       first_channel,
       offset,
       count() AS profiles,
       any(observed_until_ms) AS observed_until_ms
FROM (
    SELECT profile_id, first_channel, observed_until_ms,
           {period_start_of_first} AS cohort,
           arrayConcat(
               [0],
               arrayFilter(
                   k -> k > 0 AND k < {{periods:UInt32}},
                   arrayMap(p -> toInt64({offset}), return_periods)
               )
           ) AS offsets
    FROM (
        SELECT *, max(last_ts) OVER () AS all_last_ts,
               toUnixTimestamp64Milli(all_last_ts) AS observed_until_ms
        FROM (
            SELECT profile_id,
                   countIf(is_cohort) AS cohort_events,
                   minIf(ts, is_cohort) AS first_ts,
                   argMinIf(channel, (ts, message_id), is_cohort) AS first_channel,
                   groupUniqArrayIf({period_start}, is_return) AS return_periods,
                   max(ts) AS last_ts
            FROM (
                SELECT se.*,
                       ({{cohort_any:UInt8}} = 1
                        OR se.event = {{cohort_event:String}}) AS is_cohort,
                       ({{return_any:UInt8}} = 1
                        OR se.event = {{return_event:String}}) AS is_return
                FROM ({scoped}) AS se
            )
            GROUP BY profile_id
        )
    )
    WHERE cohort_events > 0
)
ARRAY JOIN offsets AS offset
GROUP BY cohort, first_channel, offset
ORDER BY cohort, first_channel, offset
"""


def _retention(period: str) -> str:
    start, offset = _PERIODS[period]
    return _RETENTION.format(
        period_start=start,
        period_start_of_first=start.replace("ts", "first_ts"),
        offset=offset,
        scoped=SCOPED_EVENTS,
    )


#: Retention rows per period kind.
COHORT_RETENTION = {period: _retention(period) for period in _PERIODS}
