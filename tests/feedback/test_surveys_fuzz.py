"""Hostile input to every survey endpoint: never a 5xx, always the one error shape."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=30)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
QUESTION = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["score", "a", "b", "1x", ""]) | st.text(max_size=5),
        "type": st.sampled_from(["nps", "rating", "single", "multi", "text", "x"]),
        "text": st.text(max_size=10)
        | st.dictionaries(st.sampled_from(["en", "he"]), st.text(max_size=5)),
        "min": st.integers(-3, 12),
        "max": st.integers(-3, 12),
        "options": st.lists(
            st.fixed_dictionaries(
                {"id": st.text(max_size=4), "text": st.text(max_size=4)}
            ),
            max_size=3,
        ),
        "show_if": st.fixed_dictionaries(
            {"question": st.sampled_from(["score", "a", "zz"])},
            optional={"equals": VALUES, "in": VALUES, "at_most": VALUES},
        ),
        "required": VALUES,
    },
)


def _objects(fields: dict[str, Any]) -> st.SearchStrategy[Any]:
    shaped = st.fixed_dictionaries(
        {}, optional={k: v | VALUES for k, v in fields.items()}
    )
    return shaped | VALUES


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if response.status_code >= 400 and response.headers.get(
        "content-type", ""
    ).startswith("application/json"):
        body = response.json()
        assert set(body) == {"ok", "status", "error", "errors"}, body
        assert body["status"] == response.status_code
        for item in body["errors"]:
            assert set(item) == {"field", "message"}


def _fuzz(
    client: httpx.Client, method: str, path: str, strategy: st.SearchStrategy[Any]
) -> None:
    @given(body=strategy)
    @FUZZ
    def run(body: Any) -> None:
        _check(client.request(method, path, content=json.dumps(body)))

    run()


def test_survey_endpoints_never_fail_with_a_server_error(live):
    created = live.api(
        "/api/v1/surveys", method="POST", json={"name": "F", "template": "nps"}
    ).json()
    survey_id = created["id"]
    token = live.api(
        f"/api/v1/surveys/{survey_id}/send",
        method="POST",
        json={"identity": {"type": "user_id", "value": "u"}, "channel": "web"},
    ).json()["invitation"]
    client = httpx.Client(
        base_url=live.url,
        headers={"Authorization": f"Bearer {live.admin_token}"},
        timeout=30,
    )
    identity = st.fixed_dictionaries({}, optional={"type": VALUES, "value": VALUES})
    cases: list[tuple[str, str, st.SearchStrategy[Any]]] = [
        (
            "POST",
            "/api/v1/surveys",
            _objects(
                {
                    "name": st.text(max_size=5),
                    "template": st.sampled_from(["nps", "csat", "ces", "custom"]),
                    "questions": st.lists(QUESTION, max_size=3),
                    "languages": st.lists(st.text(max_size=6), max_size=3),
                    "title": VALUES,
                }
            ),
        ),
        (
            "POST",
            f"/api/v1/surveys/{survey_id}/send",
            _objects(
                {
                    "identity": identity,
                    "channel": st.sampled_from(["email", "sms", "web"]),
                    "language": VALUES,
                    "delay": st.text(max_size=4),
                    "force": VALUES,
                }
            ),
        ),
        (
            "POST",
            f"/api/v1/surveys/{survey_id}/send-segment",
            _objects(
                {
                    "traits": VALUES,
                    "channel": st.sampled_from(["sms", "moon"]),
                    "limit": st.integers(-5, 10**9),
                }
            ),
        ),
        (
            "POST",
            f"/api/v1/surveys/{survey_id}/triggers",
            _objects(
                {
                    "type": st.sampled_from(["event", "schedule"]),
                    "event": VALUES,
                    "every": st.text(max_size=5),
                    "delay": st.text(max_size=5),
                    "send_via": VALUES,
                    "limit": st.integers(-5, 10**9),
                }
            ),
        ),
        (
            "POST",
            "/api/v1/responses",
            _objects(
                {
                    "invitation": st.just(token) | st.text(max_size=70),
                    "answers": st.dictionaries(
                        st.sampled_from(["score", "comment", "x"]), VALUES
                    ),
                    "partial": VALUES,
                    "channel": VALUES,
                    "language": VALUES,
                }
            ),
        ),
        (
            "PUT",
            "/api/v1/brand",
            _objects({"name": VALUES, "logo_url": VALUES, "primary_color": VALUES}),
        ),
        (
            "PUT",
            "/api/v1/survey-settings",
            _objects(
                {"fatigue_days": st.integers(-10, 10**20), "require_opt_in": VALUES}
            ),
        ),
        (
            "POST",
            "/api/v1/widget/invitations",
            _objects(
                {
                    "writeKey": st.just(live.write_key),
                    "survey": st.just(survey_id),
                    "userId": VALUES,
                    "anonymousId": VALUES,
                    "language": VALUES,
                }
            ),
        ),
    ]
    for method, path, strategy in cases:
        _fuzz(client, method, path, strategy)

    @given(
        group_by=st.text(max_size=8) | st.sampled_from(["channel", "segment", "week"]),
        segment=st.text(max_size=5),
        since=st.text(max_size=12),
        definition=VALUES,
        lang=st.text(max_size=6),
    )
    @FUZZ
    def queries(
        group_by: str, segment: str, since: str, definition: Any, lang: str
    ) -> None:
        _check(
            client.get(
                f"/api/v1/surveys/{survey_id}/results",
                params={"group_by": group_by, "segment": segment, "from": since},
            )
        )
        encoded = base64.urlsafe_b64encode(json.dumps(definition).encode()).decode()
        for path in (
            "/s/preview",
            f"/s/{token}",
            "/q/" + (quote(lang, safe="") or "x"),
        ):
            _check(
                client.get(
                    path,
                    params={"def": encoded, "lang": lang, "color": lang, "logo": lang},
                )
            )

    queries()
    client.close()
