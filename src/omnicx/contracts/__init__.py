"""Frozen types shared by every layer: channels, identities, normalised events.

Nothing here imports from the rest of the package.
"""

from __future__ import annotations

from omnicx.contracts._channels import CHANNELS, SDK_CHANNELS, Channel
from omnicx.contracts._event import Event, IdentityKey

__all__ = ["CHANNELS", "SDK_CHANNELS", "Channel", "Event", "IdentityKey"]
