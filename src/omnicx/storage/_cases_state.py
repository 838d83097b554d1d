"""The closed loop's case SQL: cases, their activity, SLA flags, re-survey links.

Also the row helpers every closed-loop table shares (JSON columns decoded).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
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


def decode_row(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row._mapping.items():
        name = _JSON_COLUMNS.get(key)
        if name is None:
            out[key] = value
        else:
            out[name] = json.loads(value) if value else None
    return out


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CaseStateMixin:
    """Mixed into ``ClosedLoopState``; needs ``self.engine``."""

    engine: Engine

    @staticmethod
    def insert_case(conn: Connection, row: dict[str, Any]) -> None:
        values = {**row, "trigger_json": json_text(row["trigger"])}
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
            rows = [decode_row(r) for r in conn.execute(query)]
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
        return decode_row(row) if row else None

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
            values["resurvey_json"] = json_text(values.pop("resurvey"))
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
                data_json=json_text(data or {}),
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
            return [decode_row(r) for r in conn.execute(query)]

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
            return [decode_row(r) for r in conn.execute(query)]
