"""Voice of the customer: surveys on every channel, responses tied to profiles and
journeys, scoring, text analytics, alerts and closed-loop cases.

``attach(runtime)`` wires the parts that react to events and time (survey triggers,
alert rules, SLA checks, webhook retries) into a running system.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

#: Submodules with an ``attach(runtime)``.
_ATTACHED = ("omnicx.feedback.triggers", "omnicx.feedback.alerts")


def attach(runtime: Runtime) -> None:
    for name in _ATTACHED:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.attach(runtime)
