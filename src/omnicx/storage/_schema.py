"""State tables (SQLAlchemy Core). Migrations in ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("config", Text, nullable=False, default="{}"),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("workspace_id", String(40), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("write_key", String(80), nullable=False, unique=True),
    Column("default_channel", String(40), nullable=True),
    Column("created_at", BigInteger, nullable=False),
)

admin_tokens = Table(
    "admin_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("workspace_id", String(40), nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("workspace_id", String(40), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("merged_into", BigInteger, nullable=True),
    Index("ix_profiles_workspace_active", "workspace_id", "merged_into"),
)

identities = Table(
    "identities",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("workspace_id", String(40), nullable=False),
    Column("type", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("profile_id", BigInteger, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    UniqueConstraint("workspace_id", "type", "value", name="uq_identity"),
    Index("ix_identities_profile", "profile_id"),
)

merges = Table(
    "merges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(40), nullable=False),
    Column("survivor_id", BigInteger, nullable=False, index=True),
    Column("merged_id", BigInteger, nullable=False),
    Column("identity_ids", Text, nullable=False),  # JSON list of the merged side
    Column("linking_identity", Text, nullable=True),  # JSON [type, value]
    Column("message_id", String(200), nullable=True),
    Column("at", BigInteger, nullable=False),
    Column("undone_at", BigInteger, nullable=True),
)

split_blocks = Table(
    "split_blocks",
    metadata,
    Column("profile_a", BigInteger, primary_key=True),
    Column("profile_b", BigInteger, primary_key=True),
    Column("workspace_id", String(40), nullable=False),
)

trait_values = Table(
    "trait_values",
    metadata,
    Column("identity_id", BigInteger, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("workspace_id", String(40), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("source_id", String(40), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("message_id", String(200), nullable=False),
)

seen_messages = Table(
    "seen_messages",
    metadata,
    Column("workspace_id", String(40), primary_key=True),
    Column("message_id", String(200), primary_key=True),
    sqlite_with_rowid=False,
)

rejected_events = Table(
    "rejected_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", String(40), nullable=False, index=True),
    Column("source_id", String(40), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("batch_index", Integer, nullable=True),
    Column("field", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("payload", Text, nullable=False),
)

processing_state = Table(
    "processing_state",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
