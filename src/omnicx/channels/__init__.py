"""Outbound channel connectors: email over SMTP, SMS and WhatsApp through a provider
webhook, QR codes, signed webhooks, and a recording fake provider for tests and demos.

    delivery = deliver(settings, OutboundMessage(channel="sms", to="+972...", text="…"))
    delivery.status   # "sent" | "failed" | "no_connector"

``deliver`` never raises for delivery problems: a server that cannot be reached, a
refused recipient or a provider error comes back as ``status="failed"`` with ``error``;
a channel without a connector (store, call_center, web, ...) or an empty setting as
``"no_connector"`` with ``error`` naming the setting (``OMNICX_SMTP_URL``,
``OMNICX_SMS_WEBHOOK_URL``). Webhook bodies are signed with ``OMNICX_WEBHOOK_SECRET``
when that setting exists and is set.

Errors raised (programming mistakes only)::

    ValueError     qr_png / qr_svg given empty or oversized data
"""

from __future__ import annotations

from typing import Any

from omnicx.channels._email import parse_smtp_url, send_email
from omnicx.channels._fake_provider import FakeProvider, RecordedRequest
from omnicx.channels._message import (
    FAILED,
    NO_CONNECTOR,
    SENT,
    Delivery,
    OutboundMessage,
)
from omnicx.channels._qr import qr_png, qr_svg
from omnicx.channels._signing import SIGNATURE_HEADER, sign_payload, verify_signature
from omnicx.channels._webhook import deliver_webhook, post_webhook

__all__ = [
    "CONNECTED_CHANNELS",
    "FAILED",
    "NO_CONNECTOR",
    "SENT",
    "SIGNATURE_HEADER",
    "Delivery",
    "FakeProvider",
    "OutboundMessage",
    "RecordedRequest",
    "deliver",
    "has_connector",
    "parse_smtp_url",
    "post_webhook",
    "qr_png",
    "qr_svg",
    "sign_payload",
    "verify_signature",
]

#: Channels with a connector, and the setting each needs.
CONNECTED_CHANNELS: dict[str, str] = {
    "email": "smtp_url",
    "sms": "sms_webhook_url",
    "whatsapp": "sms_webhook_url",
}


def has_connector(settings: Any, channel: str) -> bool:
    """Whether ``deliver`` can send on ``channel`` with these settings."""
    if channel == "whatsapp":
        return bool(settings.whatsapp_webhook_url or settings.sms_webhook_url)
    setting = CONNECTED_CHANNELS.get(channel)
    return bool(setting and getattr(settings, setting, ""))


def deliver(settings: Any, message: OutboundMessage) -> Delivery:
    """Send ``message`` on its channel's connector; see the module docstring."""
    channel = (message.channel or "").strip().lower()
    try:
        if channel == "email":
            return send_email(settings, message)
        if channel in ("sms", "whatsapp"):
            return deliver_webhook(settings, message)
    except Exception as exc:  # the contract: a Delivery, never a raise
        return Delivery(
            channel=message.channel,
            to=message.to,
            status=FAILED,
            error=f"{channel} delivery failed: {type(exc).__name__}: {exc}",
        )
    return Delivery(
        channel=message.channel,
        to=message.to,
        status=NO_CONNECTOR,
        error=f"channel {message.channel!r} has no outbound connector (connected: "
        + ", ".join(CONNECTED_CHANNELS)
        + "); share the survey link or QR code instead",
    )
