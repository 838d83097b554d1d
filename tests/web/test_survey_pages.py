"""The hosted survey page and the dashboard's Surveys view in real Chromium: answering
on a phone, right-to-left layout for Hebrew and Arabic, skip logic, the builder's
preview and the results charts."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _survey(live, template="nps", **extra):
    response = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": "Feedback", "template": template, **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _invite(live, survey_id, language=None, phone="+14155550100"):
    body = {"identity": {"type": "phone", "value": phone}, "channel": "sms"}
    # no SMS provider configured: the link is returned, nothing is sent
    if language:
        body["language"] = language
    response = live.api(f"/api/v1/surveys/{survey_id}/send", method="POST", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return context, context.new_page()


def test_answer_on_a_phone(live, browser):
    survey_id = _survey(live)
    invitation = _invite(live, survey_id)
    context, page = _phone(browser)
    try:
        page.goto(invitation["url"])
        page.wait_for_selector("body[data-ready=true]")
        assert page.evaluate("document.documentElement.dir") == "ltr"
        # the 11 NPS buttons fit the phone's width without horizontal scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = page.locator("label[for=q-score-10]").bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 40
        page.locator("button.submit").tap()
        assert page.locator("[data-question=score] .question-error").is_visible()
        page.locator("label[for=q-score-3]").tap()
        page.locator("textarea[name=comment]").fill("The queue was too long")
        page.locator("button.submit").tap()
        page.wait_for_selector("#survey-done:not([hidden])")
        assert "Thank you" in page.locator("#survey-done").inner_text()
    finally:
        context.close()
    results = live.api(f"/api/v1/surveys/{survey_id}/results?group_by=channel").json()
    assert results["responses"] == 1 and results["detractors"] == 1
    assert results["groups"]["sms"]["responses"] == 1
    again = httpx.post(
        f"{live.url}/api/v1/responses",
        json={"invitation": invitation["invitation"], "answers": {"score": 9}},
        timeout=30,
    )
    assert again.status_code == 409
    context, page = _phone(browser)
    try:
        page.goto(invitation["url"])
        assert "already been answered" in page.locator("#survey-done").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "fragment"), [("he", "לחבר או לעמית"), ("ar", "لصديق أو زميل")]
)
def test_right_to_left_layout(live, browser, language, fragment):
    live.api(
        "/api/v1/brand",
        method="PUT",
        json={"name": "Lumen", "primary_color": "#0f766e"},
    )
    survey_id = _survey(live)
    invitation = _invite(live, survey_id, language=language)
    assert invitation["language"] == language
    context, page = _phone(browser)
    try:
        page.goto(invitation["url"])
        page.wait_for_selector("body[data-ready=true]")
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.lang") == language
        legend = page.locator("[data-question=score] legend")
        assert fragment in legend.inner_text()
        assert legend.evaluate("e => getComputedStyle(e).direction") == "rtl"
        # the scale runs right to left: 0 at the right edge, 10 at the left
        zero = page.locator("label[for=q-score-0]").bounding_box()
        ten = page.locator("label[for=q-score-10]").bounding_box()
        assert zero["x"] > ten["x"]
        assert zero["x"] + zero["width"] > PHONE["width"] - 40
        # the question text starts at the right margin
        text_box = legend.bounding_box()
        assert text_box["x"] + text_box["width"] > PHONE["width"] - 40
        submit = page.locator("button.submit")
        assert submit.inner_text() in ("שליחה", "إرسال")
        colour = submit.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == "rgb(15, 118, 110)"
        page.locator("label[for=q-score-9]").tap()
        submit.tap()
        page.wait_for_selector("#survey-done:not([hidden])")
    finally:
        context.close()
    [response] = [
        e
        for e in live.api(f"/api/v1/surveys/{survey_id}/results")
        .json()["distribution"]
        .items()
    ]
    assert response == ("9", 1)


def test_skip_logic_and_partial_save(live, browser):
    survey_id = _survey(
        live,
        "custom",
        questions=[
            {
                "id": "stars",
                "type": "rating",
                "min": 1,
                "max": 5,
                "required": True,
                "text": "Rate your visit",
            },
            {
                "id": "why",
                "type": "single",
                "required": True,
                "text": "What went wrong?",
                "options": [
                    {"id": "wait", "text": "Waiting"},
                    {"id": "staff", "text": "Staff"},
                ],
                "show_if": {"question": "stars", "at_most": 2},
            },
        ],
    )
    invitation = _invite(live, survey_id)
    context, page = _phone(browser)
    try:
        page.goto(invitation["url"])
        page.wait_for_selector("body[data-ready=true]")
        why = page.locator("[data-question=why]")
        assert why.is_hidden()
        page.locator("label[for=q-stars-2]").tap()
        assert why.is_visible()
        page.locator("label[for=q-stars-5]").tap()
        assert why.is_hidden()
        page.locator("label[for=q-stars-1]").tap()
        # leaving the page keeps the partial answer
        page.evaluate(
            "Object.defineProperty(document, 'visibilityState', {value: 'hidden'});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        results: dict = {}
        for _ in range(100):  # the beacon is sent in the background
            results = live.api(f"/api/v1/surveys/{survey_id}/results").json()
            if results["partial"]:
                break
            page.wait_for_timeout(100)
    finally:
        context.close()
    assert results["partial"] == 1 and results["responses"] == 1
    assert results["distribution"] == {"1": 1}


def test_dashboard_surveys_list_builder_preview_and_results(live, browser):
    survey_id = _survey(live, "csat")
    for n, (channel, score) in enumerate([("sms", 5), ("email", 2), ("sms", 4)]):
        sent = _invite(live, survey_id, phone=f"+1415555011{n}")
        httpx.post(
            f"{live.url}/api/v1/responses",
            json={
                "invitation": sent["invitation"],
                "answers": {"score": score},
                "channel": channel,
            },
            timeout=30,
        ).raise_for_status()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(live.url + "/")
        page.evaluate(
            f"localStorage.setItem('omnicx.adminToken', '{live.admin_token}')"
        )
        page.goto(live.url + "/#/surveys")
        page.wait_for_selector("#plugin-root[data-rendered=surveys-list]")
        assert page.locator("a[data-nav='plugin:surveys']").count() == 1
        assert page.locator("#plugin-root table").inner_text().count("Feedback") == 1

        page.goto(live.url + f"/#/surveys/{survey_id}")
        page.wait_for_selector("#plugin-root[data-rendered=survey-results]")
        stats = page.locator("#survey-stats").inner_text()
        assert "66.7" in stats and "3" in stats  # 2 of 3 satisfied
        assert page.locator("#survey-chart-channel canvas").count() == 1
        assert page.locator("#survey-chart-time canvas").count() == 1

        page.goto(live.url + "/#/surveys/new")
        page.wait_for_selector("#plugin-root[data-rendered=surveys-builder]")
        page.select_option("#survey-preview-lang", "fa")
        frame = page.frame_locator("#survey-preview")
        frame.locator("body[data-ready=true]").wait_for()
        assert frame.locator("html").get_attribute("dir") == "rtl"
        assert "توصیه" in frame.locator("[data-question=score] legend").inner_text()
        page.fill("#survey-name", "Built in the browser")
        page.locator("#survey-builder button[type=submit]").click()
        page.wait_for_selector("#plugin-root[data-rendered=survey-results]")
        assert "Built in the browser" in page.locator("#plugin-root h1").inner_text()
        assert errors == []
    finally:
        context.close()


def _shop(body: str) -> tuple[ThreadingHTTPServer, str]:
    """A web site on its own 127.0.0.1 port (another origin) serving one page."""
    payload = body.encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_web_widget_on_another_site(live, browser):
    survey_id = _survey(live, "csat", languages=["en", "tr"])
    page_html = (
        '<!doctype html><html lang="tr"><head><meta charset="utf-8"></head><body>'
        "<h1>Shop</h1>"
        f'<script src="{live.url}/js/survey-widget.js" data-write-key="'
        f'{live.write_key}" data-survey="{survey_id}" data-user-id="visitor-7" '
        'data-label="Geri bildirim"></script></body></html>'
    )
    server, url = _shop(page_html)
    context = browser.new_context(viewport={"width": 800, "height": 700})
    page = context.new_page()
    try:
        page.goto(url + "/")
        button = page.locator("[data-omnicx-survey-button]")
        assert button.inner_text() == "Geri bildirim"
        button.click()
        frame = page.frame_locator("[data-omnicx-survey] iframe")
        frame.locator("body[data-ready=true]").wait_for()
        assert frame.locator("html").get_attribute("lang") == "tr"
        assert "memnun" in frame.locator("[data-question=score] legend").inner_text()
        frame.locator("label[for=q-score-5]").click()
        frame.locator("button.submit").click()
        frame.locator("#survey-done:not([hidden])").wait_for()
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    results = live.api(f"/api/v1/surveys/{survey_id}/results?group_by=channel").json()
    assert results["groups"]["web"]["responses"] == 1 and results["score"] == 100
    [invitation] = live.api(f"/api/v1/surveys/{survey_id}/invitations").json()[
        "invitations"
    ]
    assert invitation["identity"] == {"type": "user_id", "value": "visitor-7"}
    assert invitation["touchpoint"] == "web:/"
