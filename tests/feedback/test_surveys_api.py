"""The surveys API over real HTTP: shapes, status codes, errors, isolation, results."""

from __future__ import annotations

import httpx
import pytest


def _survey(live, template="nps", **extra):
    response = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": f"{template} survey", "template": template, **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _send(live, survey_id, value, channel="store", kind="email", **extra):
    response = live.api(
        f"/api/v1/surveys/{survey_id}/send",
        method="POST",
        json={"identity": {"type": kind, "value": value}, "channel": channel, **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _answer(live, token, answers, **extra):
    return httpx.post(
        f"{live.url}/api/v1/responses",
        json={"invitation": token, "answers": answers, **extra},
        timeout=30,
    )


def _error_fields(response):
    body = response.json()
    assert body["ok"] is False and body["status"] == response.status_code
    return [e["field"] for e in body["errors"]]


def test_create_survey_shape_and_validation_errors(live):
    created = _survey(live, "nps")
    assert created["id"].startswith("sv_")
    assert created["template"] == "nps" and created["metric"] == "nps"
    assert created["scale"] == [0, 10]
    assert {"en", "he", "ar", "tr", "fa"} <= set(created["languages"])
    assert [q["id"] for q in created["questions"]] == ["score", "comment"]
    assert created["links"]["store_qr_png"].endswith("/qr.png")

    cases = [
        ({"template": "nps"}, "name"),
        ({"name": "x", "template": "stars"}, "template"),
        ({"name": "x", "template": "custom"}, "questions"),
        ({"name": "x", "template": "nps", "languages": ["??"]}, "languages[0]"),
        (
            {
                "name": "x",
                "template": "custom",
                "questions": [{"id": "pick", "type": "single", "text": "Which?"}],
            },
            "questions[0].options",
        ),
        (
            {
                "name": "x",
                "template": "custom",
                "questions": [
                    {
                        "id": "a",
                        "type": "text",
                        "text": "A",
                        "show_if": {"question": "b", "equals": "x"},
                    },
                ],
            },
            "questions[0].show_if.question",
        ),
    ]
    for body, field in cases:
        response = live.api("/api/v1/surveys", method="POST", json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in _error_fields(response), (field, response.json())

    not_json = live.api("/api/v1/surveys", method="POST", content=b"{nope")
    assert not_json.status_code == 400
    anonymous = httpx.get(f"{live.url}/api/v1/surveys", timeout=30)
    assert anonymous.status_code == 401


def test_send_respond_duplicate_and_partial(live):
    survey = _survey(live, "nps")
    sent = _send(live, survey["id"], "ana@example.com", channel="store")
    assert sent["url"] == f"{live.url}/s/{sent['invitation']}"
    assert sent["status"] == "no_connector"
    assert sent["qr_png"] == sent["url"] + "/qr.png"
    assert len(sent["invitation"]) >= 32  # 192 random bits
    png = httpx.get(sent["qr_png"], timeout=30)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = httpx.get(sent["qr_svg"], timeout=30)
    assert (
        svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    )

    partial = _answer(live, sent["invitation"], {"score": 4}, partial=True)
    assert partial.status_code == 201 and partial.json()["complete"] is False
    complete = _answer(live, sent["invitation"], {"comment": "slow checkout"})
    assert complete.status_code == 201, complete.text
    body = complete.json()
    assert body["complete"] is True and body["score"] == 4
    assert body["comment"] == "slow checkout" and body["event"] == "Survey Answered"

    again = _answer(live, sent["invitation"], {"score": 9})
    assert again.status_code == 409
    assert again.json()["ok"] is False
    late_partial = _answer(live, sent["invitation"], {"score": 9}, partial=True)
    assert late_partial.status_code == 409

    other = _send(live, survey["id"], "bo@example.com")
    assert _answer(live, other["invitation"], {"score": 11}).status_code == 400
    assert "answers.score" in _error_fields(
        _answer(live, other["invitation"], {"score": 11})
    )
    assert "answers.score" in _error_fields(_answer(live, other["invitation"], {}))
    assert "answers.score" in _error_fields(
        _answer(live, other["invitation"], {"score": True})
    )
    assert "answers.nope" in _error_fields(
        _answer(live, other["invitation"], {"score": 1, "nope": 1})
    )
    assert _answer(live, "not-a-token", {"score": 5}).status_code == 404
    missing = httpx.post(
        f"{live.url}/api/v1/responses", json={"answers": {}}, timeout=30
    )
    assert missing.status_code == 400 and "invitation" in _error_fields(missing)


def test_another_workspace_sees_404(live):
    survey = _survey(live, "csat")
    sent = _send(live, survey["id"], "cy@example.com")
    other = live.new_workspace("other").admin_token
    for path in (
        f"/api/v1/surveys/{survey['id']}",
        f"/api/v1/surveys/{survey['id']}/results",
        f"/api/v1/surveys/{survey['id']}/invitations",
        f"/api/v1/surveys/{survey['id']}/triggers",
    ):
        response = live.api(path, token=other)
        assert response.status_code == 404, path
        assert response.json()["ok"] is False
    send = live.api(
        f"/api/v1/surveys/{survey['id']}/send",
        token=other,
        method="POST",
        json={
            "identity": {"type": "email", "value": "x@example.com"},
            "channel": "web",
        },
    )
    assert send.status_code == 404
    answer = live.api(
        "/api/v1/responses",
        token=other,
        method="POST",
        json={"invitation": sent["invitation"], "answers": {"score": 5}},
    )
    assert answer.status_code == 404
    assert live.api("/api/v1/surveys", token=other).json()["surveys"] == []
    assert live.api("/api/v1/surveys/sv_nope").status_code == 404


def test_results_by_channel_and_over_time_are_hand_computed(live):
    survey = _survey(live, "nps")
    plan = [
        ("a@example.com", "email", 10),
        ("b@example.com", "email", 6),
        ("c@example.com", "sms", 9),
        ("d@example.com", "store", 8),
        ("e@example.com", "store", 10),
        ("f@example.com", "store", 0),
    ]
    for email, channel, score in plan:
        sent = _send(live, survey["id"], email, channel="web")
        assert (
            _answer(
                live, sent["invitation"], {"score": score}, channel=channel
            ).status_code
            == 201
        )
    results = live.api(
        f"/api/v1/surveys/{survey['id']}/results?group_by=channel"
    ).json()
    # promoters 10, 9, 10 (3); passive 8; detractors 6, 0 (2): NPS = 100 * 1 / 6
    assert results["responses"] == 6
    assert (results["promoters"], results["passives"], results["detractors"]) == (
        3,
        1,
        2,
    )
    assert results["score"] == pytest.approx(100 / 6, abs=1e-9)
    lo, hi = results["ci95"]
    assert lo < results["score"] < hi
    groups = results["groups"]
    assert set(groups) == {"email", "sms", "store"}
    assert groups["email"]["score"] == 0
    assert groups["sms"]["score"] == 100
    # store: 8 (passive), 10 (promoter), 0 (detractor) -> 0
    assert groups["store"]["responses"] == 3 and groups["store"]["score"] == 0
    by_day = live.api(f"/api/v1/surveys/{survey['id']}/results?group_by=day").json()
    assert len(by_day["groups"]) == 1
    assert next(iter(by_day["groups"].values()))["responses"] == 6
    web = results["distribution_by_channel"]["web"]
    assert web["invitations"] == 6 and web["answered"] == 6

    bad = live.api(f"/api/v1/surveys/{survey['id']}/results?group_by=planet")
    assert bad.status_code == 400 and "group_by" in _error_fields(bad)
    no_key = live.api(f"/api/v1/surveys/{survey['id']}/results?group_by=segment")
    assert no_key.status_code == 400 and "segment" in _error_fields(no_key)
    bad_from = live.api(f"/api/v1/surveys/{survey['id']}/results?from=yesterday")
    assert bad_from.status_code == 400 and "from" in _error_fields(bad_from)


def test_csat_ces_custom_and_skip_logic(live):
    csat = _survey(live, "csat")
    for score in (5, 4, 2):
        sent = _send(live, csat["id"], f"c{score}@example.com")
        assert _answer(live, sent["invitation"], {"score": score}).status_code == 201
    result = live.api(f"/api/v1/surveys/{csat['id']}/results").json()
    assert result["metric"] == "csat"
    assert result["score"] == pytest.approx(200 / 3) and result[
        "mean"
    ] == pytest.approx(11 / 3)

    custom = _survey(
        live,
        "custom",
        questions=[
            {
                "id": "stars",
                "type": "rating",
                "min": 1,
                "max": 5,
                "required": True,
                "text": {"en": "Rate us", "he": "דרגו אותנו"},
            },
            {
                "id": "why",
                "type": "multi",
                "required": True,
                "text": "What went wrong?",
                "options": [
                    {"id": "price", "text": "Price"},
                    {"id": "staff", "text": "Staff"},
                ],
                "show_if": {"question": "stars", "at_most": 2},
            },
            {"id": "note", "type": "text", "text": "Anything else?"},
        ],
        languages=["en", "he"],
    )
    assert custom["metric"] == "rating"
    happy = _send(live, custom["id"], "h@example.com")
    # "why" is hidden for 5 stars, so it is neither required nor kept
    stored = _answer(live, happy["invitation"], {"stars": 5, "why": ["price"]})
    assert stored.status_code == 201 and stored.json()["answers"] == {"stars": 5}
    unhappy = _send(live, custom["id"], "u@example.com")
    needs_why = _answer(live, unhappy["invitation"], {"score": 1})
    assert needs_why.status_code == 400 and "answers.why" in _error_fields(needs_why)
    ok = _answer(
        live, unhappy["invitation"], {"score": 1, "why": ["staff"], "note": "rude"}
    )
    assert ok.status_code == 201
    assert ok.json()["score"] == 1 and ok.json()["comment"] == "rude"


def test_brand_settings_and_triggers_endpoints(live):
    brand = live.api(
        "/api/v1/brand",
        method="PUT",
        json={"primary_color": "#0f766e", "name": "Lumen"},
    )
    assert brand.status_code == 200 and brand.json()["primary_color"] == "#0f766e"
    bad = live.api("/api/v1/brand", method="PUT", json={"primary_color": "red"})
    assert bad.status_code == 400 and "primary_color" in _error_fields(bad)
    settings = live.api(
        "/api/v1/survey-settings",
        method="PUT",
        json={"fatigue_days": 30, "require_opt_in": False},
    )
    assert settings.json() == {"fatigue_days": 30, "require_opt_in": False}

    survey = _survey(live, "ces")
    created = live.api(
        f"/api/v1/surveys/{survey['id']}/triggers",
        method="POST",
        json={
            "type": "event",
            "event": "Call Ended",
            "send_via": "sms",
            "delay": "30m",
        },
    )
    assert created.status_code == 201, created.text
    trigger = created.json()
    assert trigger["id"].startswith("tr_") and trigger["delay_ms"] == 30 * 60_000
    listed = live.api(f"/api/v1/surveys/{survey['id']}/triggers").json()["triggers"]
    assert [t["id"] for t in listed] == [trigger["id"]]
    bad_delay = live.api(
        f"/api/v1/surveys/{survey['id']}/triggers",
        method="POST",
        json={"type": "event", "event": "Call Ended", "delay": "soon"},
    )
    assert bad_delay.status_code == 400 and "delay" in _error_fields(bad_delay)
    gone = live.api(
        f"/api/v1/surveys/{survey['id']}/triggers/{trigger['id']}", method="DELETE"
    )
    assert gone.status_code == 204
    again = live.api(
        f"/api/v1/surveys/{survey['id']}/triggers/{trigger['id']}", method="DELETE"
    )
    assert again.status_code == 404
