"""Hostile input against a live server: never a 500, always the one error shape.

(a) schemathesis generates requests from the OpenAPI document the live server serves
    (``/api/v1/openapi.json``), authenticated with the workspace admin token.
(b) A table of malformed ingest bodies for ``/v1/batch`` and ``/v1/track``, partial
    batches, and a hypothesis fuzz of arbitrary JSON / bytes posted to ``/v1/batch``.
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import schemathesis.checks as st_checks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from omnicx.runtime import Runtime
from omnicx.server import BackgroundServer
from omnicx.settings import load_settings
from tests.conftest import Live

FUZZ_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    """One server for the module (fast); every test gets its own workspace."""
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    runtime = Runtime.open(load_settings({"data": str(data)}, environ={}))
    background = BackgroundServer(runtime)
    url = background.start()
    yield url, runtime
    background.stop()
    runtime.close()


@pytest.fixture
def live(server: tuple[str, Runtime]) -> Live:
    """Overrides conftest's ``live``: same server, a fresh workspace per test."""
    url, runtime = server
    workspace = runtime.store.state.create_workspace(f"fuzz-{uuid.uuid4().hex[:12]}")
    return Live(url, runtime, workspace)


def assert_error_shape(
    response: httpx.Response | Any, status: int | None = None
) -> dict:
    """The one JSON error shape (DESIGN.md: Errors)."""
    code = response.status_code
    assert code != 500 and code < 500, f"{code}: {response.text[:500]}"
    if status is not None:
        assert code == status, f"expected {status}, got {code}: {response.text[:500]}"
    content_type = response.headers.get("content-type") or ""
    if isinstance(content_type, list):  # schemathesis' Response keeps header lists
        content_type = content_type[0] if content_type else ""
    assert content_type.startswith("application/json"), response.text[:300]
    body = response.json()
    assert set(body) == {"ok", "status", "error", "errors"}, body
    assert body["ok"] is False
    assert body["status"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"}, item
        assert isinstance(item["field"], str) and isinstance(item["message"], str)
    return body


def seed(live: Any) -> None:
    """A few profiles, events and rejections so lookups and timelines find things."""
    batch = [
        {
            "type": "identify",
            "userId": f"seed-{n}",
            "traits": {"email": f"seed{n}@example.com", "phone": "+14155550100"},
        }
        for n in range(3)
    ] + [{"type": "track", "userId": "seed-0", "event": "Viewed"}, {"type": "track"}]
    assert live.send("/v1/batch", {"batch": batch}).status_code == 200
    live.wait_processed()


# -- (a) schemathesis against the live OpenAPI document ---------------------------

#: Checks that hold whatever the document's looseness: no 5xx, only documented status
#: codes and content types, bodies (success and Error) match their schemas, and
#: requests without the admin token are refused.
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.ignored_auth,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_management_api_schemathesis(live: Any, mode: GenerationMode) -> None:
    seed(live)
    schema = schemathesis.openapi.from_url(f"{live.url}/api/v1/openapi.json")
    auth = {"Authorization": f"Bearer {live.admin_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures: list[str] = []

    def runner(operation: Any) -> Any:
        @given(case=operation.as_strategy(generation_mode=mode))
        @FUZZ_SETTINGS
        def run(case: Any) -> None:
            response = case.call(base_url=live.url, headers=auth, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
                if response.status_code >= 400:
                    assert_error_shape(response)
            except (AssertionError, BaseExceptionGroup) as exc:
                failures.append(
                    f"{operation.label} -> {response.status_code} "
                    f"{response.text[:200]}\n  {case.as_curl_command()}\n  "
                    f"{str(exc).splitlines()[0]}"
                )

        return run

    for operation in operations:
        runner(operation)()
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:15])


@pytest.mark.parametrize(
    "path",
    [
        # before= is checked with str.isdigit(): huge values overflow SQLite INTEGER
        "/api/v1/ingest/rejected?before=9223372036854775808",
        # str.isdigit() accepts Unicode digits such as '²' that int() refuses
        "/api/v1/ingest/rejected?before=%C2%B2",
        "/api/v1/ingest/rejected?limit=1%C2%B2",
        "/api/v1/profiles/1/timeline?limit=%C2%B2",
        "/api/v1/profiles/%C2%B2",
        "/api/v1/profiles/lookup?type=email&value=%00",
        "/api/v1/profiles/lookup?type=phone&value=%2B%2B%2B",
        "/api/v1/profiles/1/timeline?cursor=%25%25%25",
        "/api/v1/profiles/1/timeline?cursor=WzFlKzMwMCwgIngiXQ==",
        "/api/v1/analytics/events-per-channel?bucket=week",
    ],
)
def test_management_api_odd_query_values(live: Any, path: str) -> None:
    seed(live)
    response = live.api(path)
    if response.status_code != 200:
        assert_error_shape(response)


def test_management_api_auth_errors(live: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        response = httpx.get(f"{live.url}/api/v1/stats", headers=headers, timeout=10)
        assert_error_shape(response, 401)
    # A write key is not an admin token.
    assert_error_shape(live.api("/api/v1/stats", token=live.write_key), 401)
    assert_error_shape(live.api("/api/v1/nowhere"), 404)
    response = live.api("/api/v1/sources", method="POST", content=b"{nope")
    assert_error_shape(response, 400)
    response = live.api("/api/v1/sources", method="POST", json={"name": 5})
    assert assert_error_shape(response, 400)["errors"][0]["field"] == "name"


# -- (b) malformed ingest bodies ----------------------------------------------------


def _gzip(value: Any) -> bytes:
    return gzip.compress(json.dumps(value, ensure_ascii=False).encode())


def _track(**fields: Any) -> dict[str, Any]:
    return {"userId": "fuzz-user", "event": "Fuzzed", **fields}


def _batch(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"batch": [{"type": "track", **m} for m in messages]}


DEEP_OBJECTS = 10_000
#: 10,000 nested lists is ~20 KB: under the 32 KB event limit, so it reaches the parser.
DEEP_LIST = "[" * DEEP_OBJECTS + "]" * DEEP_OBJECTS
DEEP_OBJECT = '{"a":' * DEEP_OBJECTS + "1" + "}" * DEEP_OBJECTS

# (id, path, body, extra headers, accepted statuses, field named in errors or None)
MALFORMED: list[tuple[str, str, Any, dict[str, str], set[int], str | None]] = [
    ("json-truncated-batch", "/v1/batch", b'{"batch": [', {}, {400}, "body"),
    ("json-garbage-track", "/v1/track", b"{userId: 1}", {}, {400}, "body"),
    ("json-empty-body", "/v1/track", b"", {}, {400}, "body"),
    ("json-array-track", "/v1/track", b"[1, 2]", {}, {400}, "body"),
    ("json-array-batch", "/v1/batch", b"[1, 2]", {}, {400}, None),
    (
        "json-nan",
        "/v1/track",
        b'{"userId": "u", "event": "E", "x": NaN}',
        {},
        {400},
        None,
    ),
    ("batch-missing", "/v1/batch", {"sentAt": "2024-01-01T00:00:00Z"}, {}, {400}, None),
    ("batch-not-list", "/v1/batch", {"batch": {"a": 1}}, {}, {400}, "batch"),
    (
        "batch-items-not-objects",
        "/v1/batch",
        {"batch": [1, "x", None]},
        {},
        {400},
        None,
    ),
    (
        "batch-context-list",
        "/v1/batch",
        {"batch": [_track()], "context": [1]},
        {},
        {400},
        "context",
    ),
    ("userId-object", "/v1/track", _track(userId={"a": 1}), {}, {400}, "userId"),
    (
        "userId-list-in-batch",
        "/v1/batch",
        _batch(_track(userId=[1])),
        {},
        {400},
        "batch[0].userId",
    ),
    ("userId-bool", "/v1/track", _track(userId=True), {}, {400}, "userId"),
    ("no-ids", "/v1/track", {"event": "E"}, {}, {400}, "userId"),
    (
        "timestamp-yesterday",
        "/v1/track",
        _track(timestamp="yesterday"),
        {},
        {400},
        "timestamp",
    ),
    (
        "timestamp-number",
        "/v1/batch",
        _batch(_track(timestamp=[2024])),
        {},
        {400},
        "batch[0].timestamp",
    ),
    (
        "timestamp-year-9999",
        "/v1/track",
        _track(timestamp="9999-12-31T00:00:00Z"),
        {},
        {400},
        "timestamp",
    ),
    (
        "properties-list",
        "/v1/track",
        _track(properties=[1, 2]),
        {},
        {400},
        "properties",
    ),
    (
        "properties-string",
        "/v1/batch",
        _batch(_track(properties="x")),
        {},
        {400},
        "batch[0].properties",
    ),
    (
        "traits-list",
        "/v1/identify",
        {"userId": "u", "traits": ["a"]},
        {},
        {400},
        "traits",
    ),
    ("context-string", "/v1/track", _track(context="web"), {}, {400}, "context"),
    (
        "context-traits-list",
        "/v1/track",
        _track(context={"traits": [1]}),
        {},
        {400},
        "context.traits",
    ),
    ("event-missing", "/v1/track", {"userId": "u"}, {}, {400}, "event"),
    ("event-object", "/v1/track", _track(event={"x": 1}), {}, {400}, "event"),
    (
        "type-unknown",
        "/v1/batch",
        {"batch": [{"type": "explode", "userId": "u"}]},
        {},
        {400},
        "batch[0].type",
    ),
    ("alias-no-previous", "/v1/alias", {"userId": "u"}, {}, {400}, "previousId"),
    ("group-no-group", "/v1/group", {"userId": "u"}, {}, {400}, "groupId"),
    ("userId-2000-chars", "/v1/track", _track(userId="u" * 2000), {}, {400}, "userId"),
    (
        "event-over-32kb",
        "/v1/track",
        _track(properties={"x": "a" * 33_000}),
        {},
        {413},
        "body",
    ),
    (
        "only-event-over-32kb",
        "/v1/batch",
        _batch(_track(properties={"x": "a" * 40_000})),
        {},
        {400, 413},
        "batch[0]",
    ),
    (
        "request-over-500kb",
        "/v1/batch",
        _batch(*[_track(properties={"x": "a" * 20_000})] * 30),
        {},
        {413},
        "body",
    ),
    (
        "huge-string-400kb",
        "/v1/batch",
        _batch(_track(name="n" * 400_000)),
        {},
        {400, 413},
        None,
    ),
    ("request-over-500kb-unread", "/v1/track", b"x" * 2_000_000, {}, {413}, "body"),
    (
        "bad-gzip",
        "/v1/track",
        b"\x1f\x8b\x08\x00garbage",
        {"Content-Encoding": "gzip"},
        {400},
        "body",
    ),
    (
        "gzip-not-gzip",
        "/v1/batch",
        json.dumps(_batch(_track())).encode(),
        {"Content-Encoding": "gzip"},
        {400},
        "body",
    ),
    (
        "gzip-truncated",
        "/v1/track",
        _gzip(_track())[:-8],
        {"Content-Encoding": "gzip"},
        {400},
        "body",
    ),
    (
        "gzip-bomb",
        "/v1/batch",
        gzip.compress(b" " * 5_000_000),
        {"Content-Encoding": "gzip"},
        {413},
        "body",
    ),
    (
        "gzip-of-garbage-json",
        "/v1/batch",
        gzip.compress(b"{not json"),
        {"Content-Encoding": "gzip"},
        {400},
        "body",
    ),
    (
        "encoding-brotli",
        "/v1/track",
        json.dumps(_track()).encode(),
        {"Content-Encoding": "br"},
        {400},
        "Content-Encoding",
    ),
    (
        "deep-lists-track",
        "/v1/track",
        b'{"userId":"u","event":"D","properties":{"a":' + DEEP_LIST.encode() + b"}}",
        {},
        {400, 413},
        None,
    ),
    (
        "deep-lists-batch",
        "/v1/batch",
        b'{"batch":[{"type":"track","userId":"u","event":"D","properties":{"a":'
        + DEEP_LIST.encode()
        + b"}}]}",
        {},
        {400, 413},
        None,
    ),
    (
        "deep-objects-batch",
        "/v1/batch",
        b'{"batch":[{"type":"track","userId":"u","event":"D","properties":'
        + DEEP_OBJECT.encode()
        + b"}]}",
        {},
        {400, 413},
        None,
    ),
    (
        "deep-objects-track",
        "/v1/track",
        b'{"userId":"u","event":"D","properties":' + DEEP_OBJECT.encode() + b"}",
        {},
        {400, 413},
        None,
    ),
    (
        "invalid-utf8-string",
        "/v1/track",
        b'{"userId": "\xed\xa0\x80", "event": "E"}',
        {},
        {400},
        None,
    ),
    (
        "invalid-utf8-batch",
        "/v1/batch",
        b'{"batch": [{"type": "track", "userId": "\xff", "event": "E"}]}',
        {},
        {400},
        None,
    ),
    (
        "lone-surrogate-escape",
        "/v1/track",
        b'{"userId": "\\ud800", "event": "E"}',
        {},
        {400},
        None,
    ),
    (
        "bom-prefixed",
        "/v1/track",
        b"\xef\xbb\xbf" + json.dumps(_track()).encode(),
        {},
        {200, 400},
        None,
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "headers", "statuses", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED],
)
def test_malformed_ingest(
    live: Any,
    path: str,
    body: Any,
    headers: dict[str, str],
    statuses: set[int],
    field: str | None,
) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.post(
        f"{live.url}{path}",
        content=content,
        headers={"Content-Type": "application/json", **headers},
        auth=(live.write_key, ""),
        timeout=30,
    )
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    if response.status_code == 200:
        return
    error = assert_error_shape(response)
    if field is not None:
        assert field in [e["field"] for e in error["errors"]], error
    live.wait_processed()
    assert live.api("/api/v1/stats").json()["events"] == 0


@pytest.mark.parametrize(
    ("name", "headers", "body_key", "status"),
    [
        ("missing-key", {}, None, 401),
        (
            "unknown-basic-key",
            {"Authorization": "Basic " + base64.b64encode(b"wk_unknown:").decode()},
            None,
            401,
        ),
        ("unknown-body-key", {}, "wk_unknown", 401),
        ("garbled-basic", {"Authorization": "Basic !!!not-base64"}, None, 401),
        ("bearer-admin-token", {"Authorization": "Bearer ADMIN"}, None, 401),
        ("valid-body-key", {}, "VALID", 200),
        ("valid-basic-key", {"Authorization": "BASIC"}, None, 200),
    ],
)
def test_ingest_write_keys(
    live: Any, name: str, headers: dict[str, str], body_key: str | None, status: int
) -> None:
    headers = dict(headers)
    if headers.get("Authorization") == "Bearer ADMIN":
        headers["Authorization"] = f"Bearer {live.admin_token}"
    if headers.get("Authorization") == "BASIC":
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"{live.write_key}:".encode()).decode()
        )
    track = _track(messageId=f"key-{name}")
    batch: dict[str, Any] = {"batch": [{"type": "track", **track}]}
    if body_key is not None:
        track["writeKey"] = batch["writeKey"] = (
            live.write_key if body_key == "VALID" else body_key
        )
    for path, body in (("/v1/track", track), ("/v1/batch", batch)):
        response = httpx.post(
            f"{live.url}{path}", json=body, headers=headers, timeout=30
        )
        if status == 200:
            assert response.status_code == 200, response.text
            assert response.json() == {"success": True}
        else:
            assert_error_shape(response, status)
    live.wait_processed()
    assert live.api("/api/v1/stats").json()["events"] == (1 if status == 200 else 0)


