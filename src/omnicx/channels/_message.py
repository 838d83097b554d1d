"""What a connector is asked to send, and what came of it."""

from __future__ import annotations

from typing import Any

import msgspec

#: ``Delivery.status`` values.
SENT = "sent"
FAILED = "failed"
NO_CONNECTOR = "no_connector"


class OutboundMessage(msgspec.Struct):
    """One message to one recipient on one channel.

    ``to`` is an email address for ``email`` and a phone number (E.164) for ``sms`` and
    ``whatsapp``. ``subject`` and ``html`` are used by email only. ``metadata`` travels
    with webhook deliveries unchanged (invitation id, survey id, ...); a
    ``metadata["message_id"]`` is reused as the delivery's idempotency key.
    """

    channel: str
    to: str
    text: str
    subject: str = ""
    html: str = ""
    metadata: dict[str, Any] = {}


class Delivery(msgspec.Struct):
    """The outcome of one ``deliver`` call; never an exception.

    ``status``: ``"sent"`` (accepted by the SMTP server or the provider),
    ``"failed"`` (``error`` says why) or ``"no_connector"`` (the channel has no
    connector, or its setting is empty; ``error`` names the setting).
    """

    channel: str
    to: str
    status: str
    provider_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == SENT
