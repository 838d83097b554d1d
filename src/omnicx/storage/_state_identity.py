"""The identity graph's batch reads and writes on the state store (the processor's
hot path: dedup marks, identity lookups, identity sets, merges, traits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import Engine

from omnicx.storage import _schema as t
from omnicx.storage._driver_sql import (
    BIG_CHUNK,
    chunks,
    executemany,
    placeholder,
    select_in,
)
from omnicx.storage._time import now_ms


class IdentityStateMixin:
    """Mixed into ``StateStore``; needs ``self.engine``."""

    engine: Engine

    def max_ids(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            identity = conn.execute(select(func.max(t.identities.c.id))).scalar()
            profile = conn.execute(select(func.max(t.profiles.c.id))).scalar()
        return identity or 0, profile or 0

    @staticmethod
    def unseen_message_ids(
        conn: Connection, workspace_id: str, message_ids: Sequence[str]
    ) -> set[str]:
        seen: set[str] = set()
        for chunk in chunks(list(message_ids), BIG_CHUNK):
            rows = select_in(
                conn,
                "SELECT message_id FROM seen_messages WHERE workspace_id = {mark} "
                "AND message_id IN ({marks})",
                (workspace_id,),
                chunk,
            )
            seen.update(row[0] for row in rows)
        return set(message_ids) - seen

    @staticmethod
    def mark_seen(
        conn: Connection, workspace_id: str, message_ids: Iterable[str]
    ) -> None:
        executemany(
            conn,
            "INSERT INTO seen_messages (workspace_id, message_id) VALUES ({})",
            [(workspace_id, m) for m in message_ids],
        )

    @staticmethod
    def identities_by_key(
        conn: Connection, workspace_id: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """``(type, value) -> (identity id, profile id)`` for the known ones."""
        found: dict[tuple[str, str], tuple[int, int]] = {}
        by_type: dict[str, list[str]] = {}
        for identity_type, value in keys:
            by_type.setdefault(identity_type, []).append(value)
        for identity_type, values in by_type.items():
            for chunk in chunks(values, BIG_CHUNK):
                rows = select_in(
                    conn,
                    "SELECT value, id, profile_id FROM identities WHERE workspace_id "
                    "= {mark} AND type = {mark} AND value IN ({marks})",
                    (workspace_id, identity_type),
                    chunk,
                )
                for value, identity, profile in rows:
                    found[(identity_type, value)] = (identity, profile)
        return found

    @staticmethod
    def members_of(
        conn: Connection, profile_ids: Sequence[int]
    ) -> list[tuple[int, str, str, int]]:
        """``(profile id, type, value, identity id)`` of every identity on them."""
        out: list[tuple[int, str, str, int]] = []
        for chunk in chunks(list(profile_ids), BIG_CHUNK):
            out.extend(
                select_in(
                    conn,
                    "SELECT profile_id, type, value, id FROM identities "
                    "WHERE profile_id IN ({marks})",
                    (),
                    chunk,
                )
            )
        return out

    @staticmethod
    def split_pairs_of(
        conn: Connection, profile_ids: Sequence[int]
    ) -> list[tuple[int, int]]:
        c = t.split_blocks.c
        pairs: list[tuple[int, int]] = []
        for chunk in chunks(list(profile_ids), BIG_CHUNK):
            rows = conn.execute(
                select(c.profile_a, c.profile_b).where(
                    c.profile_a.in_(chunk) | c.profile_b.in_(chunk)
                )
            )
            pairs.extend((r.profile_a, r.profile_b) for r in rows)
        return pairs

    @staticmethod
    def apply_identity_changes(
        conn: Connection,
        workspace_id: str,
        new_profiles: Sequence[int],
        new_identities: Sequence[tuple[int, str, str, str, int, int, int]],
        moved_identities: Sequence[tuple[int, int]],
        seen_range: Sequence[tuple[int, int, int]],
        merges: Sequence[dict[str, Any]],
    ) -> None:
        created = now_ms()
        executemany(
            conn,
            "INSERT INTO profiles (id, workspace_id, created_at) VALUES ({})",
            [(p, workspace_id, created) for p in new_profiles],
        )
        executemany(
            conn,
            "INSERT INTO identities (id, workspace_id, type, value, profile_id, "
            "first_seen, last_seen) VALUES ({})",
            new_identities,
        )
        mark = placeholder(conn)
        if moved_identities:
            conn.exec_driver_sql(
                f"UPDATE identities SET profile_id = {mark} WHERE id = {mark}",
                [(p, i) for i, p in moved_identities],
            )
        if seen_range:
            least, greatest = (
                ("MIN", "MAX")
                if conn.dialect.name == "sqlite"
                else ("LEAST", "GREATEST")
            )
            conn.exec_driver_sql(
                f"UPDATE identities SET first_seen = {least}(first_seen, {mark}), "
                f"last_seen = {greatest}(last_seen, {mark}) WHERE id = {mark}",
                [(f, last, i) for i, f, last in seen_range],
            )
        if merges:
            executemany(
                conn,
                "INSERT INTO merges (workspace_id, survivor_id, merged_id, "
                "identity_ids, linking_identity, message_id, at) VALUES ({})",
                [
                    (
                        m["workspace_id"],
                        m["survivor_id"],
                        m["merged_id"],
                        m["identity_ids"],
                        m["linking_identity"],
                        m["message_id"],
                        m["at"],
                    )
                    for m in merges
                ],
            )
            pairs = [(m["survivor_id"], m["merged_id"]) for m in merges]
            conn.exec_driver_sql(
                f"UPDATE profiles SET merged_into = {mark} WHERE id = {mark}", pairs
            )
            conn.exec_driver_sql(
                f"UPDATE profiles SET merged_into = {mark} "
                f"WHERE workspace_id = {mark} AND merged_into = {mark}",
                [(survivor, workspace_id, merged) for survivor, merged in pairs],
            )

    @staticmethod
    def upsert_traits(conn: Connection, rows: Sequence[tuple]) -> None:
        """Keep the newest value (by event time) of each trait per identity.

        Rows: ``(identity_id, key, workspace_id, value_json, source_id, channel, ts,
        message_id)``.
        """
        executemany(
            conn,
            "INSERT INTO trait_values (identity_id, key, workspace_id, value, "
            "source_id, channel, ts, message_id) VALUES ({}) "
            "ON CONFLICT (identity_id, key) DO UPDATE SET value = excluded.value, "
            "source_id = excluded.source_id, channel = excluded.channel, "
            "ts = excluded.ts, message_id = excluded.message_id "
            "WHERE excluded.ts >= trait_values.ts",
            rows,
        )
