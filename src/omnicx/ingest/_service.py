"""The ingest service: authenticate, validate, append durably, acknowledge."""

from __future__ import annotations

import base64
import time
import zlib
from dataclasses import dataclass

from omnicx.errors import (
    FieldError,
    PayloadTooLargeError,
    ValidationError,
    WorkspaceError,
)
from omnicx.identity import MergeRules
from omnicx.ingest._record import LogRecord, encode_record
from omnicx.ingest._rules_cache import MergeRulesCache
from omnicx.ingest._validate import (
    Limits,
    SourceInfo,
    Validated,
    parse_request,
    validate_request,
)
from omnicx.storage import Store

#: URL path segment after ``/v1/`` → event type (``None``: a batch of typed messages).
PATH_KINDS: dict[str, str | None] = {
    "track": "track",
    "t": "track",
    "identify": "identify",
    "i": "identify",
    "page": "page",
    "p": "page",
    "screen": "screen",
    "s": "screen",
    "group": "group",
    "g": "group",
    "alias": "alias",
    "a": "alias",
    "batch": None,
    "b": None,
    "import": None,
}


@dataclass
class IngestResult:
    accepted: int
    rejected: list[dict[str, object]]
    position: tuple[int, int]

    def body(self) -> dict[str, object]:
        if self.rejected:
            return {"success": True, "rejected": self.rejected}
        return {"success": True}


def write_key_from_basic(header: str | None) -> str | None:
    """The user part of an HTTP Basic ``Authorization`` header."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0] or None


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding: gzip|deflate`` without inflating past ``limit``."""
    if not encoding or encoding.strip().lower() in ("identity", ""):
        return body
    kind = encoding.strip().lower()
    if kind not in ("gzip", "x-gzip", "deflate"):
        raise ValidationError(
            f"unsupported Content-Encoding {encoding!r}; send gzip or no encoding",
            [FieldError("Content-Encoding", "unsupported")],
        )
    wbits = 16 + zlib.MAX_WBITS if kind != "deflate" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ValidationError(
            f"the body is not valid {kind}: {exc}", [FieldError("body", "bad gzip")]
        ) from None
    if len(out) > limit:
        raise PayloadTooLargeError(
            f"the decompressed body exceeds {limit} bytes; send smaller batches",
            [FieldError("body", "request too large")],
        )
    if not inflater.eof:
        raise ValidationError(
            f"the {kind} body is truncated", [FieldError("body", "bad gzip")]
        )
    return out


class IngestService:
    """Shared by the HTTP routes, the importer and the demo."""

    def __init__(self, store: Store, limits: Limits, default_region: str) -> None:
        self.store = store
        self.limits = limits
        self.default_region = default_region
        self._sources: dict[str, SourceInfo] = {}
        self._rules = MergeRulesCache(store, default_region)

    def source(self, write_key: str | None) -> SourceInfo:
        if not write_key:
            raise WorkspaceError(
                "no write key: send it as the HTTP Basic user name or as writeKey"
            )
        cached = self._sources.get(write_key)
        if cached is not None:
            return cached
        source = self.store.state.source_by_write_key(write_key)
        if source is None:
            raise WorkspaceError("unknown write key; check the key of your source")
        info = SourceInfo(source.workspace_id, source.id, source.default_channel)
        self._sources[write_key] = info
        return info

    def rules(self, workspace_id: str) -> MergeRules:
        return self._rules.get(workspace_id)

    def invalidate(self, workspace_id: str) -> None:
        self._rules.invalidate(workspace_id)
        self._sources = {
            k: v for k, v in self._sources.items() if v.workspace_id != workspace_id
        }

    def prepare(
        self,
        path_kind: str,
        body: bytes,
        authorization: str | None = None,
        content_encoding: str | None = None,
        write_key: str | None = None,
    ) -> tuple[LogRecord, int]:
        """Validate a request; returns the log record and the number of messages."""
        if path_kind not in PATH_KINDS:
            raise ValidationError(f"unknown ingest path /v1/{path_kind}")
        kind = PATH_KINDS[path_kind]
        if len(body) > self.limits.max_request_bytes:
            raise PayloadTooLargeError(
                f"request body is {len(body)} bytes; the limit is "
                f"{self.limits.max_request_bytes}",
                [FieldError("body", "request too large")],
            )
        body = decompress(body, content_encoding, self.limits.max_request_bytes)
        parsed = parse_request(body, kind, self.limits)
        write_key = write_key or write_key_from_basic(authorization) or parsed.write_key
        source = self.source(write_key)
        received_at = int(time.time() * 1000)
        validated: Validated = validate_request(
            parsed, kind, source, self.rules(source.workspace_id), received_at
        )
        total = len(parsed.items) + len(parsed.rejected)
        return LogRecord(validated.events, validated.rejected), total

    async def ingest(
        self,
        path_kind: str,
        body: bytes,
        authorization: str | None = None,
        content_encoding: str | None = None,
    ) -> IngestResult:
        record, total = self.prepare(path_kind, body, authorization, content_encoding)
        position = await self.store.log.append_async(encode_record(record))
        return self._result(record, total, position)

    def ingest_blocking(
        self, path_kind: str, body: bytes, write_key: str
    ) -> IngestResult:
        """Validate and append from a worker thread (importer, demo)."""
        record, total = self.prepare(path_kind, body, None, None, write_key)
        position = self.store.log.append(encode_record(record)).result()
        return self._result(record, total, position)

    @staticmethod
    def _result(
        record: LogRecord, total: int, position: tuple[int, int]
    ) -> IngestResult:
        rejected = [
            {"index": r.index, "field": r.field, "message": r.message}
            for r in record.rejected
        ]
        if total and not record.events:
            error = ValidationError(
                "no event in the request was valid; see errors",
                [FieldError(r["field"], r["message"]) for r in rejected],  # type: ignore[arg-type]
            )
            error.position = position  # type: ignore[attr-defined]
            raise error
        return IngestResult(len(record.events), rejected, position)


__all__ = ["PATH_KINDS", "IngestResult", "IngestService", "decompress"]
