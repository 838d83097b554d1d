"""Email through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import socket

from omnicx.channels import OutboundMessage, deliver, parse_smtp_url
from tests.channels.conftest import free_port

HEBREW_SUBJECT = "איך היה הביקור שלך בחנות?"
ARABIC_TEXT = "شكراً لزيارتك! قيّم تجربتك"


def test_email_multipart_with_utf8_subject(settings, smtp_server):
    settings = settings.replace(
        smtp_url=smtp_server.url, smtp_from="OmniCX Shop <cx@shop.example>"
    )
    message = OutboundMessage(
        channel="email",
        to="dana@example.com",
        subject=HEBREW_SUBJECT,
        text=f"{ARABIC_TEXT}\nhttps://cx.example/s/tok123",
        html=f'<p dir="rtl">{ARABIC_TEXT}</p><a href="https://cx.example/s/tok123">',
        metadata={"headers": {"X-Invitation": "inv_1"}},
    )

    delivery = deliver(settings, message)

    assert delivery.status == "sent", delivery.error
    assert delivery.error is None
    [received] = smtp_server.inbox.received
    assert received.mail_from == "cx@shop.example"
    assert received.rcpt_tos == ["dana@example.com"]
    raw_headers = received.data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # the Hebrew subject travels as RFC 2047 words
    assert b"=?utf-8?" in raw_headers.lower()
    email = received.message
    assert email["Subject"] == HEBREW_SUBJECT
    assert email["From"] == "OmniCX Shop <cx@shop.example>"
    assert email["To"] == "dana@example.com"
    assert email["X-Invitation"] == "inv_1"
    assert email["Message-ID"] == delivery.provider_id
    assert email.get_content_type() == "multipart/alternative"
    text, html = email.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert ARABIC_TEXT in text.get_content()
    assert "https://cx.example/s/tok123" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert f'<p dir="rtl">{ARABIC_TEXT}</p>' in html.get_content()


def test_text_only_email_is_not_multipart(settings, smtp_server):
    settings = settings.replace(smtp_url=smtp_server.url)
    message = OutboundMessage(channel="email", to="a@example.com", text="Hello")
    assert deliver(settings, message).status == "sent"
    email = smtp_server.inbox.received[0].message
    assert email.get_content_type() == "text/plain"
    assert email.get_content().strip() == "Hello"
    assert email["From"] == "omnicx@localhost"


def test_smtp_auth_from_the_url(settings, smtp_server):
    url = f"smtp://cx-user:s3cret%3A%2F%40@127.0.0.1:{smtp_server.port}"
    settings = settings.replace(smtp_url=url)
    message = OutboundMessage(channel="email", to="a@example.com", text="x")
    assert deliver(settings, message).status == "sent"
    assert smtp_server.inbox.logins == [("cx-user", "s3cret:/@")]

    bad = settings.replace(smtp_url=url.replace("s3cret", "wrong"))
    delivery = deliver(bad, message)
    assert delivery.status == "failed"
    assert "SMTP delivery" in delivery.error
    assert len(smtp_server.inbox.received) == 1


def test_missing_smtp_url_is_no_connector(settings):
    message = OutboundMessage(channel="email", to="a@example.com", text="x")
    delivery = deliver(settings.replace(smtp_url=""), message)
    assert delivery.status == "no_connector"
    assert "OMNICX_SMTP_URL" in delivery.error


def test_unreachable_server_fails_without_raising(settings):
    port = free_port()  # nothing listens there
    settings = settings.replace(smtp_url=f"smtp://127.0.0.1:{port}")
    message = OutboundMessage(channel="email", to="a@example.com", text="x")
    delivery = deliver(settings, message)
    assert delivery.status == "failed"
    assert f"127.0.0.1:{port}" in delivery.error


def test_bad_recipient_and_bad_url_fail_clearly(settings, smtp_server):
    good = settings.replace(smtp_url=smtp_server.url)
    not_an_address = OutboundMessage(channel="email", to="+972521234567", text="x")
    delivery = deliver(good, not_an_address)
    assert delivery.status == "failed"
    assert "not an email address" in delivery.error

    wrong_scheme = settings.replace(smtp_url="http://127.0.0.1:25")
    message = OutboundMessage(channel="email", to="a@example.com", text="x")
    delivery = deliver(wrong_scheme, message)
    assert delivery.status == "failed"
    assert "OMNICX_SMTP_URL" in delivery.error
    assert smtp_server.inbox.received == []


def test_parse_smtp_url_defaults():
    plain = parse_smtp_url("smtp://mail.example")
    assert (plain.host, plain.port, plain.implicit_tls) == ("mail.example", 25, False)
    tls = parse_smtp_url("smtps://u:p%40ss@mail.example")
    assert (tls.port, tls.implicit_tls, tls.username, tls.password) == (
        465,
        True,
        "u",
        "p@ss",
    )
    assert parse_smtp_url("smtp://h:587?starttls=true").starttls is True


def test_free_port_helper_really_is_free():
    port = free_port()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
