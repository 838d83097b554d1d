"""NPS, CSAT and CES scores, intervals, groups and the omnichannel lens, each checked
against a hand computation written out in the test."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from omnicx.feedback import scoring

Z = 1.959963984540054


def test_nps_counts_score_and_interval_by_hand():
    # promoters 10,9,9,10 (4); passives 8,7 (2); detractors 6,3,0,5 (4)
    result = scoring.nps_summary([10, 9, 9, 8, 7, 6, 3, 0, 10, 5])
    assert result["responses"] == 10
    assert (result["promoters"], result["passives"], result["detractors"]) == (4, 2, 4)
    assert result["score"] == 0
    # var = p+ + p- - (p+ - p-)^2 = 0.4 + 0.4 - 0 = 0.8; se = sqrt(0.8 / 10)
    margin = 100 * Z * math.sqrt(0.08)
    assert margin == pytest.approx(55.437, abs=1e-3)
    assert result["ci95"] == pytest.approx([-margin, margin])
    assert result["promoters_pct"] == 40 and result["detractors_pct"] == 40


def test_nps_is_unrounded_and_interval_is_clipped():
    thirds = scoring.nps_summary([10, 10, 0])
    assert thirds["score"] == pytest.approx(100 / 3, abs=1e-12)
    assert thirds["score"] != round(thirds["score"], 2)

    # 4 promoters, 1 passive, 1 detractor: NPS = 100 * (4 - 1) / 6 = 50
    result = scoring.nps_summary([10, 10, 10, 9, 8, 2])
    assert result["score"] == pytest.approx(50)
    variance = 4 / 6 + 1 / 6 - 0.5**2
    margin = 100 * Z * math.sqrt(variance / 6)
    assert result["ci95"][0] == pytest.approx(50 - margin)
    assert result["ci95"][1] == 100  # 50 + 61.1 is clipped to the NPS range


def test_nps_edges():
    assert scoring.nps_summary([])["score"] is None
    assert scoring.nps_summary([])["ci95"] is None
    assert scoring.nps_summary([9])["ci95"] == [100, 100]
    assert scoring.nps_summary([0, 6])["score"] == -100
    assert scoring.nps_summary([7, 8])["score"] == 0


def test_csat_is_share_of_four_and_five_with_mean():
    result = scoring.csat_summary([5, 4, 3, 2, 5])
    assert result["score"] == pytest.approx(60)
    assert result["satisfied"] == 3
    assert result["mean"] == pytest.approx(3.8)
    margin = 100 * Z * math.sqrt(0.6 * 0.4 / 5)
    assert result["ci95"] == pytest.approx([60 - margin, 100])


def test_ces_is_the_mean_with_t_free_interval_and_easy_share():
    result = scoring.ces_summary([7, 6, 5, 3])
    assert result["score"] == pytest.approx(5.25)
    sd = math.sqrt((1.75**2 + 0.75**2 + 0.25**2 + 2.25**2) / 3)
    margin = Z * sd / 2
    assert result["ci95"] == pytest.approx([5.25 - margin, 5.25 + margin])
    assert result["easy_pct"] == pytest.approx(75)


def test_groups_per_channel_and_rows_without_score_are_left_out():
    rows = [
        {"channel": "email", "score": 10},
        {"channel": "email", "score": 3},
        {"channel": "sms", "score": 9},
        {"channel": "sms", "score": None},  # a partial answer without a score
        {"channel": "store", "score": 8},
    ]
    groups = scoring.grouped("nps", (0, 10), rows, lambda r: r["channel"])
    assert list(groups) == ["email", "sms", "store"]
    assert groups["email"]["score"] == 0
    assert groups["sms"]["responses"] == 1 and groups["sms"]["score"] == 100
    assert groups["store"]["passives"] == 1 and groups["store"]["score"] == 0


def test_period_keys_day_week_month():
    ms = int(datetime(2026, 8, 5, 10, tzinfo=UTC).timestamp() * 1000)  # a Wednesday
    assert scoring.period_key(ms, "day") == "2026-08-05"
    assert scoring.period_key(ms, "week") == "2026-08-03"
    assert scoring.period_key(ms, "month") == "2026-08-01"


def test_omnichannel_lens_keeps_customers_on_two_channels():
    rows = [
        {"profile_id": 1, "channel": "email", "score": 10},
        {"profile_id": 1, "channel": "store", "score": 6},
        {"profile_id": 2, "channel": "email", "score": 9},
        {"profile_id": 2, "channel": "store", "score": 9},
        {"profile_id": 3, "channel": "email", "score": 3},  # one channel only
        {"profile_id": None, "channel": "web", "score": 0},
    ]
    lens = scoring.omnichannel("nps", (0, 10), rows)
    assert lens["customers"] == 2 and lens["responses"] == 4
    assert lens["channels"]["email"]["score"] == 100  # 10 and 9
    assert lens["channels"]["store"]["score"] == 0  # 6 and 9
    consistency = lens["consistency"]
    assert consistency["spread"] == 100
    assert consistency["std"] == pytest.approx(50)
    # customer 1 differs by 4 points, customer 2 by 0: mean 2 of a 10-point scale
    assert consistency["customer_spread"] == pytest.approx(2)
    assert consistency["index"] == pytest.approx(80)


def test_custom_rating_summary():
    result = scoring.summarize("rating", [1, 2, 3], (1, 3))
    assert result["score"] == pytest.approx(2)
    assert result["top2_pct"] == pytest.approx(200 / 3)
