"""Funnel: hand-computed answers on declarative journeys, and the walk checked against
ClickHouse ``windowFunnel`` and a plain-Python reference on random journeys."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from omnicx.cli import cli
from omnicx.cli_report import run_report
from omnicx.errors import ValidationError
from omnicx.journeys.funnel import parse_funnel
from omnicx.runtime import Runtime
from omnicx.storage._events import array_param
from omnicx.storage.sql.journeys_funnel import funnel_sql
from tests.journeys.conftest import _message

PV, PA, CS, OC = (
    "Product Viewed",
    "Product Added",
    "Checkout Started",
    "Order Completed",
)
STEPS = [PV, PA, CS, OC]


def day(hms: str) -> str:
    return f"2026-01-01T{hms}Z"


#: Window 1 hour. Expected (worked out by hand):
#: alice  web PV 10:00, web PA 10:10, app CS 10:30, store OC 11:00 (exactly at the
#:        window's end: counts)                              → 4, three channels
#: bob    web 10:00, 10:20, 10:40, OC 11:00:00.001 (1 ms late) → 3
#: carol  web PV 09:00 (too early for the PA), app PV 11:30, web PA 12:00 → 2
#: dave   web PA 10:00 before any PV, web PV 10:05          → 1
#: erin   store PV/PA/CS/OC a minute apart                  → 4, one channel
#: zoe    only "Order Completed"                            → not in the funnel
PEOPLE = {
    "alice": [
        (day("10:00:00"), "web", PV),
        (day("10:10:00"), "web", PA),
        (day("10:30:00"), "mobile_app", CS),
        (day("11:00:00"), "store", OC),
    ],
    "bob": [
        (day("10:00:00"), "web", PV),
        (day("10:20:00"), "web", PA),
        (day("10:40:00"), "web", CS),
        (day("11:00:00.001"), "web", OC),
    ],
    "carol": [
        (day("09:00:00"), "web", PV),
        (day("11:30:00"), "mobile_app", PV),
        (day("12:00:00"), "web", PA),
    ],
    "dave": [(day("10:00:00"), "web", PA), (day("10:05:00"), "web", PV)],
    "erin": [
        (day("10:00:00"), "store", PV),
        (day("10:01:00"), "store", PA),
        (day("10:02:00"), "store", CS),
        (day("10:03:00"), "store", OC),
    ],
    "zoe": [(day("10:00:00"), "web", OC)],
}


def check_people_funnel(result: dict, ids: dict[str, int]) -> None:
    steps = result["steps"]
    assert [s["event"] for s in steps] == STEPS
    assert [s["count"] for s in steps] == [5, 4, 3, 2]
    assert [s["conversion_from_previous"] for s in steps] == [1.0, 0.8, 0.75, 2 / 3]
    assert [s["conversion_from_first"] for s in steps] == [1.0, 0.8, 0.6, 0.4]
    # gaps: step 2 — 600, 1200, 1800 (carol 11:30→12:00), 60 → median 900
    #       step 3 — 1200, 1200, 60 → 1200;   step 4 — 1800, 60 → 930
    assert [s["median_time_from_previous_s"] for s in steps] == [None, 900, 1200, 930]
    assert [s["dropped_profile_ids"] for s in steps] == [
        [],
        [ids["dave"]],
        [ids["carol"]],
        [ids["bob"]],
    ]
    assert [s["dropped"] for s in steps] == [0, 1, 1, 1]
    assert result["entered"] == 5 and result["completed"] == 2
    assert result["conversion"] == 0.4
    assert result["cross_channel"] == {
        "completers": 2,
        "single_channel": 1,
        "multi_channel": 1,
        "multi_channel_share": 0.5,
    }


def test_window_edges_channels_and_drop_offs(journeys_for, run_analysis):
    ids = journeys_for(PEOPLE)
    result = run_analysis("funnel", {"steps": STEPS, "window": "1h"})
    check_people_funnel(result, ids)
    assert "channels" not in result["steps"][0]
    assert result["window_s"] == 3600 and result["breakdown"] is None


def test_counts_only_match_the_detailed_funnel(journeys_for, run_analysis):
    ids = journeys_for(PEOPLE)
    detailed = run_analysis("funnel", {"steps": STEPS, "window": "1h"})
    counts = run_analysis("funnel", {"steps": STEPS, "window": "1h", "details": False})
    for fast, full in zip(counts["steps"], detailed["steps"], strict=True):
        assert fast == full | {"median_time_from_previous_s": None}
    assert counts["cross_channel"] is None and counts["details"] is False
    assert counts["steps"][3]["dropped_profile_ids"] == [ids["bob"]]
    repeated = run_analysis("funnel", {"steps": [PV, PV], "details": False})
    assert [s["count"] for s in repeated["steps"]] == [5, 1]  # carol viewed twice


def test_breakdown_by_channel_and_out_of_order_arrival(journeys_for, run_analysis):
    ids = journeys_for(PEOPLE, shuffle=True)
    result = run_analysis(
        "funnel", {"steps": STEPS, "window": "1h", "breakdown": "channel"}
    )
    check_people_funnel(result, ids)
    by_step = [
        {c["channel"]: c["count"] for c in s["channels"]} for s in result["steps"]
    ]
    assert by_step == [
        {"web": 3, "mobile_app": 1, "store": 1},  # carol's chain starts in the app
        {"web": 3, "store": 1},
        {"mobile_app": 1, "web": 1, "store": 1},
        {"store": 2},
    ]
    assert result["steps"][0]["channels"][0] == {
        "channel": "web",
        "count": 3,
        "share": 0.6,
    }
    # A window one second longer lets bob (1 ms late) complete.
    longer = run_analysis("funnel", {"steps": STEPS, "window": "3601s"})
    assert [s["count"] for s in longer["steps"]] == [5, 4, 3, 3]


def test_merged_profile_counts_once(journeys_for, run_analysis):
    anonymous = {"userId": None, "anonymousId": "anon-1"}
    ids = journeys_for(
        {
            "frank": [
                (day("10:00:00"), "web", PV, {}, anonymous),
                (day("10:05:00"), "web", PA, {}, anonymous),
                (day("10:06:00"), "web", "Signed Up", {}, {"anonymousId": "anon-1"}),
                (day("10:10:00"), "web", CS),
                (day("10:20:00"), "store", OC),
            ],
            "gina": [(day("10:00:00"), "web", PV)],
        }
    )
    result = run_analysis("funnel", {"steps": STEPS, "window": "1h"})
    assert [s["count"] for s in result["steps"]] == [2, 1, 1, 1]
    assert result["steps"][1]["dropped_profile_ids"] == [ids["gina"]]
    assert [s["median_time_from_previous_s"] for s in result["steps"]] == [
        None,
        300,
        300,
        600,
    ]
    assert result["cross_channel"]["multi_channel"] == 1


def test_repeated_steps_same_millisecond_and_one_step(journeys_for, run_analysis):
    journeys_for(
        {
            "once": [(day("10:00:00"), "web", PV)],
            "twice": [(day("10:00:00"), "web", PV), (day("10:30:00"), "email", PV)],
            # PV, PA and PV again: satisfies [PV, PA, PV]
            "back": [
                (day("10:00:00"), "web", PV),
                (day("10:01:00"), "web", PA),
                (day("10:02:00"), "web", PV),
            ],
            # two different events at the same millisecond, in either order
            "same": [(day("10:00:00"), "web", PA), (day("10:00:00"), "web", PV)],
        }
    )
    twice = run_analysis("funnel", {"steps": [PV, PV], "window": "1h"})
    # one event never satisfies two steps: "once" and "same" stop at step 1
    assert [s["count"] for s in twice["steps"]] == [4, 2]
    assert twice["steps"][1]["median_time_from_previous_s"] == (1800 + 120) / 2
    back = run_analysis("funnel", {"steps": [PV, PA, PV], "window": "1h"})
    assert [s["count"] for s in back["steps"]] == [4, 2, 1]
    assert back["steps"][1]["median_time_from_previous_s"] == 30  # (60 + 0) / 2
    one = run_analysis("funnel", {"steps": [PV]})
    assert [s["count"] for s in one["steps"]] == [4]
    assert one["completed"] == 4 and one["conversion"] == 1.0
    assert one["cross_channel"]["single_channel"] == 4


def test_empty_range_and_scope_filters(journeys_for, run_analysis):
    journeys_for(PEOPLE)
    empty = run_analysis(
        "funnel", {"steps": STEPS, "from": "2025-01-01", "to": "2025-02-01"}
    )
    assert [s["count"] for s in empty["steps"]] == [0, 0, 0, 0]
    assert all(s["conversion_from_previous"] == 0.0 for s in empty["steps"])
    assert all(s["median_time_from_previous_s"] is None for s in empty["steps"])
    assert empty["cross_channel"]["multi_channel_share"] == 0.0
    # Only web events: alice's app checkout and store order are out of scope.
    web = run_analysis("funnel", {"steps": STEPS, "window": "1h", "channels": ["web"]})
    assert [s["count"] for s in web["steps"]] == [4, 2, 1, 0]
    # A range that starts after carol's first view and erin's journey
    later = run_analysis(
        "funnel",
        {"steps": STEPS, "window": "1d", "from": "2026-01-01T10:04:00Z"},
    )
    assert [s["count"] for s in later["steps"]] == [2, 1, 0, 0]  # carol, dave


def test_twenty_steps_compile_and_answer_zeros(run_analysis):
    for steps in ([f"E{i}" for i in range(20)], ["A", "B"] * 10):
        for details in (True, False):
            result = run_analysis("funnel", {"steps": steps, "details": details})
            assert [s["count"] for s in result["steps"]] == [0] * 20


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "steps"),
        ({"steps": []}, "steps"),
        ({"steps": ["a"] * 21}, "steps"),
        ({"steps": "Order Completed"}, "steps"),
        ({"steps": ["a", " "]}, "steps[1]"),
        ({"steps": ["a", 3]}, "steps[1]"),
        ({"steps": ["a"], "window": "7 days"}, "window"),
        ({"steps": ["a"], "window": 0}, "window"),
        ({"steps": ["a"], "breakdown": "device"}, "breakdown"),
        ({"steps": ["a"], "sample": -1}, "sample"),
        ({"steps": ["a"], "details": "yes"}, "details"),
        ({"steps": ["a"], "details": False, "breakdown": "channel"}, "breakdown"),
        ({"steps": ["a"], "windw": "7d"}, "windw"),
        ({"steps": ["a"], "from": "yesterday"}, "from"),
    ],
)
def test_validation_names_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse_funnel(raw)
    assert [e.field for e in caught.value.errors] == [field]


def test_parse_defaults():
    query = parse_funnel({"steps": [" Order Completed "]})
    assert query.steps == ("Order Completed",)
    assert query.window_s == 7 * 86400 and query.breakdown is None
    assert query.sample == 100


def reference_depth(
    events: list[tuple[int, str]], steps: list[str], window: int
) -> int:
    """The definition, directly: the deepest step reached from any step-1 event,
    each later step a later event (ties in funnel order) within the window."""
    relevant = [e for e in events if e[1] in steps]
    ordered = sorted(relevant, key=lambda e: (e[0], steps.index(e[1])))
    best = 0
    for start, (t0, name) in enumerate(ordered):
        if name != steps[0]:
            continue
        depth, position = 1, start
        for step in steps[1:]:
            position = next(
                (
                    i
                    for i in range(position + 1, len(ordered))
                    if ordered[i][1] == step and ordered[i][0] <= t0 + window
                ),
                None,
            )
            if position is None:
                break
            depth += 1
        best = max(best, depth)
    return best


def test_walk_matches_window_funnel_and_reference(
    journeys_for, run_analysis, analytics_runtime, workspace
):
    rng = random.Random(7)
    names = ["A", "B", "C", "D"]
    people: dict[str, list[tuple]] = {}
    for p in range(40):
        people[f"p{p}"] = [
            (
                f"2026-01-01T10:{rng.randrange(30):02d}:00Z",
                rng.choice(["web", "store"]),
                rng.choice(names),
            )
            for _ in range(rng.randrange(1, 9))
        ]
    journeys_for(people)
    window = 600
    for steps in (["A", "B", "A", "C"], ["B", "B"], names):  # repeated, distinct
        expected = [0] * len(steps)
        for events in people.values():
            stamps = [(int(e[0][14:16]) * 60, e[2]) for e in events]
            for k in range(reference_depth(stamps, steps, window)):
                expected[k] += 1
        result = run_analysis("funnel", {"steps": steps, "window": window})
        assert [s["count"] for s in result["steps"]] == expected, steps
    # windowFunnel's own depths equal the walk's for distinct names
    params = {
        "ws": workspace.workspace.id,
        "from_ms": 0,
        "to_ms": 2**50,
        "channels": "[]",
        "filter_profiles": 0,
        "profiles": "[]",
        "names": array_param(names),
        "masks": array_param([1, 2, 4, 8]),
        "window_ms": window * 1000,
        "sample": 1,
        "use_walk": 0,
    }
    rows = analytics_runtime.store.events.query_rows(funnel_sql(4), params)
    assert [r["window_funnel_profiles"] for r in rows] == [
        r["walk_profiles"] for r in rows
    ]
    assert [r["walk_profiles"] for r in rows] == [e for e in expected if e]


def test_report_on_a_data_folder(settings):
    """``omnicx report funnel --data D --workspace W --json --query …`` on a folder
    whose events are not processed yet (the report processes them first)."""
    runtime = Runtime.open(settings, start_processor=False)
    try:
        source = runtime.store.state.create_workspace("shop").source
        messages = [_message(p, e) for p, events in PEOPLE.items() for e in events]
        body = json.dumps({"batch": messages}).encode()
        result = runtime.ingest.ingest_blocking("batch", body, source.write_key)
        assert not result.rejected
    finally:
        runtime.close()
    query = {"steps": STEPS, "window": "1h"}
    report = run_report(settings, "funnel", "shop", query)
    assert [s["count"] for s in report["steps"]] == [5, 4, 3, 2]
    out = CliRunner().invoke(
        cli,
        [
            "report", "funnel", "--data", str(settings.data_dir), "--workspace",
            "shop", "--json", "--query", json.dumps(query), "--channel", "web",
        ],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert [s["count"] for s in json.loads(out.output)["steps"]] == [4, 2, 1, 0]
    bad = CliRunner().invoke(
        cli,
        ["report", "funnel", "--data", str(settings.data_dir), "--workspace", "shop",
         "--query", '{"steps": []}'],
    )  # fmt: skip
    assert bad.exit_code != 0
