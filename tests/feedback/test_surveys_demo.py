"""The demo seeder: three surveys with triggers and multilingual answers that land
on profiles as ``Survey Answered`` events."""

from __future__ import annotations

from omnicx.feedback import surveys
from omnicx.feedback._survey_results import survey_results
from omnicx.storage._feedback_state import FeedbackState


def test_seed_demo_creates_surveys_answers_and_events(runtime):
    created = runtime.store.state.create_workspace("demo")
    workspace_id = created.workspace.id
    out = surveys.seed_demo(runtime, workspace_id, customers=24, seed=3)
    assert set(out["surveys"]) == {"nps", "csat", "ces"}
    assert out["responses"] > 0 and out["invitations"] >= out["customers"] == 24
    assert runtime.processor.drain(30)

    state = FeedbackState(runtime.store.state)
    languages = set()
    answered = 0
    for template, survey_id in out["surveys"].items():
        result = survey_results(runtime.store, workspace_id, survey_id, "channel")
        assert result["metric"] == template
        answered += result["answered"]
        rows = state.response_rows(workspace_id, survey_id)
        languages |= {r["language"] for r in rows}
        assert all(r["profile_id"] is not None for r in rows)  # events made profiles
    assert answered == out["responses"]
    assert {"en", "he", "ar"} <= languages
    kinds = {t["kind"] for t in state.triggers(workspace_id)}
    assert kinds == {"event", "schedule"}
    assert surveys.get_brand(runtime.store, workspace_id)["name"] == "Lumen"
