"""One JSON error shape everywhere (ingest, API, unknown routes)."""

from __future__ import annotations

import httpx
import pytest


def assert_error_shape(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"ok", "status", "error", "errors"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
    return body


@pytest.mark.parametrize(
    ("method", "path", "auth", "status"),
    [
        ("GET", "/api/v1/stats", None, 401),
        ("GET", "/api/v1/stats", "Bearer nope", 401),
        ("GET", "/api/v1/profiles/999999", "admin", 404),
        ("GET", "/api/v1/profiles/not-a-number", "admin", 404),
        ("GET", "/api/v1/profiles/lookup", "admin", 400),
        ("GET", "/api/v1/profiles/1/timeline?limit=0", "admin", 400),
        ("GET", "/api/v1/profiles/1/timeline?cursor=%%%", "admin", 400),
        ("GET", "/no/such/page", None, 404),
        ("POST", "/api/v1/stats", "admin", 405),
        ("POST", "/v1/track", None, 401),
        ("GET", "/v1/track", None, 405),
        ("POST", "/v1/nonsense", "write", 404),
    ],
)
def test_errors_have_one_shape(live, method, path, auth, status):
    headers = {}
    if auth == "admin":
        headers["Authorization"] = f"Bearer {live.admin_token}"
    elif auth == "write":
        headers["Authorization"] = httpx.BasicAuth(live.write_key, "")._auth_header
    elif auth:
        headers["Authorization"] = auth
    response = httpx.request(method, live.url + path, headers=headers, json={})
    assert_error_shape(response, status)


def test_field_errors_name_the_field(live):
    response = httpx.post(
        live.url + "/v1/batch",
        json={"batch": [{"type": "track", "userId": "u", "timestamp": "soon"}]},
        auth=(live.write_key, ""),
    )
    body = assert_error_shape(response, 400)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"batch[0].event"} or "batch[0].timestamp" in fields
