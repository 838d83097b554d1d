"""Alert actions: deliver a firing by webhook (HMAC-signed) or email, persistently.

Every webhook/email action of a firing is a row in ``alert_deliveries``, written in the
same transaction as the firing. A delivery is attempted at once by a small dispatcher
(worker threads fed by a queue, so the processor never waits on the network) and, when
an attempt fails, again by the periodic retry job with backoff
(``RETRY_BACKOFF_S``) until it is sent or ``MAX_ATTEMPTS`` is reached (``dead``).

A new firing's deliveries are leased to the dispatcher (``next_attempt_at`` = now +
``LEASE_MS``) and handed to it in memory; outcomes are written in batches by one writer
thread. Should the process die first, the retry job takes them when the lease ends
(at-least-once: receivers dedupe on ``delivery_id``).

Statuses: ``pending`` (not tried yet) → ``sent`` | ``retrying`` → … → ``dead``;
``no_connector`` when email has no SMTP server configured (not retried).

The payload is built at the first attempt and stored, so every retry sends the same
body (and so the same ``X-OmniCX-Signature``)::

    {"alert": {"id", "name", "kind", "when"}, "event": {...},
     "profile": {"id", "identities": [{"type", "value"}], "traits"} | null,
     "case_id"?: "case_…", "fired_at": ISO-8601, "firing_id": 1, "delivery_id": 1}
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from omnicx.contracts import Event
    from omnicx.feedback.alerts import ClosedLoop

log = logging.getLogger("omnicx.alerts")

#: Seconds to wait after the n-th failed attempt (then ``dead``).
RETRY_BACKOFF_S = (1, 5, 30, 120, 600, 3600)
MAX_ATTEMPTS = len(RETRY_BACKOFF_S) + 1
#: A claimed delivery is not taken again for this long (crash safety).
LEASE_MS = 60_000
WORKERS = 4
WEBHOOK_TIMEOUT_S = 10.0
USER_AGENT = "OmniCX-Alerts/1"


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def backoff_ms(attempts: int) -> int | None:
    """Delay before the next attempt after ``attempts`` failures (None: give up)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_BACKOFF_S[attempts - 1] * 1000


def event_snapshot(event: Event, props: dict[str, Any]) -> dict[str, Any]:
    """The triggering event as payloads, firings and cases show it."""
    return {
        "message_id": event.message_id,
        "type": event.type,
        "event": event.event,
        "channel": event.channel,
        "timestamp": iso(event.timestamp),
        "received_at": iso(event.received_at),
        "source_id": event.source_id,
        "user_id": event.user_id,
        "anonymous_id": event.anonymous_id,
        "properties": props,
    }


def event_from_row(workspace_id: str, row: dict[str, Any]) -> Event:
    """A track event read back from the event store (``sql.EVENTS_SINCE``)."""
    from omnicx.contracts import Event

    return Event(
        workspace_id=workspace_id,
        source_id=row["source_id"],
        message_id=row["message_id"],
        type="track",
        event=row["event"],
        name=row["name"],
        user_id=row["user_id"],
        anonymous_id=row["anonymous_id"],
        channel=row["channel"],
        timestamp=int(row["ts_ms"]),
        received_at=int(row["received_ms"]),
        sent_at=None,
        properties=row["properties"],
        traits="{}",
        context="{}",
    )


def build_payload(
    loop: ClosedLoop,
    delivery: dict[str, Any],
    firing: dict[str, Any],
    rule: dict[str, Any] | None,
) -> dict[str, Any]:
    rule = rule or {
        "id": firing["rule_id"],
        "name": "(deleted rule)",
        "kind": "event",
        "when": {},
    }
    profile = None
    if firing["profile_id"] is not None:
        profile = loop.profile_summary(firing["workspace_id"], firing["profile_id"])
    payload: dict[str, Any] = {
        "alert": {
            "id": rule["id"],
            "name": rule["name"],
            "kind": rule["kind"],
            "when": rule["when"],
        },
        "event": firing["event"],
        "profile": profile,
        "fired_at": iso(firing["fired_at"]),
        "firing_id": firing["id"],
        "delivery_id": delivery["id"],
    }
    if firing["case_id"]:
        payload["case_id"] = firing["case_id"]
    return payload


