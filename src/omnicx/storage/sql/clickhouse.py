"""ClickHouse SQL shared by the embedded (chdb) and server backends.

Events are filed under the identity that carried them (``identity_id``); the profile an
identity belongs to changes with merges and splits and is kept in ``identity_profiles``
(latest ``version`` wins), so analytics join through it and timelines select by the
profile's identities.
"""

from __future__ import annotations

DATABASE = "omnicx"

SESSION_SETTINGS = ("SET output_format_json_quote_64bit_integers = 0",)

BOOTSTRAP = (
    f"CREATE DATABASE IF NOT EXISTS {DATABASE}",
    f"""
    CREATE TABLE IF NOT EXISTS {DATABASE}.schema_migrations (
        version UInt32,
        applied_at DateTime DEFAULT now()
    ) ENGINE = MergeTree ORDER BY version
    """,
)

APPLIED_MIGRATIONS = f"SELECT version FROM {DATABASE}.schema_migrations"
RECORD_MIGRATION = (
    f"INSERT INTO {DATABASE}.schema_migrations (version) VALUES ({{version:UInt32}})"
)

#: Numbered, append-only: never edit a released statement, add a new number.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        f"""
    CREATE TABLE IF NOT EXISTS {DATABASE}.events (
        workspace_id LowCardinality(String),
        identity_id UInt64,
        profile_id UInt64,
        timestamp DateTime64(3, 'UTC'),
        message_id String,
        type LowCardinality(String),
        event LowCardinality(String),
        name String,
        channel LowCardinality(String),
        source_id LowCardinality(String),
        user_id Nullable(String),
        anonymous_id Nullable(String),
        received_at DateTime64(3, 'UTC'),
        sent_at Nullable(DateTime64(3, 'UTC')),
        properties String,
        traits String,
        context String,
        integrations String DEFAULT '{{}}'
    ) ENGINE = MergeTree
    ORDER BY (workspace_id, identity_id, timestamp)
    """,
    ),
    (
        2,
        f"""
    CREATE TABLE IF NOT EXISTS {DATABASE}.identity_profiles (
        workspace_id LowCardinality(String),
        identity_id UInt64,
        profile_id UInt64,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (workspace_id, identity_id)
    """,
    ),
)

EVENT_COLUMNS = (
    "workspace_id, identity_id, profile_id, timestamp, message_id, type, event, name, "
    "channel, source_id, user_id, anonymous_id, received_at, sent_at, properties, "
    "traits, context, integrations"
)

INSERT_EVENTS = (
    f"INSERT INTO {DATABASE}.events ({EVENT_COLUMNS}) FORMAT JSONCompactEachRow\n"
)

INSERT_IDENTITY_PROFILES = (
    f"INSERT INTO {DATABASE}.identity_profiles "
    "(workspace_id, identity_id, profile_id, version) FORMAT JSONCompactEachRow\n"
)

EXISTING_MESSAGE_IDS = f"""
SELECT DISTINCT message_id FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}} AND message_id IN {{ids:Array(String)}}
"""

DELETE_MESSAGES = f"""
DELETE FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}} AND message_id IN {{ids:Array(String)}}
"""

_TIMELINE_SELECT = f"""
SELECT message_id, type, event, name, channel, source_id, user_id, anonymous_id,
       toUnixTimestamp64Milli(timestamp) AS ts_ms,
       toUnixTimestamp64Milli(received_at) AS received_ms,
       properties, traits, context, integrations
FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}} AND identity_id IN {{ids:Array(UInt64)}}
"""

TIMELINE = (
    _TIMELINE_SELECT + "ORDER BY timestamp DESC, message_id DESC LIMIT {limit:UInt32}"
)

TIMELINE_AFTER_CURSOR = (
    _TIMELINE_SELECT
    + """AND (toUnixTimestamp64Milli(timestamp) < {ts:Int64}
     OR (toUnixTimestamp64Milli(timestamp) = {ts:Int64} AND message_id < {mid:String}))
ORDER BY timestamp DESC, message_id DESC LIMIT {limit:UInt32}"""
)

PROFILE_ACTIVITY = f"""
SELECT channel, count() AS events,
       toUnixTimestamp64Milli(min(timestamp)) AS first_ms,
       toUnixTimestamp64Milli(max(timestamp)) AS last_ms
FROM {DATABASE}.events
WHERE workspace_id = {{ws:String}} AND identity_id IN {{ids:Array(UInt64)}}
GROUP BY channel ORDER BY events DESC, channel
"""

WORKSPACE_STATS = f"""
SELECT count() AS events,
       uniqExact(channel) AS channels,
       toUnixTimestamp64Milli(min(timestamp)) AS first_ms,
       toUnixTimestamp64Milli(max(timestamp)) AS last_ms
FROM {DATABASE}.events WHERE workspace_id = {{ws:String}}
"""

_PER_CHANNEL = """
SELECT {bucket}(timestamp) AS bucket, channel, count() AS events
FROM {db}.events WHERE workspace_id = {{ws:String}}
GROUP BY bucket, channel ORDER BY bucket, channel
"""

EVENTS_PER_CHANNEL_DAY = _PER_CHANNEL.format(bucket="toDate", db=DATABASE)
EVENTS_PER_CHANNEL_HOUR = _PER_CHANNEL.format(bucket="toStartOfHour", db=DATABASE)

COUNT_ALL = f"SELECT count() AS events FROM {DATABASE}.events"
