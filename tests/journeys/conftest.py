"""Declarative journeys for analytics tests (PostHog's ``journeys_for`` idea).

    profiles = journeys_for({
        "alice": [
            ("2026-01-01T10:00:00Z", "web", "Product Viewed"),
            ("2026-01-01T10:05:00Z", "store", "Order Completed", {"revenue": 30}),
        ],
        "bob": [...],
    })

Each person sends with ``userId`` = their name (so all their events are one profile);
an event tuple is ``(timestamp, channel, event name[, properties[, extra message
fields]])``. Events go through the real ingest and processing path; the returned dict
maps each person to their profile id (as an int).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from omnicx.runtime import Runtime

_ids = itertools.count()


def _message(person: str, spec: tuple) -> dict[str, Any]:
    timestamp, channel, event = spec[:3]
    properties = spec[3] if len(spec) > 3 else {}
    extra = spec[4] if len(spec) > 4 else {}
    message: dict[str, Any] = {
        "type": "track",
        "event": event,
        "userId": person,
        "timestamp": timestamp,
        "messageId": f"j-{next(_ids)}",
        "properties": properties,
        "context": {"channel": channel},
    }
    if event == "Page Viewed":
        message["type"] = "page"
        message.pop("event")
    message.update(extra)
    return message


@pytest.fixture
def analytics_runtime(settings) -> Runtime:
    runtime = Runtime.open(settings, start_processor=False)
    yield runtime
    runtime.close()


@pytest.fixture
def workspace(analytics_runtime):
    return analytics_runtime.store.state.create_workspace("journeys")


@pytest.fixture
def journeys_for(
    analytics_runtime, workspace
) -> Callable[[dict[str, list[tuple]]], dict[str, int]]:
    def load(people: dict[str, list[tuple]], shuffle: bool = False) -> dict[str, int]:
        messages = [_message(p, spec) for p, specs in people.items() for spec in specs]
        if shuffle:  # out-of-order arrival
            messages.reverse()
        for start in range(0, len(messages), 100):
            body = json.dumps({"batch": messages[start : start + 100]}).encode()
            result = analytics_runtime.ingest.ingest_blocking(
                "batch", body, workspace.source.write_key
            )
            assert not result.rejected, result.rejected
        while analytics_runtime.processor.process_available():
            pass
        state = analytics_runtime.store.state
        return {
            person: state.profile_for_identity(
                workspace.workspace.id, "user_id", person
            )
            for person in people
        }

    return load


@pytest.fixture
def run_analysis(analytics_runtime, workspace) -> Callable[[str, dict], dict]:
    from omnicx import journeys

    def run(name: str, query: dict[str, Any]) -> dict[str, Any]:
        return journeys.run_analysis(
            analytics_runtime.store, workspace.workspace.id, name, query
        )

    return run
