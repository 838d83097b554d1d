"""HTTP webhooks: signed JSON POSTs with bounded retries, and the SMS/WhatsApp
provider connector built on them.

Retried (with exponential backoff): connection errors, timeouts, 5xx, 408 and 429.
Not retried: other 4xx (the request itself is wrong; sending it again cannot help).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx

from omnicx.channels._message import (
    FAILED,
    NO_CONNECTOR,
    SENT,
    Delivery,
    OutboundMessage,
)
from omnicx.channels._signing import SIGNATURE_HEADER, sign_payload

MAX_BACKOFF_S = 5.0
_RETRY_STATUS = frozenset({408, 429})
USER_AGENT = "OmniCX-Webhook/1"


def encode_payload(payload: Any) -> bytes:
    """Compact UTF-8 JSON (what is signed is exactly what is sent)."""
    if isinstance(payload, bytes):
        return payload
    return json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """One connection-pooling client for every webhook of the process (making one
    per call costs tens of milliseconds: its TLS context)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False)
        return _client


def _retryable(status: int) -> bool:
    return status >= 500 or status in _RETRY_STATUS


def _wait_s(attempt: int, backoff_s: float, response: httpx.Response | None) -> float:
    wait = backoff_s * (2**attempt)
    if response is not None:
        after = response.headers.get("retry-after", "").strip()
        if after.isascii() and after.isdigit():
            wait = float(after)
    return min(wait, MAX_BACKOFF_S)


def post_webhook(
    url: str,
    payload: Any,
    secret: str | None = None,
    retries: int = 3,
    *,
    timeout: float = 10.0,
    backoff_s: float = 0.25,
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
) -> tuple[int, str]:
    """POST ``payload`` as JSON to ``url``; returns ``(status code, response body)``.

    ``retries`` is the number of attempts in all (at least one). With ``secret`` the
    body is signed (``X-OmniCX-Signature: sha256=<hex>``). Never raises for delivery
    problems: a URL that cannot be reached answers ``(0, "<what went wrong>")``, and
    the last answer is returned when every attempt failed. ``client``: a long-lived
    ``httpx.Client`` to reuse (default: a shared one of this module).
    """
    if not url.lower().startswith(("http://", "https://")):
        return 0, f"webhook URL must start with http:// or https://; got {url!r}"
    body = encode_payload(payload)
    sent_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if secret:
        sent_headers[SIGNATURE_HEADER] = sign_payload(secret, body)
    sent_headers.update(headers or {})
    attempts = max(1, int(retries))
    result: tuple[int, str] = (0, "not attempted")
    http = client or shared_client()
    for attempt in range(attempts):
        response = None
        try:
            response = http.post(
                url, content=body, headers=sent_headers, timeout=timeout
            )
            result = (response.status_code, response.text)
            if not _retryable(response.status_code):
                return result
        except httpx.HTTPError as exc:
            result = (0, f"could not reach {url}: {type(exc).__name__}: {exc}")
        if attempt + 1 < attempts:
            time.sleep(_wait_s(attempt, backoff_s, response))
    return result


def _provider_id(body: str, fallback: str) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return fallback
    if isinstance(answer, dict):
        for key in ("id", "message_id", "messageId", "sid"):
            value = answer.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return str(value)
    return fallback


def webhook_url_for(settings: Any, channel: str) -> tuple[str, str]:
    """``(url, name of the setting it came from)`` for an SMS or WhatsApp send."""
    if channel == "whatsapp" and settings.whatsapp_webhook_url:
        return settings.whatsapp_webhook_url, "OMNICX_WHATSAPP_WEBHOOK_URL"
    return settings.sms_webhook_url, "OMNICX_SMS_WEBHOOK_URL"


def deliver_webhook(
    settings: Any, message: OutboundMessage, retries: int = 3, backoff_s: float = 0.25
) -> Delivery:
    """Send an SMS or WhatsApp message through the provider webhook."""
    url, setting = webhook_url_for(settings, message.channel)
    if not url:
        hint = (
            "OMNICX_WHATSAPP_WEBHOOK_URL or OMNICX_SMS_WEBHOOK_URL"
            if message.channel == "whatsapp"
            else setting
        )
        return Delivery(
            channel=message.channel,
            to=message.to,
            status=NO_CONNECTOR,
            error=f"no {message.channel} provider configured: set {hint}",
        )
    if not message.to.strip():
        return Delivery(
            channel=message.channel,
            to=message.to,
            status=FAILED,
            error="no recipient: `to` must be a phone number",
        )
    message_id = str(message.metadata.get("message_id") or uuid.uuid4().hex)
    payload = {
        "channel": message.channel,
        "to": message.to,
        "text": message.text,
        "metadata": message.metadata,
        "message_id": message_id,
    }
    secret = getattr(settings, "webhook_secret", "") or None
    status, body = post_webhook(
        url,
        payload,
        secret,
        retries,
        backoff_s=backoff_s,
        headers={"Idempotency-Key": message_id},
    )
    if 200 <= status < 300:
        return Delivery(
            channel=message.channel,
            to=message.to,
            status=SENT,
            provider_id=_provider_id(body, message_id),
        )
    error = body if status == 0 else f"provider answered {status}: {body[:300]}"
    return Delivery(channel=message.channel, to=message.to, status=FAILED, error=error)
