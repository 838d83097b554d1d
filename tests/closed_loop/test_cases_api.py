"""Cases end to end over real HTTP: a detractor opens a case with the customer's
context, the team gets an email alert and the customer an email follow-up (both on a
real SMTP server), transitions are validated, the case is resolved with a re-survey
whose answer lands on the same profile and is linked back; SLA breaches; isolation."""

from __future__ import annotations

import time

from tests.closed_loop.helpers import (
    answered,
    create_rule,
    customer,
    error_fields,
    open_cases,
    send,
    wait_until,
)


def journey(user: str, email: str) -> list[dict]:
    """A web visit, a store purchase and the identify that ties them together."""
    return [
        customer(user, email, name="Dana Levi", vip=True),
        {
            "type": "page",
            "messageId": f"{user}-page",
            "userId": user,
            "name": "Sneakers",
            "properties": {"path": "/p/sneakers"},
            "context": {"channel": "web"},
        },
        {
            "type": "track",
            "messageId": f"{user}-order",
            "userId": user,
            "event": "Order Completed",
            "properties": {"order_id": "S-1", "revenue": 89.9},
            "context": {"channel": "store"},
        },
    ]


def detractor_rule(live, **extra) -> dict:
    return create_rule(
        live,
        {
            "name": "Detractor follow-up",
            "when": {"score_at_most": 6},
            "actions": [
                {"type": "open_case", **extra},
                {
                    "type": "email",
                    "to": "cx-team@example.com",
                    "subject": "Call this customer today",
                },
            ],
        },
    )


