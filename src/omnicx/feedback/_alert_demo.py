"""Alert rules for the demo business: detractors open cases, VIP and topic alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from omnicx.feedback._alert_rules import AlertRuleRequest
from omnicx.feedback.alerts import closed_loop, create_rule

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

DEMO_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "Any NPS detractor → case",
        "when": {"template": "nps", "score_at_most": 6},
        "actions": [{"type": "open_case"}],
        "sla_hours": 24,
    },
    {
        "name": "CSAT 1–2 → case",
        "when": {"template": "csat", "score_at_most": 2},
        "actions": [{"type": "open_case"}],
        "sla_hours": 8,
    },
    {
        "name": "Negative feedback about delivery",
        "when": {
            "event": "Feedback Received",
            "sentiment": "negative",
            "topic": "delivery",
        },
        "actions": [{"type": "open_case"}],
    },
)


def seed_demo_alerts(runtime: Runtime, workspace_id: str) -> list[dict[str, Any]]:
    """Create the demo rules (before responses arrive, so they fire on them)."""
    loop = closed_loop(runtime)
    return [
        create_rule(loop, workspace_id, msgspec.convert(rule, AlertRuleRequest))
        for rule in DEMO_RULES
    ]
