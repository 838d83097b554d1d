"""The Cohorts and Web analytics pages (#/analytics/cohorts, #/analytics/web) in real
Chromium against a live server: tables and charts hold the API's numbers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_analytics_funnel_paths import CHART_SERIES, cells, open_analysis
from tests.web.test_dashboard import ingest, login, open_page

pytestmark = pytest.mark.browser

DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def message(person: str, n: int, ts: str, channel: str, **fields: Any) -> dict:
    context = {"channel": channel}
    if channel == "web":
        context["userAgent"] = DESKTOP if person == "ann" else IPHONE
    return {
        "type": "track",
        "messageId": f"{person}-{n}",
        "userId": person,
        "timestamp": ts,
        "context": context,
    } | fields


def order(person: str, n: int, ts: str, channel: str) -> dict:
    return message(
        person, n, ts, channel, event="Order Completed", properties={"revenue": 10}
    )


def page(person: str, n: int, ts: str, path: str, referrer: str = "") -> dict:
    """A page call; landing from google carries the March newsletter's utm tags."""
    query = ""
    if "google" in referrer:
        query = "?utm_source=news&utm_medium=email&utm_campaign=march"
    url = "https://shop.example" + path + query
    properties = {"path": path, "referrer": referrer, "search": query, "url": url}
    return message(person, n, ts, "web", type="page", properties=properties)


#: ann: store order Mon 2 Mar (cohort week 2 Mar, first on store), then a web visit
#: and a web order on Mon 9 Mar (week +1). ben: a bounce on the web on Tue 3 Mar, and
#: an hour later a web order (cohort week 2 Mar, first on web), no return.
EVENTS = [
    order("ann", 1, "2026-03-02T10:00:00Z", "store"),
    page("ann", 2, "2026-03-09T11:00:00Z", "/", referrer="https://www.google.com/"),
    page("ann", 3, "2026-03-09T11:05:00Z", "/p/1", referrer="https://shop.example/"),
    order("ann", 4, "2026-03-09T11:10:00Z", "web"),
    page("ben", 1, "2026-03-03T08:00:00Z", "/"),
    order("ben", 2, "2026-03-03T09:00:00Z", "web"),
]


def test_cohorts_and_web_pages(live, browser):
    ingest(live, EVENTS)
    context, page_, errors = open_page(browser, live)
    login(page_, live.admin_token)
    page_.wait_for_selector('[data-stat="events"][data-value]')

    # Web analytics: tiles, the sessions chart and the tables.
    open_analysis(page_, live, "web")
    kpis = {
        el.get_attribute("data-kpi"): el.inner_text()
        for el in page_.locator("[data-kpi]").all()
    }
    assert kpis == {
        "visitors": "2",
        "sessions": "3",  # ann 1; ben 2 (the order came 60 min after the pageview)
        "pageviews": "3",
        "bounce_rate": "33.3%",  # ben's lone pageview
        "avg_session_duration_s": "3m 20s",  # (600 + 0 + 0) / 3 s
    }
    chart = {
        s["id"]: s["data"] for s in page_.evaluate(CHART_SERIES, ".web-sessions-chart")
    }
    assert chart == {"sessions": [2, 1], "pageviews": [1, 2]}
    assert cells(page_, ".web-pages") == [
        ["/", "2", "2", "2"],
        ["/p/1", "1", "1", "1"],
    ]
    assert cells(page_, ".web-referrers") == [["google.com", "1", "1", "1"]]
    assert cells(page_, ".web-campaigns") == [["march", "news", "email", "1", "1", "1"]]
    assert cells(page_, ".web-devices") == [
        ["mobile", "2", "1", "1"],
        ["desktop", "1", "1", "2"],
    ]
    assert cells(page_, ".web-browsers") == [
        ["Safari", "2", "1", "1"],
        ["Chrome", "1", "1", "2"],
    ]
    assert page_.locator(".web-sessions-chart canvas").count() == 1

    # Cohorts: the example (weekly, split by first channel) runs on load.
    api = live.api(
        "/api/v1/analytics/cohorts", method="POST", json={"by_first_channel": True}
    ).json()
    open_analysis(page_, live, "cohorts")
    assert page_.locator("#analytics-title").inner_text() == "Cohorts & retention"
    rows = cells(page_, ".cohort-table[aria-label='Retention by cohort']")
    assert rows == [["2026-03-02", "2", "100.0%", "50.0%", "", "", "", "", "", ""]]
    assert api["cohorts"][0]["retained"][:3] == [2, 1, None]
    series = {s["id"]: s["data"] for s in page_.evaluate(CHART_SERIES, ".cohort-chart")}
    nulls = [None] * 6
    assert series["all"] == [100, 50, *nulls]
    assert page_.locator(".cohort-chart canvas").count() == 1
    assert errors == []
    assert series == {
        "all": [100, 50, *nulls],
        "store": [100, 100, *nulls],
        "web": [100, 0, *nulls],
    }
    store_rows = cells(page_, "[data-first-channel='store'] .cohort-table")
    assert store_rows[0][:4] == ["2026-03-02", "1", "100.0%", "100.0%"]
    web_rows = cells(page_, "[data-first-channel='web'] .cohort-table")
    assert web_rows[0][:4] == ["2026-03-02", "1", "100.0%", "0.0%"]
    context.close()
