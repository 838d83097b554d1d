"""The dashboard at / in real Chromium against a live server: login, overview, search,
the customer 360 and its timeline, checked against the API and against real pixels."""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.browser

#: Badge colours from app.css (--ch-*); a screenshot must contain them.
CHANNEL_RGB = {
    "web": (0x1D, 0x4E, 0xD8),
    "store": (0xB9, 0x1C, 0x1C),
    "call_center": (0xC2, 0x41, 0x0C),
}
XSS = '<img src=x onerror="window.__xss=1">'
HEBREW_NAME = "דנה לוי"


def journey() -> list[dict[str, Any]]:
    """Anonymous web visits, a sign-up with an email, a store purchase matched by
    email, and a call to the contact centre two days later."""
    web = {"library": {"name": "analytics.js", "version": "2.1"}}
    return [
        {
            "type": "page",
            "messageId": "web-1",
            "anonymousId": "anon-dana",
            "name": "Home",
            "properties": {"path": "/", "title": XSS},
            "timestamp": "2026-08-01T09:00:00Z",
            "context": web,
        },
        {
            "type": "page",
            "messageId": "web-2",
            "anonymousId": "anon-dana",
            "name": "Sneakers",
            "properties": {"path": "/p/sneakers", "title": "Sneakers"},
            "timestamp": "2026-08-01T09:04:00Z",
            "context": web,
        },
        {
            "type": "identify",
            "messageId": "web-3",
            "anonymousId": "anon-dana",
            "traits": {"email": "Dana.Levi@Example.com", "name": HEBREW_NAME},
            "timestamp": "2026-08-01T09:06:00Z",
            "context": web,
        },
        {
            "type": "track",
            "messageId": "pos-1",
            "anonymousId": "pos-terminal-7",
            "event": "Order Completed",
            "properties": {"order_id": "S-1001", "revenue": 89.9, "currency": "ILS"},
            "timestamp": "2026-08-02T15:30:00Z",
            "context": {
                "channel": "store",
                "traits": {"email": "dana.levi@example.com"},
            },
        },
        {
            "type": "track",
            "messageId": "cc-1",
            "anonymousId": "call-5511",
            "event": "Call Started",
            "properties": {"reason": "exchange", "queue": "returns"},
            "timestamp": "2026-08-03T08:15:00Z",
            "context": {
                "channel": "call_center",
                "traits": {"email": "DANA.LEVI@example.com"},
            },
        },
    ]


def ingest(live: Any, events: list[dict[str, Any]]) -> None:
    response = live.send("/v1/batch", {"batch": events})
    assert response.status_code == 200, response.text
    live.wait_processed()


def open_page(browser: Any, live: Any, width: int = 1280) -> tuple[Any, Any, list]:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-US", timezone_id="UTC"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.goto(live.url + "/")
    return context, page, errors


def login(page: Any, token: str) -> None:
    page.get_by_label("Workspace admin token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit RGB(A), non-interlaced PNG as an (height, width, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    raw = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:
            cur = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).ravel()
        elif kind == 2:
            cur = line + prev
        else:
            cur = _unfilter_slow(kind, line.tolist(), prev.tolist(), bpp)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3]


