"""analytics.js (vendored @segment/analytics-next) in headless Chromium, end to end.

A customer's page lives on a second origin (its own 127.0.0.1 port) and pastes the
OmniCX snippet; the SDK loads from OmniCX, fetches its settings, and sends page,
identify and track calls cross-origin (CORS preflight: Basic auth header) to the live
server, where they must land on one profile on the ``web`` channel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from omnicx.web.sdk import snippet

pytestmark = pytest.mark.browser


class PageOrigin:
    """A tiny web site on its own 127.0.0.1 port serving one HTML page."""

    def __init__(self, body: str) -> None:
        payload = body.encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/favicon"):
                    self.send_response(204)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def shop(live: Any) -> Iterator[PageOrigin]:
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Shop item</title>
{snippet(live.write_key, live.url)}
</head><body><h1>Item x</h1></body></html>"""
    origin = PageOrigin(page)
    assert origin.url != live.url
    yield origin
    origin.close()


def wait_for(predicate: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_analytics_js_cross_origin_lands_on_web_profile(
    live: Any, browser: Any, shop: PageOrigin
) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[tuple[str, str]] = []
    responses: list[tuple[str, str, int]] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    page.on("response", lambda r: responses.append((r.request.method, r.url, r.status)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.method} {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )

    page.goto(f"{shop.url}/shop/item.html?ref=test")
    page.wait_for_function(
        "window.analytics && window.analytics.initialized === true", timeout=20_000
    )
    page.evaluate(
        """async () => {
            await analytics.identify("user-42", {email: "Web@Example.com"});
            await analytics.track("Product Viewed", {sku: "x"});
        }"""
    )
    anonymous_id = page.evaluate("() => analytics.user().anonymousId()")
    assert anonymous_id

    def posted(path: str) -> bool:
        return any(
            m == "POST" and urlsplit(u).path == path and s == 200
            for m, u, s in responses
        )

    wait_for(
        lambda: all(posted(p) for p in ("/v1/p", "/v1/i", "/v1/t")),
        what="page, identify and track to be acknowledged",
    )
    context.close()
    assert not problems, (problems, responses)

    # Every request the browser made stayed on loopback: no third-party CDN.
    hosts = {urlsplit(url).hostname for _, url in requests}
    assert hosts == {"127.0.0.1"}, requests
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for _, u in requests}
    assert origins == {shop.url, live.url}
    paths = [(m, urlsplit(u).path) for m, u in requests if u.startswith(live.url)]
    assert ("GET", "/js/analytics.js") in paths
    assert ("GET", f"/v1/projects/{live.write_key}/settings") in paths
    # Cross-origin Basic-auth POSTs were preflighted and answered with 200.
    for path in ("/v1/p", "/v1/i", "/v1/t"):
        assert ("POST", path) in paths
    assert not [r for r in responses if r[2] >= 400], responses

    live.wait_processed()
    profile = live.api(
        "/api/v1/profiles/lookup", params={"type": "email", "value": "web@example.com"}
    )
    assert profile.status_code == 200, profile.text
    profile = profile.json()
    identities = {(i["type"], i["value"]) for i in profile["identities"]}
    assert {
        ("user_id", "user-42"),
        ("anonymous_id", anonymous_id),
        ("email", "web@example.com"),
    } <= identities
    assert profile["traits"]["email"] == "Web@Example.com"
    assert profile["channels"] == ["web"]

    timeline = live.api(f"/api/v1/profiles/{profile['id']}/timeline").json()
    events = timeline["events"]
    assert sorted(e["type"] for e in events) == ["identify", "page", "track"]
    assert {e["channel"] for e in events} == {"web"}
    assert {e["anonymous_id"] for e in events} == {anonymous_id}
    by_type = {e["type"]: e for e in events}
    assert by_type["page"]["user_id"] is None  # sent before identify()
    assert by_type["identify"]["user_id"] == "user-42"
    assert by_type["track"]["user_id"] == "user-42"
    assert by_type["track"]["event"] == "Product Viewed"
    assert by_type["track"]["properties"] == {"sku": "x"}
    assert by_type["page"]["properties"]["path"] == "/shop/item.html"
    assert by_type["page"]["properties"]["search"] == "?ref=test"
    assert by_type["track"]["context"]["library"]["name"] == "analytics.js"
    assert by_type["track"]["context"]["page"]["url"].startswith(shop.url)
    assert all(e["message_id"].startswith("ajs-") for e in events)

    # The same visitor, by either identifier, is the same profile.
    for identity_type, value in (
        ("anonymous_id", anonymous_id),
        ("user_id", "user-42"),
    ):
        found = live.api(
            "/api/v1/profiles/lookup", params={"type": identity_type, "value": value}
        ).json()
        assert found["id"] == profile["id"]


def test_cors_preflight_is_answered(live: Any) -> None:
    import httpx

    response = httpx.options(
        f"{live.url}/v1/t",
        headers={
            "Origin": "http://127.0.0.1:1",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )
    assert response.status_code in (200, 204)
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-origin"] in (
        "*",
        "http://127.0.0.1:1",
    )


def test_snippet_page_shows_the_snippet(live: Any, browser: Any) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(f"{live.url}/snippet?write_key={live.write_key}")
    assert response is not None and response.status == 200
    shown = page.inner_text("#snippet")
    assert shown.strip() == snippet(live.write_key, live.url).strip()
    assert f'a._writeKey="{live.write_key}"' in shown
    assert f'a._cdn="{live.url}"' in shown
    assert "/js/analytics.js" in shown
    assert live.write_key in page.inner_text("body")

    # The key is echoed into the page escaped: no script injection.
    hostile = "</code><script>alert(1)</script>"
    response = page.goto(f"{live.url}/snippet?write_key={hostile}")
    assert response is not None and response.status == 200
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.locator("script").count() == 0
    assert hostile in page.inner_text("main")  # shown as text, not markup
    assert "\\u003cscript\\u003e" in page.inner_text("#snippet")  # JS-escaped
    page.close()
