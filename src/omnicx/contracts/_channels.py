"""The canonical channel vocabulary (DESIGN.md: Channel)."""

from __future__ import annotations

from typing import Final

Channel = str

#: Canonical channels. The set is extensible: a workspace may use other names, but
#: these are the ones every analysis knows.
CHANNELS: Final[tuple[str, ...]] = (
    "web",
    "mobile_app",
    "email",
    "sms",
    "push",
    "whatsapp",
    "social",
    "chat",
    "call_center",
    "store",
    "ads",
    "other",
)

#: SDK library names (``context.library.name``) and the channel they imply.
SDK_CHANNELS: Final[dict[str, str]] = {
    "analytics.js": "web",
    "analytics-next": "web",
    "@segment/analytics-next": "web",
    "rudder-analytics.js": "web",
    "RudderLabs JavaScript SDK": "web",
    "analytics-ios": "mobile_app",
    "analytics-android": "mobile_app",
    "analytics-react-native": "mobile_app",
    "analytics-kotlin": "mobile_app",
    "analytics-swift": "mobile_app",
    "analytics-flutter": "mobile_app",
    "rudder-ios-library": "mobile_app",
    "com.rudderstack.android.sdk.core": "mobile_app",
    "rudder-sdk-react-native": "mobile_app",
    "rudder-sdk-flutter": "mobile_app",
}
