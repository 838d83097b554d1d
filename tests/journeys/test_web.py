"""Web analytics, with answers computed by hand (all times UTC)."""

from __future__ import annotations

import pytest

from omnicx.errors import ValidationError

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
IPAD_SAFARI = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SHOP = "https://shop.example"


def web(ua: str, **extra):
    """Extra message fields: a web context with a user agent."""
    context = {"channel": "web", "userAgent": ua} | extra.pop("context", {})
    return {"context": context} | extra


def page(ts, path, ua, referrer="", query="", **extra):
    props = {
        "path": path,
        "referrer": referrer,
        "search": query,
        "title": path,
        "url": SHOP + path + query,
    }
    return (ts, "web", "Page Viewed", props, web(ua, **extra))


def people():
    anon_bob = {"userId": None, "anonymousId": "anon-bob"}
    return {
        "ann": [
            # session 1: 10:00 → 10:40 (the last gap is exactly 30 min: same session)
            page(
                "2026-01-01T10:00:00Z",
                "/",
                WINDOWS_CHROME,
                referrer="https://www.google.com/search?q=lamps",
                query="?utm_source=news&utm_medium=email&utm_campaign=spring%20sale",
            ),
            (
                "2026-01-01T10:05:00Z",
                "web",
                "Product Viewed",
                {"sku": "1"},
                web(WINDOWS_CHROME, context={"page": {"path": "/p/1"}}),
            ),
            page("2026-01-01T10:10:00Z", "/p/1", WINDOWS_CHROME, referrer=SHOP + "/"),
            page(
                "2026-01-01T10:40:00Z", "/cart", WINDOWS_CHROME, referrer=SHOP + "/p/1"
            ),
            # an identify call is not activity: it neither extends nor un-bounces
            (
                "2026-01-01T10:50:00Z",
                "web",
                "Identify",
                {},
                web(WINDOWS_CHROME, type="identify", traits={"plan": "gold"}),
            ),
            # session 2: 30 min + 1 ms after 10:40, one pageview: a bounce
            page("2026-01-01T11:10:00.001Z", "/", WINDOWS_CHROME),
        ],
        "bob": [
            # anonymous, then identified: one profile after the merge
            page(
                "2026-01-02T09:00:00Z",
                "/p/2",
                IPHONE_SAFARI,
                referrer="https://instagram.com/lumen",
                context={
                    "campaign": {
                        "name": "winter",
                        "source": "instagram",
                        "medium": "social",
                    }
                },
                **anon_bob,
            ),
            (
                "2026-01-02T09:20:00Z",
                "web",
                "Product Added",
                {"sku": "2"},
                web(IPHONE_SAFARI, anonymousId="anon-bob"),
            ),
            # a store visit does not keep the web session alive
            ("2026-01-02T09:45:00Z", "store", "Order Completed", {"revenue": 5}),
            page("2026-01-02T10:00:00Z", "/p/2", IPAD_SAFARI),  # new session, bounce
        ],
        "cat": [("2026-01-02T12:00:00Z", "email", "Email Opened")],  # not a visitor
    }


def test_web_analytics_by_hand(journeys_for, run_analysis):
    profiles = journeys_for(people(), shuffle=True)
    assert profiles["bob"] is not None
    result = run_analysis("web", {})
    assert {
        k: result[k]
        for k in (
            "visitors",
            "sessions",
            "pageviews",
            "events",
            "bounce_rate",
            "avg_session_duration_s",
            "pageviews_per_session",
            "session_timeout_s",
        )
    } == {
        "visitors": 2,
        "sessions": 4,  # ann 2, bob 2
        "pageviews": 6,
        "events": 8,  # page + track calls on web; not identify, not the store
        "bounce_rate": 0.5,  # ann's 11:10 and bob's 10:00
        "avg_session_duration_s": (2400 + 0 + 1200 + 0) / 4,
        "pageviews_per_session": 1.5,
        "session_timeout_s": 1800,
    }
    assert result["top_pages"] == [
        {"path": "/", "pageviews": 2, "visitors": 1, "sessions": 2},
        {"path": "/p/2", "pageviews": 2, "visitors": 1, "sessions": 2},
        {"path": "/cart", "pageviews": 1, "visitors": 1, "sessions": 1},
        {"path": "/p/1", "pageviews": 1, "visitors": 1, "sessions": 1},
    ]
    # shop.example (the page's own host) is internal navigation, not a referrer
    assert result["referrers"] == [
        {"domain": "google.com", "pageviews": 1, "visitors": 1, "sessions": 1},
        {"domain": "instagram.com", "pageviews": 1, "visitors": 1, "sessions": 1},
    ]
    assert result["campaigns"] == [
        {
            "name": "spring sale",
            "source": "news",
            "medium": "email",
            "pageviews": 1,
            "events": 1,
            "visitors": 1,
            "sessions": 1,
        },
        {
            "name": "winter",
            "source": "instagram",
            "medium": "social",
            "pageviews": 1,
            "events": 1,
            "visitors": 1,
            "sessions": 1,
        },
    ]
    assert result["devices"] == [
        {"device": "desktop", "sessions": 2, "visitors": 1, "pageviews": 4},
        {"device": "mobile", "sessions": 1, "visitors": 1, "pageviews": 1},
        {"device": "tablet", "sessions": 1, "visitors": 1, "pageviews": 1},
    ]
    assert result["browsers"] == [
        {"browser": "Chrome", "sessions": 2, "visitors": 1, "pageviews": 4},
        {"browser": "Safari", "sessions": 2, "visitors": 1, "pageviews": 2},
    ]
    assert result["sessions_by_day"] == [
        {
            "day": "2026-01-01",
            "sessions": 2,
            "visitors": 1,
            "pageviews": 4,
            "bounces": 1,
        },
        {
            "day": "2026-01-02",
            "sessions": 2,
            "visitors": 1,
            "pageviews": 2,
            "bounces": 1,
        },
    ]


