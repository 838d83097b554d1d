""" "Why" drivers on declarative journeys, with the answers computed by hand."""

from __future__ import annotations

import pytest

from omnicx.errors import ValidationError
from omnicx.feedback import drivers
from tests.feedback._journeys import fb_journeys, fb_runtime, fb_workspace

__all__ = ["fb_journeys", "fb_runtime", "fb_workspace"]  # fixtures used below


def nps(score: int, survey: str = "s1", **extra) -> dict:
    return {"survey_id": survey, "template": "nps", "score": score, **extra}


PEOPLE = {
    # detractor: web → store purchase → a call, then NPS 3
    "ann": [
        ("2026-04-01T10:00:00Z", "web", "Product Viewed"),
        ("2026-04-02T10:00:00Z", "store", "Order Completed"),
        ("2026-04-03T10:00:00Z", "call_center", "Call Started"),
        ("2026-04-04T10:00:00Z", "sms", "Survey Answered", nps(3)),
    ],
    # promoter: all on the web
    "ben": [
        ("2026-04-01T10:00:00Z", "web", "Product Viewed"),
        ("2026-04-02T10:00:00Z", "web", "Order Completed"),
        ("2026-04-03T10:00:00Z", "email", "Survey Answered", nps(10)),
    ],
    # detractor; the call was 21 days before the answer: outside a 7-day window
    "cai": [
        ("2026-03-12T10:00:00Z", "call_center", "Call Started"),
        ("2026-04-01T10:00:00Z", "store", "Order Completed"),
        ("2026-04-02T10:00:00Z", "sms", "Survey Answered", nps(5)),
    ],
    # passive; the email came after the answer: not part of the journey
    "dan": [
        ("2026-04-01T10:00:00Z", "web", "Order Completed"),
        ("2026-04-02T10:00:00Z", "email", "Survey Answered", nps(8)),
        ("2026-04-03T10:00:00Z", "email", "Email Opened"),
    ],
    # promoter with no journey; plus a partial answer that must not count
    "eve": [
        ("2026-04-05T09:00:00Z", "web", "Survey Answered", nps(0, partial=True)),
        ("2026-04-05T10:00:00Z", "web", "Survey Answered", nps(9)),
    ],
    # another survey (CSAT 1: a detractor there)
    "fay": [
        ("2026-04-01T10:00:00Z", "store", "Order Completed"),
        ("2026-04-02T10:00:00Z", "sms", "Survey Answered",
         {"survey_id": "s2", "template": "csat", "score": 1}),
    ],
}  # fmt: skip


@pytest.fixture
def run(fb_runtime, fb_workspace, fb_journeys):
    fb_journeys(PEOPLE)

    def query(**raw) -> dict:
        parsed = drivers.parse_drivers_query({"survey": "s1", "window": "7d", **raw})
        return drivers.touchpoint_drivers(
            fb_runtime.store, fb_workspace.workspace.id, parsed
        )

    return query


def by(items: list[dict], key: str) -> dict[str, dict]:
    return {item[key]: item for item in items}


