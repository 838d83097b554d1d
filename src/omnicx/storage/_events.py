"""The event store: embedded ClickHouse (chdb) MergeTree tables in the data folder.

All SQL text for events lives in ``sql/clickhouse.py`` so a ClickHouse server backend
can run the very same statements.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from omnicx.errors import StorageError
from omnicx.storage.sql import clickhouse as sql

_json = msgspec.json.Decoder()
_encode = msgspec.json.Encoder().encode


def _ch_time(ms: int | None) -> str | None:
    """Milliseconds since the epoch as ClickHouse reads DateTime64(3) text."""
    if ms is None:
        return None
    return f"{ms // 1000}.{ms % 1000:03d}"


def array_param(values: Iterable[str | int]) -> str:
    """An array query parameter in ClickHouse's text form (``['a','b']``, ``[1,2]``)."""
    parts = []
    for value in values:
        if isinstance(value, int):
            parts.append(str(value))
        else:
            escaped = value.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"'{escaped}'")
    return "[" + ",".join(parts) + "]"


class EventRow(msgspec.Struct, array_like=True, gc=False):
    """One row of ``events`` in insert column order (``sql.EVENT_COLUMNS``)."""

    workspace_id: str
    identity_id: int
    profile_id: int
    timestamp: str
    message_id: str
    type: str
    event: str
    name: str
    channel: str
    source_id: str
    user_id: str | None
    anonymous_id: str | None
    received_at: str
    sent_at: str | None
    properties: str
    traits: str
    context: str
    integrations: str


class ChdbEventStore:
    """Events in chdb. One instance per process (chdb allows one open path)."""

    def __init__(self, path: Path) -> None:
        import chdb.session

        path.mkdir(parents=True, exist_ok=True)
        try:
            self._session = chdb.session.Session(str(path))
        except Exception as exc:  # chdb raises plain RuntimeError variants
            raise StorageError(
                f"cannot open the event store at {path}: {exc}. Another process may "
                "hold it; stop it or use another --data folder"
            ) from exc
        self._path = path
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[Any] = [self._session]
        self._local.session = self._session
        for statement in sql.SESSION_SETTINGS + sql.BOOTSTRAP:
            self._execute(statement)
        self._migrate()

    def _migrate(self) -> None:
        """Apply numbered schema migrations not applied yet, in order."""
        applied = {r["version"] for r in self.query_rows(sql.APPLIED_MIGRATIONS)}
        for version, statement in sql.MIGRATIONS:
            if version not in applied:
                self._execute(statement)
                self._execute(sql.RECORD_MIGRATION, {"version": version})

    def close(self) -> None:
        with self._lock:
            for session in reversed(self._sessions):
                session.close()
            self._sessions.clear()

    # -- low level -------------------------------------------------------------
    def _thread_session(self) -> Any:
        """This thread's own chdb session on the same path.

        A chdb session shares query parameters between the threads that use it (two
        concurrent parameterised reads can swap values), so each thread gets its own
        session: reads never wait behind the processor's inserts or each other.
        """
        session = getattr(self._local, "session", None)
        if session is None:
            import chdb.session

            with self._lock:
                session = chdb.session.Session(str(self._path))
                self._sessions.append(session)
            for statement in sql.SESSION_SETTINGS:
                session.query(statement)
            self._local.session = session
        return session

    def _execute(self, statement: str, params: dict[str, Any] | None = None) -> bytes:
        session = self._thread_session()
        try:
            result = session.query(statement, "JSONEachRow", params=params)
        except Exception as exc:
            raise StorageError(f"event store query failed: {exc}") from exc
        return result.bytes()

    def query_rows(
        self, statement: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        data = self._execute(statement, params)
        return [_json.decode(line) for line in data.splitlines() if line]

    # -- writing ---------------------------------------------------------------
    @staticmethod
    def row(
        event: Any, identity_id: int, profile_id: int
    ) -> EventRow:  # event: contracts.Event
        return EventRow(
            event.workspace_id,
            identity_id,
            profile_id,
            _ch_time(event.timestamp),  # type: ignore[arg-type]
            event.message_id,
            event.type,
            event.event,
            event.name,
            event.channel,
            event.source_id,
            event.user_id,
            event.anonymous_id,
            _ch_time(event.received_at),  # type: ignore[arg-type]
            _ch_time(event.sent_at),
            event.properties,
            event.traits,
            event.context,
            event.integrations or "{}",
        )

    def insert_events(self, rows: Sequence[EventRow]) -> None:
        if rows:
            body = b"\n".join(_encode(r) for r in rows).decode()
            self._execute(sql.INSERT_EVENTS + body)

    def upsert_identity_profiles(
        self, workspace_id: str, mapping: Iterable[tuple[int, int]], version: int
    ) -> None:
        lines = [
            _encode([workspace_id, identity_id, profile_id, version])
            for identity_id, profile_id in mapping
        ]
        if lines:
            self._execute(sql.INSERT_IDENTITY_PROFILES + b"\n".join(lines).decode())

    def delete_workspace_messages(self, workspace_id: str, ids: Sequence[str]) -> None:
        self._execute(
            sql.DELETE_MESSAGES, {"ws": workspace_id, "ids": array_param(ids)}
        )

    # -- reading ---------------------------------------------------------------
    def existing_message_ids(self, workspace_id: str, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        rows = self.query_rows(
            sql.EXISTING_MESSAGE_IDS, {"ws": workspace_id, "ids": array_param(ids)}
        )
        return {r["message_id"] for r in rows}

    def timeline(
        self,
        workspace_id: str,
        identity_ids: Sequence[int],
        limit: int,
        before: tuple[int, str] | None,
    ) -> list[dict[str, Any]]:
        """Newest first; ``before`` is the ``(timestamp_ms, message_id)`` cursor."""
        params: dict[str, Any] = {
            "ws": workspace_id,
            "ids": array_param(identity_ids),
            "limit": limit,
            "ts": before[0] if before else 2**62,
            "mid": before[1] if before else "",
        }
        statement = sql.TIMELINE_AFTER_CURSOR if before else sql.TIMELINE
        return self.query_rows(statement, params)

    def profile_activity(
        self, workspace_id: str, identity_ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        return self.query_rows(
            sql.PROFILE_ACTIVITY, {"ws": workspace_id, "ids": array_param(identity_ids)}
        )

    def workspace_stats(self, workspace_id: str) -> dict[str, Any]:
        rows = self.query_rows(sql.WORKSPACE_STATS, {"ws": workspace_id})
        return rows[0] if rows else {"events": 0}

    def events_per_channel(
        self, workspace_id: str, bucket: str = "day"
    ) -> list[dict[str, Any]]:
        statement = (
            sql.EVENTS_PER_CHANNEL_DAY
            if bucket == "day"
            else sql.EVENTS_PER_CHANNEL_HOUR
        )
        return self.query_rows(statement, {"ws": workspace_id})

    def count_events(self, workspace_id: str | None = None) -> int:
        if workspace_id is None:
            return int(self.query_rows(sql.COUNT_ALL)[0]["events"])
        return int(self.workspace_stats(workspace_id).get("events", 0))
