"""Import Segment-shaped JSONL or CSV files through the normal validation path.

JSONL: one Segment message per line. CSV: a header row naming event fields —
``type, event, userId, anonymousId, timestamp, messageId, name`` at the top level,
dotted names (``properties.revenue``, ``traits.email``, ``context.channel``) nest, and
any other column goes into ``properties`` (``traits`` for identify calls).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicx.errors import ValidationError
from omnicx.ingest._service import IngestService

TOP_LEVEL = {
    "type",
    "event",
    "userId",
    "anonymousId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "messageId",
    "name",
    "groupId",
    "previousId",
    "category",
}
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,15})(\.\d+)?$")
BATCH_LINES = 200


@dataclass
class ImportSummary:
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, field_name: str, message: str) -> None:
        self.rejected += 1
        key = f"{field_name}: {message}"
        self.reasons[key] = self.reasons.get(key, 0) + 1
        if len(self.examples) < 20:
            self.examples.append(
                {"line": line, "field": field_name, "message": message}
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "reasons": dict(sorted(self.reasons.items(), key=lambda kv: -kv[1])),
            "examples": self.examples,
        }


def _cell(value: str) -> Any:
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    if value in ("true", "false"):
        return value == "true"
    return value


def csv_row_to_message(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as a Segment message (see the module docstring)."""
    message: dict[str, Any] = {}
    loose: dict[str, Any] = {}
    for column, raw in row.items():
        if column is None or raw is None or raw == "":
            continue
        column = column.strip()
        if column in TOP_LEVEL:
            message[column] = raw
        elif "." in column:
            head, _, rest = column.partition(".")
            target = message.setdefault(head, {})
            parts = rest.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = _cell(raw)
        else:
            loose[column] = _cell(raw)
    message.setdefault("type", "track")
    if loose:
        bucket = "traits" if message["type"] in ("identify", "group") else "properties"
        message.setdefault(bucket, {}).update(loose)
    return message


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, record or error text)`` for every data line of a CSV (header
    row; a record per row) or JSONL (an object per line) file."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield number, row
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield number, f"not valid JSON: {exc}"
                continue
            yield number, record if isinstance(record, dict) else "not an object"


def _read_messages(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Segment messages: JSONL objects as they are, CSV rows mapped to messages."""
    is_csv = path.suffix.lower() == ".csv"
    for number, record in read_records(path):
        if is_csv and isinstance(record, dict):
            yield number, csv_row_to_message(record)
        else:
            yield number, record


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def import_file(
    service: IngestService,
    path: Path,
    write_key: str,
    channel: str | None = None,
    progress: Callable[[int], None] | None = None,
    send: Callable[[bytes], dict[str, Any]] | None = None,
) -> ImportSummary:
    """Validate and durably append every message of ``path``.

    ``send`` posts a batch body elsewhere (to a running server) instead of appending
    to the local log; it returns the server's JSON answer.
    """
    if not path.exists():
        raise ValidationError(f"no such file: {path}")
    summary = ImportSummary()
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        if not batch:
            return
        body = json.dumps({"batch": [m for _, m in batch]}).encode()
        try:
            if send is not None:
                answer = send(body)
                rejected = answer.get("rejected", [])
                if answer.get("ok") is False:
                    rejected = [
                        {"index": i, "field": "batch", "message": answer.get("error")}
                        for i in range(len(batch))
                    ]
            else:
                result = service.ingest_blocking("import", body, write_key)
                rejected = result.rejected
        except ValidationError as exc:
            rejected = [
                {"index": _index_of(e.field), "field": e.field, "message": e.message}
                for e in exc.errors
            ] or [{"index": None, "field": "batch", "message": str(exc)}]
        bad = {r["index"] for r in rejected if r.get("index") is not None}
        for r in rejected:
            index = r.get("index")
            line = batch[index][0] if isinstance(index, int) else batch[0][0]
            summary.reject(line, str(r["field"]).split(".", 1)[-1], str(r["message"]))
        summary.accepted += len(batch) - len(bad)
        if progress:
            progress(len(batch))
        batch.clear()

    for number, message in _read_messages(path):
        summary.lines += 1
        if isinstance(message, str):
            summary.reject(number, "line", message)
            if progress:
                progress(1)
            continue
        message.pop("writeKey", None)
        if channel:
            _default_channel(message, channel)
        batch.append((number, message))
        if len(batch) >= BATCH_LINES:
            flush()
    flush()
    return summary


def _default_channel(message: dict[str, Any], channel: str) -> None:
    """Make ``channel`` the channel of messages that do not name their own."""
    context = message.get("context")
    properties = message.get("properties")
    if isinstance(context, dict) and context.get("channel"):
        return
    if isinstance(properties, dict) and properties.get("channel"):
        return
    if context is None:
        message["context"] = {"channel": channel}
    elif isinstance(context, dict):
        context["channel"] = channel


def _index_of(field_name: str) -> int | None:
    match = re.match(r"batch\[(\d+)\]", field_name)
    return int(match.group(1)) if match else None
