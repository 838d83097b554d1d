"""Channel switching: hand-computed answers on declarative journeys, including
out-of-order arrival, merged profiles, same-instant ties, filters and empty ranges."""

from __future__ import annotations

import itertools
import json
import random
import statistics
from datetime import datetime

import pytest
from click.testing import CliRunner

from omnicx.cli import cli
from omnicx.cli_report import run_report
from omnicx.errors import ValidationError
from omnicx.journeys.switching import parse
from omnicx.runtime import Runtime
from tests.journeys.conftest import _message

PV, PA, OC = "Product Viewed", "Product Added", "Order Completed"
GOLD = {"type": "identify", "traits": {"plan": "gold"}}

#: Identify calls (alice's at 10:01, bob's at 07:59, both on web) are not
#: interactions: they add no channel and break no transition.
#:
#: alice  web 10:00, web 10:05, store OC 11:00, call_center next day 09:00
#:        → web→store 3300 s, store→call_center 79200 s; 3 channels; ROPO
#: bob    social 08:00, chat 08:30, call_center 09:00, web 10:00
#:        → social→chat 1800, chat→call_center 1800, call_center→web 3600; 4
#:        channels; escalated (call after social/chat)
#: carol  mobile_app 10:00, store OC 12:00 → mobile_app→store 7200; ROPO
#: dave   store OC 10:00, web 12:00 → store→web 7200; online only after: not ROPO
#: erin   web, web → 1 channel, no transition
#: frank  call_center 10:00, chat 11:00 → call_center→chat 3600; the call came
#:        before the chat: not escalated
#: gina   web 10:00, store OC 10:10 → web→store 600; ROPO
PEOPLE = {
    "alice": [
        ("2026-01-01T10:00:00Z", "web", PV),
        ("2026-01-01T10:01:00Z", "web", "Identify", {}, GOLD),
        ("2026-01-01T10:05:00Z", "web", PA),
        ("2026-01-01T11:00:00Z", "store", OC, {"revenue": 30}),
        ("2026-01-02T09:00:00Z", "call_center", "Call Started"),
    ],
    "bob": [
        ("2026-01-01T07:59:00Z", "web", "Identify", {}, GOLD),
        ("2026-01-01T08:00:00Z", "social", "Message Sent"),
        ("2026-01-01T08:30:00Z", "chat", "Chat Started"),
        ("2026-01-01T09:00:00Z", "call_center", "Call Started"),
        ("2026-01-01T10:00:00Z", "web", "Page Viewed"),
    ],
    "carol": [
        ("2026-01-03T10:00:00Z", "mobile_app", PV),
        ("2026-01-03T12:00:00Z", "store", OC, {"revenue": 80}),
    ],
    "dave": [
        ("2026-01-04T10:00:00Z", "store", OC, {"revenue": 20}),
        ("2026-01-04T12:00:00Z", "web", "Page Viewed"),
    ],
    "erin": [
        ("2026-01-04T09:00:00Z", "web", "Page Viewed"),
        ("2026-01-04T09:10:00Z", "web", "Page Viewed"),
    ],
    "frank": [
        ("2026-01-05T10:00:00Z", "call_center", "Call Started"),
        ("2026-01-05T11:00:00Z", "chat", "Chat Started"),
    ],
    "gina": [
        ("2026-01-06T10:00:00Z", "web", PV),
        ("2026-01-06T10:10:00Z", "store", OC, {"revenue": 40}),
    ],
}


def t(source: str, target: str, count: int, median: float) -> dict:
    return {"from": source, "to": target, "count": count, "median_gap_s": median}