def test_ingest_wrong_method_and_path(live: Any) -> None:
    assert_error_shape(httpx.get(f"{live.url}/v1/track", timeout=10), 405)
    response = live.send("/v1/explode", _track())
    assert_error_shape(response, 404)
    options = httpx.options(f"{live.url}/v1/batch", timeout=10)
    assert options.status_code in (200, 204)
    assert options.headers["access-control-allow-origin"] == "*"


def test_valid_gzip_and_big_but_legal_event_are_stored(live: Any) -> None:
    big = "é" * 15_000  # 30 KB of UTF-8 in one property, under the 32 KB limit
    body = _batch(
        _track(messageId="gz-1", properties={"big": big}),
        _track(messageId="gz-2", context={"channel": "sms"}),
    )
    response = httpx.post(
        f"{live.url}/v1/batch",
        content=_gzip(body),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        auth=(live.write_key, ""),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    deflated = zlib.compress(json.dumps(_track(messageId="gz-3")).encode())
    response = httpx.post(
        f"{live.url}/v1/track",
        content=deflated,
        headers={"Content-Encoding": "deflate"},
        auth=(live.write_key, ""),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    live.wait_processed()
    profile = live.api("/api/v1/profiles/lookup?type=user_id&value=fuzz-user").json()
    events = live.api(f"/api/v1/profiles/{profile['id']}/timeline").json()["events"]
    by_id = {e["message_id"]: e for e in events}
    assert set(by_id) == {"gz-1", "gz-2", "gz-3"}
    assert by_id["gz-1"]["properties"]["big"] == big
    assert by_id["gz-2"]["channel"] == "sms"


def test_partial_batch_keeps_valid_events_and_itemises_rejections(live: Any) -> None:
    body = {
        "batch": [
            {
                "type": "track",
                "userId": "pb-user",
                "event": "Ok 0",
                "messageId": "pb-0",
            },
            {"type": "track", "userId": {"a": 1}, "event": "Bad", "messageId": "pb-1"},
            {
                "type": "track",
                "userId": "pb-user",
                "event": "Bad",
                "timestamp": "yesterday",
                "messageId": "pb-2",
            },
            {
                "type": "identify",
                "userId": "pb-user",
                "messageId": "pb-3",
                "traits": {"email": "PB@example.com"},
            },
            {
                "type": "track",
                "userId": "pb-user",
                "event": "Bad",
                "properties": [1],
                "messageId": "pb-4",
            },
            {
                "type": "track",
                "userId": "pb-user",
                "event": "Big",
                "messageId": "pb-5",
                "properties": {"x": "y" * 40_000},
            },
        ]
    }
    response = live.send("/v1/batch", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["success"] is True
    rejected = sorted(answer["rejected"], key=lambda r: r["index"])
    assert [(r["index"], r["field"]) for r in rejected] == [
        (1, "batch[1].userId"),
        (2, "batch[2].timestamp"),
        (4, "batch[4].properties"),
        (5, "batch[5]"),
    ]
    assert all(
        set(r) == {"index", "field", "message"} and r["message"] for r in rejected
    )
    live.wait_processed()

    profile = live.api("/api/v1/profiles/lookup?type=email&value=pb@example.com").json()
    events = live.api(f"/api/v1/profiles/{profile['id']}/timeline").json()["events"]
    assert {e["message_id"] for e in events} == {"pb-0", "pb-3"}
    assert live.api("/api/v1/stats").json()["events"] == 2

    stored = live.api("/api/v1/ingest/rejected?limit=100")
    assert stored.status_code == 200
    items = stored.json()["rejected"]
    assert sorted((r["index"], r["field"]) for r in items) == [
        (1, "batch[1].userId"),
        (2, "batch[2].timestamp"),
        (4, "batch[4].properties"),
        (5, "batch[5]"),
    ]
    by_index = {r["index"]: r for r in items}
    assert by_index[1]["payload"]["messageId"] == "pb-1"
    assert by_index[4]["payload"]["properties"] == [1]
    assert all(r["message"] and r["received_at"] for r in items)


def test_all_invalid_batch_is_400_and_recorded(live: Any) -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "", "messageId": "ai-0"},
            {"type": "page", "messageId": "ai-1"},
            {"type": "nope", "userId": "u", "messageId": "ai-2"},
        ]
    }
    response = live.send("/v1/batch", body)
    error = assert_error_shape(response, 400)
    assert [e["field"] for e in error["errors"]] == [
        "batch[0].event",
        "batch[1].userId",
        "batch[2].type",
    ]
    single = live.send("/v1/track", {"userId": "u", "timestamp": "yesterday"})
    assert assert_error_shape(single, 400)["errors"][0]["field"] in (
        "timestamp",
        "event",
    )
    live.wait_processed()
    assert live.api("/api/v1/stats").json()["events"] == 0
    items = live.api("/api/v1/ingest/rejected").json()["rejected"]
    assert {r["field"] for r in items} >= {
        "batch[0].event",
        "batch[1].userId",
        "batch[2].type",
    }
    assert len(items) == 4
    assert any(r["index"] is None for r in items)  # the single-event call


