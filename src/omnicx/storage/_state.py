"""The state store: workspaces, credentials, the identity graph, traits, ingest state.

SQLite (WAL) by default, through SQLAlchemy Core so PostgreSQL can take its place.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from omnicx.errors import ConflictError, NotFoundError
from omnicx.storage import _schema as t
from omnicx.storage._migrate import upgrade_state_schema
from omnicx.storage._state_identity import IdentityStateMixin
from omnicx.storage._state_profiles import ProfileStateMixin
from omnicx.storage._time import now_ms


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Source:
    id: str
    workspace_id: str
    name: str
    write_key: str
    default_channel: str | None


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    created_at: int
    config: dict[str, Any]


@dataclass(frozen=True)
class NewWorkspace:
    workspace: Workspace
    source: Source
    admin_token: str


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


class StateStore(IdentityStateMixin, ProfileStateMixin):
    """Typed access to the state tables. Only this class writes state SQL."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade_state_schema(self.engine)

    @classmethod
    def in_folder(cls, folder: Path) -> StateStore:
        folder.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{folder / 'state.sqlite3'}")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- workspaces, sources, tokens -------------------------------------------
    def create_workspace(
        self, name: str, default_channel: str | None = None
    ) -> NewWorkspace:
        name = name.strip()
        created = now_ms()
        workspace = Workspace("ws_" + secrets.token_hex(6), name, created, {})
        source = Source(
            "src_" + secrets.token_hex(6),
            workspace.id,
            "default",
            "wk_" + secrets.token_urlsafe(24),
            default_channel,
        )
        token = "adm_" + secrets.token_urlsafe(32)
        with self.transaction() as conn:
            exists = conn.execute(
                select(t.workspaces.c.id).where(t.workspaces.c.name == name)
            ).first()
            if exists:
                raise ConflictError(
                    f"a workspace named {name!r} already exists; pick another name"
                )
            conn.execute(
                insert(t.workspaces).values(
                    id=workspace.id, name=name, created_at=created, config="{}"
                )
            )
            self._insert_source(conn, source, created)
            conn.execute(
                insert(t.admin_tokens).values(
                    token_hash=_hash_token(token),
                    workspace_id=workspace.id,
                    created_at=created,
                )
            )
        return NewWorkspace(workspace, source, token)

    @staticmethod
    def _insert_source(conn: Connection, source: Source, created: int) -> None:
        conn.execute(
            insert(t.sources).values(
                id=source.id,
                workspace_id=source.workspace_id,
                name=source.name,
                write_key=source.write_key,
                default_channel=source.default_channel,
                created_at=created,
            )
        )

    def create_source(
        self, workspace_id: str, name: str, default_channel: str | None
    ) -> Source:
        source = Source(
            "src_" + secrets.token_hex(6),
            workspace_id,
            name,
            "wk_" + secrets.token_urlsafe(24),
            default_channel,
        )
        with self.transaction() as conn:
            self._insert_source(conn, source, now_ms())
        return source

    def sources(self, workspace_id: str) -> list[Source]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.sources).where(t.sources.c.workspace_id == workspace_id)
            ).all()
        return [self._source(row) for row in rows]

    @staticmethod
    def _source(row: Any) -> Source:
        return Source(
            row.id, row.workspace_id, row.name, row.write_key, row.default_channel
        )

    def source_by_write_key(self, write_key: str) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.sources).where(t.sources.c.write_key == write_key)
            ).first()
        return self._source(row) if row else None

    def create_admin_token(self, workspace_id: str) -> str:
        token = "adm_" + secrets.token_urlsafe(32)
        with self.transaction() as conn:
            conn.execute(
                insert(t.admin_tokens).values(
                    token_hash=_hash_token(token),
                    workspace_id=workspace_id,
                    created_at=now_ms(),
                )
            )
        return token

    def revoke_admin_token(self, token: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                t.admin_tokens.delete().where(
                    t.admin_tokens.c.token_hash == _hash_token(token)
                )
            )

    def workspace_for_token(self, token: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(t.admin_tokens.c.workspace_id).where(
                    t.admin_tokens.c.token_hash == _hash_token(token)
                )
            ).scalar()

    def workspace(self, workspace_id: str) -> Workspace:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.workspaces).where(t.workspaces.c.id == workspace_id)
            ).first()
        if row is None:
            raise NotFoundError(f"workspace {workspace_id!r} does not exist")
        return Workspace(row.id, row.name, row.created_at, json.loads(row.config))

    def workspace_by_name(self, name: str) -> Workspace:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.workspaces.c.id).where(t.workspaces.c.name == name.strip())
            ).first()
        if row is None:
            raise NotFoundError(
                f"no workspace named {name!r}; create it with "
                f"`omnicx workspace create --name {name!r}`"
            )
        return self.workspace(row.id)

    def workspaces(self) -> list[Workspace]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.workspaces).order_by(t.workspaces.c.name))
            return [
                Workspace(r.id, r.name, r.created_at, json.loads(r.config))
                for r in rows
            ]

    def set_workspace_config(self, workspace_id: str, config: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(t.workspaces)
                .where(t.workspaces.c.id == workspace_id)
                .values(config=json.dumps(config))
            )

    # -- ingest bookkeeping ----------------------------------------------------
    @staticmethod
    def insert_rejections(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            conn.execute(insert(t.rejected_events), list(rows))

    def rejections(
        self, workspace_id: str, limit: int, before_id: int | None
    ) -> list[dict[str, Any]]:
        query = select(t.rejected_events).where(
            t.rejected_events.c.workspace_id == workspace_id
        )
        if before_id is not None:
            query = query.where(t.rejected_events.c.id < before_id)
        query = query.order_by(t.rejected_events.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def get_processing_value(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(t.processing_state.c.value).where(
                    t.processing_state.c.key == key
                )
            ).scalar()

    @staticmethod
    def set_processing_value(conn: Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute(
                t.processing_state.delete().where(t.processing_state.c.key == key)
            )
            return
        statement = sqlite_insert(t.processing_state).values(key=key, value=value)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"value": statement.excluded.value}
            )
        )

    def put_processing_value(self, key: str, value: str | None) -> None:
        with self.transaction() as conn:
            self.set_processing_value(conn, key, value)