def email_text(payload: dict[str, Any], base_url: str) -> tuple[str, str]:
    """Subject and plain-text body of an alert email."""
    alert = payload["alert"]
    event = payload.get("event") or {}
    props = event.get("properties") or {}
    profile = payload.get("profile") or {}
    lines = [f"Alert: {alert['name']}", f"Fired at: {payload['fired_at']}"]
    if profile:
        who = ", ".join(f"{i['type']} {i['value']}" for i in profile["identities"][:4])
        lines.append(f"Customer: {who or profile['id']}")
    if event.get("event"):
        lines.append(f"Event: {event['event']} on {event.get('channel')}")
    for key in ("survey_name", "score", "comment", "text", "sentiment"):
        if props.get(key) not in (None, ""):
            lines.append(f"{key.replace('_', ' ').capitalize()}: {props[key]}")
    if event.get("metric"):
        lines.append(
            f"{event['metric'].upper()} on {event.get('channel') or 'all channels'}: "
            f"{event['previous']['score']} → {event['current']['score']}"
        )
    if payload.get("case_id"):
        lines.append(f"Case: {base_url}/#/cases/{payload['case_id']}")
    return f"[OmniCX alert] {alert['name']}", "\n".join(lines) + "\n"


def post_signed(
    client: httpx.Client, url: str, payload: dict[str, Any], secret: str
) -> tuple[int, str]:
    """POST the payload as compact JSON signed with ``X-OmniCX-Signature:
    sha256=<hex HMAC-SHA256(secret, body)>``; ``(status, body)``, 0 if unreachable.

    A long-lived client: making one per call costs tens of milliseconds (its SSL
    context), more than the rest of the alert path together."""
    from omnicx.channels import SIGNATURE_HEADER, sign_payload

    body = json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign_payload(secret, body),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return 0, f"could not reach {url}: {type(exc).__name__}: {exc}"[:300]
    return response.status_code, response.text[:300]


def _send(
    loop: ClosedLoop,
    delivery: dict[str, Any],
    payload: dict[str, Any],
    rule: dict[str, Any] | None,
) -> tuple[str, int | None, str | None]:
    """One attempt: ``(outcome, status code, error)``; the outcome is ``sent``,
    ``failed`` or ``no_connector``."""
    if delivery["type"] == "webhook":
        # One attempt per call: the retries are ours (persistent, with backoff).
        secret = rule["secret"] if rule else ""
        code, body = post_signed(
            loop.dispatcher.http(), delivery["target"], payload, secret
        )
        if 200 <= code < 300:
            return "sent", code, None
        if code == 0:
            return "failed", None, body
        return "failed", code, f"HTTP {code}: {body}"
    from omnicx.channels import OutboundMessage, deliver

    subject, text = email_text(payload, loop.base_url)
    actions = rule["actions"] if rule else []
    index = delivery["action_index"]
    if index < len(actions) and actions[index].get("subject"):
        subject = str(actions[index]["subject"])
    message = OutboundMessage(
        channel="email",
        to=delivery["target"],
        text=text,
        subject=subject,
        metadata={"alert_firing_id": str(delivery["firing_id"])},
    )
    try:
        result = deliver(loop.runtime.settings, message)
    except Exception as exc:
        return "failed", None, f"{type(exc).__name__}: {exc}"
    if result.status == "sent":
        return "sent", None, None
    if result.status == "no_connector":
        return "no_connector", None, result.error or "no SMTP server configured"
    return "failed", None, result.error or "delivery failed"


@dataclass
class Job:
    """A delivery with what its attempt needs, claimed for one attempt."""

    delivery: dict[str, Any]
    firing: dict[str, Any]
    rule: dict[str, Any] | None


def claim(loop: ClosedLoop, delivery_id: int) -> Job | None:
    """Take a due delivery (the retry path); None when it is not due or taken."""
    state = loop.state
    if not state.claim_delivery(delivery_id, loop.now_ms(), LEASE_MS):
        return None
    delivery = state.delivery(delivery_id)
    firing = state.firing(delivery["firing_id"]) if delivery else None
    if delivery is None or firing is None:
        return None
    return Job(delivery, firing, state.rule(firing["workspace_id"], firing["rule_id"]))


