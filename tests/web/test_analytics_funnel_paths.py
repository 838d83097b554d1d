"""The Funnel and Paths pages (#/analytics/funnel, #/analytics/paths) in real Chromium
against a live server: the charts are drawn from the API's numbers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_dashboard import ingest, login, open_page

pytestmark = pytest.mark.browser

PV, PA, CS, OC = (
    "Product Viewed",
    "Product Added",
    "Checkout Started",
    "Order Completed",
)


def track(person: str, n: int, minute: int, channel: str, event: str) -> dict[str, Any]:
    return {
        "type": "track",
        "messageId": f"{person}-{n}",
        "userId": person,
        "event": event,
        "timestamp": f"2026-03-01T10:{minute:02d}:00Z",
        "context": {"channel": channel},
    }


#: ann: web PV, web PA, app CS, store OC — completes on three channels
#: ben: web PV, web PA — abandons after adding;  cat: store PV — abandons in store
EVENTS = [
    track("ann", 1, 0, "web", PV),
    track("ann", 2, 5, "web", PA),
    track("ann", 3, 10, "mobile_app", CS),
    track("ann", 4, 30, "store", OC),
    track("ben", 1, 0, "web", PV),
    track("ben", 2, 1, "web", PA),
    track("cat", 1, 0, "store", PV),
]

CHART_SERIES = """(selector) => {
  const node = document.querySelector(selector);
  const option = window.echarts.getInstanceByDom(node).getOption();
  return option.series.map(
    (s) => ({id: s.id, type: s.type, data: s.data, links: s.links}));
}"""


def cells(page: Any, selector: str) -> list[list[str]]:
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + ' tbody tr'),
             (tr) => Array.from(tr.cells, (td) => td.innerText.trim()))""",
        selector,
    )


def open_analysis(page: Any, live: Any, name: str) -> None:
    page.goto(f"{live.url}/#/analytics/{name}")
    page.wait_for_selector(f'#analytics-result[data-rendered="{name}"]')


def test_funnel_and_paths_pages(live, browser):
    ingest(live, EVENTS)
    context, page, errors = open_page(browser, live)
    login(page, live.admin_token)
    page.wait_for_selector('[data-stat="events"][data-value]')

    # Funnel: the example query (4 steps, 7 days, channel breakdown) runs on load.
    open_analysis(page, live, "funnel")
    assert page.locator("#analytics-title").inner_text() == "Funnel"
    rows = cells(page, ".funnel-steps")
    assert [r[0] for r in rows] == [f"1. {PV}", f"2. {PA}", f"3. {CS}", f"4. {OC}"]
    assert [r[1] for r in rows] == ["3", "2", "1", "1"]
    assert [r[2] for r in rows] == ["100.0%", "66.7%", "50.0%", "100.0%"]
    assert [r[4] for r in rows] == ["–", "3m", "5m", "20m"]  # medians: (5m, 1m) → 3m
    series = page.evaluate(CHART_SERIES, ".funnel-chart")
    totals = [sum(s["data"][i] for s in series) for i in range(4)]
    assert totals == [3, 2, 1, 1]
    by_channel = {s["id"]: s["data"] for s in series}
    assert by_channel == {
        "web": [2, 2, 0, 0],
        "store": [1, 0, 0, 1],
        "mobile_app": [0, 0, 1, 0],
    }
    breakdown = cells(page, ".funnel-breakdown")
    assert len(breakdown) == 4
    summary = page.locator(".funnel-summary").inner_text()
    assert (
        "3 entered" in summary and "1 of 1 completers used several channels" in summary
    )
    assert page.locator(".funnel-chart canvas").count() == 1

    # A bad query shows the API's message naming the field, and no chart.
    page.locator("#analytics-query").fill('{"steps": []}')
    page.get_by_role("button", name="Run").click()
    error = page.locator("#view-analytics .view-error")
    error.wait_for(state="visible")
    assert "steps" in error.inner_text()

    # Paths: Sankey, top paths, stages and pain points.
    open_analysis(page, live, "paths")
    sankey = page.evaluate(CHART_SERIES, ".paths-sankey")[0]
    assert sankey["type"] == "sankey"
    assert {n["name"]: n["value"] for n in sankey["data"]} == {
        "1. web": 2,
        "1. store": 1,
        "2. mobile_app": 1,
        "3. store": 1,
    }
    assert [(x["source"], x["target"], x["value"]) for x in sankey["links"]] == [
        ("1. web", "2. mobile_app", 1),
        ("2. mobile_app", "3. store", 1),
    ]
    assert page.locator(".paths-sankey canvas").count() == 1
    top = cells(page, ".paths-top")
    assert [r[1] for r in top] == ["1", "1", "1"]
    stages = {r[0]: r[1] for r in cells(page, ".paths-stages")}
    assert stages == {
        "Awareness": "0",
        "Consideration": "3",
        "Purchase": "1",
        "Retention": "0",
        "Advocacy": "0",
    }
    stage_series = page.evaluate(CHART_SERIES, ".paths-stages-chart")
    assert stage_series[0]["data"] == [0, 3, 1, 0, 0]
    pain = {r[0]: r[2] for r in cells(page, ".paths-pain")}
    assert pain == {
        "Web Product Added": "1 (50.0%)",  # ben leaves after adding to cart
        "Store Product Viewed": "1 (100.0%)",  # cat
    }
    # the one console error is the browser logging the deliberate 400
    assert [e for e in errors if "status of 400" not in e] == []
    context.close()