@pytest.mark.parametrize("shuffle", [False, True], ids=["in-order", "reversed"])
def test_switching_hand_computed(journeys_for, run_analysis, shuffle):
    journeys_for(PEOPLE, shuffle=shuffle)
    result = run_analysis("channel-switching", {})
    assert result["customers"] == 7
    assert result["customers_by_channel_count"] == {"1": 1, "2": 4, "3": 1, "4": 1}
    assert result["multichannel_customers"] == 6
    assert result["multichannel_share"] == pytest.approx(6 / 7)
    assert result["transitions"] == [
        t("web", "store", 2, 1950.0),  # median of 3300 and 600
        t("call_center", "chat", 1, 3600.0),
        t("call_center", "web", 1, 3600.0),
        t("chat", "call_center", 1, 1800.0),
        t("mobile_app", "store", 1, 7200.0),
        t("social", "chat", 1, 1800.0),
        t("store", "call_center", 1, 79200.0),
        t("store", "web", 1, 7200.0),
    ]
    assert result["total_transitions"] == 9
    ropo = result["ropo"]
    assert (ropo["customers"], ropo["store_purchasers"], ropo["online_customers"]) == (
        3,
        4,
        6,
    )
    assert ropo["rate_of_store_purchasers"] == 0.75
    assert ropo["rate_of_online_customers"] == 0.5
    escalation = result["service_escalation"]
    assert (escalation["customers"], escalation["service_customers"]) == (1, 2)
    assert escalation["rate"] == 0.5
    sankey = result["sankey"]
    assert [n["name"] for n in sankey["nodes"]] == [
        "from:call_center",
        "from:chat",
        "from:mobile_app",
        "from:social",
        "from:store",
        "from:web",
        "to:call_center",
        "to:chat",
        "to:store",
        "to:web",
    ]
    assert sankey["links"][0] == {
        "source": "from:web",
        "target": "to:store",
        "value": 2,
    }
    assert sum(link["value"] for link in sankey["links"]) == 9
    json.dumps(result)  # plain JSON


def test_channel_and_trait_filters(journeys_for, run_analysis):
    journeys_for(PEOPLE)
    # Only web and store: alice web→store, dave store→web, gina web→store; carol's
    # app visit is out of scope so her store order is no longer ROPO.
    web_store = run_analysis("channel-switching", {"channels": "web,store"})
    assert web_store["customers_by_channel_count"] == {"1": 3, "2": 3}
    assert web_store["transitions"] == [
        t("web", "store", 2, 1950.0),
        t("store", "web", 1, 7200.0),
    ]
    assert web_store["ropo"]["rate_of_store_purchasers"] == 0.5  # 2 of 4
    assert web_store["ropo"]["rate_of_online_customers"] == 0.4  # 2 of 5
    assert web_store["service_escalation"]["rate"] is None
    # Trait filter: alice and bob identified themselves as gold.
    gold = run_analysis("channel-switching", {"traits": {"plan": "gold"}})
    assert gold["customers_by_channel_count"] == {"3": 1, "4": 1}
    assert gold["total_transitions"] == 5
    assert gold["ropo"]["rate_of_store_purchasers"] == 1.0
    assert gold["ropo"]["rate_of_online_customers"] == 0.5
    assert gold["service_escalation"]["rate"] == 1.0
    # Time range (half-open): 2026-01-04 only → dave and erin.
    day4 = run_analysis("channel-switching", {"from": "2026-01-04", "to": "2026-01-05"})
    assert day4["customers_by_channel_count"] == {"1": 1, "2": 1}
    assert day4["transitions"] == [t("store", "web", 1, 7200.0)]
    # A conversion nobody made.
    other = run_analysis("channel-switching", {"conversion": "Refund Issued"})
    assert other["ropo"]["store_purchasers"] == 0
    assert other["ropo"]["rate_of_store_purchasers"] is None
    assert other["ropo"]["rate_of_online_customers"] == 0.0


def test_empty_range_and_empty_workspace(journeys_for, run_analysis):
    empty = run_analysis("channel-switching", {})
    journeys_for(PEOPLE)
    later = run_analysis(
        "channel-switching", {"from": "2030-01-01", "to": "2030-02-01"}
    )
    for result in (empty, later):
        assert result["customers"] == 0
        assert result["customers_by_channel_count"] == {}
        assert result["transitions"] == []
        assert result["sankey"] == {"nodes": [], "links": []}
        assert result["multichannel_share"] is None
        assert result["ropo"]["rate_of_store_purchasers"] is None
        assert result["service_escalation"]["rate"] is None


