"""Journey stages: awareness → consideration → purchase → retention → advocacy.

A workspace maps event names to stages in its configuration, under
``journey_stages`` — e.g. ``{"journey_stages": {"advocacy": ["Review Submitted"]}}``;
a stage it leaves out keeps the default below. A profile reaches

* awareness, consideration, advocacy — with any event named for the stage
  (advocacy also with a ``Survey Answered`` event whose ``score`` is 9 or 10: an NPS
  promoter);
* purchase — with any purchase event;
* retention — with a second purchase event (a repeat purchase), or a retention event
  after its first purchase.

Stages are not required in order (a customer can buy in the store with no recorded
awareness); a profile's *furthest* stage is the last one in the list it reached.
"""

from __future__ import annotations

from typing import Any

from omnicx.errors import ConfigError
from omnicx.storage.sql.journeys_paths import STAGES

CONFIG_KEY = "journey_stages"

DEFAULT_STAGES: dict[str, tuple[str, ...]] = {
    "awareness": (
        "Page Viewed",
        "Screen Viewed",
        "Ad Clicked",
        "Email Opened",
        "Email Link Clicked",
        "SMS Clicked",
        "Push Notification Tapped",
        "WhatsApp Message Read",
        "Newsletter Subscribed",
        "Application Installed",
    ),
    "consideration": (
        "Products Searched",
        "Product List Viewed",
        "Product Viewed",
        "Product Added",
        "Cart Viewed",
        "Checkout Started",
        "Payment Info Entered",
        "Signed Up",
    ),
    "purchase": ("Order Completed",),
    "retention": ("Application Opened", "Signed In", "Loyalty Program Joined"),
    "advocacy": (
        "Review Submitted",
        "Product Reviewed",
        "Referral Sent",
        "Product Shared",
    ),
}


def journey_stages(config: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The stage → event names mapping of a workspace configuration."""
    configured = config.get(CONFIG_KEY) or {}
    if not isinstance(configured, dict):
        raise ConfigError(
            f"workspace setting {CONFIG_KEY} must be an object of stage: [event "
            f"names]; got {configured!r}"
        )
    stages = dict(DEFAULT_STAGES)
    for stage, names in configured.items():
        if stage not in STAGES:
            raise ConfigError(
                f"{CONFIG_KEY}.{stage} is not a journey stage; use one of "
                f"{', '.join(STAGES)}"
            )
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigError(
                f"{CONFIG_KEY}.{stage} must be a list of event names; got {names!r}"
            )
        stages[stage] = tuple(names)
    return stages
