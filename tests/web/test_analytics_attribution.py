"""The Attribution page in real Chromium against a live server: the grouped bar chart
and the table show the API's numbers for the right channels."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def track(
    mid: str, user: str, ts: str, channel: str, event: str, **props: Any
) -> dict[str, Any]:
    return {
        "type": "track",
        "messageId": mid,
        "userId": user,
        "event": event,
        "timestamp": ts,
        "properties": props,
        "context": {"channel": channel},
    }


EVENTS = [
    track("a1", "alice", "2026-03-01T10:00:00Z", "web", "Product Viewed"),
    track("a2", "alice", "2026-03-02T10:00:00Z", "email", "Email Opened"),
    track(
        "a3", "alice", "2026-03-03T10:00:00Z", "store", "Order Completed", revenue=100
    ),
    track("b1", "bob", "2026-03-01T10:00:00Z", "email", "Email Opened"),
    track("b2", "bob", "2026-03-01T11:00:00Z", "store", "Order Completed", revenue=50),
    track("c1", "carol", "2026-03-01T10:00:00Z", "web", "Product Viewed"),
    track("d1", "dan", "2026-03-04T10:00:00Z", "store", "Order Completed", revenue=5),
]


def test_attribution_page_renders_chart_and_table(live, browser):
    response = live.send("/v1/batch", {"batch": EVENTS})
    assert response.status_code == 200, response.text
    live.wait_processed()
    api = live.api(
        "/api/v1/analytics/attribution", method="POST", json={"lookback": "30d"}
    ).json()
    assert api["channels"] == ["email", "web"]
    by_get = live.api(
        "/api/v1/analytics/attribution?models=linear,markov&lookback=30d&order=1"
    ).json()
    assert list(by_get["models"]) == ["linear", "markov"]
    assert by_get["models"]["linear"] == api["models"]["linear"]
    bad = live.api(
        "/api/v1/analytics/attribution", method="POST", json={"models": ["magic"]}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "models[0]"

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live.url + "/")
    page.evaluate(f"localStorage.setItem('omnicx.adminToken', '{live.admin_token}')")
    page.goto(live.url + "/#/analytics/attribution")
    page.wait_for_selector('#analytics-result[data-rendered="attribution"]')

    chart = page.evaluate(
        """() => {
          const el = document.querySelector('#analytics-result .analytics-chart');
          const option = echarts.getInstanceByDom(el).getOption();
          const canvas = el.querySelector('canvas');
          const px = canvas.getContext('2d')
            .getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
          return {painted, width: canvas.width, channels: option.xAxis[0].data,
                  series: option.series.map(s => ({id: s.id, data: s.data}))};
        }"""
    )
    assert chart["width"] > 300 and chart["painted"] > 2000, "blank chart"
    assert chart["channels"] == ["email", "web"]
    assert [s["id"] for s in chart["series"]] == list(api["models"])
    for series in chart["series"]:
        expected = api["models"][series["id"]]["channels"]
        assert series["data"] == [
            pytest.approx(expected[c]["conversions"], abs=0.006)
            for c in ("email", "web")
        ]

    table = page.locator("#analytics-result table.attribution-table")
    badges = table.locator("tbody [data-channel]")
    assert [badges.nth(i).get_attribute("data-channel") for i in range(2)] == [
        "email",
        "web",
    ]
    rows = table.locator("tbody tr")
    assert rows.count() == 3  # email, web, and dan's order with no touch
    assert "No touch" in rows.nth(2).inner_text()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:4] == ["Channel", "First touch", "Last touch", "Linear"]
    # alice: web then email; bob: email → linear web 0.5, email 1.5
    linear = rows.nth(1).locator("td").nth(3).inner_text()
    assert linear == "0.5"

    page.get_by_label("Metric").select_option("value")
    page.wait_for_function(
        """() => echarts.getInstanceByDom(
             document.querySelector('#analytics-result .analytics-chart')
           ).getOption().yAxis[0].name === 'Value'"""
    )
    assert rows.nth(1).locator("td").nth(3).inner_text() == "50"
    assert (
        page.locator("#analytics-result table.attribution-paths tbody tr").count() == 3
    )
    assert errors == []
    context.close()
