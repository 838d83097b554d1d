"""Initial state schema: workspaces, sources, tokens, identity graph, traits, ingest.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = sa.String
B = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("name", S(200), nullable=False, unique=True),
        sa.Column("created_at", B, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
    )
    op.create_table(
        "sources",
        sa.Column("id", S(40), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False, index=True),
        sa.Column("name", S(200), nullable=False),
        sa.Column("write_key", S(80), nullable=False, unique=True),
        sa.Column("default_channel", S(40), nullable=True),
        sa.Column("created_at", B, nullable=False),
    )
    op.create_table(
        "admin_tokens",
        sa.Column("token_hash", S(64), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False, index=True),
        sa.Column("created_at", B, nullable=False),
    )
    op.create_table(
        "profiles",
        sa.Column("id", B, primary_key=True, autoincrement=False),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("created_at", B, nullable=False),
        sa.Column("merged_into", B, nullable=True),
    )
    op.create_index(
        "ix_profiles_workspace_active", "profiles", ["workspace_id", "merged_into"]
    )
    op.create_table(
        "identities",
        sa.Column("id", B, primary_key=True, autoincrement=False),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("type", S(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("profile_id", B, nullable=False),
        sa.Column("first_seen", B, nullable=False),
        sa.Column("last_seen", B, nullable=False),
        sa.UniqueConstraint("workspace_id", "type", "value", name="uq_identity"),
    )
    op.create_index("ix_identities_profile", "identities", ["profile_id"])
    op.create_table(
        "merges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("survivor_id", B, nullable=False, index=True),
        sa.Column("merged_id", B, nullable=False),
        sa.Column("identity_ids", sa.Text, nullable=False),
        sa.Column("linking_identity", sa.Text, nullable=True),
        sa.Column("message_id", S(200), nullable=True),
        sa.Column("at", B, nullable=False),
        sa.Column("undone_at", B, nullable=True),
    )
    op.create_table(
        "split_blocks",
        sa.Column("profile_a", B, primary_key=True),
        sa.Column("profile_b", B, primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False),
    )
    op.create_table(
        "trait_values",
        sa.Column("identity_id", B, primary_key=True),
        sa.Column("key", S(200), primary_key=True),
        sa.Column("workspace_id", S(40), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("source_id", S(40), nullable=False),
        sa.Column("channel", S(40), nullable=False),
        sa.Column("ts", B, nullable=False),
        sa.Column("message_id", S(200), nullable=False),
    )
    op.create_table(
        "seen_messages",
        sa.Column("workspace_id", S(40), primary_key=True),
        sa.Column("message_id", S(200), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rejected_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", S(40), nullable=False, index=True),
        sa.Column("source_id", S(40), nullable=False),
        sa.Column("received_at", B, nullable=False),
        sa.Column("batch_index", sa.Integer, nullable=True),
        sa.Column("field", S(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "processing_state",
        sa.Column("key", S(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "processing_state",
        "rejected_events",
        "seen_messages",
        "trait_values",
        "split_blocks",
        "merges",
        "identities",
        "profiles",
        "admin_tokens",
        "sources",
        "workspaces",
    ):
        op.drop_table(name)
