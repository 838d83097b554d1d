"""Closed loop: alert rules, firings, deliveries, cases, case activity, watermarks.

A branch of its own off the initial schema (``_migrate`` upgrades all heads).

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

S = sa.String
B = sa.BigInteger
T = sa.Text


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("name", S(200), nullable=False),
        sa.Column("kind", S(20), nullable=False),
        sa.Column("when_json", T, nullable=False),
        sa.Column("actions_json", T, nullable=False),
        sa.Column("secret", S(100), nullable=False),
        sa.Column("sla_hours", sa.Float, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("metric_state", T, nullable=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("updated_at", B, nullable=False),
        sa.Column("deleted_at", B, nullable=True),
    )
    op.create_index(
        "ix_alert_rules_workspace", "alert_rules", ["workspace_id", "enabled"]
    )
    op.create_table(
        "alert_firings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("rule_id", S(40), nullable=False),
        sa.Column("profile_id", B, nullable=True),
        sa.Column("message_id", S(200), nullable=False),
        sa.Column("event_json", T, nullable=False),
        sa.Column("case_id", S(40), nullable=True),
        sa.Column("fired_at", B, nullable=False),
        sa.UniqueConstraint("rule_id", "message_id", name="uq_alert_firing"),
    )
    op.create_index(
        "ix_alert_firings_workspace", "alert_firings", ["workspace_id", "fired_at"]
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("firing_id", sa.Integer, nullable=False),
        sa.Column("action_index", sa.Integer, nullable=False),
        sa.Column("type", S(20), nullable=False),
        sa.Column("target", T, nullable=False),
        sa.Column("payload_json", T, nullable=True),
        sa.Column("status", S(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", T, nullable=True),
        sa.Column("next_attempt_at", B, nullable=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("updated_at", B, nullable=False),
        sa.Column("delivered_at", B, nullable=True),
    )
    op.create_index("ix_alert_deliveries_firing_id", "alert_deliveries", ["firing_id"])
    op.create_index(
        "ix_alert_deliveries_due", "alert_deliveries", ["status", "next_attempt_at"]
    )
    op.create_table(
        "cases",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("profile_id", B, nullable=False),
        sa.Column("status", S(20), nullable=False),
        sa.Column("owner", S(200), nullable=True),
        sa.Column("title", T, nullable=False),
        sa.Column("rule_id", S(40), nullable=True),
        sa.Column("firing_id", sa.Integer, nullable=True),
        sa.Column("channel", S(40), nullable=True),
        sa.Column("trigger_json", T, nullable=False),
        sa.Column("sla_hours", sa.Float, nullable=False),
        sa.Column("sla_due_at", B, nullable=False),
        sa.Column("sla_breached", sa.Boolean, nullable=False),
        sa.Column("sla_breached_at", B, nullable=True),
        sa.Column("resurvey_json", T, nullable=True),
        sa.Column("resurvey_invitation", S(200), nullable=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("updated_at", B, nullable=False),
        sa.Column("resolved_at", B, nullable=True),
        sa.Column("closed_at", B, nullable=True),
    )
    op.create_index(
        "ix_cases_workspace_status", "cases", ["workspace_id", "status", "created_at"]
    )
    op.create_index("ix_cases_profile", "cases", ["workspace_id", "profile_id"])
    op.create_index("ix_cases_resurvey_invitation", "cases", ["resurvey_invitation"])
    op.create_table(
        "case_activity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", S(40), nullable=False),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("kind", S(30), nullable=False),
        sa.Column("author", S(200), nullable=True),
        sa.Column("text", T, nullable=True),
        sa.Column("data_json", T, nullable=False),
        sa.Column("at", B, nullable=False),
    )
    op.create_index("ix_case_activity_case_id", "case_activity", ["case_id"])
    op.create_table(
        "alert_watermarks",
        sa.Column("workspace_id", S(40), primary_key=True),
        sa.Column("received_at", B, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "alert_watermarks",
        "case_activity",
        "cases",
        "alert_deliveries",
        "alert_firings",
        "alert_rules",
    ):
        op.drop_table(name)
