"""``smtps://``: implicit TLS, verified against a certificate the test makes."""

from __future__ import annotations

import datetime
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller

from omnicx.channels import OutboundMessage, deliver
from tests.channels.conftest import Inbox, free_port


def _self_signed(tmp_path):
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_smtps_implicit_tls(settings, tmp_path, monkeypatch):
    cert_path, key_path = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, ssl_context=server_context
    )
    controller.start()
    try:
        settings = settings.replace(smtp_url=f"smtps://127.0.0.1:{port}")
        message = OutboundMessage(
            channel="email", to="a@example.com", subject="سلام", text="x"
        )
        untrusted = deliver(settings, message)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # now the client trusts it
        delivery = deliver(settings, message)
    finally:
        controller.stop()
    assert untrusted.status == "failed"
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.error
    assert delivery.status == "sent", delivery.error
    assert len(inbox.received) == 1
    assert inbox.received[0].message["Subject"] == "سلام"
