"""The hot ingest path as a bare ASGI app: ``/v1/<kind>`` (Segment tracking spec).

Kept outside the web framework: body read with a hard cap, msgspec validation, one
durable log append, a small JSON answer. CORS is open so analytics.js on any site can
send here (write keys can only ingest).
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from omnicx.api._errors import error_body
from omnicx.errors import FieldError, OmnicxError, PayloadTooLargeError, ValidationError
from omnicx.runtime import Runtime
from omnicx.web.sdk import settings_document

_encode = msgspec.json.Encoder().encode
log = logging.getLogger("omnicx.ingest")
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"POST, GET, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"Authorization, Content-Type, Content-Encoding, X-Retry-Count",
    ),
    (b"access-control-max-age", b"86400"),
]


async def _send_json(send: Any, status: int, body: Any) -> None:
    payload = _encode(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *CORS_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ValidationError("client disconnected before the body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(
                f"request body exceeds {limit} bytes; send smaller batches",
                [FieldError("body", "request too large")],
            )
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class IngestApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        method = scope["method"]
        path = scope["path"]
        if method == "OPTIONS":
            await send(
                {"type": "http.response.start", "status": 204, "headers": CORS_HEADERS}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if path.startswith("/v1/projects/") and path.endswith("/settings"):
            await self._settings(scope, send, path)
            return
        kind = path[len("/v1/") :].strip("/")
        if method != "POST":
            await _send_json(send, 405, error_body(405, f"use POST for /v1/{kind}"))
            return
        service = self.runtime.ingest
        try:
            body = await _read_body(receive, service.limits.max_request_bytes)
            result = await service.ingest(
                kind,
                body,
                _header(scope, b"authorization"),
                _header(scope, b"content-encoding"),
            )
        except ValidationError as exc:
            status = 404 if str(exc).startswith("unknown ingest path") else exc.status
            await _send_json(send, status, error_body(status, str(exc), exc.errors))
            return
        except OmnicxError as exc:
            await _send_json(send, exc.status, error_body(exc.status, str(exc)))
            return
        except Exception:  # a bug, not the client's fault: keep the error shape
            log.exception("ingest failed on %s", path)
            await _send_json(
                send, 500, error_body(500, "internal error; the server log has details")
            )
            return
        await _send_json(send, 200, result.body())

    async def _settings(self, scope: dict[str, Any], send: Any, path: str) -> None:
        write_key = path[len("/v1/projects/") : -len("/settings")]
        host = _header(scope, b"host") or "127.0.0.1"
        scheme = scope.get("scheme", "http")
        forwarded = _header(scope, b"x-forwarded-proto")
        if forwarded in ("http", "https"):
            scheme = forwarded
        await _send_json(send, 200, settings_document(write_key, f"{host}/v1", scheme))
