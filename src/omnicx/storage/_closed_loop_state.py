"""All SQL of the closed loop: alert rules, firings, deliveries, cases, activity.

Rows come back as dicts with their JSON columns decoded (``when_json`` → ``when`` …).
Writes that must happen together take a ``Connection`` from ``transaction()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from omnicx.storage import _schema_closed_loop as t
from omnicx.storage._cases_state import (
    ACTIVE_STATUSES,
    CaseStateMixin,
    decode_row,
    json_text,
)

__all__ = ["ACTIVE_STATUSES", "ClosedLoopState"]


class ClosedLoopState(CaseStateMixin):
    """Typed access to the closed-loop tables over the state store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- rules -------------------------------------------------------------------
    def insert_rule(self, row: dict[str, Any]) -> None:
        values = {**row}
        values["when_json"] = json_text(values.pop("when"))
        values["actions_json"] = json_text(values.pop("actions"))
        with self.transaction() as conn:
            conn.execute(insert(t.alert_rules).values(**values))

    def rules(
        self, workspace_id: str, kind: str | None = None, enabled_only: bool = False
    ) -> list[dict[str, Any]]:
        c = t.alert_rules.c
        query = select(t.alert_rules).where(
            c.workspace_id == workspace_id, c.deleted_at.is_(None)
        )
        if kind is not None:
            query = query.where(c.kind == kind)
        if enabled_only:
            query = query.where(c.enabled.is_(True))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.created_at, c.id)).all()
        return [decode_row(r) for r in rows]

    def enabled_metric_rules(self) -> list[dict[str, Any]]:
        """Every workspace's enabled metric rules (the periodic check)."""
        c = t.alert_rules.c
        query = select(t.alert_rules).where(
            c.kind == "metric", c.enabled.is_(True), c.deleted_at.is_(None)
        )
        with self.engine.connect() as conn:
            return [decode_row(r) for r in conn.execute(query.order_by(c.id))]

    def rule(self, workspace_id: str, rule_id: str) -> dict[str, Any] | None:
        c = t.alert_rules.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.alert_rules).where(
                    c.id == rule_id,
                    c.workspace_id == workspace_id,
                    c.deleted_at.is_(None),
                )
            ).first()
        return decode_row(row) if row else None

    def update_rule(
        self, workspace_id: str, rule_id: str, values: dict[str, Any]
    ) -> None:
        values = {**values}
        if "when" in values:
            values["when_json"] = json_text(values.pop("when"))
        if "actions" in values:
            values["actions_json"] = json_text(values.pop("actions"))
        if "metric_state" in values:
            state = values["metric_state"]
            values["metric_state"] = None if state is None else json_text(state)
        c = t.alert_rules.c
        with self.transaction() as conn:
            conn.execute(
                update(t.alert_rules)
                .where(c.id == rule_id, c.workspace_id == workspace_id)
                .values(**values)
            )

    def firing_stats(self, workspace_id: str) -> dict[str, tuple[int, int]]:
        """``rule id -> (firings, last fired at)``."""
        c = t.alert_firings.c
        query = (
            select(c.rule_id, func.count(), func.max(c.fired_at))
            .where(c.workspace_id == workspace_id)
            .group_by(c.rule_id)
        )
        with self.engine.connect() as conn:
            return {r[0]: (int(r[1]), int(r[2])) for r in conn.execute(query)}

    # -- firings -----------------------------------------------------------------
    @staticmethod
    def insert_firing(conn: Connection, row: dict[str, Any]) -> int | None:
        """The new firing's id, or None when this rule already fired on it."""
        values = {**row, "event_json": json_text(row["event"])}
        values.pop("event")
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(t.alert_firings)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["rule_id", "message_id"])
            .returning(t.alert_firings.c.id)
        )
        return conn.execute(statement).scalar()

    @staticmethod
    def set_firing_case(conn: Connection, firing_id: int, case_id: str) -> None:
        conn.execute(
            update(t.alert_firings)
            .where(t.alert_firings.c.id == firing_id)
            .values(case_id=case_id)
        )

    def firing(self, firing_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.alert_firings).where(t.alert_firings.c.id == firing_id)
            ).first()
        return decode_row(row) if row else None

    def firings(
        self,
        workspace_id: str,
        rule_id: str | None,
        limit: int,
        before_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first, each with its ``deliveries``."""
        c = t.alert_firings.c
        query = select(t.alert_firings).where(c.workspace_id == workspace_id)
        if rule_id is not None:
            query = query.where(c.rule_id == rule_id)
        if before_id is not None:
            query = query.where(c.id < before_id)
        query = query.order_by(c.id.desc()).limit(limit)
        d = t.alert_deliveries.c
        with self.engine.connect() as conn:
            found = [decode_row(r) for r in conn.execute(query)]
            ids = [f["id"] for f in found]
            deliveries: dict[int, list[dict[str, Any]]] = {}
            if ids:
                rows = conn.execute(
                    select(t.alert_deliveries)
                    .where(d.firing_id.in_(ids))
                    .order_by(d.firing_id, d.action_index)
                )
                for row in rows:
                    item = decode_row(row)
                    deliveries.setdefault(item["firing_id"], []).append(item)
        for firing in found:
            firing["deliveries"] = deliveries.get(firing["id"], [])
        return found

    # -- deliveries --------------------------------------------------------------
    @staticmethod
    def insert_delivery(conn: Connection, row: dict[str, Any]) -> int:
        result = conn.execute(
            insert(t.alert_deliveries).values(**row).returning(t.alert_deliveries.c.id)
        )
        return int(result.scalar_one())

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.alert_deliveries).where(t.alert_deliveries.c.id == delivery_id)
            ).first()
        return decode_row(row) if row else None

    def due_deliveries(self, now: int, limit: int = 100) -> list[int]:
        d = t.alert_deliveries.c
        query = (
            select(d.id)
            .where(d.status.in_(("pending", "retrying")), d.next_attempt_at <= now)
            .order_by(d.next_attempt_at, d.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(r[0]) for r in conn.execute(query)]

    def claim_delivery(self, delivery_id: int, now: int, lease_ms: int) -> bool:
        """Take a due delivery for one attempt: push its next attempt past the lease
        so the retry job and the dispatcher never send it twice at once."""
        d = t.alert_deliveries.c
        with self.transaction() as conn:
            result = conn.execute(
                update(t.alert_deliveries)
                .where(
                    d.id == delivery_id,
                    d.status.in_(("pending", "retrying")),
                    d.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + lease_ms)
            )
        return result.rowcount == 1

    def update_deliveries(self, changes: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Set new column values on deliveries, all in one transaction."""
        with self.transaction() as conn:
            for delivery_id, values in changes:
                values = {**values}
                if "payload" in values:
                    values["payload_json"] = json_text(values.pop("payload"))
                conn.execute(
                    update(t.alert_deliveries)
                    .where(t.alert_deliveries.c.id == delivery_id)
                    .values(**values)
                )

    # -- evaluation watermarks -------------------------------------------------------
    def watermarks(self) -> dict[str, int]:
        """``workspace -> received_at`` (ms) up to which events were evaluated."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.alert_watermarks))
            return {r.workspace_id: int(r.received_at) for r in rows}

    def set_watermarks(self, marks: dict[str, int]) -> None:
        if not marks:
            return
        w = t.alert_watermarks
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        with self.transaction() as conn:
            for workspace_id, received_at in marks.items():
                statement = dialect.insert(w).values(
                    workspace_id=workspace_id, received_at=received_at
                )
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["workspace_id"],
                        set_={"received_at": statement.excluded.received_at},
                    )
                )
