"""Read a JSON request body into a typed object, with field-named errors."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from starlette.requests import Request

from omnicx.errors import FieldError, ValidationError

T = TypeVar("T")


async def read_json(request: Request, kind: type[T], allow_empty: bool = False) -> T:
    body = await request.body()
    if not body.strip() and allow_empty:
        body = b"{}"
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("`$", 1)[-1].rstrip("`").lstrip(".") if "`$" in text else ""
        if not field and "missing required field" in text:
            field = text.split("`")[1]
        raise ValidationError(
            f"invalid request body: {text}", [FieldError(field or "body", text)]
        ) from None
    except msgspec.DecodeError as exc:
        raise ValidationError(
            f"the body is not valid JSON: {exc}", [FieldError("body", str(exc))]
        ) from None
