"""Normalise identifier values so one customer's identifiers compare equal."""

from __future__ import annotations

import functools

import phonenumbers


def normalize_email(value: str) -> str | None:
    """Trimmed, lower-cased email; ``None`` when it is not an address."""
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email:
        return None
    return email


@functools.lru_cache(maxsize=65536)
def normalize_phone(value: str, default_region: str = "US") -> str | None:
    """E.164 form (``+972521234567``); ``None`` when it cannot be a phone number."""
    text = value.strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity(
    identity_type: str, value: object, default_region: str = "US"
) -> str | None:
    """The canonical value of an identifier of the given type, or ``None``."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if identity_type == "email":
        return normalize_email(text)
    if identity_type == "phone":
        return normalize_phone(text, default_region)
    return text
