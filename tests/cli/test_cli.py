"""The command line, run as a user runs it (subprocesses on a real data folder)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def omnicx(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "omnicx", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"omnicx {args} failed: {result.stderr}")
    return result


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_workspace_create_json_has_exactly_the_pinned_keys(data):
    out = omnicx("workspace", "create", "--data", str(data), "--name", "shop", "--json")
    created = json.loads(out.stdout)
    assert set(created) == {"workspace", "write_key", "admin_token"}
    assert created["workspace"] == "shop"
    again = omnicx(
        "workspace", "create", "--data", str(data), "--name", "shop", check=False
    )
    assert again.returncode == 1 and "already exists" in again.stderr


def test_import_jsonl_and_csv_with_rejected_summary(data, tmp_path):
    omnicx("workspace", "create", "--data", str(data), "--name", "shop", "--json")
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "type": "identify",
                        "userId": "u1",
                        "traits": {"email": "ana@example.com"},
                        "timestamp": "2026-02-01T09:00:00Z",
                    }
                ),
                json.dumps(
                    {
                        "type": "track",
                        "event": "Order Completed",
                        "userId": "u1",
                        "properties": {"revenue": 10},
                        "timestamp": "2026-02-02T09:00:00Z",
                    }
                ),
                "{broken json",
                json.dumps({"type": "track", "userId": "u1"}),
            ]
        )
        + "\n"
    )
    out = omnicx(
        "import",
        str(jsonl),
        "--data",
        str(data),
        "--workspace",
        "shop",
        "--channel",
        "store",
        "--json",
    )
    summary = json.loads(out.stdout)
    assert summary["lines"] == 4
    assert summary["accepted"] == 2
    assert summary["rejected"] == 2
    assert {e["line"] for e in summary["examples"]} == {3, 4}

    csv_file = tmp_path / "calls.csv"
    csv_file.write_text(
        "type,event,anonymousId,timestamp,context.traits.email,duration_s\n"
        "track,Call Ended,call-1,2026-02-03T10:00:00Z,ANA@example.com,300\n"
        "track,,call-2,2026-02-03T11:00:00Z,,20\n"
    )
    out = omnicx(
        "import",
        str(csv_file),
        "--data",
        str(data),
        "--workspace",
        "shop",
        "--channel",
        "call_center",
        "--json",
    )
    summary = json.loads(out.stdout)
    assert (summary["accepted"], summary["rejected"]) == (1, 1)

    # everything landed on one profile, on the channels the import named
    from omnicx import profiles
    from omnicx.runtime import Runtime
    from omnicx.settings import load_settings

    runtime = Runtime.open(load_settings({"data": str(data)}, environ={}))
    try:
        workspace = runtime.store.state.workspace_by_name("shop")
        profile = profiles.lookup_profile(
            runtime.store, workspace.id, "email", "ana@example.com"
        )
        assert profile["channel_counts"] == {"store": 2, "call_center": 1}
        timeline = profiles.get_timeline(
            runtime.store, workspace.id, profile["id"], 10, None
        )
        call = timeline.events[0]
        assert call["event"] == "Call Ended"
        assert call["properties"] == {"duration_s": 300}
        rejected = runtime.store.state.rejections(workspace.id, 10, None)
        assert len(rejected) == 2  # the broken-JSON line never reached validation
    finally:
        runtime.close()


def test_import_into_unknown_workspace_fails_clearly(data, tmp_path):
    omnicx("workspace", "create", "--data", str(data), "--name", "shop")
    f = tmp_path / "x.jsonl"
    f.write_text("{}\n")
    result = omnicx(
        "import", str(f), "--data", str(data), "--workspace", "nope", check=False
    )
    assert result.returncode == 1
    assert "no workspace named 'nope'" in result.stderr


def test_every_setting_is_documented_and_has_an_env_var():
    from omnicx.settings import SETTINGS

    out = omnicx("settings").stdout
    for setting in SETTINGS:
        assert setting.help.strip()
        assert setting.env_var in out
