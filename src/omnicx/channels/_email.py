"""Email over real SMTP (``smtplib``).

``OMNICX_SMTP_URL`` forms::

    smtp://host:port                 plain SMTP (port 25 when omitted)
    smtp://user:pass@host:port       with AUTH (user and password percent-encoded)
    smtp://host:587?starttls=true    upgrade with STARTTLS before AUTH
    smtps://user:pass@host:465       implicit TLS (port 465 when omitted)

Messages are ``multipart/alternative`` (text, then HTML) when ``html`` is given, else
plain text; headers are UTF-8 (RFC 2047 encoded words), so Hebrew, Arabic and Persian
subjects and display names arrive intact.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from omnicx.channels._message import (
    FAILED,
    NO_CONNECTOR,
    SENT,
    Delivery,
    OutboundMessage,
)

TIMEOUT_S = 15.0
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None


class SmtpUrlError(ValueError):
    """``OMNICX_SMTP_URL`` cannot be understood."""


def parse_smtp_url(url: str) -> SmtpTarget:
    """Read ``smtp://[user:pass@]host[:port][?starttls=true]`` or ``smtps://...``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(
            f"OMNICX_SMTP_URL must start with smtp:// or smtps://; got {url!r}"
        )
    try:
        port = parts.port
    except ValueError:
        raise SmtpUrlError(f"OMNICX_SMTP_URL has an invalid port: {url!r}") from None
    if not parts.hostname:
        raise SmtpUrlError(f"OMNICX_SMTP_URL names no host: {url!r}")
    query = parse_qs(parts.query)
    starttls = any(v.lower() in _TRUE for v in query.get("starttls", []))
    return SmtpTarget(
        host=parts.hostname,
        port=port or (465 if scheme == "smtps" else 25),
        implicit_tls=scheme == "smtps",
        starttls=starttls and scheme == "smtp",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_email(sender: str, message: OutboundMessage) -> EmailMessage:
    """The MIME message: text part, and an HTML alternative when ``html`` is set."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(domain=domain)
    headers = message.metadata.get("headers")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if isinstance(name, str) and isinstance(value, str) and name not in email:
                email[name] = value
    email.set_content(message.text or "", charset="utf-8")
    if message.html:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    return email


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    if target.implicit_tls:
        return smtplib.SMTP_SSL(
            target.host,
            target.port,
            timeout=TIMEOUT_S,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(target.host, target.port, timeout=TIMEOUT_S)


def send_email(settings: Any, message: OutboundMessage) -> Delivery:
    """Deliver ``message`` to the SMTP server of ``settings.smtp_url``."""

    def result(
        status: str, error: str | None = None, pid: str | None = None
    ) -> Delivery:
        return Delivery(
            channel=message.channel,
            to=message.to,
            status=status,
            provider_id=pid,
            error=error,
        )

    if not settings.smtp_url:
        return result(NO_CONNECTOR, "no SMTP server configured: set OMNICX_SMTP_URL")
    address = parseaddr(message.to)[1]
    if "@" not in address:
        return result(FAILED, f"`to` is not an email address: {message.to!r}")
    try:
        target = parse_smtp_url(settings.smtp_url)
        email = build_email(settings.smtp_from, message)
    except (SmtpUrlError, ValueError, TypeError) as exc:
        return result(FAILED, str(exc))
    try:
        with _connect(target) as smtp:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if target.username:
                smtp.login(target.username, target.password or "")
            refused = smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        return result(FAILED, f"the SMTP server refused {message.to}: {exc.recipients}")
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        where = f"{target.host}:{target.port}"
        return result(FAILED, f"SMTP delivery via {where} failed: {exc}")
    if refused:
        return result(FAILED, f"the SMTP server refused {message.to}: {refused}")
    return result(SENT, pid=str(email["Message-ID"]))
