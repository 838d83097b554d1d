"""The Channel switching, Silo vs unified and Omnichannel impact pages in real Chromium
against a live server: charts are painted and hold the API's numbers, tables and
callouts show them, and the GET API answers with the one error shape."""

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


OC = "Order Completed"
EVENTS = [
    track("a1", "alice", "2026-03-01T10:00:00Z", "web", "Product Viewed"),
    track("a2", "alice", "2026-03-01T10:05:00Z", "web", "Product Added"),
    track("a3", "alice", "2026-03-01T11:00:00Z", "store", OC, revenue=30),
    track("a4", "alice", "2026-03-02T09:00:00Z", "call_center", "Call Started"),
    track("b1", "bob", "2026-03-01T08:00:00Z", "social", "Message Sent"),
    track("b2", "bob", "2026-03-01T08:30:00Z", "chat", "Chat Started"),
    track("b3", "bob", "2026-03-01T09:00:00Z", "call_center", "Call Started"),
    track("b4", "bob", "2026-03-01T10:00:00Z", "web", "Product Viewed"),
    track("c1", "carol", "2026-03-03T10:00:00Z", "mobile_app", "Product Viewed"),
    track("c2", "carol", "2026-03-03T12:00:00Z", "store", OC, revenue=80),
    track("d1", "dave", "2026-03-04T10:00:00Z", "web", "Product Added"),
    track("d2", "dave", "2026-03-05T10:00:00Z", "store", OC, revenue=60),
    track("e1", "erin", "2026-03-04T10:00:00Z", "web", "Product Viewed"),
    track("e2", "erin", "2026-03-04T10:30:00Z", "web", OC, revenue=20),
]

CHART = """(selector) => {
  const el = document.querySelector(selector);
  const option = echarts.getInstanceByDom(el).getOption();
  const canvas = el.querySelector('canvas');
  const px = canvas.getContext('2d')
    .getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
  return {painted, width: canvas.width,
          x: option.xAxis && option.xAxis.length ? option.xAxis[0].data : null,
          series: option.series.map(s => ({id: s.id, type: s.type, data: s.data,
                                           links: s.links || null}))};
}"""


def chart(page: Any, selector: str) -> dict[str, Any]:
    found = page.evaluate(CHART, selector)
    assert found["width"] > 300 and found["painted"] > 2000, f"blank chart {selector}"
    return found


def stat(page: Any, key: str) -> str | None:
    return page.locator(f'#analytics-result [data-stat="{key}"]').get_attribute(
        "data-value"
    )


