"""Paths, the journey-stage map and pain points on declarative journeys, with the
answers worked out by hand."""

from __future__ import annotations

import pytest

from omnicx.errors import ConfigError, ValidationError
from omnicx.journeys.paths import parse_paths

PV, PROD, ADD, OC = "Page Viewed", "Product Viewed", "Product Added", "Order Completed"
SURVEY = "Survey Answered"


def at(hms: str, day: int = 1) -> str:
    return f"2026-01-0{day}T{hms}Z"


#: channel paths (max 3 steps)            furthest stage
PEOPLE = {
    # [web, store]                          purchase
    "alice": [(at("10:00:00"), "web", PV), (at("10:01:00"), "web", PROD),
              (at("11:00:00"), "store", OC)],
    "amy": [(at("10:00:00"), "web", PV), (at("10:01:00"), "web", PROD),
            (at("11:00:00"), "store", OC)],
    # [email, web, call_center] (web again cut)   purchase
    "bob": [(at("10:00:00"), "email", "Email Opened"), (at("10:05:00"), "web", PV),
            (at("10:06:00"), "web", ADD),
            (at("10:30:00"), "call_center", "Call Started"),
            (at("11:00:00"), "web", OC)],
    # [web, chat]                            consideration; abandons in chat
    "carol": [(at("10:00:00"), "web", PV), (at("10:02:00"), "web", PROD),
              (at("10:10:00"), "chat", "Chat Started")],
    # [web, social]                          awareness; complains
    "dave": [(at("10:00:00"), "web", PV),
             (at("10:30:00"), "social", "Complaint Posted")],
    # [mobile_app, store, mobile_app]        advocacy (app opened before purchase:
    #                                         not retention; after: retention)
    "erin": [(at("10:00:00"), "mobile_app", "Application Opened"),
             (at("11:00:00"), "store", OC),
             (at("09:00:00", 2), "mobile_app", "Application Opened"),
             (at("10:00:00", 2), "email", "Review Submitted")],
    # [web]                                  awareness
    "frank": [(at("10:00:00"), "web", PV)],
    # [store, web]                           retention (repeat purchase)
    "hank": [(at("10:00:00"), "store", OC), (at("10:00:00", 2), "web", OC)],
    # [web, email]                           advocacy (NPS promoter)
    "ivy": [(at("10:00:00"), "web", PV),
            (at("10:05:00"), "email", SURVEY, {"score": 10})],
    # [web, email]                           consideration; NPS detractor
    "jack": [(at("10:00:00"), "web", PROD),
             (at("10:05:00"), "email", SURVEY, {"score": 3})],
}  # fmt: skip


@pytest.fixture
def loaded(journeys_for):
    return journeys_for(PEOPLE)


def links_out_of(result: dict, step: int) -> int:
    return sum(
        link["value"]
        for link in result["links"]
        if link["source"].startswith(f"{step}.")
    )


def test_channel_paths_and_sankey(loaded, run_analysis):
    result = run_analysis("paths", {"max_steps": 3})
    assert result["profiles"] == 10
    assert result["paths"][:2] == [
        {"path": ["web", "email"], "profiles": 2, "share": 0.2},
        {"path": ["web", "store"], "profiles": 2, "share": 0.2},
    ]
    singles = {tuple(p["path"]) for p in result["paths"][2:]}
    assert singles == {
        ("email", "web", "call_center"),
        ("web", "chat"),
        ("web", "social"),
        ("mobile_app", "store", "mobile_app"),
        ("web",),
        ("store", "web"),
    }
    nodes = {n["name"]: n["value"] for n in result["nodes"]}
    assert nodes == {
        "1. web": 7, "1. email": 1, "1. mobile_app": 1, "1. store": 1,
        "2. store": 3, "2. web": 2, "2. email": 2, "2. chat": 1, "2. social": 1,
        "3. call_center": 1, "3. mobile_app": 1,
    }  # fmt: skip
    links = {(x["source"], x["target"]): x["value"] for x in result["links"]}
    assert links == {
        ("1. web", "2. store"): 2,
        ("1. web", "2. email"): 2,
        ("1. web", "2. chat"): 1,
        ("1. web", "2. social"): 1,
        ("1. email", "2. web"): 1,
        ("1. mobile_app", "2. store"): 1,
        ("1. store", "2. web"): 1,
        ("2. web", "3. call_center"): 1,
        ("2. store", "3. mobile_app"): 1,
    }
    # links out of step k = profiles whose path has more than k steps
    lengths = [len(p["path"]) for p in result["paths"] for _ in range(p["profiles"])]
    for k in (1, 2, 3):
        assert links_out_of(result, k) == sum(1 for n in lengths if n > k)
    # nodes of a step add up to the profiles with that many steps
    assert sum(n["value"] for n in result["nodes"] if n["step"] == 2) == 9


