"""The unified profile over real HTTP: one customer across channels."""

from __future__ import annotations


def journey(live):
    """Anonymous web browsing → login → store purchase by loyalty id → call."""
    return live.send(
        "/v1/batch",
        {
            "batch": [
                {
                    "type": "page",
                    "name": "Home",
                    "anonymousId": "anon-1",
                    "timestamp": "2026-03-01T10:00:00Z",
                    "context": {"library": {"name": "analytics.js"}},
                },
                {
                    "type": "track",
                    "event": "Product Added",
                    "anonymousId": "anon-1",
                    "timestamp": "2026-03-01T10:01:00Z",
                    "context": {"library": {"name": "analytics.js"}},
                },
                {
                    "type": "identify",
                    "userId": "cust-1",
                    "anonymousId": "anon-1",
                    "timestamp": "2026-03-01T10:02:00Z",
                    "traits": {
                        "email": "Dana@Example.com",
                        "first_name": "Dana",
                        "loyalty_id": "LOY-77",
                    },
                    "context": {"channel": "web"},
                },
                {
                    "type": "track",
                    "event": "Order Completed",
                    "userId": None,
                    "anonymousId": "pos-terminal-3-txn-9",
                    "timestamp": "2026-03-03T15:00:00Z",
                    "properties": {"revenue": 120.5, "order_id": "o-1"},
                    "context": {"channel": "store", "traits": {"loyalty_id": "LOY-77"}},
                },
                {
                    "type": "track",
                    "event": "Call Started",
                    "anonymousId": "call-555",
                    "timestamp": "2026-03-04T09:00:00Z",
                    "context": {
                        "channel": "call_center",
                        "traits": {
                            "phone": "+1 415 555 0100",
                            "email": "dana@example.com",
                        },
                    },
                },
            ]
        },
    )


def test_one_customer_across_channels(live):
    assert journey(live).json() == {"success": True}
    live.wait_processed()
    by_email = live.api("/api/v1/profiles/lookup?type=email&value=%20DANA@example.COM")
    assert by_email.status_code == 200
    profile = by_email.json()
    assert sorted(profile["channels"]) == ["call_center", "store", "web"]
    identities = {(i["type"], i["value"]) for i in profile["identities"]}
    assert {
        ("user_id", "cust-1"),
        ("anonymous_id", "anon-1"),
        ("email", "dana@example.com"),
        ("loyalty_id", "LOY-77"),
        ("phone", "+14155550100"),
    } <= identities
    assert profile["traits"]["first_name"] == "Dana"
    assert profile["trait_sources"]["first_name"]["channel"] == "web"
    assert profile["counts"]["events"] == 5
    assert profile["first_seen"].startswith("2026-03-01T10:00:00")
    assert profile["last_seen"].startswith("2026-03-04T09:00:00")
    by_phone = live.api("/api/v1/profiles/lookup?type=phone&value=(415)%20555-0100")
    assert by_phone.json()["id"] == profile["id"]
    same = live.api(f"/api/v1/profiles/{profile['id']}").json()
    assert same["identities"] == profile["identities"]


def test_timeline_pages_through_every_channel_newest_first(live):
    journey(live)
    live.wait_processed()
    profile = live.api("/api/v1/profiles/lookup?type=user_id&value=cust-1").json()
    seen = []
    cursor = ""
    while True:
        page = live.api(
            f"/api/v1/profiles/{profile['id']}/timeline?limit=2&cursor={cursor}"
        ).json()
        seen.extend(page["events"])
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert [e["channel"] for e in seen] == ["call_center", "store", "web", "web", "web"]
    assert seen[1]["event"] == "Order Completed"
    assert seen[1]["properties"] == {"revenue": 120.5, "order_id": "o-1"}
    assert {"message_id", "type", "event", "channel", "timestamp", "properties"} <= set(
        seen[0]
    )
    assert (
        live.api(f"/api/v1/profiles/{profile['id']}/timeline?limit=200").status_code
        == 200
    )


def test_merge_is_recorded_merged_away_id_answers_and_split_undoes_it(live):
    live.send(
        "/v1/batch",
        {
            "batch": [
                {
                    "type": "track",
                    "event": "Viewed",
                    "anonymousId": "a-9",
                    "timestamp": "2026-03-01T10:00:00Z",
                },
                {
                    "type": "track",
                    "event": "Bought",
                    "userId": "u-9",
                    "timestamp": "2026-03-01T11:00:00Z",
                },
            ]
        },
    )
    live.wait_processed()
    anon = live.api("/api/v1/profiles/lookup?type=anonymous_id&value=a-9").json()
    user = live.api("/api/v1/profiles/lookup?type=user_id&value=u-9").json()
    assert anon["id"] != user["id"]
    live.send(
        "/v1/identify",
        {"userId": "u-9", "anonymousId": "a-9", "timestamp": "2026-03-01T12:00:00Z"},
    )
    live.wait_processed()
    merged = live.api("/api/v1/profiles/lookup?type=anonymous_id&value=a-9").json()
    survivor, gone = sorted([anon["id"], user["id"]], key=int)
    assert merged["id"] == survivor
    assert merged["counts"]["events"] == 3
    away = live.api(f"/api/v1/profiles/{gone}").json()
    assert away["id"] == survivor and away["merged"] is True
    merges = live.api(f"/api/v1/profiles/{survivor}/merges").json()["merges"]
    assert len(merges) == 1 and merges[0]["merged_id"] == gone

    split = live.api(f"/api/v1/profiles/{survivor}/split", method="POST", json={})
    assert split.status_code == 200, split.text
    after_a = live.api("/api/v1/profiles/lookup?type=anonymous_id&value=a-9").json()
    after_u = live.api("/api/v1/profiles/lookup?type=user_id&value=u-9").json()
    assert after_a["id"] != after_u["id"]
    assert after_a["counts"]["events"] + after_u["counts"]["events"] == 3
    # the same link again does not re-merge what a person split by hand
    live.send("/v1/identify", {"userId": "u-9", "anonymousId": "a-9"})
    live.wait_processed()
    again = live.api("/api/v1/profiles/lookup?type=anonymous_id&value=a-9").json()
    assert again["id"] == after_a["id"]
    nothing = live.api(f"/api/v1/profiles/{survivor}/split", method="POST")
    assert nothing.status_code == 409


def test_stats_count_the_workspace(live):
    journey(live)
    live.wait_processed()
    stats = live.api("/api/v1/stats").json()
    assert stats["events"] == 5
    assert stats["profiles"] == 1
