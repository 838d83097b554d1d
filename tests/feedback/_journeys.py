"""Declarative journeys for feedback analytics tests (the ``journeys_for`` idea of
``tests/journeys/conftest.py``), as fixtures a test module imports::

    from tests.feedback._journeys import fb_runtime, fb_workspace, fb_journeys

``fb_journeys({"ann": [(timestamp, channel, event[, properties]), ...], ...})`` sends
every event through the real ingest and processing path (``userId`` = the person)
and returns each person's profile id.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omnicx.runtime import Runtime

_ids = itertools.count()


def message(person: str, spec: tuple) -> dict[str, Any]:
    timestamp, channel, event = spec[:3]
    return {
        "type": "track",
        "event": event,
        "userId": person,
        "timestamp": timestamp,
        "messageId": f"fbj-{next(_ids)}",
        "properties": spec[3] if len(spec) > 3 else {},
        "context": {"channel": channel},
    }


def process(runtime: Runtime) -> None:
    while runtime.processor.process_available():
        pass


@pytest.fixture
def fb_runtime(settings) -> Iterator[Runtime]:
    runtime = Runtime.open(settings, start_processor=False)
    yield runtime
    runtime.close()


@pytest.fixture
def fb_workspace(fb_runtime):
    return fb_runtime.store.state.create_workspace("feedback")


@pytest.fixture
def fb_journeys(fb_runtime, fb_workspace) -> Callable[[dict[str, list[tuple]]], dict]:
    def load(people: dict[str, list[tuple]]) -> dict[str, int]:
        messages = [message(p, spec) for p, specs in people.items() for spec in specs]
        for start in range(0, len(messages), 100):
            body = json.dumps({"batch": messages[start : start + 100]}).encode()
            result = fb_runtime.ingest.ingest_blocking(
                "batch", body, fb_workspace.source.write_key
            )
            assert not result.rejected, result.rejected
        process(fb_runtime)
        state = fb_runtime.store.state
        return {
            person: state.profile_for_identity(
                fb_workspace.workspace.id, "user_id", person
            )
            for person in people
        }

    return load
