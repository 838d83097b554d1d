"""HTTP: ingest (Segment spec), the management API and the dashboard."""

from __future__ import annotations

from omnicx.api.app import OmnicxApp, create_app

__all__ = ["OmnicxApp", "create_app"]
