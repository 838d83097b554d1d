"""All SQL for the feedback tables: surveys, invitations, responses, triggers and
survey consent. Wraps the workspace's ``StateStore`` (same engine, same database)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from omnicx.errors import ConflictError
from omnicx.storage import _schema as t
from omnicx.storage import _schema_feedback as f
from omnicx.storage._state import StateStore

#: Invitation states that count as "this customer was surveyed" for fatigue.
CONTACTED = ("scheduled", "sending", "sent", "no_connector")


def _row(row: Any) -> dict[str, Any] | None:
    return dict(row._mapping) if row is not None else None


class FeedbackState:
    """Typed access to the feedback tables of one state store."""

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.engine = state.engine

    # -- surveys -----------------------------------------------------------------
    def insert_survey(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(f.surveys).values(**row))

    def update_survey(
        self, workspace_id: str, survey_id: str, values: dict[str, Any]
    ) -> bool:
        c = f.surveys.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(f.surveys)
                .where(c.workspace_id == workspace_id, c.id == survey_id)
                .values(**values)
            )
        return done.rowcount == 1

    def _one(self, table: Any, **where: Any) -> dict[str, Any] | None:
        query = select(table).where(*(table.c[k] == v for k, v in where.items()))
        with self.engine.connect() as conn:
            return _row(conn.execute(query).first())

    def survey(self, workspace_id: str, survey_id: str) -> dict[str, Any] | None:
        return self._one(f.surveys, workspace_id=workspace_id, id=survey_id)

    def survey_by_id(self, survey_id: str) -> dict[str, Any] | None:
        return self._one(f.surveys, id=survey_id)

    def survey_by_store_token(self, token: str) -> dict[str, Any] | None:
        return self._one(f.surveys, store_token=token)

    def surveys(self, workspace_id: str) -> list[dict[str, Any]]:
        c = f.surveys.c
        r = f.survey_responses.c
        counts = (
            select(r.survey_id, func.count().label("responses"))
            .where(r.workspace_id == workspace_id)
            .group_by(r.survey_id)
            .subquery()
        )
        query = (
            select(f.surveys, func.coalesce(counts.c.responses, 0).label("responses"))
            .select_from(f.surveys.outerjoin(counts, counts.c.survey_id == c.id))
            .where(c.workspace_id == workspace_id)
            .order_by(c.created_at.desc(), c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # -- invitations ---------------------------------------------------------------
    def insert_invitation(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(f.survey_invitations).values(**row))

    def invitation(self, token: str) -> dict[str, Any] | None:
        return self._one(f.survey_invitations, token=token)

    def invitations(
        self, workspace_id: str, survey_id: str, limit: int
    ) -> list[dict[str, Any]]:
        c = f.survey_invitations.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(f.survey_invitations)
                .where(c.workspace_id == workspace_id, c.survey_id == survey_id)
                .order_by(c.created_at.desc())
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def claim_due(self, now: int, limit: int = 200) -> list[dict[str, Any]]:
        """Scheduled invitations due by ``now``, each claimed (``sending``) by this
        caller only: a row another worker claimed first is skipped."""
        c = f.survey_invitations.c
        claimed: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(f.survey_invitations)
                .where(c.status == "scheduled", c.due_at <= now)
                .order_by(c.due_at)
                .limit(limit)
            ).all()
            for row in rows:
                done = conn.execute(
                    update(f.survey_invitations)
                    .where(c.token == row.token, c.status == "scheduled")
                    .values(status="sending")
                )
                if done.rowcount == 1:
                    claimed.append(dict(row._mapping))
        return claimed

    def claim_token(self, token: str) -> bool:
        """Claim one scheduled invitation for sending now."""
        c = f.survey_invitations.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(f.survey_invitations)
                .where(c.token == token, c.status == "scheduled")
                .values(status="sending")
            )
        return done.rowcount == 1

    def finish_invitation(self, token: str, values: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(f.survey_invitations)
                .where(f.survey_invitations.c.token == token)
                .values(**values)
            )

    def contacted_since(
        self,
        workspace_id: str,
        profile_ids: list[int],
        identity: tuple[str, str],
        since: int,
        exclude_token: str | None = None,
    ) -> bool:
        """Whether any survey was scheduled or sent to this customer since ``since``."""
        c = f.survey_invitations.c
        who = and_(c.identity_type == identity[0], c.identity_value == identity[1])
        if profile_ids:
            who = or_(who, c.profile_id.in_(profile_ids))
        query = select(c.token).where(
            c.workspace_id == workspace_id,
            who,
            c.status.in_(CONTACTED),
            func.coalesce(c.sent_at, c.due_at) >= since,
        )
        if exclude_token:
            query = query.where(c.token != exclude_token)
        with self.engine.connect() as conn:
            return conn.execute(query.limit(1)).first() is not None

    def invitation_stats(
        self, workspace_id: str, survey_id: str
    ) -> list[dict[str, Any]]:
        c = f.survey_invitations.c
        query = (
            select(
                c.channel,
                c.status,
                func.count().label("n"),
                func.count(c.answered_at).label("answered"),
            )
            .where(c.workspace_id == workspace_id, c.survey_id == survey_id)
            .group_by(c.channel, c.status)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- responses ---------------------------------------------------------------
    def save_response(
        self, token: str, values: dict[str, Any], complete: bool, at: int
    ) -> dict[str, Any]:
        """Insert or extend the response of one invitation. A complete response is
        final: saving over it raises ``ConflictError``. Returns the stored row."""
        r = f.survey_responses.c
        try:
            with self.engine.begin() as conn:
                existing = conn.execute(
                    select(f.survey_responses).where(r.invitation == token)
                ).first()
                if existing is None:
                    conn.execute(insert(f.survey_responses).values(**values))
                else:
                    if existing.complete:
                        raise _already_answered(token)
                    done = conn.execute(
                        update(f.survey_responses)
                        .where(r.invitation == token, r.complete == 0)
                        .values(
                            **{k: v for k, v in values.items() if k != "created_at"}
                        )
                    )
                    if done.rowcount != 1:
                        raise _already_answered(token)
                if complete:
                    self._mark_answered(conn, token, at)
                row = conn.execute(
                    select(f.survey_responses).where(r.invitation == token)
                ).first()
        except IntegrityError:
            raise _already_answered(token) from None
        return dict(row._mapping)  # type: ignore[union-attr]

    @staticmethod
    def _mark_answered(conn: Connection, token: str, at: int) -> None:
        conn.execute(
            update(f.survey_invitations)
            .where(f.survey_invitations.c.token == token)
            .values(answered_at=at)
        )

    def response(self, token: str) -> dict[str, Any] | None:
        return self._one(f.survey_responses, invitation=token)

    def set_response_message(self, token: str, message_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(f.survey_responses)
                .where(f.survey_responses.c.invitation == token)
                .values(message_id=message_id)
            )

    def response_rows(
        self,
        workspace_id: str,
        survey_id: str,
        since: int | None = None,
        until: int | None = None,
    ) -> list[dict[str, Any]]:
        """Responses with their invitation's context and the customer's current
        profile (through the identity graph, so merges are followed)."""
        r = f.survey_responses.c
        i = f.survey_invitations.c
        ident = t.identities.c
        query = (
            select(
                r.invitation,
                r.channel,
                r.language,
                r.score,
                r.comment,
                r.answers,
                r.complete,
                r.created_at,
                i.channel.label("invitation_channel"),
                i.touchpoint,
                i.stage,
                func.coalesce(ident.profile_id, i.profile_id).label("profile_id"),
            )
            .select_from(
                f.survey_responses.join(
                    f.survey_invitations, i.token == r.invitation
                ).outerjoin(
                    t.identities,
                    and_(
                        ident.workspace_id == i.workspace_id,
                        ident.type == i.identity_type,
                        ident.value == i.identity_value,
                    ),
                )
            )
            .where(r.workspace_id == workspace_id, r.survey_id == survey_id)
            .order_by(r.created_at, r.id)
        )
        if since is not None:
            query = query.where(r.created_at >= since)
        if until is not None:
            query = query.where(r.created_at < until)
        with self.engine.connect() as conn:
            return [
                {**dict(row._mapping), "answers": json.loads(row.answers)}
                for row in conn.execute(query)
            ]

    def trait_of_profiles(
        self, workspace_id: str, profile_ids: list[int], key: str
    ) -> dict[int, Any]:
        """The newest value of trait ``key`` for each profile that has one."""
        tv = t.trait_values.c
        ident = t.identities.c
        found: dict[int, tuple[int, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(profile_ids), 400):
                chunk = profile_ids[start : start + 400]
                rows = conn.execute(
                    select(ident.profile_id, tv.value, tv.ts)
                    .select_from(
                        t.trait_values.join(t.identities, ident.id == tv.identity_id)
                    )
                    .where(
                        tv.workspace_id == workspace_id,
                        tv.key == key,
                        ident.profile_id.in_(chunk),
                    )
                )
                for row in rows:
                    best = found.get(row.profile_id)
                    if best is None or row.ts >= best[0]:
                        found[row.profile_id] = (row.ts, json.loads(row.value))
        return {p: value for p, (_ts, value) in found.items()}

    # -- customers -----------------------------------------------------------------
    def profile_family(self, workspace_id: str, profile_id: int) -> list[int]:
        """The profile and every profile merged into it."""
        c = t.profiles.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.id).where(
                    c.workspace_id == workspace_id, c.merged_into == profile_id
                )
            )
            return [profile_id, *(row.id for row in rows)]

    def active_profiles(self, workspace_id: str, since: int, limit: int) -> list[int]:
        """Current profiles with any identifier seen since ``since``."""
        c = t.identities.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.profile_id)
                .where(c.workspace_id == workspace_id, c.last_seen >= since)
                .distinct()
                .order_by(c.profile_id)
                .limit(limit)
            )
            return [row.profile_id for row in rows]

    def consent(
        self, workspace_id: str, profile_ids: list[int]
    ) -> list[dict[str, Any]]:
        c = f.survey_consent.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(f.survey_consent).where(
                    c.workspace_id == workspace_id, c.profile_id.in_(profile_ids)
                )
            )
            return [dict(r._mapping) for r in rows]

    def set_consent(
        self, workspace_id: str, profile_id: int, channel: str, allowed: bool, at: int
    ) -> None:
        statement = sqlite_insert(f.survey_consent).values(
            workspace_id=workspace_id,
            profile_id=profile_id,
            channel=channel,
            allowed=int(allowed),
            at=at,
        )
        with self.engine.begin() as conn:
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["workspace_id", "profile_id", "channel"],
                    set_={"allowed": statement.excluded.allowed, "at": at},
                    where=f.survey_consent.c.at <= at,
                )
            )

    # -- triggers ------------------------------------------------------------------
    def insert_trigger(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(f.survey_triggers).values(**row))

    def triggers(
        self,
        workspace_id: str | None = None,
        survey_id: str | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        c = f.survey_triggers.c
        query = select(f.survey_triggers).order_by(c.created_at, c.id)
        if workspace_id is not None:
            query = query.where(c.workspace_id == workspace_id)
        if survey_id is not None:
            query = query.where(c.survey_id == survey_id)
        if kind is not None:
            query = query.where(c.kind == kind)
        with self.engine.connect() as conn:
            return [
                {**dict(r._mapping), "definition": json.loads(r.definition)}
                for r in conn.execute(query)
            ]

    def delete_trigger(
        self, workspace_id: str, survey_id: str, trigger_id: str
    ) -> bool:
        c = f.survey_triggers.c
        with self.engine.begin() as conn:
            done = conn.execute(
                f.survey_triggers.delete().where(
                    c.workspace_id == workspace_id,
                    c.survey_id == survey_id,
                    c.id == trigger_id,
                )
            )
        return done.rowcount == 1

    def advance_trigger(self, trigger_id: str, expected: int, next_run_at: int) -> bool:
        """Move a schedule trigger on; ``False`` if another worker already did."""
        c = f.survey_triggers.c
        with self.engine.begin() as conn:
            done = conn.execute(
                update(f.survey_triggers)
                .where(c.id == trigger_id, c.next_run_at == expected)
                .values(next_run_at=next_run_at)
            )
        return done.rowcount == 1


def _already_answered(token: str) -> ConflictError:
    return ConflictError(
        f"invitation {token[:8]}… was already answered; each invitation takes one "
        "complete response"
    )
