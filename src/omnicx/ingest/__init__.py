"""Ingest: the Segment tracking spec in, durable log records out, processed behind.

Public entry points: ``IngestService`` (validate + durable append), ``Processor``
(log → identity → stores), ``import_file`` (JSONL/CSV).
"""

from __future__ import annotations

from omnicx.ingest._channel import canonical_channel, resolve_channel
from omnicx.ingest._importer import read_records
from omnicx.ingest._processor import Processor
from omnicx.ingest._service import (
    PATH_KINDS,
    IngestResult,
    IngestService,
    write_key_from_basic,
)
from omnicx.ingest._validate import Limits

__all__ = [
    "PATH_KINDS",
    "IngestResult",
    "IngestService",
    "Limits",
    "Processor",
    "canonical_channel",
    "read_records",
    "resolve_channel",
    "write_key_from_basic",
]