def _unfilter_slow(kind: int, line: list, prev: list, bpp: int) -> np.ndarray:
    cur = [0] * len(line)
    for i, x in enumerate(line):
        a = cur[i - bpp] if i >= bpp else 0
        b = prev[i]
        if kind == 3:
            cur[i] = (x + ((a + b) >> 1)) & 255
            continue
        c = prev[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        cur[i] = (x + pred) & 255
    return np.array(cur, np.uint8)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.strip().lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def colour_pixels(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 3) -> int:
    diff = np.abs(image.astype(np.int16) - np.array(rgb, np.int16))
    return int(np.all(diff <= tol, axis=2).sum())


def test_login_overview_search_and_customer_360(live, browser, tmp_path: Path):
    ingest(live, journey())
    stats = live.api("/api/v1/stats").json()
    series = live.api("/api/v1/analytics/events-per-channel?bucket=day").json()
    assert stats["events"] == 5 and stats["profiles"] == 1

    context, page, errors = open_page(browser, live)
    api_auth: list[str | None] = []
    page.on(
        "request",
        lambda r: (
            api_auth.append(r.headers.get("authorization"))
            if "/api/" in r.url
            else None
        ),
    )
    assert page.get_by_role("heading", name="Sign in to OmniCX").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Website snippet").get_attribute("href") == (
        "/snippet"
    )
    assert nav.get_by_role("link", name="API docs").get_attribute("href") == "/docs"
    login(page, live.admin_token)

    # Overview: every count is the API's, the chart holds the API's series.
    page.wait_for_selector('[data-stat="events"][data-value]')
    assert page.evaluate("localStorage.getItem('omnicx.adminToken')") == (
        live.admin_token
    )
    for key in ("events", "profiles", "identities", "channels"):
        cell = page.locator(f'[data-stat="{key}"]')
        assert cell.get_attribute("data-value") == str(stats[key])
        assert int(cell.inner_text().replace(",", "")) == stats[key]
    chart = page.evaluate(
        """() => {
          const el = document.getElementById('chart');
          const option = echarts.getInstanceByDom(el).getOption();
          const canvas = el.querySelector('canvas');
          const ctx = canvas.getContext('2d');
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
          return {
            width: canvas.width, height: canvas.height, painted,
            buckets: option.xAxis[0].data,
            series: option.series.map(s => ({id: s.id, stack: s.stack, data: s.data})),
            colours: option.color,
          };
        }"""
    )
    assert chart["width"] > 300 and chart["height"] > 200
    assert chart["painted"] > 2000, "the chart canvas is blank"
    assert {s["stack"] for s in chart["series"]} == {"events"}
    drawn = {
        (chart["buckets"][i], s["id"]): v
        for s in chart["series"]
        for i, v in enumerate(s["data"])
        if v
    }
    expected = {(r["bucket"], r["channel"]): r["events"] for r in series["series"]}
    assert drawn == expected
    assert {c for _, c in expected} == {"web", "store", "call_center"}
    chart_rgb = {
        s["id"]: hex_rgb(colour)
        for s, colour in zip(chart["series"], chart["colours"], strict=False)
    }
    assert chart_rgb == CHANNEL_RGB, "the chart must use the badge colours"

    # Search by email typed differently from any stored spelling.
    page.get_by_role("link", name="Find a customer").click()
    page.get_by_label("Identifier type").select_option("email")
    page.get_by_label("Value").fill("   dAnA.LeVi@EXAMPLE.com  ")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"#/profiles/\d+$"))
    profile_id = page.url.rsplit("/", 1)[1]
    profile = live.api(f"/api/v1/profiles/{profile_id}").json()

    # Customer 360: header, identities, traits with provenance, channels.
    heading = page.locator("h1#profile-name")
    assert heading.inner_text() == HEBREW_NAME
    assert heading.get_attribute("dir") == "auto"
    assert page.locator('[data-field="email"]').inner_text() == "dana.levi@example.com"
    rows = page.locator('[data-section="identities"] tbody tr')
    shown = {
        (r.get_attribute("data-identity-type"), r.locator(".value").inner_text())
        for r in rows.all()
    }
    assert shown == {(i["type"], i["value"]) for i in profile["identities"]}
    assert ("email", "dana.levi@example.com") in shown
    assert ("anonymous_id", "anon-dana") in shown
    for cell in page.locator('[data-section="identities"] .value').all():
        assert cell.get_attribute("dir") == "auto"
    name_row = page.locator('[data-section="traits"] tr[data-trait="name"]')
    assert name_row.locator(".value").inner_text() == HEBREW_NAME
    assert name_row.locator(".badge").get_attribute("data-channel") == "web"
    used = page.locator('[data-section="channels"] .badge')
    assert {b.get_attribute("data-channel") for b in used.all()} == set(
        profile["channels"]
    )

    # Timeline: newest first, every row badged with its channel, key properties.
    timeline = live.api(f"/api/v1/profiles/{profile_id}/timeline?limit=50").json()
    events = page.locator('[data-section="timeline"] > li.event')
    assert events.count() == len(timeline["events"]) == 5
    got = []
    for row in events.all():
        badge = row.locator(".event-channel .badge")
        assert badge.is_visible()
        got.append(
            (
                row.get_attribute("data-message-id"),
                badge.get_attribute("data-channel"),
                badge.inner_text(),
            )
        )
    assert got == [
        ("cc-1", "call_center", "Call center"),
        ("pos-1", "store", "Store"),
        ("web-3", "web", "Web"),
        ("web-2", "web", "Web"),
        ("web-1", "web", "Web"),
    ]
    store_row = page.locator('li.event[data-message-id="pos-1"]')
    assert store_row.locator(".event-name").inner_text() == "Order Completed"
    assert "S-1001" in store_row.locator(".props").inner_text()
    call_row = page.locator('li.event[data-message-id="cc-1"]')
    assert call_row.locator(".event-name").inner_text() == "Call Started"
    assert "exchange" in call_row.locator(".props").inner_text()
    sneakers = page.locator('li.event[data-message-id="web-2"] .event-name')
    assert sneakers.inner_text() == "Sneakers"
    assert page.locator("#load-more").is_hidden()

    # One colour per channel, the same on every badge of the page.
    badge_colours = page.evaluate(
        """() => Array.from(document.querySelectorAll('.badge[data-channel]'),
              b => [b.dataset.channel, getComputedStyle(b).backgroundColor])"""
    )
    by_channel: dict[str, set[str]] = {}
    for channel, colour in badge_colours:
        by_channel.setdefault(channel, set()).add(colour)
    assert set(by_channel) == set(CHANNEL_RGB)
    for channel, colours in by_channel.items():
        assert colours == {"rgb({}, {}, {})".format(*CHANNEL_RGB[channel])}, channel

    # Customer data is text, never markup.
    home = page.locator('li.event[data-message-id="web-1"]')
    assert XSS in home.locator(".props").inner_text()
    assert page.locator('[data-section="timeline"] img').count() == 0
    assert page.evaluate("window.__xss") is None

    # Real pixels: not blank, and the channel badge colours are painted.
    shot = tmp_path / "dashboard-360.png"
    page.screenshot(path=str(shot), full_page=True)
    image = decode_png(shot.read_bytes())
    height, width, _ = image.shape
    assert width == 1280 and height >= 900
    flat = image.reshape(-1, 3)
    _, counts = np.unique(flat[::7], axis=0, return_counts=True)
    assert len(counts) > 50, "screenshot has almost no distinct colours"
    assert counts.max() / counts.sum() < 0.9, "screenshot is mostly one colour"
    for channel, rgb in CHANNEL_RGB.items():
        assert colour_pixels(image, rgb) > 300, f"no {channel} badge colour painted"
    shutil.copy(shot, "/tmp/dashboard-360.png")

    assert api_auth and set(api_auth) == {f"Bearer {live.admin_token}"}
    assert errors == []
    context.close()