def open_analysis(page: Any, name: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/analytics/{name}")
    page.wait_for_selector(f'#analytics-result[data-rendered="{name}"]')


def test_switching_silo_and_impact_pages(live, browser):
    response = live.send("/v1/batch", {"batch": EVENTS})
    assert response.status_code == 200, response.text
    live.wait_processed()
    base = "/api/v1/analytics/"
    switching = live.api(base + "channel-switching").json()
    silo = live.api(base + "silo-vs-unified?lookback=30d").json()
    impact = live.api(base + "omnichannel-impact").json()
    assert switching["customers_by_channel_count"] == {"1": 1, "2": 2, "3": 1, "4": 1}
    assert switching["ropo"]["rate_of_store_purchasers"] == 1.0  # alice, carol, dave
    assert silo["channels"]["web"]["abandoned_bought_on"] == {"store": 2}  # alice, dave
    assert impact["buckets"]["3+"]["customers"] == 2  # alice, bob
    web_store = live.api(base + "channel-switching?channels=web,store").json()
    assert web_store["customers_by_channel_count"] == {"1": 3, "2": 2}
    bad = live.api(base + "silo-vs-unified?lookback=soon&cart_events=[]")
    assert bad.status_code == 400
    assert bad.json()["ok"] is False
    assert bad.json()["errors"][0]["field"] == "lookback"

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live.url + "/")
    page.evaluate(f"localStorage.setItem('omnicx.adminToken', '{live.admin_token}')")

    # Channel switching: rates, Sankey links, channel-count bars, transitions table.
    open_analysis(page, "channel-switching")
    assert stat(page, "customers") == "5"
    assert float(stat(page, "multichannel_share")) == switching["multichannel_share"]
    assert float(stat(page, "ropo_rate")) == 1.0
    assert float(stat(page, "escalation_rate")) == 1.0  # bob
    sankey = chart(page, "#analytics-result .switching-sankey")
    assert sankey["series"][0]["type"] == "sankey"
    assert sankey["series"][0]["links"] == switching["sankey"]["links"]
    counts = chart(page, "#analytics-result .switching-counts")
    assert counts["x"] == ["1", "2", "3", "4"]
    assert counts["series"][0]["data"] == [1, 2, 1, 1]
    rows = page.locator("#analytics-result .switching-transitions tbody tr")
    assert rows.count() == len(switching["transitions"])
    first = rows.first.locator("td")
    top = switching["transitions"][0]
    assert first.nth(0).locator(".badge").get_attribute("data-channel") == top["from"]
    assert first.nth(2).inner_text() == str(top["count"])

    # Silo vs unified: the pair of bars per channel and the table.
    page.get_by_role("link", name="Silo vs unified view").click()
    page.wait_for_selector('#analytics-result[data-rendered="silo-vs-unified"]')
    channels = list(silo["channels"])
    bars = chart(page, "#analytics-result .silo-chart")
    assert [s["id"] for s in bars["series"]] == ["silo", "unified"]
    assert bars["series"][0]["data"] == [
        silo["channels"][c]["silo_conversions"] for c in channels
    ]
    assert [d["value"] for d in bars["series"][1]["data"]] == [
        silo["channels"][c]["unified_conversions"] for c in channels
    ]
    assert stat(page, "bought_elsewhere") == "2"
    table = page.locator("#analytics-result .silo-table tbody tr")
    assert table.count() == len(channels)
    web_row = table.nth(channels.index("web")).locator("td")
    assert web_row.nth(2).inner_text() == str(
        silo["channels"]["web"]["silo_conversions"]
    )
    assert web_row.nth(10).inner_text() == "Store 2"

    # Omnichannel impact: ratio callouts, the caveat, both charts.
    open_analysis(page, "omnichannel-impact")
    caveat = page.locator("#analytics-result .impact-caveat").inner_text()
    assert "not causation" in caveat and "Small sample" in caveat
    cards = page.locator("#analytics-result .impact-ratio")
    assert cards.count() == len(impact["ratios"])
    for i, ratio in enumerate(impact["ratios"]):
        card = cards.nth(i)
        assert card.get_attribute("data-metric") == ratio["metric"]
        shown = card.get_attribute("data-ratio")
        assert (float(shown) if shown else None) == ratio["ratio"]
    assert "494%" in page.locator('[data-metric="orders_per_customer"]').inner_text()
    per_customer = chart(page, "#analytics-result .impact-per-customer")
    assert per_customer["x"] == ["1 channel", "2 channels", "3+ channels"]
    assert per_customer["series"][0]["data"] == [
        impact["buckets"][b]["revenue_per_customer"] for b in ("1", "2", "3+")
    ]
    chart(page, "#analytics-result .impact-rates")
    assert float(stat(page, "multichannel_customer_share")) == pytest.approx(
        impact["headline"]["multichannel_customer_share"]
    )

    # A workspace without events: every page says so instead of drawing empty charts.
    empty = live.new_workspace("empty")
    page.evaluate(f"localStorage.setItem('omnicx.adminToken', '{empty.admin_token}')")
    page.reload()
    for name, marker in (
        ("channel-switching", ".switching-empty"),
        ("silo-vs-unified", ".silo-empty"),
        ("omnichannel-impact", ".impact-empty"),
    ):
        open_analysis(page, name)
        assert page.locator(f"#analytics-result {marker}").is_visible()
        assert page.locator("#analytics-result canvas").count() == 0
    assert stat(page, "customers") == "0"

    assert errors == []
    context.close()
