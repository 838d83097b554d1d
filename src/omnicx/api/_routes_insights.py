"""Routes of this area (filled in by its feature work)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
