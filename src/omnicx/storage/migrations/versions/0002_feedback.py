"""Feedback: surveys, invitations, responses, triggers, survey consent.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = sa.String
B = sa.BigInteger
T = sa.Text


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False, index=True),
        sa.Column("name", S(200), nullable=False),
        sa.Column("template", S(20), nullable=False),
        sa.Column("definition", T, nullable=False),
        sa.Column("store_token", S(64), nullable=False, unique=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("updated_at", B, nullable=False),
    )
    op.create_table(
        "survey_invitations",
        sa.Column("token", S(64), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("survey_id", S(40), nullable=False),
        sa.Column("profile_id", B, nullable=True),
        sa.Column("identity_type", S(40), nullable=False),
        sa.Column("identity_value", T, nullable=False),
        sa.Column("channel", S(40), nullable=False),
        sa.Column("language", S(20), nullable=False),
        sa.Column("touchpoint", S(240), nullable=True),
        sa.Column("stage", S(40), nullable=True),
        sa.Column("trigger_id", S(40), nullable=True),
        sa.Column("trigger_message_id", S(200), nullable=True),
        sa.Column("status", S(20), nullable=False),
        sa.Column("error", T, nullable=True),
        sa.Column("provider_id", S(200), nullable=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("due_at", B, nullable=False),
        sa.Column("sent_at", B, nullable=True),
        sa.Column("answered_at", B, nullable=True),
    )
    op.create_index(
        "ix_invitations_survey", "survey_invitations", ["workspace_id", "survey_id"]
    )
    op.create_index("ix_invitations_due", "survey_invitations", ["status", "due_at"])
    op.create_index(
        "ix_invitations_profile",
        "survey_invitations",
        ["workspace_id", "profile_id", "due_at"],
    )
    op.create_index(
        "ix_invitations_identity",
        "survey_invitations",
        ["workspace_id", "identity_type", "identity_value"],
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("survey_id", S(40), nullable=False),
        sa.Column("invitation", S(64), nullable=False, unique=True),
        sa.Column("channel", S(40), nullable=False),
        sa.Column("language", S(20), nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("comment", T, nullable=True),
        sa.Column("answers", T, nullable=False),
        sa.Column("complete", sa.Integer, nullable=False),
        sa.Column("created_at", B, nullable=False),
        sa.Column("updated_at", B, nullable=False),
        sa.Column("message_id", S(200), nullable=True),
    )
    op.create_index(
        "ix_responses_survey",
        "survey_responses",
        ["workspace_id", "survey_id", "created_at"],
    )
    op.create_table(
        "survey_triggers",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False, index=True),
        sa.Column("survey_id", S(40), nullable=False),
        sa.Column("kind", S(20), nullable=False),
        sa.Column("definition", T, nullable=False),
        sa.Column("next_run_at", B, nullable=True),
        sa.Column("created_at", B, nullable=False),
    )
    op.create_table(
        "survey_consent",
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("profile_id", B, nullable=False),
        sa.Column("channel", S(40), nullable=False),
        sa.Column("allowed", sa.Integer, nullable=False),
        sa.Column("at", B, nullable=False),
        sa.UniqueConstraint("workspace_id", "profile_id", "channel", name="uq_consent"),
    )


def downgrade() -> None:
    for name in (
        "survey_consent",
        "survey_triggers",
        "survey_responses",
        "survey_invitations",
        "surveys",
    ):
        op.drop_table(name)