def test_merged_profile_anonymous_browsing_then_identify(journeys_for, run_analysis):
    """Web browsing under an anonymous id, an identify linking it to ivy, a store
    order as ivy: one customer, web→store, ROPO."""
    anonymous = {"userId": None, "anonymousId": "anon-ivy"}
    profiles = journeys_for(
        {
            "ivy": [
                ("2026-01-07T10:00:00Z", "web", PV, {}, anonymous),
                ("2026-01-07T10:05:00Z", "web", "Identify", {}, {
                    "type": "identify", "anonymousId": "anon-ivy"}),
                ("2026-01-08T10:00:00Z", "store", OC, {"revenue": 90}),
            ]
        },
        shuffle=True,
    )  # fmt: skip
    assert profiles["ivy"]
    result = run_analysis("channel-switching", {})
    assert result["customers_by_channel_count"] == {"2": 1}
    assert result["transitions"] == [t("web", "store", 1, 86400.0)]
    assert result["ropo"]["customers"] == 1


def test_same_instant_ties_follow_message_id(journeys_for, run_analysis):
    """At the same millisecond, message ids order the events (m-a before m-b), not
    channel names (store < web) or arrival."""
    same = "2026-01-09T10:00:00Z"
    journeys_for(
        {
            "hank": [
                (same, "store", "Store Visit", {}, {"messageId": "m-b"}),
                (same, "web", PV, {}, {"messageId": "m-a"}),
                ("2026-01-09T10:30:00Z", "call_center", "Call Started"),
            ],
            "iris": [
                (same, "web", PV, {}, {"messageId": "m-c"}),
                ("2026-01-09T10:00:00.001Z", "store", OC, {}, {"messageId": "m-0"}),
            ],
        },
        shuffle=True,
    )
    result = run_analysis("channel-switching", {})
    assert result["transitions"] == [
        t("web", "store", 2, 0.0005),  # median of 0 ms and 1 ms
        t("store", "call_center", 1, 1800.0),
    ]
    assert result["ropo"]["customers"] == 1  # iris: web 1 ms before the order


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"conversion": ""}, "conversion"),
        ({"conversion": 5}, "conversion"),
        ({"conversoin": "Order Completed"}, "conversoin"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"channels": 5}, "channels"),
        ({"traits": "gold"}, "traits"),
    ],
)
def test_validation_names_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    assert [e.field for e in caught.value.errors] == [field]


