"""All SQL of the closed loop: alert rules, firings, deliveries, cases, activity.

Rows come back as dicts with their JSON columns decoded (``when_json`` → ``when`` …).
Writes that must happen together take a ``Connection`` from ``transaction()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from omnicx.storage import _schema_closed_loop as t

_JSON_COLUMNS = {
    "when_json": "when",
    "actions_json": "actions",
    "metric_state": "metric_state",
    "event_json": "event",
    "payload_json": "payload",
    "trigger_json": "trigger",
    "resurvey_json": "resurvey",
    "data_json": "data",
}
#: Cases that still need work: the SLA clock runs, a new alert joins them.
ACTIVE_STATUSES = ("open", "assigned", "in_progress")


def _decode(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row._mapping.items():
        name = _JSON_COLUMNS.get(key)
        if name is None:
            out[key] = value
        else:
            out[name] = json.loads(value) if value else None
    return out


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class ClosedLoopState:
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
        values["when_json"] = _json(values.pop("when"))
        values["actions_json"] = _json(values.pop("actions"))
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
        return [_decode(r) for r in rows]

    def enabled_metric_rules(self) -> list[dict[str, Any]]:
        """Every workspace's enabled metric rules (the periodic check)."""
        c = t.alert_rules.c
        query = select(t.alert_rules).where(
            c.kind == "metric", c.enabled.is_(True), c.deleted_at.is_(None)
        )
        with self.engine.connect() as conn:
            return [_decode(r) for r in conn.execute(query.order_by(c.id))]

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
        return _decode(row) if row else None

    def update_rule(
        self, workspace_id: str, rule_id: str, values: dict[str, Any]
    ) -> None:
        values = {**values}
        if "when" in values:
            values["when_json"] = _json(values.pop("when"))
        if "actions" in values:
            values["actions_json"] = _json(values.pop("actions"))
        if "metric_state" in values:
            state = values["metric_state"]
            values["metric_state"] = None if state is None else _json(state)
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
        values = {**row, "event_json": _json(row["event"])}
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
        return _decode(row) if row else None

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
            found = [_decode(r) for r in conn.execute(query)]
            ids = [f["id"] for f in found]
            deliveries: dict[int, list[dict[str, Any]]] = {}
            if ids:
                rows = conn.execute(
                    select(t.alert_deliveries)
                    .where(d.firing_id.in_(ids))
                    .order_by(d.firing_id, d.action_index)
                )
                for row in rows:
                    item = _decode(row)
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
        return _decode(row) if row else None

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
                    values["payload_json"] = _json(values.pop("payload"))
                conn.execute(
                    update(t.alert_deliveries)
                    .where(t.alert_deliveries.c.id == delivery_id)
                    .values(**values)
                )

    # -- cases -------------------------------------------------------------------
    @staticmethod
    def insert_case(conn: Connection, row: dict[str, Any]) -> None:
        values = {**row, "trigger_json": _json(row["trigger"])}
        values.pop("trigger")
        conn.execute(insert(t.cases).values(**values))

    @staticmethod
    def active_case_for(
        conn: Connection, workspace_id: str, profile_id: int, rule_id: str
    ) -> str | None:
        c = t.cases.c
        return conn.execute(
            select(c.id)
            .where(
                c.workspace_id == workspace_id,
                c.profile_id == profile_id,
                c.rule_id == rule_id,
                c.status.in_(ACTIVE_STATUSES),
            )
            .order_by(c.created_at.desc())
            .limit(1)
        ).scalar()

    def cases(
        self,
        workspace_id: str,
        statuses: Sequence[str] = (),
        breached: bool | None = None,
        owner: str | None = None,
        profile_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of cases, newest first, and how many match in all."""
        c = t.cases.c
        where = [c.workspace_id == workspace_id]
        if statuses:
            where.append(c.status.in_(list(statuses)))
        if breached is not None:
            where.append(c.sla_breached.is_(breached))
        if owner is not None:
            where.append(c.owner == owner)
        if profile_id is not None:
            where.append(c.profile_id == profile_id)
        query = (
            select(t.cases)
            .where(*where)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            rows = [_decode(r) for r in conn.execute(query)]
            total = conn.execute(select(func.count()).where(*where)).scalar()
        return rows, int(total or 0)

    def case_counts(self, workspace_id: str) -> dict[str, int]:
        c = t.cases.c
        query = (
            select(c.status, func.count())
            .where(c.workspace_id == workspace_id)
            .group_by(c.status)
        )
        with self.engine.connect() as conn:
            counts = {r[0]: int(r[1]) for r in conn.execute(query)}
            breached = conn.execute(
                select(func.count()).where(
                    c.workspace_id == workspace_id,
                    c.sla_breached.is_(True),
                    c.status.in_(ACTIVE_STATUSES),
                )
            ).scalar()
        counts["breached"] = int(breached or 0)
        return counts

    def case(self, workspace_id: str, case_id: str) -> dict[str, Any] | None:
        c = t.cases.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.cases).where(c.id == case_id, c.workspace_id == workspace_id)
            ).first()
        return _decode(row) if row else None

    @staticmethod
    def update_case(
        conn: Connection,
        workspace_id: str,
        case_id: str,
        values: dict[str, Any],
        expected_status: str | None = None,
    ) -> bool:
        """Compare-and-set on the status: False when it changed meanwhile."""
        values = {**values}
        if "resurvey" in values:
            values["resurvey_json"] = _json(values.pop("resurvey"))
        c = t.cases.c
        query = update(t.cases).where(c.id == case_id, c.workspace_id == workspace_id)
        if expected_status is not None:
            query = query.where(c.status == expected_status)
        return conn.execute(query.values(**values)).rowcount == 1

    @staticmethod
    def add_activity(
        conn: Connection,
        workspace_id: str,
        case_id: str,
        kind: str,
        at: int,
        data: dict[str, Any] | None = None,
        author: str | None = None,
        text: str | None = None,
    ) -> int:
        result = conn.execute(
            insert(t.case_activity)
            .values(
                case_id=case_id,
                workspace_id=workspace_id,
                kind=kind,
                author=author,
                text=text,
                data_json=_json(data or {}),
                at=at,
            )
            .returning(t.case_activity.c.id)
        )
        return int(result.scalar_one())

    def activity(self, workspace_id: str, case_id: str) -> list[dict[str, Any]]:
        a = t.case_activity.c
        query = (
            select(t.case_activity)
            .where(a.case_id == case_id, a.workspace_id == workspace_id)
            .order_by(a.at, a.id)
        )
        with self.engine.connect() as conn:
            return [_decode(r) for r in conn.execute(query)]

    def flag_sla_breaches(self, now: int) -> list[tuple[str, str]]:
        """Mark active cases past their due time; ``(workspace, case)`` flagged."""
        c = t.cases.c
        where = (
            c.status.in_(ACTIVE_STATUSES),
            c.sla_breached.is_(False),
            c.sla_due_at < now,
        )
        with self.transaction() as conn:
            found = [
                (r[0], r[1])
                for r in conn.execute(select(c.workspace_id, c.id).where(*where))
            ]
            if found:
                conn.execute(
                    update(t.cases)
                    .where(*where, c.id.in_([case for _, case in found]))
                    .values(sla_breached=True, sla_breached_at=now, updated_at=now)
                )
                for workspace_id, case_id in found:
                    self.add_activity(conn, workspace_id, case_id, "sla_breached", now)
        return found

    def cases_by_invitation(
        self, workspace_id: str, invitations: Sequence[str]
    ) -> list[dict[str, Any]]:
        c = t.cases.c
        if not invitations:
            return []
        query = select(t.cases).where(
            c.workspace_id == workspace_id,
            c.resurvey_invitation.in_(list(invitations)),
        )
        with self.engine.connect() as conn:
            return [_decode(r) for r in conn.execute(query)]

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
