"""State tables of the closed loop: alert rules, firings, action deliveries, cases.

Declared on the shared ``metadata`` of ``_schema``; migration ``0003_closed_loop``
creates them. Times are epoch milliseconds; free-form parts are JSON text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from omnicx.storage._schema import metadata

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # event | metric
    Column("when_json", Text, nullable=False),
    Column("actions_json", Text, nullable=False),
    Column("secret", String(100), nullable=False),  # HMAC key for webhooks
    Column("sla_hours", Float, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("metric_state", Text, nullable=True),  # JSON: firing, last values
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("deleted_at", BigInteger, nullable=True),
    Index("ix_alert_rules_workspace", "workspace_id", "enabled"),
)

alert_firings = Table(
    "alert_firings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(40), nullable=False),
    Column("rule_id", String(40), nullable=False),
    Column("profile_id", BigInteger, nullable=True),
    Column("message_id", String(200), nullable=False),  # trigger (or metric key)
    Column("event_json", Text, nullable=False),
    Column("case_id", String(40), nullable=True),
    Column("fired_at", BigInteger, nullable=False),
    UniqueConstraint("rule_id", "message_id", name="uq_alert_firing"),
    Index("ix_alert_firings_workspace", "workspace_id", "fired_at"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(40), nullable=False),
    Column("firing_id", Integer, nullable=False, index=True),
    Column("action_index", Integer, nullable=False),
    Column("type", String(20), nullable=False),  # webhook | email
    Column("target", Text, nullable=False),  # URL or address
    Column("payload_json", Text, nullable=True),  # built at the first attempt
    Column("status", String(20), nullable=False),  # pending|retrying|sent|dead|...
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger, nullable=True),
    Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("profile_id", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("owner", String(200), nullable=True),
    Column("title", Text, nullable=False),
    Column("rule_id", String(40), nullable=True),
    Column("firing_id", Integer, nullable=True),
    Column("channel", String(40), nullable=True),  # where the trigger came from
    Column("trigger_json", Text, nullable=False),  # the triggering event
    Column("sla_hours", Float, nullable=False),
    Column("sla_due_at", BigInteger, nullable=False),
    Column("sla_breached", Boolean, nullable=False, default=False),
    Column("sla_breached_at", BigInteger, nullable=True),
    Column("resurvey_json", Text, nullable=True),  # invitation + linked answer
    Column("resurvey_invitation", String(200), nullable=True, index=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=True),
    Column("closed_at", BigInteger, nullable=True),
    Index("ix_cases_workspace_status", "workspace_id", "status", "created_at"),
    Index("ix_cases_profile", "workspace_id", "profile_id"),
)

case_activity = Table(
    "case_activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(40), nullable=False, index=True),
    Column("workspace_id", String(40), nullable=False),
    Column("kind", String(30), nullable=False),  # opened|status|owner|note|...
    Column("author", String(200), nullable=True),
    Column("text", Text, nullable=True),
    Column("data_json", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
)

alert_watermarks = Table(
    "alert_watermarks",
    metadata,
    Column("workspace_id", String(40), primary_key=True),
    Column("received_at", BigInteger, nullable=False),  # evaluated up to here
)
