"""Bodies of the case endpoints (typed, validated before anything is changed)."""

from __future__ import annotations

from typing import Literal

import msgspec

from omnicx.errors import FieldError, ValidationError

MAX_TEXT = 5000
Status = Literal["open", "assigned", "in_progress", "resolved", "closed"]


class CasePatch(msgspec.Struct, forbid_unknown_fields=True):
    """``PATCH /api/v1/cases/{id}``: ``owner: null`` (or ``""``) unassigns."""

    status: Status | msgspec.UnsetType = msgspec.UNSET
    owner: str | msgspec.UnsetType | None = msgspec.UNSET


class NoteRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    author: str | None = None


class FollowUpRequest(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    channel: str | None = None
    subject: str | None = None


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    resurvey: str | None = None  # survey id sent after resolution
    channel: str | None = None  # for the re-survey (default: preferred consented)
    note: str | None = None


def request_text(value: str, field: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationError(
            f"{field} must have 1 to {MAX_TEXT} characters",
            [FieldError(field, f"1 to {MAX_TEXT} characters")],
        )
    return text
