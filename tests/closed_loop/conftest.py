"""Fixtures of the closed-loop tests: a real SMTP server (aiosmtpd), a recording
webhook receiver, both on 127.0.0.1, and a live server whose settings use them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from omnicx.settings import load_settings


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    url: str = ""

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} emails arrived"
        return self.messages


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
            box.messages.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}"
    yield box
    controller.stop()


@dataclass
class Hook:
    """One request the recording webhook server received."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that records requests; ``fail_next`` answers
    that many of the next requests with 500."""

    url: str
    requests: list[Hook]
    fail_next: int = 0
    on_request: Callable[[Hook], None] | None = None

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Hook]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.requests) >= count, f"{len(self.requests)} webhooks arrived"
        return self.requests


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("", [])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            hook = Hook(
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
                time.monotonic(),
            )
            state.requests.append(hook)
            if state.on_request:
                state.on_request(hook)
            failing = state.fail_next > 0
            state.fail_next -= 1 if failing else 0
            self.send_response(500 if failing else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": false}' if failing else b'{"ok": true}')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(tmp_path: Path, smtp: Mailbox):
    """Overrides the root ``settings``: email goes to the test's SMTP server."""
    return load_settings(
        {"data": str(tmp_path / "data"), "smtp_url": smtp.url}, environ={}
    )
