"""Reading review / mention exports (CSV with a header row, or JSONL) as feedback
items for ``feedback.imports``: common export column names are mapped to item fields
(``review``/``comment``/``body`` → text, ``stars`` → rating, ``date`` → created_at,
``link`` → url, ``username`` → handle …); other columns go to ``extra``.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.feedback._feedback_item import FeedbackItem
from omnicx.ingest import read_records

#: Item fields, as ``FeedbackItem`` declares them.
FIELDS = frozenset(field.name for field in msgspec.structs.fields(FeedbackItem))
_NAMES = """
text: review comment body message content review_text feedback post tweet
rating: stars star_rating score rating_value rate
created_at: date timestamp time created posted_at published_at review_date
url: link permalink review_url
author: name author_name reviewer user_name display_name
handle: username screen_name user_handle
email: e-mail email_address mail
phone: phone_number mobile msisdn tel
source: platform site network
id: review_id mention_id external_id post_id
title: subject headline summary
language: lang locale
"""
#: Export column names → item fields.
NAMES = {
    head: tuple(rest.split())
    for head, _, rest in (line.partition(":") for line in _NAMES.strip().splitlines())
}
_ALIAS = {alias: field for field, names in NAMES.items() for alias in names}


def item_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """A file row (CSV or JSONL) with export column names mapped to item fields."""
    known = FIELDS
    item: dict[str, Any] = {}
    extra: dict[str, Any] = dict(row.get("extra") or {})
    for column, value in row.items():
        if column is None or value is None or value == "" or column == "extra":
            continue
        name = column.strip().lower().replace(" ", "_")
        name = name if name in known else _ALIAS.get(name, "")
        if not name:
            extra[column.strip()] = value
        elif name not in item:
            item[name] = value
    for field in ("rating", "rating_max"):
        if isinstance(item.get(field), str):
            text = item[field].split("/")[0].strip().replace(",", ".")
            with contextlib.suppress(ValueError):
                item[field] = float(text)
    for field in ("id", "created_at"):
        if isinstance(item.get(field), float):
            item[field] = int(item[field])
    if extra:
        item["extra"] = extra
    return item


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    for number, record in read_records(path):
        yield number, item_from_row(record) if isinstance(record, dict) else record


def import_file(
    run: Callable[[Iterable[tuple[int, Any]]], dict[str, Any]], path: Path
) -> dict[str, Any]:
    """Feed the rows of ``path`` to ``run`` (``imports.import_items``); the summary
    names refused items by file line."""
    if not path.is_file():
        raise ValidationError(f"no such file: {path}", [FieldError("file", "missing")])
    lines = 0
    bad_lines: list[dict[str, Any]] = []

    def good_rows() -> Iterator[tuple[int, Any]]:
        nonlocal lines
        for number, row in _rows(path):
            lines += 1
            if isinstance(row, str):
                bad_lines.append({"at": number, "field": "line", "message": row})
                continue
            yield number, row

    try:
        result = run(good_rows())
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(
            f"{path} cannot be read as UTF-8 CSV or JSONL: {exc}",
            [FieldError("file", "unreadable")],
        ) from None
    rejected = sorted(bad_lines + result["rejected"], key=lambda r: r["at"])
    for error in rejected:
        error["line"] = error.pop("at")
    return {
        "lines": lines,
        "accepted": result["accepted"],
        "rejected": rejected,
        "sentiment": result["sentiment"],
    }
