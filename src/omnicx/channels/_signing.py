"""HMAC-SHA256 signatures of webhook bodies (``X-OmniCX-Signature: sha256=<hex>``).

A receiver recomputes the HMAC of the raw request body with the shared secret and
compares it in constant time (``verify_signature``).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-OmniCX-Signature"


def _bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign_payload(secret: str | bytes, body: str | bytes) -> str:
    """The signature header value of ``body``: ``"sha256=<hex digest>"``."""
    digest = hmac.new(_bytes(secret), _bytes(body), hashlib.sha256).hexdigest()
    return "sha256=" + digest


def verify_signature(
    secret: str | bytes, body: str | bytes, header: str | None
) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret``."""
    if not header:
        return False
    return hmac.compare_digest(sign_payload(secret, body), header.strip())
