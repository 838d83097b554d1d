"""The analyses, each a typed query plus a runner, found by name.

Every analysis module defines ``ANALYSIS = Analysis(...)``; the HTTP API
(``/api/v1/analytics/<name>``), ``omnicx report <name>`` and the dashboard all serve
what is registered here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from omnicx.errors import NotFoundError
from omnicx.storage import Store

#: Module (under ``omnicx.journeys``) → the analyses it defines.
MODULES = (
    "funnel",
    "paths",
    "switching",
    "attribution",
    "silo",
    "impact",
    "cohorts",
    "web",
)


@dataclass(frozen=True)
class Analysis:
    """One analysis: ``parse`` validates a raw query (body or query string) into a
    typed query object; ``run`` answers it on the store for one workspace."""

    name: str  # URL and CLI name, e.g. "funnel", "channel-switching"
    title: str
    parse: Callable[[dict[str, Any]], Any]
    run: Callable[[Store, str, Any], dict[str, Any]]
    example: dict[str, Any]  # a query the dashboard pre-fills and the docs show
    description: str = ""


def analyses() -> dict[str, Analysis]:
    found: dict[str, Analysis] = {}
    for module_name in MODULES:
        try:
            module = importlib.import_module(f"omnicx.journeys.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"omnicx.journeys.{module_name}":
                raise
            continue
        for value in vars(module).values():
            if isinstance(value, Analysis):
                found[value.name] = value
    return found


def analysis(name: str) -> Analysis:
    registered = analyses()
    if name not in registered:
        raise NotFoundError(
            f"no analysis named {name!r}; available: {', '.join(sorted(registered))}"
        )
    return registered[name]


def run_analysis(
    store: Store, workspace_id: str, name: str, raw: dict[str, Any]
) -> dict[str, Any]:
    """Validate ``raw`` for analysis ``name`` and run it."""
    chosen = analysis(name)
    return chosen.run(store, workspace_id, chosen.parse(raw))
