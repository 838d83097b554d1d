"""Segment-spec messages shaped the way each channel's SDK sends them.

Web messages look like analytics.js (``context.page``, ``userAgent``, ``ip``), app
messages like analytics-ios / analytics-android (``context.app``, ``device``, ``os``,
cached ``context.traits``), and back-office systems (POS, contact centre, e-mail and SMS
providers, social care, live chat) like the server libraries.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from omnicx.demo.catalog import APP_INFO, APP_NAMESPACE, LIBRARIES, SERVER_LIBRARY

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: One buffered message: (timestamp ms, person index, sequence, message as JSON).
#: Buffered messages are kept as JSON bytes: compact, and invisible to the cyclic
#: garbage collector, which otherwise spends more time rescanning a day's worth of
#: waiting dicts than it takes to generate them.
Item = tuple[int, int, int, bytes]
_encode = msgspec.json.Encoder().encode


@functools.cache
def _date_prefix(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")


def iso_timestamp(t_ms: int) -> str:
    """``2026-08-01T09:30:00.123Z`` (UTC, milliseconds)."""
    seconds, millis = divmod(t_ms, 1000)
    day, second = divmod(seconds, 86_400)
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{_date_prefix(day)}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


@dataclass(slots=True)
class Browser:
    """A web browser (cookie) a person uses; ``user_id`` is set once they log in."""

    anonymous_id: str
    user_agent: str
    ip: str
    mobile: bool
    user_id: str | None = None


@dataclass(slots=True)
class AppInstall:
    """The mobile app on a person's phone; ``traits`` is the SDK's trait cache."""

    anonymous_id: str
    device_id: str
    os: str  # ios | android
    manufacturer: str
    model: str
    os_version: str
    screen: tuple[int, int, float]
    carrier: str
    ip: str
    user_id: str | None = None
    traits: dict[str, str] = field(default_factory=dict)
    _device_context: dict[str, Any] = field(default_factory=dict)

    def device_context(self) -> dict[str, Any]:
        """What the SDK reports about the app and the device (never changes)."""
        if not self._device_context:
            width, height, density = self.screen
            self._device_context = {
                "library": LIBRARIES[self.os],
                "app": APP_INFO | {"namespace": APP_NAMESPACE[self.os]},
                "device": {
                    "id": self.device_id,
                    "manufacturer": self.manufacturer,
                    "model": self.model,
                    "type": self.os,
                },
                "os": {
                    "name": "iOS" if self.os == "ios" else "Android",
                    "version": self.os_version,
                },
                "screen": {"width": width, "height": height, "density": density},
                "ip": self.ip,
            }
        return self._device_context


class Outbox:
    """Builds one person's messages; message ids come from the person's seeded
    generator (128 random bits, so unique in practice and identical for a seed).

    Each message is encoded to JSON the moment it is built, so its parts may share
    dictionaries (library, page, device) without one message ever aliasing another."""

    def __init__(
        self, rng: random.Random, person: int, locale: str, timezone: str
    ) -> None:
        self.items: list[Item] = []
        self._rng = rng
        self._person = person
        self._locale = locale
        self._timezone = timezone
        self._seq = 0

    def _add(self, t_ms: int, message: dict[str, Any], id_style: str) -> None:
        self._seq += 1
        bits = self._rng.getrandbits(128)
        if id_style == "web":  # analytics.js: "ajs-next-" + 32 hex digits
            message_id = f"ajs-next-{bits:032x}"
        else:  # a version-4 UUID; analytics-ios writes it in upper case
            h = f"{bits:032x}"
            variant = "89ab"[bits & 3]
            message_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"
            if id_style == "ios":
                message_id = message_id.upper()
        message["messageId"] = message_id
        message["timestamp"] = iso_timestamp(t_ms)
        self.items.append((t_ms, self._person, self._seq, _encode(message)))

    def web(
        self,
        t_ms: int,
        browser: Browser,
        page: dict[str, str],
        *,
        kind: str = "track",
        event: str | None = None,
        properties: dict[str, Any] | None = None,
        traits: dict[str, Any] | None = None,
        campaign: dict[str, str] | None = None,
        page_name: str | None = None,
    ) -> None:
        """An analytics.js call made on ``page``; ``page_name`` for page calls."""
        context: dict[str, Any] = {
            "channel": "web",
            "library": LIBRARIES["web"],
            "page": page,
            "userAgent": browser.user_agent,
            "locale": self._locale,
            "timezone": self._timezone,
            "ip": browser.ip,
        }
        if campaign:
            context["campaign"] = campaign
        message: dict[str, Any] = {"type": kind}
        if kind == "page":
            message["name"] = page_name
            message["properties"] = page | properties if properties else page
        elif kind == "identify":
            message["traits"] = traits or {}
        else:
            message["event"] = event
            message["properties"] = properties or {}
        if browser.user_id:
            message["userId"] = browser.user_id
        message["anonymousId"] = browser.anonymous_id
        message["context"] = context
        message["integrations"] = {}
        self._add(t_ms, message, "web")

    def app(
        self,
        t_ms: int,
        app: AppInstall,
        *,
        kind: str = "track",
        event: str | None = None,
        name: str | None = None,
        properties: dict[str, Any] | None = None,
        traits: dict[str, Any] | None = None,
        wifi: bool = True,
        channel: str = "mobile_app",
        previous_id: str | None = None,
    ) -> None:
        """An analytics-ios / analytics-android call (``channel`` push for pushes)."""
        context = app.device_context() | {
            "channel": channel,
            "network": {"wifi": wifi, "cellular": not wifi, "carrier": app.carrier},
            "locale": self._locale,
            "timezone": self._timezone,
            "traits": {"anonymousId": app.anonymous_id} | app.traits,
        }
        message: dict[str, Any] = {"type": kind}
        if kind == "screen":
            message["name"] = name
            message["properties"] = properties or {}
        elif kind == "identify":
            message["traits"] = traits or {}
        elif kind == "alias":
            message["previousId"] = previous_id
        else:
            message["event"] = event
            message["properties"] = properties or {}
        if app.user_id:
            message["userId"] = app.user_id
        message["anonymousId"] = app.anonymous_id
        message["context"] = context
        self._add(t_ms, message, app.os)

    def server(
        self,
        t_ms: int,
        channel: str,
        *,
        user_id: str | None,
        anonymous_id: str | None,
        kind: str = "track",
        event: str | None = None,
        properties: dict[str, Any] | None = None,
        traits: dict[str, Any] | None = None,
        context_traits: dict[str, Any] | None = None,
        external_ids: list[dict[str, str]] | None = None,
        location: dict[str, str] | None = None,
    ) -> None:
        """A call from a back-office system through a server library."""
        context: dict[str, Any] = {
            "channel": channel,
            "library": LIBRARIES[SERVER_LIBRARY[channel]],
        }
        if context_traits:
            context["traits"] = context_traits
        if external_ids:
            context["externalIds"] = external_ids
        if location:
            context["location"] = location
            context["locale"] = self._locale
        message: dict[str, Any] = {"type": kind}
        if kind == "identify":
            message["traits"] = traits or {}
        else:
            message["event"] = event
            message["properties"] = properties or {}
        if user_id:
            message["userId"] = user_id
        if anonymous_id:
            message["anonymousId"] = anonymous_id
        message["context"] = context
        self._add(t_ms, message, "server")
