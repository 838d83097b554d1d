"""Unified feedback: reviews and mentions in, through ingest and identity, analysed;
text analysis and insights over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omnicx.feedback import imports
from omnicx.feedback.text import default_analyzer

REVIEWS = [
    {
        "source": "google",
        "id": "g-1",
        "rating": 2,
        "text": "Terrible delivery, the courier was two hours late",
        "email": "Dana@Example.com",
        "created_at": "2026-03-02T09:00:00Z",
        "url": "https://maps.example/r/g-1",
    },
    {
        "source": "twitter",
        "id": "t-9",
        "text": "השירות בסניף היה מעולה, תודה!",
        "handle": "@DanaCohen",
        "created_at": "2026-03-02T12:00:00Z",
    },
    {
        "source": "trustpilot",
        "rating": 5,
        "text": "",
        "phone": "+972 52-123-4567",
        "created_at": "2026-03-03T08:00:00Z",
    },
    {"source": "", "text": "no source"},
    {"source": "facebook", "text": "x", "rating": 9},
]


def _events(live, event: str) -> list[dict]:
    rows = live.runtime.store.events.query_rows(
        "SELECT message_id, properties, context, profile_id FROM omnicx.events "
        "WHERE workspace_id = {ws:String} AND event = {e:String} ORDER BY message_id",
        {"ws": live.workspace.workspace.id, "e": event},
    )
    return [{**r, "properties": json.loads(r["properties"])} for r in rows]


def test_webhook_import_attaches_analyses_and_dedups(live):
    identify = {
        "type": "identify",
        "userId": "dana",
        "traits": {"email": "dana@example.com", "phone": "+972521234567"},
    }
    assert live.send("/v1/identify", identify).status_code == 200
    answer = live.api("/api/v1/feedback/import", method="POST", json=REVIEWS)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["received"], result["accepted"]) == (5, 3)
    assert {(e["index"], e["field"]) for e in result["rejected"]} == {
        (3, "[3].source"),
        (4, "[4].rating"),
    }
    assert result["sentiment"] == {"positive": 2, "neutral": 0, "negative": 1}
    first = result["items"][0]
    assert (first["sentiment"], first["language"]) == ("negative", "en")
    assert first["topics"][:2] == ["delivery", "wait_time"]
    live.wait_processed()

    events = _events(live, "Feedback Received")
    assert len(events) == 3
    by_source = {e["properties"]["source"]: e for e in events}
    google = by_source["google"]["properties"]
    assert google["rating"] == 2 and google["sentiment"] == "negative"
    assert google["score"] == google["sentiment_score"] < 0
    assert google["url"] == "https://maps.example/r/g-1"
    assert google["external_id"] == "g-1"
    assert by_source["twitter"]["properties"]["text_language"] == "he"
    assert by_source["twitter"]["properties"]["topics"] == ["staff", "store"]
    assert by_source["trustpilot"]["properties"]["sentiment"] == "positive"  # 5 stars
    assert json.loads(by_source["twitter"]["context"])["channel"] == "social"

    state = live.runtime.store.state
    ws = live.workspace.workspace.id
    dana = state.profile_for_identity(ws, "user_id", "dana")
    profile = live.api(f"/api/v1/profiles/{dana}/timeline").json()
    names = [e.get("event") for e in profile["events"]]
    assert names.count("Feedback Received") == 2  # by email and by phone
    twitter = state.profile_for_identity(ws, "twitter", "danacohen")
    assert twitter is not None and twitter != dana

    again = live.api("/api/v1/feedback/import", method="POST", json=REVIEWS[:3])
    assert again.json()["accepted"] == 3
    live.wait_processed()
    assert len(_events(live, "Feedback Received")) == 3  # same message ids


def test_import_errors_are_field_named(live):
    def post(body, token=None):
        return live.api(
            "/api/v1/feedback/import", method="POST", json=body, token=token
        )

    bad = post([{"source": "google", "txt": "typo"}])
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "[0].txt"
    wrong = post([{"source": "google", "text": "ok", "rating": "five"}])
    assert wrong.json()["errors"][0]["field"] == "[0].rating"
    assert post({"items": "nope"}).json()["errors"][0]["field"] == "body"
    assert (
        post([{"source": "x", "text": "a", "channel": "??"}]).json()["errors"][0][
            "field"
        ]
        == "[0].channel"
    )
    assert (
        post([{"source": "x", "text": "a", "created_at": "yesterday"}]).json()[
            "errors"
        ][0]["field"]
        == "[0].created_at"
    )
    far = post([{"source": "x", "text": "a", "created_at": 10**20}])
    assert far.json()["errors"][0]["field"] == "[0].created_at"
    deep = live.api("/api/v1/feedback/import", method="POST", content=b"[" * 100_000)
    assert deep.status_code == 400 and deep.json()["errors"][0]["field"] == "body"
    too_many = post([{"source": "x", "text": "a"}] * (imports.MAX_ITEMS + 1))
    assert too_many.status_code == 400
    assert post([], token="adm_wrong").status_code == 401
    raw = live.api("/api/v1/feedback/import", method="POST", content=b"[{", token=None)
    assert raw.status_code == 400 and raw.json()["errors"][0]["field"] == "body"
    empty = post([])
    assert empty.status_code == 200 and empty.json()["accepted"] == 0


def test_text_analyze_endpoint(live):
    def post(body):
        return live.api("/api/v1/text/analyze", method="POST", json=body)

    ok = post({"text": "الخدمة ممتازة والتوصيل سريع"})
    assert ok.status_code == 200
    assert ok.json()["sentiment"] == "positive"
    assert ok.json()["language"] == "ar"
    assert {"staff", "delivery"} <= set(ok.json()["topics"])
    hinted = post({"text": "iyi değil", "language": "tr-TR"})
    assert hinted.json()["sentiment"] == "negative"
    for body, field in (
        ({"text": "x", "language": "xx"}, "language"),
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": "a", "lang": "en"}, "lang"),
        ({"text": "a" * 20_001}, "text"),
        ({"text": 5}, "text"),
    ):
        answer = post(body)
        assert answer.status_code == 400, body
        assert answer.json()["errors"][0]["field"] == field, answer.json()


def test_insights_aggregate_imported_and_survey_text(live):
    items = [
        {"source": "google", "id": "1", "text": "Terrible delivery",
         "created_at": "2026-03-02T09:00:00Z"},
        {"source": "google", "id": "2", "text": "Great staff, very friendly",
         "created_at": "2026-03-02T10:00:00Z"},
        {"source": "yelp", "id": "3", "text": "המשלוח איטי מאוד",
         "created_at": "2026-03-09T10:00:00Z"},
    ]  # fmt: skip
    assert live.api("/api/v1/feedback/import", method="POST", json=items).is_success
    analysed = default_analyzer().analyze("Loved the store")
    surveys = [
        {  # analysed at ingest by the surveys side
            "type": "track", "event": "Survey Answered", "userId": "u1",
            "timestamp": "2026-03-03T10:00:00Z", "messageId": "s-1",
            "properties": {"score": 10, "comment": "Loved the store",
                           "sentiment": analysed.sentiment,
                           "sentiment_score": analysed.score,
                           "topics": analysed.topics, "keywords": analysed.keywords},
            "context": {"channel": "email"},
        },
        {  # not analysed: insights analyse it when read
            "type": "track", "event": "Survey Answered", "userId": "u2",
            "timestamp": "2026-03-10T10:00:00Z", "messageId": "s-2",
            "properties": {"score": 2, "comment": "The app crashed, awful"},
            "context": {"channel": "sms"},
        },
    ]  # fmt: skip
    assert live.send("/v1/batch", {"batch": surveys}).status_code == 200
    live.wait_processed()

    day = live.api("/api/v1/feedback/insights").json()
    assert day["totals"]["count"] == 5
    assert (day["totals"]["positive"], day["totals"]["negative"]) == (2, 3)
    assert day["analyzed_on_read"] == 1
    assert [s["bucket"] for s in day["series"]] == [
        "2026-03-02",
        "2026-03-03",
        "2026-03-09",
        "2026-03-10",
    ]
    assert day["series"][0]["count"] == 2 and day["series"][0]["negative"] == 1
    topics = {t["topic"]: t for t in day["topics"]}
    assert topics["delivery"]["count"] == 2 and topics["delivery"]["negative"] == 2
    assert topics["app_website"]["negative"] == 1
    assert topics["store"]["positive"] == 1
    sources = {s["source"]: s["count"] for s in day["sources"]}
    assert sources == {"google": 2, "yelp": 1, "survey": 2}

    week = live.api(
        "/api/v1/feedback/insights",
        params={"bucket": "week", "events": "feedback", "sources": "google,yelp"},
    ).json()
    assert [(s["bucket"], s["count"]) for s in week["series"]] == [
        ("2026-03-02", 2),
        ("2026-03-09", 1),
    ]
    ranged = live.api(
        "/api/v1/feedback/insights", params={"from": "2026-03-09", "to": "2026-03-10"}
    ).json()
    assert ranged["totals"]["count"] == 1
    bad = live.api("/api/v1/feedback/insights", params={"bucket": "hour"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "bucket"


def test_file_import_maps_export_columns(runtime, tmp_path: Path):
    ws = runtime.store.state.create_workspace("files")
    csv_path = tmp_path / "reviews.csv"
    csv_path.write_text(
        "platform,review,stars,date,username,Branch\n"
        "google,Staff were rude,1/5,2026-03-01,,Tel Aviv\n"
        'instagram,"Love it 😍",,2026-03-02,@shop_fan,\n'
        "google,,,2026-03-03,,\n",
        encoding="utf-8",
    )
    summary = imports.import_feedback_file(
        runtime.ingest, runtime.store, ws.workspace.id, csv_path, default_analyzer()
    )
    assert (summary["lines"], summary["accepted"]) == (3, 2)
    assert summary["rejected"][0]["line"] == 4
    assert summary["rejected"][0]["field"] == "text"
    assert summary["sentiment"]["negative"] == 1
    jsonl = tmp_path / "mentions.jsonl"
    jsonl.write_text('{"source": "x", "tweet": "great app"}\nnot json\n')
    summary = imports.import_feedback_file(
        runtime.ingest, runtime.store, ws.workspace.id, jsonl, default_analyzer()
    )
    assert summary["accepted"] == 1
    assert summary["rejected"] == [
        {"field": "line", "message": summary["rejected"][0]["message"], "line": 2}
    ]


def test_item_from_row_and_message_shape():
    row = imports_files_row()
    assert row == {
        "source": "google",
        "text": "Nice",
        "rating": 4.0,
        "created_at": "2026-03-01",
        "extra": {"Branch": "Haifa"},
    }
    item = imports.check_item(row)
    message = imports.feedback_message(item, default_analyzer().analyze(item.text))
    assert message["event"] == "Feedback Received"
    assert message["properties"]["extra"] == {"Branch": "Haifa"}
    assert message["anonymousId"].startswith("fb-")
    assert (
        message["messageId"]
        == imports.feedback_message(item, default_analyzer().analyze(item.text))[
            "messageId"
        ]
    )


def imports_files_row():
    from omnicx.feedback._imports_files import item_from_row

    return item_from_row(
        {"Platform": "google", "Review": "Nice", "Stars": "4", "Date": "2026-03-01",
         "Branch": "Haifa", "Email": ""}
    )  # fmt: skip


@pytest.mark.browser
def test_insights_page_in_chromium(live, browser):
    reviews = [
        {"source": "google", "id": "a", "text": "Terrible delivery, very late",
         "created_at": "2026-03-02T09:00:00Z"},
        {"source": "google", "id": "b", "text": "השירות בחנות מעולה",
         "created_at": "2026-03-03T09:00:00Z"},
    ]  # fmt: skip
    assert live.api("/api/v1/feedback/import", method="POST", json=reviews).is_success
    journey = [
        {"type": "track", "event": "Order Completed", "userId": "u",
         "timestamp": "2026-03-01T10:00:00Z", "context": {"channel": "store"}},
        {"type": "track", "event": "Survey Answered", "userId": "u",
         "timestamp": "2026-03-02T10:00:00Z", "context": {"channel": "sms"},
         "properties": {"survey_id": "s", "template": "nps", "score": 2}},
        {"type": "track", "event": "Product Viewed", "userId": "v",
         "timestamp": "2026-03-01T10:00:00Z", "context": {"channel": "web"}},
        {"type": "track", "event": "Survey Answered", "userId": "v",
         "timestamp": "2026-03-02T10:00:00Z", "context": {"channel": "email"},
         "properties": {"survey_id": "s", "template": "nps", "score": 10}},
    ]  # fmt: skip
    assert live.send("/v1/batch", {"batch": journey}).status_code == 200
    live.wait_processed()

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live.url + "/")
    page.evaluate(f"localStorage.setItem('omnicx.adminToken', '{live.admin_token}')")
    page.goto(live.url + "/#/insights")
    page.wait_for_selector('#plugin-root[data-rendered="insights"]')
    assert page.locator('[data-stat="count"]').inner_text() == "2"
    painted = page.evaluate(
        """() => {
          const canvas = document.querySelector('#insights-chart-trend canvas');
          const px = canvas.getContext('2d')
            .getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
          return n;
        }"""
    )
    assert painted > 2000, "blank chart"
    topics = page.locator("#insights-topics tbody tr").all_inner_texts()
    assert any(row.startswith("Delivery") for row in topics)
    assert "store:Order Completed" in page.locator("#drivers-top").inner_text()
    page.fill("#analyze-text", "הכל היה גרוע")
    page.click("#analyze-form button[type=submit]")
    page.wait_for_selector('#analyze-result [data-sentiment="negative"]')
    page.locator('a[data-nav="plugin:insights"]').wait_for()
    assert errors == []