def test_anchored_paths_and_event_touchpoints(loaded, run_analysis):
    start = run_analysis(
        "paths", {"start_event": PROD, "touchpoint": "channel:event", "top": 5}
    )
    assert start["profiles"] == 4  # alice, amy, carol, jack
    assert {tuple(p["path"]): p["profiles"] for p in start["paths"]} == {
        ("web:Product Viewed", "store:Order Completed"): 2,
        ("web:Product Viewed", "chat:Chat Started"): 1,
        ("web:Product Viewed", "email:Survey Answered"): 1,
    }
    # only an end event: the last max_steps touchpoints up to the first purchase
    end = run_analysis("paths", {"end_event": OC, "max_steps": 3})
    assert {tuple(p["path"]): p["profiles"] for p in end["paths"]} == {
        ("web", "store"): 2,
        ("web", "call_center", "web"): 1,  # bob: email cut from the front
        ("mobile_app", "store"): 1,
        ("store",): 1,  # hank's first order
    }
    both = run_analysis("paths", {"start_event": PV, "end_event": OC})
    assert {tuple(p["path"]): p["profiles"] for p in both["paths"]} == {
        ("web", "store"): 2,
        ("web", "call_center", "web"): 1,
    }
    # out of scope: nothing
    empty = run_analysis("paths", {"from": "2030-01-01"})
    assert empty["profiles"] == 0 and empty["paths"] == [] and empty["links"] == []
    assert empty["stages"]["customers"] == 0 and empty["pain_points"] == []


def test_other_node_keeps_the_sankey_consistent(loaded, run_analysis):
    result = run_analysis("paths", {"max_steps": 3, "top": 1})
    nodes = {n["name"]: n["value"] for n in result["nodes"]}
    assert nodes["1. web"] == 7 and nodes["1. other"] == 3
    assert nodes["2. store"] == 3 and nodes["2. other"] == 6
    assert links_out_of(result, 1) == 9 and links_out_of(result, 2) == 2
    assert len(result["paths"]) == 1


def test_stages(loaded, run_analysis):
    stages = run_analysis("paths", {})["stages"]
    assert stages["customers"] == 10 and stages["no_stage"] == 0
    table = {s["stage"]: (s["customers"], s["stopped"]) for s in stages["stages"]}
    assert table == {
        "awareness": (7, 2),  # dave, frank stop here
        "consideration": (5, 2),  # carol, jack
        "purchase": (5, 3),  # alice, amy, bob
        "retention": (2, 1),  # hank (repeat purchase); erin goes on
        "advocacy": (2, 2),  # erin (review), ivy (promoter)
    }
    assert stages["stages"][0]["share"] == 0.7
    assert stages["stages"][2]["stopped_share"] == 0.6


def test_stages_from_workspace_config(
    loaded, run_analysis, analytics_runtime, workspace
):
    state = analytics_runtime.store.state
    state.set_workspace_config(
        workspace.workspace.id, {"journey_stages": {"advocacy": [SURVEY]}}
    )
    stages = run_analysis("paths", {})["stages"]["stages"]
    table = {s["stage"]: (s["customers"], s["stopped"]) for s in stages}
    # advocacy is now any survey answer (jack too) or a promoter; erin's review no
    # longer counts, so she stops at retention
    assert table["advocacy"] == (2, 2)  # ivy, jack
    assert table["retention"] == (2, 2)  # erin, hank
    assert table["consideration"] == (5, 1)  # carol
    state.set_workspace_config(workspace.workspace.id, {"journey_stages": ["x"]})
    with pytest.raises(ConfigError):
        run_analysis("paths", {})


def test_pain_points(loaded, run_analysis):
    points = run_analysis("paths", {})["pain_points"]
    table = {
        p["touchpoint"]: (
            p["profiles"],
            p["abandoned"],
            p["negative_feedback"],
            p["service_contact"],
        )
        for p in points
    }
    assert table == {
        "email:Survey Answered": (2, 2, 0, 0),  # ivy, jack leave after answering
        "web:Page Viewed": (7, 1, 1, 0),  # frank leaves; dave complains next
        "web:Product Viewed": (4, 0, 1, 1),  # jack's detractor score; carol chats
        "chat:Chat Started": (1, 1, 0, 0),
        "social:Complaint Posted": (1, 1, 0, 0),
        "web:Product Added": (1, 0, 0, 1),  # bob calls the contact centre
    }
    assert [p["touchpoint"] for p in points[:3]] == [
        "email:Survey Answered",
        "web:Page Viewed",
        "web:Product Viewed",
    ]
    page = points[1]
    assert page["abandoned_rate"] == 1 / 7 and page["negative_feedback_rate"] == 1 / 7
    assert page["problems"] == 2


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"touchpoint": "event"}, "touchpoint"),
        ({"max_steps": 0}, "max_steps"),
        ({"max_steps": 21}, "max_steps"),
        ({"top": 101}, "top"),
        ({"top": True}, "top"),
        ({"start_event": 5}, "start_event"),
        ({"end_event": "  "}, "end_event"),
        ({"steps": ["a"]}, "steps"),
        ({"channels": 3}, "channels"),
    ],
)
def test_validation_names_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse_paths(raw)
    assert [e.field for e in caught.value.errors] == [field]


def test_parse_defaults():
    query = parse_paths({"start_event": " Product Viewed ", "top": "3"})
    assert query.start_event == "Product Viewed" and query.end_event is None
    assert (query.touchpoint, query.max_steps, query.top) == ("channel", 5, 3)
