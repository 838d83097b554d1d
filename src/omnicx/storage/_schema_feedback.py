"""Feedback state tables (surveys, invitations, responses, triggers, survey consent)
on the shared ``metadata``. Migration ``0002_feedback`` creates them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from omnicx.storage._schema import metadata

surveys = Table(
    "surveys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(40), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("template", String(20), nullable=False),
    Column("definition", Text, nullable=False),  # JSON: questions, languages, texts
    Column("store_token", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

survey_invitations = Table(
    "survey_invitations",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("survey_id", String(40), nullable=False),
    Column("profile_id", BigInteger, nullable=True),
    Column("identity_type", String(40), nullable=False),
    Column("identity_value", Text, nullable=False),
    Column("channel", String(40), nullable=False),
    Column("language", String(20), nullable=False),
    Column("touchpoint", String(240), nullable=True),
    Column("stage", String(40), nullable=True),
    Column("trigger_id", String(40), nullable=True),
    Column("trigger_message_id", String(200), nullable=True),
    # scheduled | sending | sent | failed | no_connector | suppressed
    Column("status", String(20), nullable=False),
    Column("error", Text, nullable=True),
    Column("provider_id", String(200), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("due_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger, nullable=True),
    Column("answered_at", BigInteger, nullable=True),
    Index("ix_invitations_survey", "workspace_id", "survey_id"),
    Index("ix_invitations_due", "status", "due_at"),
    Index("ix_invitations_profile", "workspace_id", "profile_id", "due_at"),
    Index("ix_invitations_identity", "workspace_id", "identity_type", "identity_value"),
)

survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(40), nullable=False),
    Column("survey_id", String(40), nullable=False),
    Column("invitation", String(64), nullable=False, unique=True),
    Column("channel", String(40), nullable=False),
    Column("language", String(20), nullable=False),
    Column("score", Integer, nullable=True),
    Column("comment", Text, nullable=True),
    Column("answers", Text, nullable=False),  # JSON object
    Column("complete", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("message_id", String(200), nullable=True),
    Index("ix_responses_survey", "workspace_id", "survey_id", "created_at"),
)

survey_triggers = Table(
    "survey_triggers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(40), nullable=False, index=True),
    Column("survey_id", String(40), nullable=False),
    Column("kind", String(20), nullable=False),  # event | schedule
    Column("definition", Text, nullable=False),  # JSON
    Column("next_run_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

survey_consent = Table(
    "survey_consent",
    metadata,
    Column("workspace_id", String(40), nullable=False),
    Column("profile_id", BigInteger, nullable=False),
    Column("channel", String(40), nullable=False),  # "*" = every channel
    Column("allowed", Integer, nullable=False),
    Column("at", BigInteger, nullable=False),
    UniqueConstraint("workspace_id", "profile_id", "channel", name="uq_consent"),
)
