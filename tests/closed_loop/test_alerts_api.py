"""Alert rules over real HTTP: a detractor sent through /v1/batch fires its rule, the
signed webhook reaches a recording server (retried after a failure), richer rules
(VIP CSAT, negative topic), validation, and another workspace seeing nothing."""

from __future__ import annotations

from omnicx.channels import verify_signature
from tests.closed_loop.helpers import (
    answered,
    create_rule,
    customer,
    error_fields,
    firings,
    send,
    wait_until,
)


def test_detractor_fires_a_signed_webhook_retried_after_a_failure(live, receiver):
    rule = create_rule(
        live,
        {
            "name": "Detractors",
            "when": {"survey": "srv_nps", "score_at_most": 6},
            "actions": [
                {"type": "webhook", "url": receiver.url},
                {"type": "open_case"},
            ],
        },
    )
    assert rule["id"].startswith("al_") and rule["secret"]
    assert rule["kind"] == "event" and rule["enabled"] is True
    receiver.fail_next = 1  # the first attempt gets a 500

    send(
        live,
        customer("ana", "ana@example.com", vip=True),
        answered("a-promoter", 9),  # not a detractor
        answered("a-other-survey", 2, survey="srv_other"),  # another survey
        answered("a-detractor", 3, comment="Late again"),
    )
    hooks = receiver.wait_for(2)  # the 500, then the retry
    first, second = hooks[0], hooks[1]
    assert first.body == second.body  # a retry sends the very same body
    for hook in (first, second):
        assert verify_signature(
            rule["secret"], hook.body, hook.headers["x-omnicx-signature"]
        )
    assert not verify_signature(
        "wrong-secret", first.body, first.headers["x-omnicx-signature"]
    )
    payload = second.json()
    assert payload["alert"]["id"] == rule["id"]
    assert payload["alert"]["name"] == "Detractors"
    assert payload["event"]["message_id"] == "a-detractor"
    assert payload["event"]["channel"] == "sms"
    assert payload["event"]["properties"]["score"] == 3
    assert payload["event"]["properties"]["comment"] == "Late again"
    assert {"type": "email", "value": "ana@example.com"} in payload["profile"][
        "identities"
    ]
    assert payload["profile"]["traits"]["vip"] is True
    assert payload["case_id"].startswith("case_")
    assert payload["fired_at"].endswith("+00:00")

    def delivered():
        found = firings(live, rule["id"])
        if found and found[0]["deliveries"][0]["status"] == "sent":
            return found
        return None

    found = wait_until(delivered)
    assert len(found) == 1
    firing = found[0]
    assert firing["message_id"] == "a-detractor"
    assert firing["case_id"] == payload["case_id"]
    assert firing["profile_id"] == payload["profile"]["id"]
    delivery = firing["deliveries"][0]
    assert delivery["type"] == "webhook" and delivery["target"] == receiver.url
    assert delivery["attempts"] == 2 and delivery["last_status_code"] == 200
    assert delivery["delivered_at"] is not None

    listed = live.api("/api/v1/alerts").json()["alerts"]
    assert [(a["id"], a["firings"]) for a in listed] == [(rule["id"], 1)]
    assert "secret" not in listed[0]
    everything = live.api("/api/v1/alerts/firings").json()["firings"]
    assert [f["id"] for f in everything] == [firing["id"]]

    # a rotated secret signs from then on
    rotated = live.api(
        f"/api/v1/alerts/{rule['id']}", method="PATCH", json={"rotate_secret": True}
    ).json()
    assert rotated["secret"] != rule["secret"]
    send(live, answered("a-detractor-2", 1))
    hook = receiver.wait_for(3)[2]
    assert verify_signature(
        rotated["secret"], hook.body, hook.headers["x-omnicx-signature"]
    )
    assert not verify_signature(
        rule["secret"], hook.body, hook.headers["x-omnicx-signature"]
    )

    # replaying the batch (same messageIds) fires nothing new
    send(live, answered("a-detractor", 3, comment="Late again"))
    assert len(firings(live, rule["id"])) == 2
    assert len(receiver.requests) == 3


def test_vip_csat_and_negative_topic_rules(live, receiver):
    vip = create_rule(
        live,
        {
            "name": "Unhappy VIP",
            "when": {
                "template": "csat",
                "score_at_most": 2,
                "profile_traits": {"vip": True},
            },
            "actions": [{"type": "webhook", "url": receiver.url + "/vip"}],
        },
    )
    topic = create_rule(
        live,
        {
            "name": "Delivery complaints",
            "when": {
                "event": "Feedback Received",
                "sentiment": "negative",
                "topic": "delivery",
            },
            "actions": [{"type": "webhook", "url": receiver.url + "/topic"}],
        },
    )

    def feedback(mid: str, user: str, sentiment: str, topics: list, text: str):
        return {
            "type": "track",
            "event": "Feedback Received",
            "messageId": mid,
            "userId": user,
            "properties": {
                "text": text,
                "rating": 1,
                "sentiment": sentiment,
                "score": -0.8,
                "topics": topics,
            },
            "context": {"channel": "social"},
        }

    send(
        live,
        customer("vip-1", "vip@example.com", vip=True),
        customer("reg-1", "reg@example.com", vip=False),
        answered("c-vip", 2, user="vip-1", survey="srv_csat", template="csat"),
        answered("c-vip-ok", 4, user="vip-1", survey="srv_csat", template="csat"),
        answered("c-reg", 1, user="reg-1", survey="srv_csat", template="csat"),
        answered("c-nps", 1, user="vip-1"),  # NPS, not CSAT
        feedback("f-1", "reg-1", "negative", ["delivery", "price"], "So slow"),
        feedback("f-2", "reg-1", "negative", [], "The DELIVERY guy was rude"),
        feedback("f-3", "reg-1", "positive", ["delivery"], "Fast delivery!"),
        feedback("f-4", "reg-1", "negative", ["price"], "Too expensive"),
    )
    receiver.wait_for(3)
    by_path = {}
    for hook in receiver.requests:
        by_path.setdefault(hook.path, []).append(hook.json()["event"]["message_id"])
    assert by_path["/hook/vip"] == ["c-vip"]
    assert sorted(by_path["/hook/topic"]) == ["f-1", "f-2"]
    assert [f["message_id"] for f in firings(live, vip["id"])] == ["c-vip"]
    assert len(firings(live, topic["id"])) == 2

    # disabling a rule stops it
    response = live.api(
        f"/api/v1/alerts/{topic['id']}", method="PATCH", json={"enabled": False}
    )
    assert response.status_code == 200 and response.json()["enabled"] is False
    send(live, feedback("f-5", "reg-1", "negative", ["delivery"], "Late"))
    assert len(firings(live, topic["id"])) == 2
    # deleting one: 204, then 404
    assert live.api(f"/api/v1/alerts/{topic['id']}", method="DELETE").status_code == 204
    assert live.api(f"/api/v1/alerts/{topic['id']}").status_code == 404


