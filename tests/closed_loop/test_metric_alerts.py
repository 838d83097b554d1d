"""A channel's NPS dropping over a window: computed from ``Survey Answered`` events in
the event store, checked by the periodic job, fired once, re-armed on recovery."""

from __future__ import annotations

import itertools
import time

from tests.closed_loop.helpers import answered, create_rule, firings, iso_ago, send

DAY = 86_400
_ticks = itertools.count(1)


def check(live) -> None:
    """Run the periodic jobs now (as if their interval had passed)."""
    live.runtime.run_due_jobs(now=time.monotonic() + 1_000_000 * next(_ticks))


def answers(prefix: str, scores: list[int], days_ago: float, channel: str = "sms"):
    return [
        answered(
            f"{prefix}-{i}",
            score,
            user=f"{prefix}-{i}",
            channel=channel,
            timestamp=iso_ago(days_ago * DAY + i),
        )
        for i, score in enumerate(scores)
    ]


def test_nps_drop_on_a_channel_fires_once_until_recovered(live, receiver):
    rule = create_rule(
        live,
        {
            "name": "SMS NPS drop",
            "when": {
                "metric": "nps",
                "channel": "sms",
                "drop_points": 20,
                "window": "7d",
            },
            "actions": [{"type": "webhook", "url": receiver.url}],
        },
    )
    assert rule["kind"] == "metric"
    # previous window (7-14 days ago): 7 promoters, 2 passives, 1 detractor -> 60
    previous = [10, 10, 9, 9, 8, 7, 10, 9, 6, 10]
    # last 7 days: 4 promoters, 2 passives, 4 detractors -> 0
    current = [10, 9, 8, 7, 6, 5, 3, 9, 10, 2]
    send(
        live,
        *answers("prev", previous, 10),
        *answers("cur", current, 2),
        *answers("old", [0] * 5, 20),  # before both windows
        *answers("mail", [0] * 10, 10, channel="email"),  # another channel
        answered("part", 0, user="part", timestamp=iso_ago(DAY), partial=True),
        answered(
            "csat", 1, user="csat", template="csat", timestamp=iso_ago(DAY)
        ),  # not NPS
    )
    check(live)
    hook = receiver.wait_for(1)[0].json()
    event = hook["event"]
    assert event["metric"] == "nps" and event["channel"] == "sms"
    assert event["previous"] == {"responses": 10, "score": 60.0}
    assert event["current"] == {"responses": 10, "score": 0.0}
    assert event["drop"] == 60.0
    assert hook["profile"] is None and "case_id" not in hook
    state = live.api(f"/api/v1/alerts/{rule['id']}").json()["metric_state"]
    assert state["firing"] is True

    check(live)  # still dropped: not fired again
    assert len(firings(live, rule["id"])) == 1

    # ten more promoters this week: 14 promoters, 4 detractors of 20 -> 50 (drop 10)
    send(live, *answers("up", [10] * 10, 1))
    check(live)
    state = live.api(f"/api/v1/alerts/{rule['id']}").json()["metric_state"]
    assert state["firing"] is False and state["drop"] == 10.0
    assert state["recovered_at"]
    assert len(firings(live, rule["id"])) == 1

    # twenty detractors: 14 promoters, 24 detractors of 40 -> -25: fires again
    send(live, *answers("down", [0] * 20, 1))
    check(live)
    receiver.wait_for(2)
    assert len(firings(live, rule["id"])) == 2
    assert receiver.requests[1].json()["event"]["current"]["score"] == -25.0


def test_too_few_responses_do_not_fire(live, receiver):
    rule = create_rule(
        live,
        {
            "name": "CSAT drop",
            "when": {
                "metric": "csat",
                "drop_points": 10,
                "window": "3d",
                "min_responses": 3,
            },
            "actions": [{"type": "webhook", "url": receiver.url}],
        },
    )

    def csat(prefix: str, scores: list[int], days_ago: float):
        return [
            answered(
                f"{prefix}-{i}",
                s,
                user=f"{prefix}-{i}",
                template="csat",
                survey="srv_csat",
                timestamp=iso_ago(days_ago * DAY + i),
            )
            for i, s in enumerate(scores)
        ]

    # previous window: 3 of 3 satisfied (100); current: 2 answers only
    send(live, *csat("p", [5, 4, 5], 4), *csat("c", [1, 1], 1))
    check(live)
    state = live.api(f"/api/v1/alerts/{rule['id']}").json()["metric_state"]
    assert state["firing"] is False and "fewer than 3" in state["note"]
    # a third answer: 1 of 3 satisfied (33.33…): a drop of 66.67 points
    send(live, *csat("c2", [4], 1))
    check(live)
    event = receiver.wait_for(1)[0].json()["event"]
    assert event["current"]["responses"] == 3
    assert abs(event["current"]["score"] - 100 / 3) < 1e-3
    assert abs(event["drop"] - 200 / 3) < 1e-3
