"""The Alerts and Cases dashboard pages in real Chromium against a live server: the
case inbox and its filters, a case with the customer's context, assigning, notes, a
follow-up email delivered to a real SMTP server, resolving; creating an alert rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicx.settings import load_settings
from tests.closed_loop.conftest import Mailbox, smtp  # noqa: F401  (fixture)
from tests.closed_loop.helpers import answered, create_rule, customer, send, wait_until
from tests.web.test_dashboard import login, open_page

pytestmark = pytest.mark.browser
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def settings(tmp_path: Path, smtp: Mailbox):  # noqa: F811
    return load_settings(
        {"data": str(tmp_path / "data"), "smtp_url": smtp.url}, environ={}
    )


def seed(live: Any) -> dict:
    rule = create_rule(
        live,
        {
            "name": "Detractor follow-up",
            "when": {"score_at_most": 6},
            "actions": [{"type": "open_case", "sla_hours": 8}],
        },
    )
    send(
        live,
        customer("dana", "dana@example.com", name="דנה לוי", vip=True),
        {
            "type": "track",
            "messageId": "dana-order",
            "userId": "dana",
            "event": "Order Completed",
            "properties": {"order_id": "S-1"},
            "context": {"channel": "store"},
        },
    )
    send(live, answered("d-1", 3, user="dana", comment="Slow refund " + XSS))
    wait_until(lambda: live.api("/api/v1/cases").json()["cases"])
    return rule


def test_case_inbox_detail_and_workflow(live, browser, smtp):  # noqa: F811
    seed(live)
    case = live.api("/api/v1/cases").json()["cases"][0]
    context, page, errors = open_page(browser, live)
    login(page, live.admin_token)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Cases").click()
    page.get_by_role("heading", name="Cases").wait_for()
    row = page.locator(f'#case-table tr[data-case-id="{case["id"]}"]')
    row.wait_for()
    assert "Open" in row.inner_text() and "due" in row.inner_text()
    assert XSS in row.inner_text()  # shown as text, never run
    assert "Open 1" in page.locator("#case-counts").inner_text()

    row.get_by_role("link", name=case["title"]).click()
    page.get_by_role("heading", name=case["title"]).wait_for()
    assert "3" in page.locator("#case-response").inner_text()
    assert "dana@example.com" in page.locator("#case-identities").inner_text()
    assert "Order Completed" in page.locator("#case-timeline").inner_text()
    assert "Preferred consented channel: email" in page.inner_text("body")

    page.get_by_label("Owner", exact=True).fill("sam")
    page.get_by_role("button", name="Assign").click()
    page.locator('[data-status="assigned"]').first.wait_for()
    page.get_by_label("Note", exact=True).fill("Called, voicemail")
    page.get_by_role("button", name="Add note").click()
    page.locator("#case-notes", has_text="Called, voicemail").wait_for()

    page.get_by_label("Message").fill("Your refund is on its way.")
    page.get_by_role("button", name="Send follow-up").click()
    page.get_by_text("Sent by email to dana@example.com.").wait_for()
    mail = smtp.wait_for(1)[0]
    assert mail["X-Envelope-To"] == "dana@example.com"

    page.get_by_role("button", name="Start work").click()
    page.locator('[data-status="in_progress"]').first.wait_for()
    page.get_by_label("Resolution note (optional)").fill("Refunded")
    page.get_by_role("button", name="Resolve case").click()
    page.locator('[data-status="resolved"]').first.wait_for()
    assert live.api(f"/api/v1/cases/{case['id']}").json()["status"] == "resolved"

    # the inbox filters: resolved shows it, active and breached do not
    page.goto(live.url + "/#/cases?status=resolved")
    page.locator(f'tr[data-case-id="{case["id"]}"]').wait_for()
    page.get_by_label("Status").select_option("active")
    page.get_by_text("No cases match.").wait_for()
    page.goto(live.url + "/#/cases?status=&breached=true")
    page.get_by_text("No cases match.").wait_for()

    assert page.evaluate("window.__xss") is None
    assert errors == []
    context.close()


def test_alerts_page_lists_rules_firings_and_creates_a_rule(live, browser):
    rule = seed(live)
    context, page, errors = open_page(browser, live)
    login(page, live.admin_token)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Alerts"
    ).click()
    page.get_by_role("heading", name="Alerts", exact=True).wait_for()
    row = page.locator(f'#alert-rules tr[data-rule-id="{rule["id"]}"]')
    row.wait_for()
    assert "Detractor follow-up" in row.inner_text() and "open case" in row.inner_text()
    firing = page.locator("#alert-firings tbody tr").first
    assert "score 3" in firing.inner_text()
    assert firing.get_by_role("link", name="case_").count() == 1

    page.get_by_role("textbox", name="Name", exact=True).fill("VIP unhappy")
    page.get_by_role("button", name="CSAT ≤ 2 on a VIP").click()
    page.get_by_label("Webhook URL (optional)").fill("http://127.0.0.1:9/hook")
    page.get_by_role("button", name="Create alert").click()
    page.get_by_text("Webhook signing secret").wait_for()
    page.locator("#alert-rules", has_text="VIP unhappy").wait_for()
    created = live.api("/api/v1/alerts").json()["alerts"]
    assert created[-1]["when"] == {
        "template": "csat",
        "score_at_most": 2,
        "profile_traits": {"vip": True},
    }
    assert errors == []
    # a bad rule shows the API's field errors (the browser logs the 400 itself)
    page.get_by_role("textbox", name="Name", exact=True).fill("Broken")
    page.get_by_label("When (JSON)").fill('{"metric": "nps"}')
    page.get_by_role("button", name="Create alert").click()
    page.get_by_text("when.drop_points").wait_for()
    assert [e for e in errors if "status of 400" not in e] == []
    context.close()
