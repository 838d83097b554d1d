"""Attribution: hand-computed answers on declarative journeys, the models checked
against the ``channelattribution`` package, and the CLI report."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicx.errors import ValidationError
from omnicx.journeys import _attribution_heuristic as heuristic
from omnicx.journeys._attribution_markov import markov
from omnicx.journeys._attribution_paths import paths_from_lists
from omnicx.journeys._attribution_shapley import shapley, shapley_values

DAY = 86400


def credit(result: dict, model: str) -> dict[str, tuple[float, float]]:
    """{channel: (conversions, value)} of one model, zero channels left out."""
    channels = result["models"][model]["channels"]
    return {
        name: (c["conversions"], c["value"])
        for name, c in channels.items()
        if c["conversions"] or c["value"]
    }


def assert_credit(result: dict, model: str, expected: dict) -> None:
    got = credit(result, model)
    assert set(got) == set(expected), (model, got)
    for name, (conversions, value) in expected.items():
        assert got[name][0] == pytest.approx(conversions, abs=1e-9), (model, name)
        assert got[name][1] == pytest.approx(value, abs=1e-9), (model, name)


# alice: web, email, web, then orders (100); bob: email, then orders (50);
# carol: web, web and never orders.
SHOP = {
    "alice": [
        ("2026-01-01T10:00:00Z", "web", "Product Viewed"),
        ("2026-01-02T10:00:00Z", "email", "Email Opened"),
        ("2026-01-03T10:00:00Z", "web", "Product Viewed"),
        ("2026-01-04T10:00:00Z", "store", "Order Completed", {"revenue": 100}),
    ],
    "bob": [
        ("2026-01-01T10:00:00Z", "email", "Email Opened"),
        ("2026-01-01T11:00:00Z", "store", "Order Completed", {"revenue": "50"}),
    ],
    "carol": [
        ("2026-01-01T10:00:00Z", "web", "Page Viewed"),
        ("2026-01-02T10:00:00Z", "web", "Product Viewed"),
    ],
}


@pytest.mark.parametrize("shuffle", [False, True], ids=["in-order", "out-of-order"])
def test_every_model_by_hand(journeys_for, run_analysis, shuffle):
    journeys_for(SHOP, shuffle=shuffle)
    result = run_analysis(
        "attribution", {"lookback": "30d", "half_life": "1d", "order": 1}
    )
    assert result["journeys"] == {
        "converting": 2,
        "non_converting": 1,
        "no_touch": 0,
        "attributed": 2,
        "paths": 3,
    }
    assert result["channels"] == ["email", "web"]
    assert result["conversions"]["value"] == 150.0
    assert_credit(result, "first_touch", {"web": (1, 100), "email": (1, 50)})
    assert_credit(result, "last_touch", {"web": (1, 100), "email": (1, 50)})
    # alice's 3 touches: web 2/3, email 1/3
    assert_credit(
        result, "linear", {"web": (2 / 3, 200 / 3), "email": (4 / 3, 100 / 3 + 50)}
    )
    # 40/20/40: web 0.4 + 0.4, email 0.2
    assert_credit(result, "position_based", {"web": (0.8, 80), "email": (1.2, 70)})
    # half-life 1 day: alice's touches 3, 2, 1 days before → 1/8, 1/4, 1/2 of 7/8
    assert_credit(
        result,
        "time_decay",
        {"web": (5 / 7, 500 / 7), "email": (2 / 7 + 1, 200 / 7 + 50)},
    )
    # Markov (repeats collapse: carol is web → null). start → web 2/3, email 1/3;
    # web → email 1/3, conversion 1/3, null 1/3; email → web 1/2, conversion 1/2.
    # P(conv) = 2/3; without web 1/6 (effect 3/4); without email 2/9 (effect 2/3).
    # Value: m(web) = 100, m(email) = 50; E = 50; without web 25/3 (effect 5/6);
    # without email 200/9 (effect 5/9).
    assert_credit(result, "markov", {"web": (18 / 17, 90.0), "email": (16 / 17, 60.0)})
    mk = result["models"]["markov"]
    assert mk["conversion_probability"] == pytest.approx(2 / 3)
    assert mk["removal_effects"]["conversions"] == pytest.approx(
        {"web": 3 / 4, "email": 2 / 3}
    )
    assert mk["removal_effects"]["value"] == pytest.approx(
        {"web": 5 / 6, "email": 5 / 9}
    )
    # Shapley, v(S) = conversions of journeys whose channel set ⊆ S
    assert_credit(result, "shapley", {"web": (0.5, 50), "email": (1.5, 100)})
    for model in result["models"].values():
        assert model["total"]["conversions"] == pytest.approx(2)
        assert model["total"]["value"] == pytest.approx(150)
    assert result["top_paths"][0]["conversions"] == 1
    assert {tuple(p["path"]) for p in result["top_paths"]} == {
        ("web", "email", "web"),
        ("email",),
        ("web", "web"),
    }


def test_shapley_conversion_rate_by_hand(journeys_for, run_analysis):
    journeys_for(SHOP)
    result = run_analysis(
        "attribution", {"models": ["shapley"], "shapley_function": "conversion_rate"}
    )
    # 3 journeys: {web, email} converts (100), {email} converts (50), {web} not.
    # v({web}) = 3 · 0/1 = 0; v({email}) = 3 · 1/1 = 3; v(both) = 3 · 2/3 = 2.
    # φ_email = ½(3 - 0) + ½(2 - 0) = 2.5; φ_web = ½(0) + ½(2 - 3) = -0.5.
    # Value: v({email}) = 150, v(both) = 150 → φ_email = 150, φ_web = 0.
    channels = result["models"]["shapley"]["channels"]
    assert channels["email"] == pytest.approx({"conversions": 2.5, "value": 150})
    assert channels["web"] == pytest.approx({"conversions": -0.5, "value": 0})
    assert result["models"]["shapley"]["function"] == "conversion_rate"


def test_lookback_is_inclusive_and_the_tail_looks_back_from_its_last_touch(
    journeys_for, run_analysis
):
    journeys_for(
        {
            # web exactly 7 days before the order: inside
            "dave": [
                ("2026-01-01T00:00:00Z", "web", "Product Viewed"),
                ("2026-01-03T00:00:00Z", "email", "Email Opened"),
                ("2026-01-08T00:00:00Z", "store", "Order Completed", {"revenue": 1}),
            ],
            # web 7 days and 1 ms before: outside
            "erin": [
                ("2026-01-01T00:00:00.000Z", "web", "Product Viewed"),
                ("2026-01-03T00:00:00Z", "email", "Email Opened"),
                (
                    "2026-01-08T00:00:00.001Z",
                    "store",
                    "Order Completed",
                    {"revenue": 1},
                ),
            ],
            # tail: sms 8 days before the last touch is outside, push inside
            "fred": [
                ("2026-01-01T00:00:00Z", "sms", "Message Opened"),
                ("2026-01-06T00:00:00Z", "push", "Push Opened"),
                ("2026-01-09T00:00:00Z", "chat", "Chat Started"),
            ],
        }
    )
    result = run_analysis("attribution", {"lookback": "7d"})
    assert_credit(result, "first_touch", {"web": (1, 1), "email": (1, 1)})
    assert_credit(result, "last_touch", {"email": (2, 2)})
    tail = [p for p in result["top_paths"] if p["conversions"] == 0]
    assert tail == [
        {"path": ["push", "chat"], "journeys": 1, "conversions": 0, "value": 0.0}
    ]
    assert result["journeys"]["non_converting"] == 1


def test_repeat_conversions_split_journeys_and_no_touch_policies(
    journeys_for, run_analysis
):
    journeys_for(
        {
            "gina": [
                ("2026-01-01T10:00:00Z", "web", "Product Viewed"),
                ("2026-01-02T10:00:00Z", "store", "Order Completed", {"revenue": 10}),
                ("2026-01-03T10:00:00Z", "email", "Email Opened"),
                ("2026-01-04T10:00:00Z", "sms", "Message Opened"),
                # a touch at the conversion's instant belongs before it
                ("2026-01-05T10:00:00Z", "web", "Product Viewed"),
                # two orders at one instant: ordered by channel, the second one has
                # no touch of its own
                ("2026-01-05T10:00:00Z", "web", "Order Completed"),
                (
                    "2026-01-05T10:00:00Z",
                    "call_center",
                    "Order Completed",
                    {"revenue": 20},
                ),
                ("2026-01-06T10:00:00Z", "push", "Push Opened"),
            ],
            "hank": [  # walks in and buys
                ("2026-01-02T10:00:00Z", "store", "Order Completed", {"revenue": 7}),
            ],
        }
    )
    result = run_analysis("attribution", {"models": ["first_touch", "linear"]})
    assert result["journeys"] == {
        "converting": 4,
        "non_converting": 1,
        "no_touch": 2,
        "attributed": 2,
        "paths": 3,
    }
    assert_credit(result, "first_touch", {"web": (1, 10), "email": (1, 20)})
    assert_credit(
        result,
        "linear",
        {
            "web": (1 + 1 / 3, 10 + 20 / 3),
            "email": (1 / 3, 20 / 3),
            "sms": (1 / 3, 20 / 3),
        },
    )
    unattributed = result["conversions"]["unattributed"]
    assert unattributed == {
        "conversions": 2,
        "value": 7.0,
        "by_channel": {
            "store": {"conversions": 1, "value": 7.0},
            "web": {"conversions": 1, "value": 0.0},
        },
    }
    assert result["models"]["linear"]["total"] == pytest.approx(
        {"conversions": 2.0, "value": 30.0}
    )

    own = run_analysis(
        "attribution",
        {"models": ["last_touch", "markov"], "no_touch": "conversion_channel"},
    )
    assert own["journeys"]["no_touch"] == 2 and own["journeys"]["attributed"] == 4
    assert own["conversions"]["unattributed"]["conversions"] == 0
    assert_credit(
        own,
        "last_touch",
        {"web": (3, 30), "store": (1, 7)},
    )
    assert own["models"]["markov"]["total"]["conversions"] == pytest.approx(4)


def test_merged_profile_brings_its_anonymous_history(journeys_for, run_analysis):
    anonymous = {"userId": None, "anonymousId": "anon-ivy"}
    journeys_for(
        {
            "ivy": [
                ("2026-01-01T10:00:00Z", "ads", "Ad Clicked", {}, anonymous),
                ("2026-01-01T10:01:00Z", "web", "Product Viewed", {}, anonymous),
                (  # sign-up: identify links anon-ivy to user ivy (and is a touch)
                    "2026-01-02T10:00:00Z",
                    "web",
                    "Identify",
                    {},
                    {"type": "identify", "anonymousId": "anon-ivy", "traits": {}},
                ),
                ("2026-01-02T12:00:00Z", "email", "Email Opened"),
                ("2026-01-03T10:00:00Z", "store", "Order Completed", {"revenue": 80}),
            ]
        },
        shuffle=True,
    )
    result = run_analysis("attribution", {"models": ["first_touch", "linear"]})
    assert result["journeys"]["converting"] == 1
    assert result["journeys"]["non_converting"] == 0
    assert_credit(result, "first_touch", {"ads": (1, 80)})
    assert_credit(
        result,
        "linear",
        {"ads": (1 / 4, 20), "web": (2 / 4, 40), "email": (1 / 4, 20)},
    )


def test_time_range_selects_conversions_and_looks_back_before_from(
    journeys_for, run_analysis
):
    journeys_for(SHOP)
    # only alice's order (Jan 4) is in range; her touches from Jan 1 still count
    result = run_analysis(
        "attribution",
        {"from": "2026-01-03T12:00:00Z", "to": "2026-01-05", "models": ["linear"]},
    )
    assert result["journeys"]["converting"] == 1
    assert result["journeys"]["non_converting"] == 0  # carol's tail ended Jan 2
    assert_credit(
        result, "linear", {"web": (2 / 3, 200 / 3), "email": (1 / 3, 100 / 3)}
    )
    # `to` before alice's order: her touches are a non-converting tail as of then
    early = run_analysis(
        "attribution", {"from": "2026-01-01", "to": "2026-01-04", "models": ["linear"]}
    )
    assert early["journeys"]["converting"] == 1  # bob
    assert early["journeys"]["non_converting"] == 2  # alice (censored), carol


def test_channel_filter_limits_touches_not_conversions(journeys_for, run_analysis):
    journeys_for(SHOP)
    result = run_analysis(
        "attribution", {"channels": ["web"], "models": ["first_touch", "linear"]}
    )
    assert result["channels"] == ["web"]
    assert_credit(result, "linear", {"web": (1, 100)})
    # bob's only touch was email: his order is unattributed, on its own channel
    assert result["conversions"]["unattributed"]["by_channel"] == {
        "store": {"conversions": 1, "value": 50.0}
    }


def test_trait_filter_and_value_property(journeys_for, run_analysis):
    gold = {"type": "identify", "traits": {"plan": "gold"}}
    journeys_for(
        {
            **SHOP,
            # after her order, so her identify is a tail of its own
            "alice": [
                *SHOP["alice"],
                ("2026-01-05T10:00:00Z", "web", "Identify", {}, gold),
            ],
        }
    )
    only_gold = run_analysis(
        "attribution", {"traits": {"plan": "gold"}, "models": ["linear"]}
    )
    assert only_gold["journeys"]["converting"] == 1
    assert only_gold["journeys"]["non_converting"] == 1
    assert_credit(
        only_gold, "linear", {"web": (2 / 3, 200 / 3), "email": (1 / 3, 100 / 3)}
    )
    nothing = run_analysis(
        "attribution", {"traits": {"plan": "silver"}, "models": ["linear"]}
    )
    assert nothing["journeys"]["converting"] == 0
    counted = run_analysis(
        "attribution", {"value_property": None, "models": ["last_touch"]}
    )
    assert_credit(counted, "last_touch", {"web": (1, 0), "email": (1, 0)})


def test_empty_range_gives_zeros(journeys_for, run_analysis):
    nothing_yet = run_analysis("attribution", {})  # no events in the workspace
    assert nothing_yet["journeys"]["converting"] == 0
    assert nothing_yet["models"]["markov"]["channels"] == {}
    journeys_for(SHOP)
    result = run_analysis("attribution", {"from": "2030-01-01", "to": "2030-02-01"})
    assert result["channels"] == [] and result["top_paths"] == []
    assert result["journeys"] == {
        "converting": 0,
        "non_converting": 0,
        "no_touch": 0,
        "attributed": 0,
        "paths": 0,
    }
    for model in result["models"].values():
        assert model["channels"] == {}
        assert model["total"] == {"conversions": 0.0, "value": 0.0}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"models": ["linear", "magic"]}, "models[1]"),
        ({"models": []}, "models"),
        ({"lookback": "30 days"}, "lookback"),
        ({"lookback": 0}, "lookback"),
        ({"half_life": "soon"}, "half_life"),
        ({"order": 0}, "order"),
        ({"order": 5}, "order"),
        ({"shapley_function": "banzhaf"}, "shapley_function"),
        ({"no_touch": "drop"}, "no_touch"),
        ({"conversion": ""}, "conversion"),
        ({"lookbak": "7d"}, "lookbak"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_invalid_queries_name_the_field(run_analysis, query, field):
    with pytest.raises(ValidationError) as caught:
        run_analysis("attribution", query)
    assert [e.field for e in caught.value.errors] == [field]


# -- the models on their own ---------------------------------------------------------
def random_paths(
    seed: int, count: int, channels: int = 5, longest: int = 6, repeats: bool = True
):
    rng = np.random.default_rng(seed)
    names = [f"c{i}" for i in range(channels)]
    paths, conversions, nulls, values = [], [], [], []
    for _ in range(count):
        length = int(rng.integers(1, longest + 1))
        path = [names[int(i)] for i in rng.integers(0, channels, length)]
        if not repeats:
            path = [c for i, c in enumerate(path) if i == 0 or path[i - 1] != c]
        paths.append(path)
        conv = int(rng.integers(0, 3))
        conversions.append(conv)
        nulls.append(int(rng.integers(0 if conv else 1, 4)))
        values.append(round(float(rng.uniform(5, 100)) * conv, 2))
    journeys = [c + n for c, n in zip(conversions, nulls, strict=True)]
    return paths, journeys, conversions, values


def test_markov_order_k_reproduces_the_journeys_when_k_covers_them():
    """With order ≥ every path's length each state is a whole path, so P(conversion)
    is the observed rate and removing c loses exactly the paths through c."""
    paths = [["a", "b"], ["a"], ["b", "c", "a"], ["c"], ["a", "b"], ["b", "a", "c"]]
    journeys, conversions, values = (
        [3, 4, 2, 5, 1, 2],
        [2, 1, 1, 0, 1, 1],
        [20, 5, 7, 0, 9, 4],
    )
    table = paths_from_lists(paths, journeys, conversions, values)
    result = markov(table, order=3)
    total = sum(conversions)
    assert result.details["conversion_probability"] == pytest.approx(
        total / sum(journeys)
    )
    for index, channel in enumerate(table.channels):
        through = sum(
            c for p, c in zip(paths, conversions, strict=True) if channel in p
        )
        assert result.details["removal_effects"]["conversions"][index] == pytest.approx(
            through / total
        )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_every_model_shares_out_exactly_the_conversions(seed):
    paths, journeys, conversions, values = random_paths(seed, 25)
    table = paths_from_lists(paths, journeys, conversions, values)
    results = [
        heuristic.first_touch(table),
        heuristic.last_touch(table),
        heuristic.linear(table),
        heuristic.position_based(table),
        markov(table, 1),
        markov(table, 2),
        shapley(table),
        shapley(table, "conversion_rate"),
    ]
    for result in results:
        assert result.conversions.sum() == pytest.approx(sum(conversions))
        assert result.value.sum() == pytest.approx(sum(values))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_shapley_closed_form_equals_the_game_over_all_coalitions(seed):
    paths, journeys, conversions, values = random_paths(seed, 12, channels=4)
    table = paths_from_lists(paths, journeys, conversions, values)
    n = table.n_channels
    sets = [frozenset(table.channels.index(c) for c in p) for p in paths]
    v = np.array(
        [
            sum(
                c
                for s, c in zip(sets, conversions, strict=True)
                if all(mask >> i & 1 for i in s)
            )
            for mask in range(1 << n)
        ],
        dtype=float,
    )
    brute = shapley_values(v, n)
    # and by the textbook permutation formula
    by_order = np.zeros(n)
    for order in itertools.permutations(range(n)):
        mask = 0
        for player in order:
            by_order[player] += v[mask | 1 << player] - v[mask]
            mask |= 1 << player
    by_order /= math.factorial(n)
    np.testing.assert_allclose(shapley(table).conversions, brute, atol=1e-9)
    np.testing.assert_allclose(brute, by_order, atol=1e-9)


# -- against channelattribution -------------------------------------------------------
def channelattribution():
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution
    except ImportError as exc:  # it needs matplotlib too
        pytest.skip(f"channelattribution is not importable: {exc}")
    return ChannelAttribution


def frame_of(paths, journeys, conversions, values):
    import pandas as pd

    return pd.DataFrame(
        {
            "path": [" > ".join(p) for p in paths],
            "conv": conversions,
            "null": [j - c for j, c in zip(journeys, conversions, strict=True)],
            "value": values,
        }
    )


def test_heuristics_equal_channelattribution():
    ca = channelattribution()
    paths, journeys, conversions, values = random_paths(1, 300, channels=6)
    table = paths_from_lists(paths, journeys, conversions, values)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = ca.heuristic_models(
            frame_of(paths, journeys, conversions, values),
            "path",
            "conv",
            var_value="value",
            flg_pro=False,
        ).set_index("channel_name")
    theirs = theirs.reindex(list(table.channels))
    for ours, prefix in [
        (heuristic.first_touch(table), "first_touch"),
        (heuristic.last_touch(table), "last_touch"),
        (heuristic.linear(table), "linear_touch"),
    ]:
        np.testing.assert_allclose(
            ours.conversions, theirs[f"{prefix}_conversions"], rtol=1e-12
        )
        np.testing.assert_allclose(ours.value, theirs[f"{prefix}_value"], rtol=1e-12)


def test_markov_equals_channelattribution():
    """Same chain exactly (its transition matrix, solved); same answer up to its
    simulation noise. With default parameters channelattribution also cuts simulated
    journeys at the longest observed path, which biases it by a few percent; with a
    high ``max_step`` it converges on the exact solution."""
    ca = channelattribution()
    paths, journeys, conversions, values = random_paths(2, 300, channels=5)
    table = paths_from_lists(paths, journeys, conversions, values)
    ours = markov(table, 1)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = ca.markov_model(
            frame_of(paths, journeys, conversions, values),
            "path",
            "conv",
            var_value="value",
            var_null="null",
            out_more=True,
            max_step=1000,
            nsim_start=1e6,
            flg_pro=False,
        )
    # 1. exact: their estimated transition matrix, solved as an absorbing chain
    # its channel ids number the channels in order of first appearance
    appearance = dict.fromkeys(itertools.chain.from_iterable(paths))
    index = {str(i + 1): table.channels.index(c) for i, c in enumerate(appearance)}
    n = table.n_channels
    q, start, to_conv = np.zeros((n, n)), np.zeros(n), np.zeros(n)
    for row in theirs["transition_matrix"].itertuples():
        frm, to, p = (
            str(row.channel_from),
            str(row.channel_to),
            row.transition_probability,
        )
        if to == "(conversion)":
            to_conv[index[frm]] = p
        elif to != "(null)":
            if frm == "(start)":
                start[index[to]] = p
            else:
                q[index[frm], index[to]] = p

    def p_conversion(keep):
        visits = np.linalg.solve(np.eye(keep.sum()) - q[keep][:, keep].T, start[keep])
        return visits @ to_conv[keep]

    everything = np.ones(n, dtype=bool)
    assert ours.details["conversion_probability"] == pytest.approx(
        p_conversion(everything), rel=1e-9
    )
    for c in range(n):
        keep = everything.copy()
        keep[c] = False
        effect = 1 - p_conversion(keep) / p_conversion(everything)
        assert ours.details["removal_effects"]["conversions"][c] == pytest.approx(
            effect, rel=1e-9
        )
    # 2. their simulated answer
    result = theirs["result"].set_index("channel_name").reindex(list(table.channels))
    np.testing.assert_allclose(ours.conversions, result["total_conversions"], rtol=0.03)
    np.testing.assert_allclose(ours.value, result["total_conversion_value"], rtol=0.03)


# -- the CLI -------------------------------------------------------------------------
def omnicx(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "omnicx", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cli_report(tmp_path: Path):
    data = str(tmp_path / "data")
    omnicx("workspace", "create", "--data", data, "--name", "shop", "--json")
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            json.dumps(
                {
                    "type": "track",
                    "event": event,
                    "userId": person,
                    "timestamp": ts,
                    "properties": properties,
                    "context": {"channel": channel},
                }
            )
            for person, specs in SHOP.items()
            for ts, channel, event, *rest in specs
            for properties in [rest[0] if rest else {}]
        )
        + "\n"
    )
    omnicx("import", str(events), "--data", data, "--workspace", "shop", "--json")
    query = json.dumps({"models": ["linear", "markov"], "lookback": "30d"})
    out = omnicx(
        "report",
        "attribution",
        "--data",
        data,
        "--workspace",
        "shop",
        "--json",
        "--query",
        query,
    )
    result = json.loads(out)
    assert set(result["models"]) == {"linear", "markov"}
    linear = result["models"]["linear"]["channels"]
    assert linear["web"]["conversions"] == pytest.approx(2 / 3)
    markov_web = result["models"]["markov"]["channels"]["web"]
    assert markov_web == pytest.approx({"conversions": 18 / 17, "value": 90.0})


def test_markov_order_2_equals_channelattribution_without_repeats():
    """At order 2 channelattribution keeps repeats (``c1 c1`` states); on paths
    without consecutive repeats the chains are the same."""
    ca = channelattribution()
    paths, journeys, conversions, values = random_paths(3, 300, 4, repeats=False)
    table = paths_from_lists(paths, journeys, conversions, values)
    ours = markov(table, 2)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = ca.markov_model(
            frame_of(paths, journeys, conversions, values),
            "path",
            "conv",
            var_value="value",
            var_null="null",
            order=2,
            max_step=1000,
            nsim_start=1e6,
            flg_pro=False,
        )
    result = theirs.set_index("channel_name").reindex(list(table.channels))
    np.testing.assert_allclose(ours.conversions, result["total_conversions"], rtol=0.02)
    np.testing.assert_allclose(ours.value, result["total_conversion_value"], rtol=0.02)


def test_per_model_channel_credit_is_also_at_the_top_level(journeys_for, run_analysis):
    journeys_for(
        {
            "ann": [
                ("2026-03-01T10:00:00Z", "web", "Product Viewed"),
                ("2026-03-02T10:00:00Z", "store", "Order Completed", {"revenue": 40}),
            ]
        }
    )
    result = run_analysis(
        "attribution", {"models": ["first_touch", "linear"], "lookback": "30d"}
    )
    for model in ("first_touch", "linear"):
        assert result[model] == result["models"][model]["channels"]
    assert result["linear"]["web"] == {"conversions": 1.0, "value": 40.0}
