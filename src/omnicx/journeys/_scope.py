"""Turn a ``Scope`` into the parameters of the shared scoped-events SQL."""

from __future__ import annotations

from typing import Any

from omnicx.journeys._query import Scope
from omnicx.storage import Store
from omnicx.storage._events import array_param


def scope_params(store: Store, workspace_id: str, scope: Scope) -> dict[str, Any]:
    """Parameters for ``storage.sql.journeys.SCOPED_EVENTS`` (and queries built on it).

    Trait filters are resolved in the state store to the current profiles that hold
    those trait values (on any of their identities).
    """
    profiles: list[int] = []
    if scope.traits:
        profiles = store.state.profiles_with_traits(workspace_id, scope.traits)
    return {
        "ws": workspace_id,
        "from_ms": scope.start_ms,
        "to_ms": scope.end_ms,
        "channels": array_param(list(scope.channels)),
        "filter_profiles": 1 if scope.traits else 0,
        "profiles": array_param(profiles),
    }
