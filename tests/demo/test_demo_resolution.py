"""The demo business through the real pipeline, scored against its ground truth."""

from __future__ import annotations

import json
from collections import defaultdict

from omnicx.demo.generator import generate_business_with_truth
from omnicx.runtime import Runtime

CURRENT_PROFILE = """
SELECT e.message_id AS mid, m.p AS p FROM omnicx.events e
JOIN (SELECT identity_id, argMax(profile_id, version) AS p
      FROM omnicx.identity_profiles GROUP BY identity_id) m
  ON e.identity_id = m.identity_id
"""


def test_identity_resolution_never_mixes_two_people(settings):
    runtime = Runtime.open(settings, start_processor=False)
    try:
        ws = runtime.store.state.create_workspace("demo")
        messages, truth = generate_business_with_truth(customers=150, seed=11)
        for i in range(0, len(messages), 100):
            body = json.dumps({"batch": messages[i : i + 100]}).encode()
            result = runtime.ingest.ingest_blocking("batch", body, ws.source.write_key)
            assert not result.rejected
        while runtime.processor.process_available():
            pass
        people_of_profile = defaultdict(set)
        profiles_of_person = defaultdict(set)
        for row in runtime.store.events.query_rows(CURRENT_PROFILE):
            people_of_profile[row["p"]].add(truth[row["mid"]])
            profiles_of_person[truth[row["mid"]]].add(row["p"])
        assert len(profiles_of_person) == 150
        mixed = [p for p, people in people_of_profile.items() if len(people) > 1]
        assert mixed == []
        # Unidentified sessions on other devices cannot be linked; most people are
        # still one profile across all their channels.
        whole = sum(1 for profiles in profiles_of_person.values() if len(profiles) == 1)
        assert whole / 150 > 0.6
    finally:
        runtime.close()