def attempt_delivery(loop: ClosedLoop, delivery_id: int) -> str | None:
    """Claim and attempt one due delivery now, and record the outcome; its new
    status (None: not due or taken)."""
    job = claim(loop, delivery_id)
    if job is None:
        return None
    values = attempt(loop, job)
    loop.state.update_deliveries([(delivery_id, values)])
    return values["status"]


def attempt(loop: ClosedLoop, job: Job) -> dict[str, Any]:
    """One attempt of a claimed delivery: the delivery's new column values."""
    delivery, firing, rule = job.delivery, job.firing, job.rule
    delivery_id = delivery["id"]
    payload = delivery["payload"]
    fresh = payload is None
    if payload is None:
        payload = build_payload(loop, delivery, firing, rule)
    outcome, code, error = _send(loop, delivery, payload, rule)
    attempts = delivery["attempts"] + 1
    done = loop.now_ms()
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": code,
        "last_error": error,
        "updated_at": done,
    }
    if fresh:
        values["payload"] = payload  # later attempts send the very same body
    if outcome == "sent":
        values.update(status="sent", delivered_at=done, next_attempt_at=None)
    elif outcome == "no_connector":
        values.update(status="no_connector", next_attempt_at=None)
    else:
        delay = backoff_ms(attempts)
        if delay is None:
            values.update(status="dead", next_attempt_at=None)
        else:
            values.update(status="retrying", next_attempt_at=done + delay)
        log.warning(
            "alert delivery %s to %s failed (attempt %s): %s",
            delivery_id,
            delivery["target"],
            attempts,
            error,
        )
    return values


class Dispatcher:
    """Worker threads that attempt deliveries as soon as they are queued."""

    def __init__(self, loop: ClosedLoop, stopped: Callable[[], bool]) -> None:
        self.loop = loop
        self._stopped = stopped
        self._queue: queue.Queue[int | Job] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._outcomes: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()

    def http(self) -> httpx.Client:
        """The HTTP client webhooks share (keep-alive, one SSL context)."""
        with self._lock:
            if self._http is None:
                # TCP_NODELAY: httpx writes headers and body separately; with
                # Nagle's algorithm the body waits for a delayed ACK (~40 ms).
                transport = httpx.HTTPTransport(
                    socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
                )
                self._http = httpx.Client(
                    transport=transport,
                    timeout=WEBHOOK_TIMEOUT_S,
                    follow_redirects=False,
                )
            return self._http

    def submit(self, work: Sequence[int | Job]) -> None:
        """Queue delivery ids (claimed by the worker) or jobs claimed already."""
        if not work:
            return
        self._ensure_started()
        for item in work:
            self._queue.put(item)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._threads:
                return
            for n in range(WORKERS):
                thread = threading.Thread(
                    target=self._work, name=f"omnicx-alerts-{n}", daemon=True
                )
                thread.start()
                self._threads.append(thread)
            writer = threading.Thread(
                target=self._write, name="omnicx-alerts-writer", daemon=True
            )
            writer.start()
            self._threads.append(writer)

    def _work(self) -> None:
        while not self._stopped():
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                job = item if isinstance(item, Job) else claim(self.loop, item)
                if job is not None:
                    self._outcomes.put((job.delivery["id"], attempt(self.loop, job)))
            except Exception:
                log.exception("alert delivery %s failed unexpectedly", item)

    def _write(self) -> None:
        """Record outcomes in batches, off the sending threads: a worker never waits
        for the state store's write lock between two webhooks. (An outcome lost in
        a crash leaves the delivery leased: it is sent again after ``LEASE_MS``.)"""
        while not self._stopped() or not self._outcomes.empty():
            try:
                batch = [self._outcomes.get(timeout=0.5)]
            except queue.Empty:
                continue
            while len(batch) < 500:
                try:
                    batch.append(self._outcomes.get_nowait())
                except queue.Empty:
                    break
            try:
                self.loop.state.update_deliveries(batch)
            except Exception:
                log.exception("recording %d alert deliveries failed", len(batch))

    def run_due(self) -> int:
        """The retry job: queue every delivery whose next attempt is due."""
        due = self.loop.state.due_deliveries(self.loop.now_ms())
        self.submit(due)
        return len(due)
