"""A recording SMS/WhatsApp/webhook provider on loopback, for tests and the demo.

    provider = FakeProvider(fail_first=2)
    url = provider.start()            # http://127.0.0.1:<port>/
    ... OMNICX_SMS_WEBHOOK_URL=url ...
    provider.messages                 # the JSON bodies received, in order
    provider.stop()

Every ``POST`` (any path) is recorded in ``requests`` (path, headers, raw body)
and, when the body is a JSON object, in ``messages``; the answer is
``200 {"id": "fake-<n>", "status": "queued"}``. The first ``fail_first`` POSTs
answer ``fail_status`` (503) instead (recorded in ``requests`` only), to exercise
retries.
``GET /messages`` lists the messages as JSON and ``DELETE /messages`` forgets them
(for a provider in another process, e.g. ``omnicx fake-provider``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from omnicx.channels._signing import SIGNATURE_HEADER, verify_signature

MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    signature_ok: bool | None = None

    def json(self) -> Any:
        return json.loads(self.body)


class FakeProvider:
    """See the module docstring. Thread-safe; usable as a context manager."""

    def __init__(
        self,
        fail_first: int = 0,
        fail_status: int = 503,
        secret: str | None = None,
        on_message: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.secret = secret
        self.on_message = on_message
        self.messages: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._posts = 0

    # -- lifecycle -------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (``port=0``: a free port) and return the base URL."""
        if self._server is not None:
            return self.url
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="fake-provider",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeProvider:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake provider is not started; call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    # -- reading -----------------------------------------------------------------------
    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until at least ``count`` messages arrived (else ``TimeoutError``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"the fake provider received {len(self.messages)} of "
                        f"{count} messages in {timeout} s"
                    )
                self._lock.wait(left)
            return list(self.messages)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.requests.clear()

    # -- serving -----------------------------------------------------------------------
    def _record(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            self._posts += 1
            status = self.fail_status if self._posts <= self.fail_first else 200
            signature_ok = None
            if self.secret is not None:
                signature_ok = verify_signature(
                    self.secret, body, headers.get(SIGNATURE_HEADER.lower())
                )
            self.requests.append(
                RecordedRequest(path, headers, body, status, signature_ok)
            )
            message = None
            if status == 200:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    decoded = None
                if isinstance(decoded, dict):
                    message = decoded
                    self.messages.append(message)
                    self._lock.notify_all()
            count = len(self.messages)
        if message is not None and self.on_message is not None:
            self.on_message(message)
        return count if status == 200 else -status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:  # quiet
                pass

            def _answer(self, status: int, payload: Any) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")  # stop() really stops it
                self.end_headers()
                self.close_connection = True
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._answer(413, {"error": "body too large"})
                    return
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                number = provider._record(self.path, headers, body)
                if number < 0:
                    self._answer(
                        -number, {"error": "fake provider: failing on purpose"}
                    )
                else:
                    self._answer(200, {"id": f"fake-{number}", "status": "queued"})

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/messages":
                    self._answer(404, {"error": "GET /messages lists what arrived"})
                    return
                with provider._lock:
                    self._answer(200, {"messages": list(provider.messages)})

            def do_DELETE(self) -> None:
                provider.clear()
                self._answer(200, {"ok": True})

        return Handler
