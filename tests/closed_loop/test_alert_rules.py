"""Rule semantics without a server: matching, metric judgement, consent and the
preferred consented channel, delivery backoff."""

from __future__ import annotations

import pytest

from omnicx.errors import ConflictError
from omnicx.feedback._alert_actions import MAX_ATTEMPTS, backoff_ms
from omnicx.feedback._alert_metrics import judge_metric
from omnicx.feedback._alert_rules import (
    AlertWhen,
    EventMatcher,
    window_ms,
)
from omnicx.feedback._case_context import choose_reach, consented
from omnicx.settings import load_settings


def match(when: AlertWhen, name: str, props: dict, channel: str = "sms", traits=None):
    calls = []

    def load():
        calls.append(1)
        return traits or {}

    result = EventMatcher("al_1", when).matches(name, channel, props, load)
    return result, len(calls)


def test_score_survey_and_template_conditions():
    detractor = AlertWhen(survey="srv_1", score_at_most=6)
    answer = {"survey_id": "srv_1", "score": 6, "template": "nps"}
    assert match(detractor, "Survey Answered", answer)[0]
    assert not match(detractor, "Survey Answered", {**answer, "score": 7})[0]
    assert not match(detractor, "Survey Answered", {**answer, "survey_id": "x"})[0]
    assert match(detractor, "Survey Answered", {"survey_name": "srv_1", "score": 0})[0]
    assert not match(detractor, "Order Completed", answer)[0]
    assert match(detractor, "Survey Answered", {**answer, "score": "3"})[0]
    for bad in (None, True, "three", [], {"v": 1}):
        assert not match(detractor, "Survey Answered", {**answer, "score": bad})[0]
    band = AlertWhen(template="ces", score_at_least=2, score_at_most=3, channel="chat")
    ces = {"template": "ces", "score": 2}
    assert match(band, "Survey Answered", ces, channel="chat")[0]
    assert not match(band, "Survey Answered", ces, channel="sms")[0]
    assert not match(band, "Survey Answered", {**ces, "score": 1}, channel="chat")[0]


def test_traits_are_read_only_when_everything_else_matches():
    vip = AlertWhen(template="csat", score_at_most=2, profile_traits={"vip": True})
    low = {"template": "csat", "score": 1}
    assert match(vip, "Survey Answered", low, traits={"vip": True}) == (True, 1)
    assert match(vip, "Survey Answered", low, traits={"vip": "yes"}) == (False, 1)
    assert match(vip, "Survey Answered", {**low, "score": 5}) == (False, 0)


def test_sentiment_and_topic_conditions():
    when = AlertWhen(sentiment="negative", topic="Delivery")
    assert EventMatcher("a", when).event_names == {
        "Survey Answered",
        "Feedback Received",
    }
    base = {"sentiment": "negative", "topics": ["price", "delivery"]}
    assert match(when, "Feedback Received", base)[0]
    assert match(when, "Survey Answered", base)[0]
    assert match(
        when, "Feedback Received", {**base, "sentiment": {"label": "negative"}}
    )[0]
    assert not match(when, "Feedback Received", {**base, "sentiment": "neutral"})[0]
    assert match(
        when,
        "Feedback Received",
        {"sentiment": "negative", "topics": [{"topic": "delivery"}]},
    )[0]
    assert match(
        when, "Feedback Received", {"sentiment": "negative", "text": "Late DELIVERY!"}
    )[0]
    assert not match(
        when, "Feedback Received", {"sentiment": "negative", "topics": ["price"]}
    )[0]
    assert not match(when, "Page Viewed", base)[0]


def test_window_units():
    assert window_ms("7d") == 7 * 86_400_000
    assert window_ms("90m") == 90 * 60_000
    assert window_ms("2w") == 14 * 86_400_000
    for bad in ("7", "0d", "7 days", "d", "-1d", "1y"):
        with pytest.raises(ValueError):
            window_ms(bad)


def rows(previous: tuple[int, int, int], current: tuple[int, int, int]) -> list[dict]:
    """(responses, promoters, detractors) per window."""
    return [
        {
            "current": flag,
            "responses": n,
            "promoters": p,
            "detractors": d,
            "satisfied": 0,
            "mean": 0.0,
        }
        for flag, (n, p, d) in ((0, previous), (1, current))
    ]