def test_report_on_a_data_folder(settings):
    """``omnicx report channel-switching --data D --workspace W --json`` on a folder
    whose events are not processed yet."""
    runtime = Runtime.open(settings, start_processor=False)
    try:
        source = runtime.store.state.create_workspace("shop").source
        messages = [_message(p, e) for p, events in PEOPLE.items() for e in events]
        body = json.dumps({"batch": messages}).encode()
        assert not runtime.ingest.ingest_blocking(
            "batch", body, source.write_key
        ).rejected
    finally:
        runtime.close()
    report = run_report(settings, "channel-switching", "shop", {})
    assert report["customers_by_channel_count"] == {"1": 1, "2": 4, "3": 1, "4": 1}
    out = CliRunner().invoke(
        cli,
        ["report", "channel-switching", "--data", str(settings.data_dir),
         "--workspace", "shop", "--json", "--channel", "web", "--channel", "store"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["total_transitions"] == 3


# -- random journeys against a plain-Python reference ------------------------------
RANDOM_CHANNELS = ("web", "mobile_app", "store", "social", "chat", "call_center")
RANDOM_EVENTS = (PV, PV, PV, PA, "Checkout Started", OC, OC, "Call Started")


def random_people(seed: int, people: int = 25) -> dict[str, list[tuple]]:
    """Events on an hourly grid over four days (so same-instant ties happen), with
    random message ids (so ties are broken by them, not by arrival)."""
    rng = random.Random(seed)
    out: dict[str, list[tuple]] = {}
    for p in range(people):
        events = []
        for _ in range(rng.randint(1, 12)):
            hour = rng.randrange(96)
            ts = f"2026-04-{1 + hour // 24:02d}T{hour % 24:02d}:00:00Z"
            event = rng.choice(RANDOM_EVENTS)
            props = {"revenue": rng.randint(1, 100)} if event == OC else {}
            if event == OC and rng.random() < 0.2:
                props = {}
            mid = {"messageId": f"{rng.getrandbits(40):010x}"}
            events.append((ts, rng.choice(RANDOM_CHANNELS), event, props, mid))
        out[f"r{p}"] = events
    return out


def epoch_ms(ts: str) -> int:
    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def reference_switching(people: dict[str, list[tuple]]) -> dict:
    gaps: dict[tuple[str, str], list[int]] = {}
    by_count: dict[str, int] = {}
    ropo = store_buyers = online = escalated = service = 0
    for events in people.values():
        seq = sorted((epoch_ms(e[0]), e[4]["messageId"], e[1], e[2]) for e in events)
        for (t0, _, c0, _), (t1, _, c1, _) in itertools.pairwise(seq):
            if c0 != c1:
                gaps.setdefault((c0, c1), []).append(t1 - t0)
        n = str(len({e[2] for e in seq}))
        by_count[n] = by_count.get(n, 0) + 1
        web = [t for t, _, c, _ in seq if c in ("web", "mobile_app")]
        buys = [t for t, _, c, e in seq if c == "store" and e == OC]
        social = [t for t, _, c, _ in seq if c in ("social", "chat")]
        calls = [t for t, _, c, _ in seq if c == "call_center"]
        online += bool(web)
        store_buyers += bool(buys)
        ropo += bool(web and buys and min(web) < max(buys))
        service += bool(social)
        escalated += bool(social and calls and min(social) < max(calls))
    transitions = sorted(
        (t(a, b, len(g), statistics.median(g) / 1000) for (a, b), g in gaps.items()),
        key=lambda x: (-x["count"], x["from"], x["to"]),
    )
    return {
        "by_count": dict(sorted(by_count.items(), key=lambda kv: int(kv[0]))),
        "transitions": transitions,
        "ropo": (ropo, store_buyers, online),
        "escalation": (escalated, service),
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_random_journeys_match_reference(journeys_for, run_analysis, seed):
    people = random_people(seed)
    journeys_for(people, shuffle=True)
    result = run_analysis("channel-switching", {})
    expected = reference_switching(people)
    assert result["customers_by_channel_count"] == expected["by_count"]
    assert result["transitions"] == [
        x | {"median_gap_s": pytest.approx(x["median_gap_s"])}
        for x in expected["transitions"]
    ]
    ropo = result["ropo"]
    assert (
        ropo["customers"],
        ropo["store_purchasers"],
        ropo["online_customers"],
    ) == expected["ropo"]
    escalation = result["service_escalation"]
    assert (escalation["customers"], escalation["service_customers"]) == expected[
        "escalation"
    ]


def test_http_api_get_post_errors_and_isolation(live):
    """The three cross-channel analyses over HTTP: GET query strings and POST bodies
    give the same answer, bad input gets the one error shape naming the field, and
    another workspace sees none of this one's customers."""
    messages = [_message(p, e) for p, events in PEOPLE.items() for e in events]
    assert live.send("/v1/batch", {"batch": messages}).status_code == 200
    live.wait_processed()
    base = "/api/v1/analytics/"
    got = live.api(base + "channel-switching?channels=web,store").json()
    posted = live.api(
        base + "channel-switching", method="POST", json={"channels": ["web", "store"]}
    ).json()
    assert got == posted
    assert got["customers_by_channel_count"] == {"1": 3, "2": 3}
    silo = live.api(
        base + "silo-vs-unified",
        params={"cart_events": '["Product Added"]', "lookback": "7d"},
    ).json()
    assert silo["cart_events"] == ["Product Added"]
    assert silo["channels"]["web"]["abandoned_bought_on"] == {"store": 1}  # alice
    impact = live.api(base + 'omnichannel-impact?traits={"plan":"gold"}').json()
    assert impact["customers_by_channel_count"] == {"3": 1, "4": 1}
    for path, field in (
        ("channel-switching?conversion=", "conversion"),
        ("silo-vs-unified?lookback=forever", "lookback"),
        ("omnichannel-impact?value_propery=revenue", "value_propery"),
        ("omnichannel-impact?from=2026-02-01&to=2026-01-01", "to"),
    ):
        response = live.api(base + path)
        assert response.status_code == 400, path
        body = response.json()
        assert body["ok"] is False and body["status"] == 400
        assert [e["field"] for e in body["errors"]] == [field], path
    other = live.new_workspace("other")
    for name in ("channel-switching", "silo-vs-unified", "omnichannel-impact"):
        response = live.api(base + name, token=other.admin_token).json()
        assert response.get("customers", 0) == 0, name
        assert response.get("channels", {}) == {}, name
