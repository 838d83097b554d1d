"""Profile reads and hand-made splits on the state store."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import Engine

from omnicx.errors import ConflictError, NotFoundError
from omnicx.storage import _schema as t


class ProfileStateMixin:
    """Mixed into ``StateStore``; needs ``self.engine``."""

    engine: Engine

    def current_profile_id(self, workspace_id: str, profile_id: int) -> int | None:
        """Follow merges to the surviving profile; ``None`` if not in the workspace."""
        c = t.profiles.c
        with self.engine.connect() as conn:
            for _ in range(64):
                row = conn.execute(
                    select(c.merged_into).where(
                        c.id == profile_id, c.workspace_id == workspace_id
                    )
                ).first()
                if row is None:
                    return None
                if row.merged_into is None:
                    return profile_id
                profile_id = row.merged_into
        return profile_id

    def profile_for_identity(
        self, workspace_id: str, identity_type: str, value: str
    ) -> int | None:
        c = t.identities.c
        with self.engine.connect() as conn:
            return conn.execute(
                select(c.profile_id).where(
                    c.workspace_id == workspace_id,
                    c.type == identity_type,
                    c.value == value,
                )
            ).scalar()

    def profile_identities(self, profile_id: int) -> list[dict[str, Any]]:
        c = t.identities.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.id, c.type, c.value, c.first_seen, c.last_seen)
                .where(c.profile_id == profile_id)
                .order_by(c.first_seen, c.id)
            )
            return [dict(r._mapping) for r in rows]

    def profile_traits(self, identity_ids: list[int]) -> list[dict[str, Any]]:
        c = t.trait_values.c
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(identity_ids), 400):
                chunk = identity_ids[start : start + 400]
                rows = conn.execute(
                    select(
                        c.key, c.value, c.source_id, c.channel, c.ts, c.identity_id
                    ).where(c.identity_id.in_(chunk))
                )
                out.extend(dict(r._mapping) for r in rows)
        return out

    def profile_row(self, profile_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.profiles).where(t.profiles.c.id == profile_id)
            ).first()
        if row is None:
            raise NotFoundError(f"profile {profile_id} does not exist")
        return dict(row._mapping)

    def profile_merges(self, profile_id: int) -> list[dict[str, Any]]:
        c = t.merges.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.merges)
                .where((c.survivor_id == profile_id) | (c.merged_id == profile_id))
                .order_by(c.id)
            )
            return [
                {**dict(r._mapping), "identity_ids": json.loads(r.identity_ids)}
                for r in rows
            ]

    def count_profiles(self, workspace_id: str) -> int:
        c = t.profiles.c
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        c.workspace_id == workspace_id, c.merged_into.is_(None)
                    )
                ).scalar()
                or 0
            )

    def profiles_with_traits(
        self, workspace_id: str, traits: dict[str, Any]
    ) -> list[int]:
        """Current profiles holding every ``key: value`` (on any identity)."""
        tv = t.trait_values.c
        ic = t.identities.c
        matching: set[int] | None = None
        with self.engine.connect() as conn:
            for key, value in traits.items():
                rows = conn.execute(
                    select(ic.profile_id)
                    .select_from(
                        t.trait_values.join(t.identities, ic.id == tv.identity_id)
                    )
                    .where(
                        tv.workspace_id == workspace_id,
                        tv.key == key,
                        tv.value == msgspec.json.encode(value).decode(),
                    )
                    .distinct()
                )
                found = {row.profile_id for row in rows}
                matching = found if matching is None else matching & found
        return sorted(matching or ())

    def count_identities(self, workspace_id: str) -> int:
        c = t.identities.c
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(c.workspace_id == workspace_id)
                ).scalar()
                or 0
            )

    @staticmethod
    def split_merge(
        conn: Connection,
        workspace_id: str,
        profile_id: int,
        merge_id: int | None,
        at: int,
    ) -> dict[str, Any]:
        """Undo one merge into ``profile_id`` (the latest one when no id is given).

        The merged profile gets back the identities it brought, and the two are kept
        apart from then on. Returns the merge record with the moved identity ids.
        """
        c = t.merges.c
        query = select(t.merges).where(
            c.workspace_id == workspace_id,
            c.survivor_id == profile_id,
            c.undone_at.is_(None),
        )
        if merge_id is not None:
            query = query.where(c.id == merge_id)
        row = conn.execute(query.order_by(c.id.desc()).limit(1)).first()
        if row is None:
            what = f"merge {merge_id}" if merge_id is not None else "any merge"
            raise ConflictError(
                f"profile {profile_id} has no {what} to undo; list its merges at "
                f"GET /api/v1/profiles/{profile_id}/merges"
            )
        keys = [tuple(k) for k in json.loads(row.identity_ids)]
        ic = t.identities.c
        moved: list[int] = []
        for identity_type, value in keys:
            identity = conn.execute(
                select(ic.id).where(
                    ic.workspace_id == workspace_id,
                    ic.type == identity_type,
                    ic.value == value,
                    ic.profile_id == profile_id,
                )
            ).scalar()
            if identity is not None:
                moved.append(identity)
        if moved:
            conn.execute(
                update(t.identities)
                .where(ic.id.in_(moved))
                .values(profile_id=row.merged_id)
            )
        conn.execute(
            update(t.profiles)
            .where(t.profiles.c.id == row.merged_id)
            .values(merged_into=None)
        )
        conn.execute(update(t.merges).where(c.id == row.id).values(undone_at=at))
        a, b = sorted((profile_id, row.merged_id))
        exists = conn.execute(
            select(t.split_blocks.c.profile_a).where(
                t.split_blocks.c.profile_a == a, t.split_blocks.c.profile_b == b
            )
        ).first()
        if not exists:
            conn.execute(
                insert(t.split_blocks).values(
                    profile_a=a, profile_b=b, workspace_id=workspace_id
                )
            )
        return {
            "merge_id": row.id,
            "survivor_id": profile_id,
            "restored_id": row.merged_id,
            "moved_identity_ids": moved,
        }
