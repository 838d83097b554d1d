"""Typed analysis queries: parsed and validated by named rules before any SQL.

Every analysis takes an optional time range (``from``, ``to``; default: all time) and
filters on channels and profile traits. Errors name the offending field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec

from omnicx.errors import FieldError, ValidationError

T = TypeVar("T", bound=msgspec.Struct)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
ALL_TIME_START = 0
ALL_TIME_END = 7258118400000  # 2200-01-01


def parse_duration(value: str | int | float, field: str) -> int:
    """``"7d"``, ``"12h"``, ``"30m"``, ``"90s"`` or seconds → seconds."""
    if isinstance(value, bool):
        raise ValidationError(
            f"{field} must be a duration", [FieldError(field, "bool")]
        )
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValidationError(
                f"{field} must be a duration like 7d, 12h, 30m or 90s; got {value!r}",
                [FieldError(field, "not a duration")],
            )
        seconds = float(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds <= 0 or seconds > 3650 * 86400:
        raise ValidationError(
            f"{field} must be between 1 second and 10 years",
            [FieldError(field, "out of range")],
        )
    return int(seconds)


def parse_time(value: str | int | None, field: str, default: int) -> int:
    """ISO-8601 text, a date, or epoch milliseconds → epoch milliseconds."""
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            if text.isdigit():
                return int(text)
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return int(parsed.timestamp() * 1000)
    raise ValidationError(
        f"{field} must be an ISO-8601 time (2026-08-01 or 2026-08-01T10:00:00Z)",
        [FieldError(field, "not a time")],
    )


class Scope(msgspec.Struct, frozen=True):
    """What every analysis shares: the time range and the filters."""

    start_ms: int = ALL_TIME_START
    end_ms: int = ALL_TIME_END
    channels: tuple[str, ...] = ()
    traits: dict[str, Any] = {}

    @property
    def filters_profiles(self) -> bool:
        return bool(self.traits)


def scope_from(raw: dict[str, Any]) -> Scope:
    start = parse_time(raw.get("from"), "from", ALL_TIME_START)
    end = parse_time(raw.get("to"), "to", ALL_TIME_END)
    if end <= start:
        raise ValidationError(
            "`to` must be after `from`", [FieldError("to", "not after from")]
        )
    channels = raw.get("channels") or raw.get("channel") or ()
    if isinstance(channels, str):
        channels = tuple(c for c in channels.split(",") if c.strip())
    if not isinstance(channels, (list, tuple)) or not all(
        isinstance(c, str) for c in channels
    ):
        raise ValidationError(
            "channels must be a list of channel names",
            [FieldError("channels", "not a list of strings")],
        )
    traits = raw.get("traits") or {}
    if not isinstance(traits, dict):
        raise ValidationError(
            "traits must be an object of trait: value filters",
            [FieldError("traits", "not an object")],
        )
    return Scope(start, end, tuple(c.strip().lower() for c in channels), traits)


def convert(raw: dict[str, Any], kind: type[T]) -> T:
    """Typed conversion of a query body with field-named errors."""
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else "body"
        if "missing required field" in text:
            field = text.split("`")[1]
        raise ValidationError(
            f"invalid query: {text}", [FieldError(field, text)]
        ) from None