def test_bad_token_revoked_token_and_logout(live, browser):
    ingest(live, journey()[:1])
    context, page, errors = open_page(browser, live)

    login(page, "adm_not-a-real-token")
    error = page.locator("#login-error")
    error.wait_for(state="visible")
    assert "not accepted" in error.inner_text()
    assert "unknown admin token" in error.inner_text()
    assert page.evaluate("localStorage.getItem('omnicx.adminToken')") is None
    assert page.locator("#view-overview").is_hidden()

    login(page, live.admin_token)
    page.wait_for_selector('[data-stat="events"][data-value="1"]')
    assert page.locator("#login-error").is_hidden()

    # A stored token that stops working: the next API call returns to login.
    page.evaluate("localStorage.setItem('omnicx.adminToken', 'adm_revoked')")
    page.reload()
    error.wait_for(state="visible")
    assert "sign in again" in error.inner_text()
    assert page.locator("#view-login").is_visible()
    assert page.evaluate("localStorage.getItem('omnicx.adminToken')") is None

    login(page, live.admin_token)
    page.wait_for_selector('[data-stat="events"][data-value="1"]')
    page.get_by_role("button", name="Log out").click()
    assert page.locator("#view-login").is_visible()
    assert "logged out" in page.locator("#login-message").inner_text()
    assert page.evaluate("localStorage.getItem('omnicx.adminToken')") is None
    assert page.locator("#logout").is_hidden()

    assert [e for e in errors if "401" not in e] == []
    context.close()


def test_search_misses_profile_ids_and_load_more(live, browser):
    events = journey()
    events += [
        {
            "type": "track",
            "messageId": f"app-{i}",
            "anonymousId": "anon-dana",
            "event": "Product Viewed",
            "properties": {"sku": f"SKU-{i}"},
            "timestamp": f"2026-07-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
            "context": {"channel": "mobile_app"},
        }
        for i in range(55)
    ]
    ingest(live, events)
    profile_id = live.api(
        "/api/v1/profiles/lookup", params={"type": "anonymous_id", "value": "anon-dana"}
    ).json()["id"]

    context, page, errors = open_page(browser, live, width=420)
    login(page, live.admin_token)
    page.wait_for_selector('[data-stat="events"][data-value]')

    page.goto(live.url + "/#/search")
    page.get_by_label("Identifier type").select_option("email")
    page.get_by_label("Value").fill("nobody@example.com")
    page.get_by_role("button", name="Find").click()
    result = page.locator("#search-result")
    result.get_by_text("No customer with email").wait_for()
    assert "“nobody@example.com”" in result.inner_text()

    page.get_by_label("Identifier type").select_option("profile_id")
    page.get_by_label("Value").fill("999999")
    page.get_by_role("button", name="Find").click()
    result.get_by_text("No customer with profile id").wait_for()

    # A free-text identifier type, then a profile id that exists.
    page.get_by_label("Identifier type").select_option("other")
    page.get_by_label("Type name").fill("zendesk_id")
    page.get_by_label("Value").fill("Z-1")
    page.get_by_role("button", name="Find").click()
    result.get_by_text("No customer with zendesk_id").wait_for()

    page.get_by_label("Identifier type").select_option("profile_id")
    page.get_by_label("Value").fill(f" {profile_id} ")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(rf"#/profiles/{profile_id}$"))

    rows = page.locator('[data-section="timeline"] > li.event')
    rows.first.wait_for()
    assert rows.count() == 50
    page.get_by_role("button", name="Load more").click()
    page.wait_for_function(
        "document.querySelectorAll('[data-section=timeline] > li.event').length == 60"
    )
    assert page.locator("#load-more").is_hidden()
    ids = [r.get_attribute("data-message-id") for r in rows.all()]
    assert len(set(ids)) == 60
    assert ids[-1] == "app-0" and ids[0] == "cc-1"
    mobile = page.locator('li.event[data-message-id="app-0"] .badge')
    assert mobile.get_attribute("data-channel") == "mobile_app"
    assert mobile.inner_text() == "Mobile app"

    # Unknown profile id in the address bar.
    page.goto(live.url + "/#/profiles/424242")
    page.get_by_text("No customer with profile id “424242”").wait_for()

    assert errors == [] or all("404" in e for e in errors)
    context.close()