def test_invalid_rules_are_400_with_field_names(live):
    cases = [
        ({"name": "x", "when": {}, "actions": [{"type": "open_case"}]}, {"when"}),
        (
            {"name": "x", "when": {"score_at_most": "low"}, "actions": []},
            {"when.score_at_most"},
        ),
        (
            {"name": "", "when": {"score_at_most": 6}, "actions": []},
            {"name", "actions"},
        ),
        (
            {
                "name": "x",
                "when": {"score_at_most": 6},
                "actions": [{"type": "webhook", "url": "ftp://x"}, {"type": "email"}],
            },
            {"actions[0].url", "actions[1].to"},
        ),
        (
            {"name": "x", "when": {"score_at_most": 6}, "actions": [{"type": "sms"}]},
            {"actions[0].type"},
        ),
        (
            {
                "name": "x",
                "when": {"metric": "nps", "window": "7 days", "score_at_most": 3},
                "actions": [{"type": "open_case"}],
            },
            {
                "when.window",
                "when.drop_points",
                "when.score_at_most",
                "actions[0].type",
            },
        ),
        (
            {
                "name": "x",
                "when": {"drop_points": 5},
                "actions": [{"type": "open_case"}],
            },
            {"when", "when.drop_points"},
        ),
        ({"name": "x", "when": {"scor": 1}, "actions": []}, {"when"}),
    ]
    for body, fields in cases:
        response = live.api("/api/v1/alerts", method="POST", json=body)
        assert response.status_code == 400, (body, response.text)
        assert error_fields(response) >= fields, (body, response.json())
    response = live.api("/api/v1/alerts", method="POST", content=b"{not json")
    assert response.status_code == 400 and error_fields(response) == {"body"}
    assert live.api("/api/v1/alerts/al_nope/firings").status_code == 404
    assert live.api("/api/v1/alerts/firings?limit=0").status_code == 400


def test_another_workspace_sees_no_rules_or_firings(live, receiver):
    rule = create_rule(
        live,
        {
            "name": "Detractors",
            "when": {"score_at_most": 6},
            "actions": [{"type": "webhook", "url": receiver.url}],
        },
    )
    other = live.new_workspace("other")
    # the other workspace's detractor does not fire this workspace's rule
    response = live.send(
        "/v1/batch",
        {"batch": [answered("o-1", 0, user="ana")]},
        write_key=other.source.write_key,
    )
    assert response.status_code == 200
    live.wait_processed()
    assert firings(live, rule["id"]) == []
    for path in (
        f"/api/v1/alerts/{rule['id']}",
        f"/api/v1/alerts/{rule['id']}/firings",
    ):
        assert live.api(path, token=other.admin_token).status_code == 404, path
    assert live.api("/api/v1/alerts", token=other.admin_token).json() == {"alerts": []}
    patch = live.api(
        f"/api/v1/alerts/{rule['id']}",
        token=other.admin_token,
        method="PATCH",
        json={"enabled": False},
    )
    assert patch.status_code == 404


def test_firings_lost_to_a_crash_are_made_at_restart(live, receiver, monkeypatch):
    """A crash between the processor's commit and the listener's loses no alert: the
    restart re-evaluates what was received since the stored watermark."""
    rule = create_rule(
        live,
        {
            "name": "Detractors",
            "when": {"score_at_most": 6},
            "actions": [{"type": "webhook", "url": receiver.url}],
        },
    )
    loop = live.runtime.__dict__["closed_loop"]
    send(live, answered("r-ok", 10))  # evaluated: the watermark is stored
    assert loop.state.watermarks()

    def crash(*_args):
        raise RuntimeError("killed before the firing was committed")

    monkeypatch.setattr(loop, "_fire", crash)
    send(live, answered("r-lost", 2))
    assert firings(live, rule["id"]) == []
    monkeypatch.undo()

    assert loop.recover() >= 2
    found = wait_until(lambda: firings(live, rule["id"]))
    assert [f["message_id"] for f in found] == ["r-lost"]
    assert receiver.wait_for(1)[0].json()["event"]["message_id"] == "r-lost"
    loop.recover()  # again: nothing fires twice
    assert len(firings(live, rule["id"])) == 1