def test_case_lifecycle_follow_up_email_and_linked_resurvey(live, smtp):
    rule = detractor_rule(live)
    send(live, *journey("dana", "dana@example.com"))
    send(live, answered("d-1", 3, user="dana", comment="Nobody called me back"))

    cases = wait_until(lambda: open_cases(live))
    assert len(cases) == 1
    case = cases[0]
    assert case["status"] == "open" and case["score"] == 3
    assert case["rule_id"] == rule["id"] and case["channel"] == "sms"
    assert case["comment"] == "Nobody called me back"
    assert case["sla_hours"] == 24 and case["sla_breached"] is False

    # the team's alert email, on the real SMTP server
    alert_mail = smtp.wait_for(1)[0]
    assert alert_mail["X-Envelope-To"] == "cx-team@example.com"
    assert alert_mail["Subject"] == "Call this customer today"
    alert_text = alert_mail.get_payload(decode=True).decode()
    assert "Alert: Detractor follow-up" in alert_text and "Score: 3" in alert_text
    assert f"/#/cases/{case['id']}" in alert_mail.get_payload(decode=True).decode()

    detail = live.api(f"/api/v1/cases/{case['id']}").json()
    context = detail["context"]
    assert context["profile"]["id"] == case["profile_id"]
    assert context["profile"]["traits"]["vip"] is True
    events = {e["event"] or e["name"] or e["type"] for e in context["timeline"]}
    assert {"Sneakers", "Order Completed", "Survey Answered"} <= events
    assert {e["channel"] for e in context["timeline"]} >= {"web", "store", "sms"}
    assert context["response"]["properties"]["score"] == 3
    # sms has no connector here: the follow-up falls back to email
    assert context["follow_up"] == {
        "channel": "email",
        "to": "dana@example.com",
        "reason": None,
    }
    assert detail["transitions"] == ["assigned", "in_progress", "closed"]

    path = f"/api/v1/cases/{case['id']}"
    # invalid transitions are 409s; assigning needs an owner (400, field named)
    assert (
        live.api(path, method="PATCH", json={"status": "resolved"}).status_code == 409
    )
    response = live.api(path, method="PATCH", json={"status": "in_progress"})
    assert response.status_code == 400 and error_fields(response) == {"owner"}
    response = live.api(path, method="PATCH", json={"status": "done"})
    assert response.status_code == 400 and error_fields(response) == {"status"}
    response = live.api(path, method="PATCH", json={"owner": "sam"})
    assert response.json()["status"] == "assigned"
    assert response.json()["owner"] == "sam"
    response = live.api(path, method="PATCH", json={"status": "in_progress"})
    assert response.json()["status"] == "in_progress"

    note = live.api(
        path + "/notes",
        method="POST",
        json={"text": "Called, voicemail", "author": "sam"},
    )
    assert note.status_code == 201 and note.json()["author"] == "sam"
    bad = live.api(path + "/notes", method="POST", json={"text": "  "})
    assert bad.status_code == 400 and error_fields(bad) == {"text"}

    # the follow-up reaches the customer's inbox
    follow = live.api(
        path + "/follow-up",
        method="POST",
        json={"text": "Sorry we missed you: your refund is on its way."},
    )
    assert follow.status_code == 201, follow.text
    assert follow.json()["delivery"]["channel"] == "email"
    assert follow.json()["delivery"]["status"] == "sent"
    mail = smtp.wait_for(2)[1]
    assert mail["X-Envelope-To"] == "dana@example.com"
    assert "refund is on its way" in mail.get_payload(decode=True).decode()
    sms = live.api(
        path + "/follow-up", method="POST", json={"channel": "sms", "text": "Hi"}
    )
    assert sms.status_code == 409 and "OMNICX_SMS_WEBHOOK_URL" in sms.json()["error"]

    # resolve with a re-survey: the invitation goes out by email
    survey = live.api(
        "/api/v1/surveys",
        method="POST",
        json={"name": "Follow-up NPS", "template": "nps"},
    )
    assert survey.status_code == 201, survey.text
    resolved = live.api(
        path + "/resolve",
        method="POST",
        json={"resurvey": survey.json()["id"], "note": "Refunded"},
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert body["status"] == "resolved" and body["resolved_at"]
    resurvey = body["resurvey"]
    assert resurvey["survey_id"] == survey.json()["id"]
    assert resurvey["channel"] == "email" and resurvey["response"] is None
    assert smtp.wait_for(3)[2]["X-Envelope-To"] == "dana@example.com"
    assert live.api(path + "/resolve", method="POST").status_code == 409

    # the customer answers the re-survey: linked to the case, on the same profile
    answer = live.api(
        "/api/v1/responses",
        method="POST",
        json={"invitation": resurvey["invitation"], "answers": {"score": 9}},
    )
    assert answer.status_code == 201, answer.text
    live.wait_processed()

    def linked():
        found = live.api(path).json()
        return found if found["resurvey"]["response"] else None

    final = wait_until(linked)
    response = final["resurvey"]["response"]
    assert response["score"] == 9
    assert response["profile_id"] == case["profile_id"]
    kinds = [a["kind"] for a in final["activity"]]
    assert kinds[0] == "opened" and "resurvey_answered" in kinds
    assert [n["text"] for n in final["notes"]] == ["Called, voicemail", "Refunded"]
    assert open_cases(live) == []  # a promoter re-survey opens no case

    closed = live.api(path, method="PATCH", json={"status": "closed"})
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    reopen = live.api(path, method="PATCH", json={"status": "in_progress"})
    assert reopen.status_code == 409
    assert "closed" in reopen.json()["error"]


def test_sla_breach_is_flagged_and_filterable(live):
    detractor_rule(live, sla_hours=2)
    send(live, *journey("eli", "eli@example.com"))
    send(live, answered("e-1", 1, user="eli"))
    case = wait_until(lambda: open_cases(live))[0]
    assert case["sla_hours"] == 2
    due = case["sla_due_at"]
    loop = live.runtime.__dict__["closed_loop"]

    loop.clock = lambda: time.time() + 3600  # one hour later: within the SLA
    live.runtime.run_due_jobs(now=time.monotonic() + 10_000)
    assert live.api("/api/v1/cases?breached=true").json()["cases"] == []

    loop.clock = lambda: time.time() + 3 * 3600  # three hours later: breached
    live.runtime.run_due_jobs(now=time.monotonic() + 20_000)
    breached = live.api("/api/v1/cases?breached=true").json()
    assert [c["id"] for c in breached["cases"]] == [case["id"]]
    flagged = breached["cases"][0]
    assert flagged["sla_breached"] is True and flagged["sla_breached_at"] > due
    assert breached["counts"]["breached"] == 1
    assert live.api("/api/v1/cases?breached=false").json()["cases"] == []
    assert live.api("/api/v1/cases?status=open,assigned").json()["total"] == 1
    for query, field in (
        ("breached=maybe", "breached"),
        ("status=bogus", "status"),
        ("limit=0", "limit"),
    ):
        response = live.api(f"/api/v1/cases?{query}")
        assert response.status_code == 400 and error_fields(response) == {field}


def test_another_workspaces_case_is_404(live):
    detractor_rule(live)
    send(live, *journey("fay", "fay@example.com"))
    send(live, answered("f-1", 2, user="fay"))
    case = wait_until(lambda: open_cases(live))[0]
    other = live.new_workspace("other")
    token = other.admin_token
    path = f"/api/v1/cases/{case['id']}"
    assert live.api(path, token=token).status_code == 404
    assert (
        live.api(path, token=token, method="PATCH", json={"owner": "x"}).status_code
        == 404
    )
    for action, body in (
        ("/notes", {"text": "hi"}),
        ("/follow-up", {"text": "hi"}),
        ("/resolve", {}),
    ):
        response = live.api(path + action, token=token, method="POST", json=body)
        assert response.status_code == 404, action
        assert "fay" not in response.text
    assert live.api("/api/v1/cases", token=token).json()["cases"] == []
    assert live.api(path).json()["owner"] is None  # untouched