# -- hypothesis: arbitrary JSON and bytes at /v1/batch ------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            "2024-01-01T00:00:00Z",
            "yesterday",
            "track",
            "identify",
            "page",
            "alias",
            "group",
            "screen",
            "+14155550100",
            "a@b.co",
            "web",
            "server",
            "\u202e",
            "0",
        ]
    )
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "type",
        "userId",
        "anonymousId",
        "event",
        "name",
        "properties",
        "traits",
        "context",
        "timestamp",
        "originalTimestamp",
        "sentAt",
        "messageId",
        "groupId",
        "previousId",
        "integrations",
        "writeKey",
        "channel",
        "category",
    ]
)
MESSAGES = st.dictionaries(FIELDS, JSON_VALUES, max_size=8) | JSON_VALUES
BATCH_BODIES = (
    st.fixed_dictionaries(
        {"batch": st.lists(MESSAGES, max_size=5)},
        optional={
            "context": JSON_VALUES,
            "sentAt": JSON_VALUES,
            "writeKey": JSON_VALUES,
        },
    )
    | JSON_VALUES
)


def test_random_json_at_batch_never_500(live: Any) -> None:
    with httpx.Client(auth=(live.write_key, ""), timeout=30) as client:

        @given(body=BATCH_BODIES)
        @settings(
            max_examples=300,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(body: Any) -> None:
            content = json.dumps(body, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"
            )
            response = client.post(f"{live.url}/v1/batch", content=content)
            assert response.status_code in (200, 400, 413), response.text[:300]
            if response.status_code != 200:
                assert_error_shape(response)
            else:
                assert response.json()["success"] is True

        run()
    # The processor must survive whatever was accepted.
    live.wait_processed()
    status = live.api("/api/v1/ingest/status").json()
    assert status["last_error"] is None, status


def test_random_bytes_at_ingest_never_500(live: Any) -> None:
    with httpx.Client(auth=(live.write_key, ""), timeout=30) as client:

        @given(
            body=st.binary(max_size=200)
            | st.builds(
                lambda prefix, junk: prefix + junk,
                st.sampled_from([b'{"batch": [{"userId": "', b'{"userId": "', b"{"]),
                st.binary(max_size=60),
            ),
            path=st.sampled_from(["/v1/batch", "/v1/track", "/v1/i"]),
            gzipped=st.booleans(),
        )
        @settings(
            max_examples=200,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(body: bytes, path: str, gzipped: bool) -> None:
            headers = {"Content-Encoding": "gzip"} if gzipped else {}
            response = client.post(f"{live.url}{path}", content=body, headers=headers)
            assert response.status_code in (200, 400, 413), response.text[:300]
            if response.status_code != 200:
                assert_error_shape(response)

        run()