def test_metric_fires_once_and_rearms_after_recovery():
    when = AlertWhen(metric="nps", drop_points=20, window="7d")
    state, fired = judge_metric(when, rows((10, 7, 1), (10, 4, 4)), None, "t1")
    assert fired is not None and fired["drop"] == 60.0
    assert state["firing"] is True and state["fired_at"] == "t1"
    state, fired = judge_metric(when, rows((10, 7, 1), (10, 4, 4)), state, "t2")
    assert fired is None and state["firing"] is True
    state, fired = judge_metric(when, rows((10, 7, 1), (10, 6, 1)), state, "t3")
    assert fired is None and state["firing"] is False and state["recovered_at"] == "t3"
    state, fired = judge_metric(when, rows((10, 7, 1), (10, 2, 5)), state, "t4")
    assert fired is not None and fired["drop"] == 90.0
    # exactly drop_points fires; too few responses keep the state
    _, fired = judge_metric(when, rows((5, 3, 0), (5, 2, 0)), None, "t")
    assert fired is not None and fired["drop"] == 20.0
    state, fired = judge_metric(when, rows((4, 4, 0), (4, 0, 4)), {"firing": True}, "t")
    assert fired is None and state["firing"] is True and "fewer than 5" in state["note"]


def test_consent_rules():
    assert consented({}, "email")
    assert not consented({"consent": False}, "email")
    assert not consented({"consent": {"email": False}}, "email")
    assert consented({"consent": {"email": False}}, "sms")
    assert not consented({"consent": {"sms": "opted_out"}}, "sms")
    assert consented({"consent": {"sms": True}}, "sms")
    assert not consented({"unsubscribed_channels": ["sms"]}, "sms")
    assert consented({"unsubscribed_channels": ["sms"]}, "email")


def profile(traits: dict, email: bool = True, phone: bool = True) -> dict:
    identities = [{"type": "user_id", "value": "u1"}]
    if email:
        identities.append({"type": "email", "value": "ana@example.com"})
    if phone:
        identities.append({"type": "phone", "value": "+972501234567"})
    return {"id": "1", "identities": identities, "traits": traits}


def test_preferred_consented_channel(tmp_path):
    both = load_settings(
        {
            "data": str(tmp_path),
            "smtp_url": "smtp://127.0.0.1:1",
            "sms_webhook_url": "http://127.0.0.1:1/sms",
        },
        environ={},
    )
    email_only = both.replace(sms_webhook_url="")
    # the trait preferred_channel first, when consented
    reach = choose_reach(both, profile({"preferred_channel": "sms"}), "email")
    assert (reach.channel, reach.to) == ("sms", "+972501234567")
    # not consented: the channel answered on
    traits = {"preferred_channel": "sms", "consent": {"sms": False}}
    assert choose_reach(both, profile(traits), "whatsapp").channel == "whatsapp"
    # answered on a channel without a connector: email
    assert choose_reach(email_only, profile({}), "sms").channel == "email"
    assert choose_reach(both, profile({}), "store").channel == "email"
    # nothing reachable: a conflict that says why
    with pytest.raises(ConflictError, match="email: the customer has no email"):
        choose_reach(email_only, profile({}, email=False), "sms")
    with pytest.raises(ConflictError, match="not consented to email"):
        choose_reach(both, profile({"consent": {"email": False}}), "store")
    # an explicit channel is checked the same way
    with pytest.raises(ConflictError, match="OMNICX_SMS_WEBHOOK_URL"):
        choose_reach(email_only, profile({}), "email", requested="sms")
    assert choose_reach(both, profile({}), "email", requested="sms").channel == "sms"


def test_backoff_then_dead():
    delays = [backoff_ms(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert delays[:-1] == sorted(delays[:-1]) and delays[0] == 1000
    assert delays[-1] is None


def test_partial_answers_do_not_fire_the_complete_one_does():
    detractor = AlertWhen(score_at_most=6)
    answer = {"survey_id": "srv_1", "score": 3, "template": "nps"}
    assert not match(detractor, "Survey Answered", {**answer, "partial": True})[0]
    assert match(detractor, "Survey Answered", {**answer, "partial": False})[0]