def test_timeout_limit_scope_and_empty(journeys_for, run_analysis):
    journeys_for(people())
    # a 40-minute timeout joins ann's two visits and bob's two
    longer = run_analysis("web", {"session_timeout": "40m", "limit": 1})
    assert (longer["sessions"], longer["bounce_rate"]) == (2, 0.0)
    assert longer["avg_session_duration_s"] == (4200.001 + 3600) / 2
    assert [p["path"] for p in longer["top_pages"]] == ["/"]
    assert len(longer["referrers"]) == len(longer["devices"]) == 1
    # the time range cuts events, not sessions already formed elsewhere
    day_two = run_analysis("web", {"from": "2026-01-02", "to": "2026-01-03"})
    assert (day_two["visitors"], day_two["sessions"], day_two["pageviews"]) == (1, 2, 2)
    for query in (
        {"channels": ["store", "email"]},
        {"from": "2025-01-01", "to": "2025-12-31"},
    ):
        empty = run_analysis("web", query)
        assert (empty["visitors"], empty["sessions"], empty["pageviews"]) == (0, 0, 0)
        assert empty["bounce_rate"] is None
        assert empty["avg_session_duration_s"] is None
        assert empty["top_pages"] == empty["sessions_by_day"] == []


def test_user_agent_rules_and_utm_from_search(journeys_for, run_analysis):
    agents = {
        "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0",
        "firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 "
        "Firefox/129.0",
        "samsung": "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile "
        "Safari/537.36",
        "android_tablet": "Mozilla/5.0 (Linux; Android 13; SM-X700) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
        "opera": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 OPR/113.0.0.0",
        "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "no_agent": "",
    }
    journeys_for(
        {
            name: [
                (
                    "2026-03-01T10:00:00Z",
                    "web",
                    "Page Viewed",
                    {"search": "?utm_source=ads&utm_campaign=launch"},
                    # no properties.path/url: context.page is used instead
                    web(ua, context={"page": {"path": "/x"}}),
                )
            ]
            for name, ua in agents.items()
        }
    )
    result = run_analysis("web", {"limit": 20})
    assert {d["device"]: d["sessions"] for d in result["devices"]} == {
        "desktop": 3,  # edge, firefox, opera
        "mobile": 1,
        "tablet": 1,
        "bot": 1,
        "unknown": 1,
    }
    assert {b["browser"]: b["sessions"] for b in result["browsers"]} == {
        "Edge": 1,
        "Firefox": 1,
        "Samsung Internet": 1,
        "Chrome": 1,
        "Opera": 1,
        "Other": 1,
        "unknown": 1,
    }
    assert result["top_pages"] == [
        {"path": "/x", "pageviews": 7, "visitors": 7, "sessions": 7}
    ]
    assert result["campaigns"] == [
        {
            "name": "launch",
            "source": "ads",
            "medium": "",
            "pageviews": 7,
            "events": 7,
            "visitors": 7,
            "sessions": 7,
        }
    ]
    assert result["referrers"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"session_timeout": "forever"}, "session_timeout"),
        ({"session_timeout": "2d"}, "session_timeout"),
        ({"session_timeout": 0}, "session_timeout"),
        ({"sessions": 3}, "sessions"),
        ({"channels": "web", "traits": ["vip"]}, "traits"),
    ],
)
def test_validation_errors_name_the_field(run_analysis, query, field):
    with pytest.raises(ValidationError) as error:
        run_analysis("web", query)
    assert [e.field for e in error.value.errors] == [field]