def test_touchpoint_and_channel_drivers(run):
    result = run()
    assert (result["responses"], result["detractors"], result["promoters"]) == (5, 2, 2)
    assert result["passives"] == 1
    assert result["detractor_rate"] == pytest.approx(2 / 5)
    assert result["average_score"] == pytest.approx((3 + 10 + 5 + 8 + 9) / 5)

    touchpoints = by(result["touchpoints"], "touchpoint")
    assert set(touchpoints) == {
        "store:Order Completed",
        "web:Product Viewed",
        "call_center:Call Started",
        "web:Order Completed",
    }  # no email (after the answer), no survey events
    store = touchpoints["store:Order Completed"]  # ann, cai: both detractors
    assert (store["responses"], store["detractors"], store["promoters"]) == (2, 2, 0)
    assert store["detractor_rate"] == 1.0
    assert store["detractor_rate_without"] == 0.0  # ben, dan, eve
    assert store["detractor_lift"] is None  # nothing to divide by
    assert store["detractor_difference"] == 1.0
    assert store["promoter_rate_without"] == pytest.approx(2 / 3)
    assert store["average_score"] == 4.0
    assert store["average_score_without"] == pytest.approx(9.0)

    viewed = touchpoints["web:Product Viewed"]  # ann (det), ben (pro)
    assert viewed["detractor_rate"] == 0.5
    assert viewed["detractor_rate_without"] == pytest.approx(1 / 3)  # cai of 3
    assert viewed["detractor_lift"] == pytest.approx(1.5)

    call = touchpoints["call_center:Call Started"]  # only ann within 7 days
    assert (call["responses"], call["detractors"]) == (1, 1)
    assert call["detractor_rate_without"] == 0.25  # cai of ben, cai, dan, eve
    assert call["detractor_lift"] == pytest.approx(4.0)

    web_order = touchpoints["web:Order Completed"]  # ben (pro), dan (passive)
    assert (web_order["detractors"], web_order["promoters"]) == (0, 1)
    assert web_order["detractor_lift"] == 0.0
    assert web_order["promoter_lift"] == pytest.approx(0.5 / (1 / 3))

    assert [t["touchpoint"] for t in result["touchpoints"]] == [
        "store:Order Completed",
        "call_center:Call Started",
        "web:Product Viewed",
        "web:Order Completed",
    ]
    assert result["detractor_drivers"] == [
        "store:Order Completed",
        "call_center:Call Started",
        "web:Product Viewed",
    ]
    assert result["promoter_drivers"] == ["web:Product Viewed", "web:Order Completed"]

    channels = by(result["channels"], "channel")
    assert set(channels) == {"web", "store", "call_center"}
    web = channels["web"]  # ann, ben, dan
    assert (web["responses"], web["detractors"], web["promoters"]) == (3, 1, 1)
    assert web["detractor_rate_without"] == 0.5  # cai of cai, eve
    assert [c["channel"] for c in result["channels"]] == ["store", "call_center", "web"]


def test_window_range_template_and_thresholds(run):
    wide = by(run(window="30d")["touchpoints"], "touchpoint")
    assert wide["call_center:Call Started"]["responses"] == 2  # cai's call counts

    # answers from Apr 4 on: ann and eve; ann's earlier touchpoints still count
    late = run(**{"from": "2026-04-04"})
    assert late["responses"] == 2
    assert (
        by(late["touchpoints"], "touchpoint")["store:Order Completed"]["responses"] == 1
    )

    csat = run(survey="s2")
    assert (csat["responses"], csat["detractors"], csat["promoters"]) == (1, 1, 0)
    assert csat["touchpoints"][0]["touchpoint"] == "store:Order Completed"

    custom = run(detractor_max="5", promoter_min="10")
    assert (custom["detractors"], custom["promoters"]) == (2, 1)

    every = run(survey="", template="nps")
    assert every["responses"] == 5  # the CSAT answer is not NPS

    assert run(min_responses="2")["touchpoints"][-1]["responses"] >= 2


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"window": "soon"}, "window"),
        ({"template": "stars"}, "template"),
        ({"detractor_max": "7", "promoter_min": "6"}, "promoter_min"),
        ({"min_responses": "0"}, "min_responses"),
        ({"colour": "red"}, "colour"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"detractor_max": "lots"}, "detractor_max"),
        ({"to": "99999999999999999999"}, "to"),
    ],
)
def test_query_errors_name_the_field(raw, field):
    with pytest.raises(ValidationError) as caught:
        drivers.parse_drivers_query(raw)
    assert caught.value.errors[0].field == field


def test_drivers_route(live):
    events = [
        {"type": "track", "event": "Order Completed", "userId": "u",
         "timestamp": "2026-04-01T10:00:00Z", "context": {"channel": "store"}},
        {"type": "track", "event": "Survey Answered", "userId": "u",
         "timestamp": "2026-04-02T10:00:00Z", "context": {"channel": "sms"},
         "properties": nps(2, survey="srv_x")},
    ]  # fmt: skip
    assert live.send("/v1/batch", {"batch": events}).status_code == 200
    live.wait_processed()
    answer = live.api("/api/v1/feedback/drivers", params={"survey": "srv_x"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["responses"] == 1 and body["window"] == "30d"
    assert body["touchpoints"][0]["touchpoint"] == "store:Order Completed"
    bad = live.api("/api/v1/feedback/drivers", params={"window": "-1d"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "window"
    assert live.api("/api/v1/feedback/drivers", token="adm_nope").status_code == 401
