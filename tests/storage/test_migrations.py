"""Both stores migrate on open, and opening twice changes nothing."""

from __future__ import annotations

import sqlite3

from omnicx.storage import ChdbEventStore, StateStore
from omnicx.storage.sql import clickhouse


def _heads() -> list[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from omnicx.storage._migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_heads()


def test_state_schema_is_at_alembic_head_and_reopen_is_a_no_op(tmp_path):
    StateStore.in_folder(tmp_path).close()
    StateStore.in_folder(tmp_path).close()
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    applied = {row[0] for row in db.execute("SELECT version_num FROM alembic_version")}
    assert applied == set(_heads())
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"workspaces", "identities", "profiles", "merges", "seen_messages"} <= tables


def test_event_store_records_each_migration_once(tmp_path):
    store = ChdbEventStore(tmp_path / "events")
    store.close()
    store = ChdbEventStore(tmp_path / "events")
    try:
        rows = store.query_rows(clickhouse.APPLIED_MIGRATIONS)
        assert sorted(r["version"] for r in rows) == [
            v for v, _ in clickhouse.MIGRATIONS
        ]
    finally:
        store.close()
