"""Errors OmniCX raises on purpose.

    OmnicxError
     ├── ConfigError          a setting or configuration value is invalid
     ├── WorkspaceError       unknown workspace, write key or admin token
     ├── ValidationError      client input failed validation (carries field errors)
     │    └── PayloadTooLargeError
     ├── NotFoundError        a requested object does not exist (in this workspace)
     ├── ConflictError        the request conflicts with the current state
     └── StorageError         the data folder cannot be used

Every error says what failed, the offending value, and what to do next. HTTP entry
points map them to the one JSON error shape (``api/errors``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of client input, e.g. ``batch[3].timestamp``."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class OmnicxError(Exception):
    """Base class of every error OmniCX raises deliberately."""

    status = 500


class ConfigError(OmnicxError):
    status = 400


class WorkspaceError(OmnicxError):
    status = 401


class ValidationError(OmnicxError):
    status = 400

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class PayloadTooLargeError(ValidationError):
    status = 413


class NotFoundError(OmnicxError):
    status = 404


class ConflictError(OmnicxError):
    status = 409


class StorageError(OmnicxError):
    status = 503


def parse_int(raw: str | None, field: str, low: int, high: int) -> int:
    """An ASCII decimal integer within ``[low, high]``, else a ``ValidationError``
    naming ``field`` (``"²".isdigit()`` is true, so ``isdigit`` alone is not enough)."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ValidationError(
            f"{field} must be an integer from {low} to {high}; got {raw!r}",
            [FieldError(field, f"must be an integer from {low} to {high}")],
        )
    return int(text)
